"""Reading a recording back, part after part, whatever state the files are in.

A recording is what is left when something went wrong (that is why it was made): the app was
killed mid-write, the disk filled up, a part was copied half, a newer version wrote it. So the
reader streams (memory bounded by the longest line, ``MAX_LINE_BYTES``) and keeps everything it
can: every complete line before damage in the compressed data, every valid line around a bad
one. What it had to leave out goes to a :class:`ReadReport` as sentences a person can read,
with the recorded time where known; only a file that yields no recording at all (missing, not
gzip, no header) raises :class:`RecordingUnreadable`, and only before the first entry.
"""

from __future__ import annotations

import json
from collections.abc import Generator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from kucandle_gui.urls import quote

from .decoding import BadLine, UnknownKind, decode
from .entries import VERSION, End, Entry, Header, Line, Lost, Rotated, part_path, recorded_utc
from .lines import MAX_LINE_BYTES, PartLines, open_part

#: Problems kept in a report; more are only counted.
MAX_PROBLEMS = 20
#: Longest problem text kept (a damaged line could make one of any length).
MAX_PROBLEM_CHARS = 300
_NO_LINE = object()


class RecordingUnreadable(Exception):
    """Nothing can be replayed from the file: the text names it and says why."""


@dataclass
class ReadReport:
    """What reading a recording had to leave out, and how it ended.

    ``problems`` keeps the first ``MAX_PROBLEMS`` sentences; after them one more entry says
    how many followed (also in ``more_problems``).
    """

    problems: list[str] = field(default_factory=list)
    skipped_lines: int = 0
    unknown_kinds: int = 0
    lost: int = 0
    #: The recording ended with its ``end`` line.
    complete: bool = False
    parts: list[Path] = field(default_factory=list)
    more_problems: int = 0

    def note(self, text: str) -> None:
        """Add a problem (cut to one line of ``MAX_PROBLEM_CHARS``)."""
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(quote(text, MAX_PROBLEM_CHARS))
            return
        self.more_problems += 1
        more = f"and {self.more_problems} more problems"
        self.problems[MAX_PROBLEMS:] = [more]


def read_header(path: str | Path) -> Header:
    """The header of the file at ``path`` (its first line only); :class:`RecordingUnreadable`
    if there is none to be had."""
    path = Path(path)
    with _open(path) as file:
        try:
            magic = file.read(2)
        except OSError as exc:
            raise RecordingUnreadable(f"{path} cannot be read: {exc.strerror or exc}") from None
        if not magic:
            raise RecordingUnreadable(f"{path} is empty: it is not a recording")
        if magic != b"\x1f\x8b":
            raise RecordingUnreadable(
                f"{path} is not a kucandle-gui recording: it is not gzip-compressed"
            )
        file.seek(0)
        stream = PartLines(file)
        lines = stream.lines()
        first = next(lines, _NO_LINE)
        lines.close()
    if first is _NO_LINE and stream.ending == "damaged":
        raise RecordingUnreadable(
            f"{path} cannot be read: its compressed data is damaged ({stream.why})"
        )
    if first is _NO_LINE:
        raise RecordingUnreadable(f"{path} holds no complete line: nothing can be replayed")
    try:
        header = _parse(first) if isinstance(first, bytes) else None
    except (BadLine, UnknownKind) as exc:
        raise RecordingUnreadable(
            f"{path} is not a kucandle-gui recording: its first line is not a recording "
            f"header ({quote(str(exc), 100)})"
        ) from None
    if not isinstance(header, Header):
        raise RecordingUnreadable(
            f"{path} is not a kucandle-gui recording: its first line is not a recording header"
        )
    return header


def iter_entries(path: str | Path, report: ReadReport | None = None) -> Iterator[Entry]:
    """Every entry of the recording at ``path``, headers included, part after part (``FILE.2``
    … of the same recording follow). :class:`RecordingUnreadable` now if the file has no
    header; after that, damage only goes to ``report``."""
    path = Path(path)
    first = read_header(path)
    return _Reading(path, first, report if report is not None else ReadReport()).entries()


def _open(path: Path) -> BinaryIO:
    try:
        return open_part(path)
    except FileNotFoundError:
        raise RecordingUnreadable(f"{path}: there is no such file") from None
    except IsADirectoryError:
        raise RecordingUnreadable(f"{path} is a folder, not a recording") from None
    except OSError as exc:
        raise RecordingUnreadable(f"{path} cannot be read: {exc.strerror or exc}") from None


def _parse(raw: bytes) -> Line:
    """The line in ``raw``: :class:`BadLine` or :class:`UnknownKind` if it is none."""
    try:
        obj = json.loads(raw.decode())
    except (ValueError, RecursionError):
        raise BadLine("not UTF-8 JSON") from None
    return decode(obj)


def _when(t: float | None) -> str:
    return "no time known" if t is None else f"recorded up to {recorded_utc(t)}"


class _Reading:
    """One pass over a recording's parts, noting what it leaves out in ``report``."""

    def __init__(self, path: Path, first: Header, report: ReadReport) -> None:
        self._path = path
        self._first = first
        self._report = report
        suffix = f".{first.part}"
        if first.part > 1 and path.name.endswith(suffix):  # started at a later part
            path = path.with_name(path.name[: -len(suffix)])
        self._base = path
        self._last_t: float | None = first.t
        self._unknown: set[str] = set()

    def entries(self) -> Iterator[Entry]:
        first, report = self._first, self._report
        if first.version > VERSION:
            report.note(
                f"{self._path.name} was made by a newer kucandle-gui: format version "
                f"{first.version}, this one reads {VERSION}; lines it knows are replayed"
            )
        if first.part > 1:
            report.note(
                f"{self._path.name} is part {first.part} of its recording: "
                "the parts before it are not read"
            )
        part = first.part
        while True:
            ending = yield from self._part(part_path(self._base, part), part)
            if ending == "end":
                report.complete = True
                return
            following = part_path(self._base, part + 1)
            if ending == "other" or not following.exists():
                if ending == "rotated":
                    report.note(
                        f"part {part + 1} ({following.name}) is missing: "
                        f"the recording ends with part {part} ({_when(self._last_t)})"
                    )
                return
            part += 1

    def _part(self, path: Path, part: int) -> Generator[Entry, None, str]:
        """The entries of one part; returns how it ended: ``end``, ``rotated``, ``stopped``
        (cut off or damaged) or ``other`` (not a part of this recording: reading stops)."""
        label = f"part {part} ({path.name})"
        try:
            file = open_part(path)
        except OSError as exc:
            self._report.note(f"{label} cannot be read: {exc.strerror or exc}")
            return "other"
        with file:
            stream = PartLines(file)
            number = 0
            for raw in stream.lines():
                number += 1
                if number == 1:
                    header = self._header(raw, label, part)
                    if header is None:
                        return "other"
                    self._report.parts.append(path)
                    yield header
                    continue
                line = self._line(raw, number, label)
                if isinstance(line, End):
                    return "end"
                if isinstance(line, Rotated):
                    return "rotated"
                if line is not None:
                    yield line
        if number == 0:
            why = stream.why or "it holds no complete line"
            self._report.note(f"{label} cannot be read ({why}): it is not read")
            return "other"
        where = f"after line {number} ({_when(self._last_t)})"
        if stream.ending == "damaged":
            self._report.note(f"{label} is damaged {where}: the rest of it is lost")
        elif stream.ending == "cut":
            self._report.note(f"{label} is cut off {where}: the rest is lost")
        else:
            self._report.note(f"{label} stops {where} without an end: it was not closed")
        return "stopped"

    def _header(self, raw: bytes | None, label: str, part: int) -> Header | None:
        """The part's header if it is this recording's part ``part``; else None (noted)."""
        try:
            header = _parse(raw) if raw is not None else None
        except (BadLine, UnknownKind):
            header = None
        if not isinstance(header, Header):
            self._report.note(f"{label} does not start with a recording header: it is not read")
        elif header.recording != self._first.recording:
            self._report.note(f"{label} belongs to another recording: it is not read")
        elif header.part != part:
            self._report.note(f"{label} says it is part {header.part}: it is not read")
        else:
            return header
        return None

    def _line(self, raw: bytes | None, number: int, label: str) -> Line | None:
        """The line in ``raw``, or None if it is skipped (noted and counted)."""
        report = self._report
        try:
            if raw is None:
                raise BadLine(f"longer than {MAX_LINE_BYTES // (1024 * 1024)} MB")
            line = _parse(raw)
            if isinstance(line, Header):
                raise BadLine("a second header")
        except UnknownKind as exc:
            report.unknown_kinds += 1
            kind = exc.kind[:100]
            if kind not in self._unknown and len(self._unknown) < MAX_PROBLEMS:
                self._unknown.add(kind)
                report.note(
                    f"line {number} of {label} is of a kind this version does not know "
                    f"({kind!r}): lines of that kind are skipped"
                )
            return None
        except BadLine as exc:
            report.skipped_lines += 1
            report.note(f"line {number} of {label} is not a valid recording line ({exc}): skipped")
            return None
        self._last_t = line.t
        if isinstance(line, Lost):
            report.lost += line.count
            report.note(
                f"{line.count} lines were not recorded at {recorded_utc(line.t)}: "
                "the recorder fell behind"
            )
        return line
