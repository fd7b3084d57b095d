"""The command line's flags of recording and replaying: ``--record FILE [--record-max-mb MB]``
and ``--replay FILE [--speed X] [--loop]``.

Kept apart from :mod:`kucandle_gui.cli` because they are checked as a group: which flag needs
which, which exclude each other, and the files themselves (a recording is never written over
another file; a file to replay is read as far as its header, so that one that is no recording
is refused before a window or a feed starts). Each check exits 2 with what is valid, as every
other flag does. Nothing here imports the feed or aiohttp before a flag needs it: the command
line installs its signal handlers first.
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kucandle_gui.replay import ReplayOptions

#: ``--record-max-mb`` when not given: a part of a recording ends at this size (MiB).
DEFAULT_RECORD_MAX_MB = 200.0
#: ``--record-max-mb``'s largest value (MiB).
MAX_RECORD_MB = 1_000_000.0
MIB = 1024 * 1024


def part_bytes(max_mb: float) -> int:
    """``--record-max-mb``'s MiB as the recorder's ``max_bytes`` (at least one byte)."""
    return max(1, round(max_mb * MIB))


def record_path(text: str) -> Path:
    """Where ``--record`` writes: a new file in an existing folder; ``ValueError`` saying why
    it cannot be (a recording is never written over another file)."""
    if not text.strip():
        raise ValueError("no file name: expected a new file, e.g. session.kcr")
    path = Path(text)
    if path.exists() or path.is_symlink():
        raise ValueError(f"{text} exists: give a new file name (a recording never overwrites)")
    if not path.parent.is_dir():
        raise ValueError(f"{text}: the folder {path.parent} does not exist")
    return path


def record_max_mb(text: str) -> float:
    """``--record-max-mb``: a positive size in MiB; ``ValueError`` saying what is valid."""
    try:
        size = float(text)
    except ValueError:
        size = math.nan
    if not 0 < size <= MAX_RECORD_MB:
        raise ValueError(
            f"invalid size {text!r}: expected a number of MiB above 0, at most "
            f"{MAX_RECORD_MB:,.0f}, e.g. 200"
        )
    return size


def replay_path(text: str) -> Path:
    """The file ``--replay`` plays: an existing file (whether it is a recording is checked
    once the flags are parsed); ``ValueError`` saying why not."""
    path = Path(text)
    if not text.strip() or not path.is_file():
        what = "not a file" if path.exists() else "no such file"
        raise ValueError(f"{text!r}: {what}: expected a recording made with --record")
    return path


def replay_speed(text: str) -> float:
    """``--speed``: a multiple of the recorded pace within the replay's bounds; ``ValueError``
    saying which are valid."""
    from kucandle_gui.replay import MAX_SPEED, MIN_SPEED  # aiohttp: only once --speed is given

    try:
        speed = float(text)
    except ValueError:
        speed = math.nan
    if not MIN_SPEED <= speed <= MAX_SPEED:
        raise ValueError(
            f"invalid speed {text!r}: expected a number from {MIN_SPEED:g} to {MAX_SPEED:g} "
            "(1 = as recorded)"
        )
    return speed


def check_record_replay(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """The flags of recording and replaying that only go together, or not at all; the file
    to replay read as far as its header. Fills in the defaults left open to tell whether a
    flag was given (``--api-url``, ``--record-max-mb``, ``--speed``)."""
    from kucandle_gui.feed import DEFAULT_API_URL

    needs = (
        ("--record-max-mb", args.record_max_mb is not None, "--record", args.record),
        ("--speed", args.speed is not None, "--replay", args.replay),
        ("--loop", args.loop, "--replay", args.replay),
    )
    for flag, given, needed, present in needs:
        if given and present is None:
            parser.error(f"argument {flag}: only with {needed}")
    if args.loop and not args.headless:
        # A window's feed keeps its candles across passes: a second pass would only ask for
        # history the recording does not hold, and the charts would wait for it.
        parser.error("argument --loop: only with --headless (the window replays once)")
    source = "a replay plays its recording, the source of its prices"
    excluded = (
        ("--record", args.record, "--replay", "record a live or --demo run"),
        ("--demo", args.demo, "--replay", source),
        ("--api-url", args.api_url, "--replay", source),
        ("--self-test", args.self_test, "--record", "the self-test runs its own exchange"),
        ("--self-test", args.self_test, "--replay", "the self-test runs its own exchange"),
    )
    for flag, given, other, why in excluded:
        if given and getattr(args, other[2:]) is not None:
            parser.error(f"argument {other}: not with {flag} ({why})")
    if args.replay is not None:
        from kucandle_gui.recording import RecordingUnreadable, read_header

        try:
            read_header(args.replay)
        except RecordingUnreadable as exc:
            parser.error(f"argument --replay: {exc}")
    args.api_url = args.api_url or DEFAULT_API_URL
    args.record_max_mb = args.record_max_mb or DEFAULT_RECORD_MAX_MB
    args.speed = args.speed or 1.0


def replay_options(args: argparse.Namespace, *, close_at_end: bool) -> ReplayOptions | None:
    """What ``--replay``, ``--speed`` and ``--loop`` ask for (None: no replay)."""
    if args.replay is None:
        return None
    from kucandle_gui.replay import ReplayOptions

    return ReplayOptions(args.replay, args.speed, args.loop, close_at_end=close_at_end)
