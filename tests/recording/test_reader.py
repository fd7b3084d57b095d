"""Reading damaged recordings: whatever can be replayed is, what cannot is said in sentences
with the recorded time, and only a file with no recording in it at all is refused."""

from __future__ import annotations

import gzip
import io
import os
import threading
import zlib
from pathlib import Path

import pytest

from kucandle_gui.recording import Header, RecordingUnreadable, WsIn, iter_entries, read_header
from kucandle_gui.recording.lines import MAX_LINE_BYTES, PartLines
from kucandle_gui.recording.reader import MAX_PROBLEMS

from .files import (
    OTHER_ID,
    T_TEXT,
    WAIT,
    T,
    end,
    frames,
    header,
    read_all,
    text_of,
    write_part,
    write_unfinished,
    ws_in,
)


def test_a_sound_recording_reads_whole(tmp_path: Path) -> None:
    path = write_part(tmp_path / "run.kcr", [header(), ws_in(1), ws_in(2), end()])
    entries, report = read_all(path)
    assert isinstance(entries[0], Header) and entries[1:] == [
        WsIn(ws_in(1)["t"], 1.0, 1, "frame 1"),
        WsIn(ws_in(2)["t"], 2.0, 1, "frame 2"),
    ]
    assert report.complete and report.problems == [] and report.parts == [path]
    assert read_header(path) == entries[0]


def test_a_killed_writer_leaves_every_complete_line(tmp_path: Path) -> None:
    data = text_of([header(), ws_in(1), ws_in(2)]) + b'{"k":"ws_in","t":17'
    path = write_unfinished(tmp_path / "run.kcr", data)
    entries, report = read_all(path)
    assert frames(entries) == ["frame 1", "frame 2"]
    assert not report.complete and report.skipped_lines == 0
    assert report.problems == [
        "part 1 (run.kcr) is cut off after line 3 (recorded up to 2025-11-30 03:12:47 UTC): "
        "the rest is lost"
    ]


def test_damaged_compressed_data_keeps_the_lines_before(tmp_path: Path) -> None:
    deflate = zlib.compressobj(wbits=16 + zlib.MAX_WBITS)
    sound = deflate.compress(text_of([header(), ws_in(1)])) + deflate.flush(zlib.Z_SYNC_FLUSH)
    path = tmp_path / "run.kcr"
    path.write_bytes(sound + b"\x07 a block of a type that does not exist")
    entries, report = read_all(path)
    assert frames(entries) == ["frame 1"] and not report.complete
    assert len(report.problems) == 1
    assert report.problems[0].startswith(
        f"part 1 (run.kcr) is damaged after line 2 (recorded up to {T_TEXT[:-6]}46 UTC)"
    )


def test_bad_lines_are_skipped_and_counted(tmp_path: Path) -> None:
    lines = [header(), ws_in(1), b"{not json", b"\xff\xfe", b"", ws_in(2) | {"session": "1"}]
    lines += [header(), ws_in(3), end()]
    entries, report = read_all(write_part(tmp_path / "run.kcr", lines))
    assert frames(entries) == ["frame 1", "frame 3"]
    assert report.complete and report.skipped_lines == 5 and report.unknown_kinds == 0
    assert report.problems[0] == (
        "line 3 of part 1 (run.kcr) is not a valid recording line (not UTF-8 JSON): skipped"
    )
    assert report.problems[3] == (
        "line 6 of part 1 (run.kcr) is not a valid recording line "
        "('session' is not an integer): skipped"
    )
    assert "(a second header)" in report.problems[4]


def test_problems_are_bounded(tmp_path: Path) -> None:
    bad = [ws_in(i) | {"m": "late"} for i in range(MAX_PROBLEMS + 15)]
    entries, report = read_all(write_part(tmp_path / "run.kcr", [header(), *bad, end()]))
    assert len(entries) == 1 and report.skipped_lines == MAX_PROBLEMS + 15
    assert len(report.problems) == MAX_PROBLEMS + 1 and report.more_problems == 15
    assert report.problems[-1] == "and 15 more problems"


def test_a_last_line_without_its_newline(tmp_path: Path) -> None:
    whole = tmp_path / "whole.kcr"
    whole.write_bytes(gzip.compress(text_of([header(), ws_in(1), end()])[:-1]))
    entries, report = read_all(whole)
    assert frames(entries) == ["frame 1"] and report.complete
    half = tmp_path / "half.kcr"
    half.write_bytes(gzip.compress(text_of([header(), ws_in(1), ws_in(2)])[:-9]))
    entries, report = read_all(half)
    assert frames(entries) == ["frame 1"] and report.skipped_lines == 1
    assert report.problems[-1] == (
        "part 1 (half.kcr) stops after line 3 (recorded up to 2025-11-30 03:12:46 UTC) "
        "without an end: it was not closed"
    )


def test_unknown_kinds_are_skipped_and_counted(tmp_path: Path) -> None:
    trade = {"k": "trade", "t": 1.0, "m": 0.5}
    lines = [header(), trade, ws_in(1), trade, {"k": "book", "x": []}, end()]
    entries, report = read_all(write_part(tmp_path / "run.kcr", lines))
    assert frames(entries) == ["frame 1"] and report.complete
    assert report.unknown_kinds == 3 and report.skipped_lines == 0
    assert report.problems == [
        "line 2 of part 1 (run.kcr) is of a kind this version does not know ('trade'): "
        "lines of that kind are skipped",
        "line 5 of part 1 (run.kcr) is of a kind this version does not know ('book'): "
        "lines of that kind are skipped",
    ]


def test_a_newer_version_is_read_as_far_as_known(tmp_path: Path) -> None:
    lines = [header(version=2), ws_in(1), {"k": "depth", "t": 1.0, "m": 1.0}, ws_in(2), end()]
    entries, report = read_all(write_part(tmp_path / "run.kcr", lines))
    assert frames(entries) == ["frame 1", "frame 2"] and report.unknown_kinds == 1
    assert report.problems[0] == (
        "run.kcr was made by a newer kucandle-gui: format version 2, this one reads 1; "
        "lines it knows are replayed"
    )


def test_a_line_too_long_is_skipped(tmp_path: Path) -> None:
    path = tmp_path / "run.kcr"
    with gzip.open(path, "wb", compresslevel=1) as file:
        file.write(text_of([header(), ws_in(1)]))
        file.write(b'{"k":"ws_in","text":"' + b"x" * MAX_LINE_BYTES + b'"}\n')
        file.write(text_of([ws_in(2), end()]))
    entries, report = read_all(path)
    assert frames(entries) == ["frame 1", "frame 2"] and report.complete
    assert report.skipped_lines == 1
    assert report.problems == [
        "line 3 of part 1 (run.kcr) is not a valid recording line (longer than 32 MB): skipped"
    ]


def test_parts_follow_while_they_are_the_same_recording(tmp_path: Path) -> None:
    rotated = {"k": "rotated", "t": 5.0, "m": 5.0, "next": "renamed.kcr.2"}
    base = write_part(tmp_path / "run.kcr", [header(1), ws_in(1), rotated])
    write_part(tmp_path / "run.kcr.2", [header(2), ws_in(2), rotated])
    write_part(tmp_path / "run.kcr.3", [header(3, OTHER_ID), ws_in(3), end()])
    entries, report = read_all(base)
    assert frames(entries) == ["frame 1", "frame 2"] and not report.complete
    assert report.parts == [base, tmp_path / "run.kcr.2"]
    assert report.problems == ["part 3 (run.kcr.3) belongs to another recording: it is not read"]


def test_a_missing_part_ends_the_recording(tmp_path: Path) -> None:
    rotated = {"k": "rotated", "t": T + 5, "m": 5.0, "next": "run.kcr.2"}
    entries, report = read_all(write_part(tmp_path / "run.kcr", [header(), ws_in(1), rotated]))
    assert frames(entries) == ["frame 1"] and not report.complete
    assert report.problems == [
        "part 2 (run.kcr.2) is missing: the recording ends with part 1 "
        "(recorded up to 2025-11-30 03:12:50 UTC)"
    ]


def test_a_cut_part_is_followed_by_the_next(tmp_path: Path) -> None:
    base = write_unfinished(tmp_path / "run.kcr", text_of([header(1), ws_in(1)]) + b"{")
    write_part(tmp_path / "run.kcr.2", [header(2), ws_in(2), end()])
    write_part(tmp_path / "run.kcr.4", [header(4), ws_in(4), end()])
    entries, report = read_all(base)
    assert frames(entries) == ["frame 1", "frame 2"] and report.complete
    assert len(report.problems) == 1 and "part 1 (run.kcr) is cut off" in report.problems[0]


def test_a_part_numbered_wrong_is_not_read(tmp_path: Path) -> None:
    rotated = {"k": "rotated", "t": 5.0, "m": 5.0, "next": "run.kcr.2"}
    base = write_part(tmp_path / "run.kcr", [header(1), ws_in(1), rotated])
    write_part(tmp_path / "run.kcr.2", [header(5), ws_in(2), end()])
    entries, report = read_all(base)
    assert frames(entries) == ["frame 1"]
    assert report.problems == ["part 2 (run.kcr.2) says it is part 5: it is not read"]


def test_gzip_members_in_sequence_read_as_one(tmp_path: Path) -> None:
    path = tmp_path / "run.kcr"
    path.write_bytes(gzip.compress(text_of([header(), ws_in(1)])) + gzip.compress(b""))
    path.write_bytes(path.read_bytes() + gzip.compress(text_of([ws_in(2), end()])))
    entries, report = read_all(path)
    assert frames(entries) == ["frame 1", "frame 2"] and report.complete


@pytest.mark.parametrize(
    ("content", "why"),
    [
        (None, "run.kcr: there is no such file"),
        (b"", "run.kcr is empty: it is not a recording"),
        (b'{"k":"header"}\n', "run.kcr is not a kucandle-gui recording: it is not gzip-compressed"),
        (gzip.compress(b""), "run.kcr holds no complete line: nothing can be replayed"),
        (gzip.compress(b"hello\n"), "run.kcr is not a kucandle-gui recording: its first line"),
        (gzip.compress(text_of([ws_in(1), end()])), "its first line is not a recording header"),
        (gzip.compress(text_of([header() | {"format": "x"}])), "is not a recording header"),
        (gzip.compress(text_of([header()]))[:12], "run.kcr holds no complete line"),
        (gzip.compress(b"")[:10] + b"\x07", "run.kcr cannot be read: its compressed data is"),
    ],
)
def test_a_file_with_no_recording_is_refused(
    tmp_path: Path, content: bytes | None, why: str
) -> None:
    path = tmp_path / "run.kcr"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(RecordingUnreadable) as caught:
        iter_entries(path)
    assert str(caught.value).startswith(str(path)) or str(path) in str(caught.value)
    assert why in str(caught.value)


def test_a_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(RecordingUnreadable, match="is a folder, not a recording"):
        read_header(tmp_path)


def test_a_line_with_base64_beyond_ascii_is_skipped(tmp_path: Path) -> None:
    odd = {"k": "ws_in", "t": T, "m": 1.5, "session": 1, "b64": "AAH+é"}
    entries, report = read_all(write_part(tmp_path / "run.kcr", [header(), odd, ws_in(2), end()]))
    assert frames(entries) == ["frame 2"] and report.complete and report.skipped_lines == 1
    assert report.problems == [
        "line 2 of part 1 (run.kcr) is not a valid recording line ('b64' is not base64): skipped"
    ]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_a_pipe_is_refused_not_waited_on(tmp_path: Path) -> None:
    rotated = {"k": "rotated", "t": T + 5, "m": 5.0, "next": "run.kcr.2"}
    base = write_part(tmp_path / "run.kcr", [header(), ws_in(1), rotated])
    os.mkfifo(tmp_path / "run.kcr.2")
    os.mkfifo(tmp_path / "pipe.kcr")
    read: dict[str, object] = {}
    done = threading.Event()

    def reading() -> None:  # a reader stuck on a pipe must fail the test, not hang it
        read["base"] = read_all(base)
        with pytest.raises(RecordingUnreadable) as caught:
            read_header(tmp_path / "pipe.kcr")
        read["pipe"] = str(caught.value)
        done.set()

    threading.Thread(target=reading, daemon=True).start()
    assert done.wait(WAIT)
    entries, report = read["base"]  # type: ignore[misc]
    assert frames(entries) == ["frame 1"]
    assert report.problems == ["part 2 (run.kcr.2) cannot be read: it is not a regular file"]
    assert read["pipe"] == f"{tmp_path / 'pipe.kcr'} cannot be read: it is not a regular file"


def test_a_part_that_is_a_folder_is_not_read(tmp_path: Path) -> None:
    rotated = {"k": "rotated", "t": T + 5, "m": 5.0, "next": "run.kcr.2"}
    base = write_part(tmp_path / "run.kcr", [header(), ws_in(1), rotated])
    (tmp_path / "run.kcr.2").mkdir()
    entries, report = read_all(base)
    assert frames(entries) == ["frame 1"] and not report.complete
    assert report.problems == ["part 2 (run.kcr.2) cannot be read: it is a folder"]


class EndlessLine(io.RawIOBase):
    """A gzip stream of one line of ``x`` that never ends; ``inflated`` counts what it served,
    and it stops (end of file) at ``limit`` inflated bytes."""

    def __init__(self, limit: int) -> None:
        super().__init__()
        self._deflate = zlib.compressobj(1, wbits=16 + zlib.MAX_WBITS)
        self._limit = limit
        self.inflated = 0

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        if self.inflated >= self._limit:
            return b""
        self.inflated += 1024 * 1024
        return self._deflate.compress(b"x" * 1024 * 1024) + self._deflate.flush(zlib.Z_SYNC_FLUSH)


def test_a_line_too_long_is_told_before_its_end() -> None:
    stream = EndlessLine(limit=4 * MAX_LINE_BYTES)
    lines = PartLines(stream).lines()  # type: ignore[arg-type]
    assert next(lines, "no line at all") is None
    assert stream.inflated <= MAX_LINE_BYTES + 2 * 1024 * 1024


def test_hostile_lines_are_skipped_with_a_reason(tmp_path: Path) -> None:
    nan = b'{"k":"ws_in","t":NaN,"m":0,"session":1,"text":"x"}'
    infinite = b'{"k":"ws_in","t":1,"m":Infinity,"session":1,"text":"x"}'
    deep = [b"[" * 200_000, b'{"a":' * 100_000]
    lines = [header(), nan, infinite, *deep, ws_in(1), end()]
    entries, report = read_all(write_part(tmp_path / "run.kcr", lines))
    assert frames(entries) == ["frame 1"] and report.complete and report.skipped_lines == 4
    assert [p.partition("(")[2].partition(")")[2] for p in report.problems] == [
        " is not a valid recording line ('t' is not finite): skipped",
        " is not a valid recording line ('m' is not finite): skipped",
        " is not a valid recording line (not UTF-8 JSON): skipped",
        " is not a valid recording line (not UTF-8 JSON): skipped",
    ]
