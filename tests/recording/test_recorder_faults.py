"""The recorder when the disk does not keep up or fails: the feed never waits and never sees
an error; lost lines are counted and marked where they are missing; one problem is told."""

from __future__ import annotations

import threading
from pathlib import Path
from urllib.parse import quote

from kucandle_gui.recording import Lost, Recorder, WsEnd, WsOpen

from .files import RUN, WAIT, GatedOpener, decompressed, frames, read_all


class Problems:
    """``on_problem``: the texts told, and an event at the first."""

    def __init__(self) -> None:
        self.texts: list[str] = []
        self.told = threading.Event()

    def __call__(self, text: str) -> None:
        self.texts.append(text)
        self.told.set()


def test_a_writer_behind_loses_lines_and_marks_where(tmp_path: Path) -> None:
    path, opener, problems = tmp_path / "run.kcr", GatedOpener(), Problems()
    recorder = Recorder(
        path, RUN, flush_interval=0, max_pending=4, opener=opener, on_problem=problems
    ).start()
    disk = opener.files[0]
    disk.gate.clear()
    recorder.ws_open("c1", "ws://h/?connectId=c1")
    assert disk.blocked.wait(WAIT)  # the writer waits on the disk with an empty queue
    for i in range(10):
        recorder.ws_received("c1", f"frame {i}")
    assert recorder.lost == 6
    disk.gate.set()
    assert recorder.flush(WAIT)  # the queue has been taken: there is room again
    recorder.ws_received("c1", "after")
    recorder.close()
    entries, report = read_all(path)
    assert isinstance(entries[1], WsOpen)
    assert frames(entries) == ["frame 0", "frame 1", "frame 2", "frame 3", "after"]
    lost = [e for e in entries if isinstance(e, Lost)]
    assert len(lost) == 1 and lost[0].count == 6
    assert entries.index(lost[0]) == 6  # after the lines queued before the loss
    assert report.lost == 6 and report.complete
    assert len(report.problems) == 1
    assert report.problems[0].startswith("6 lines were not recorded at ")
    assert len(problems.texts) == 1
    assert "fell behind the feed: 6 lines were not recorded" in problems.texts[0]


def test_the_queue_is_bounded_by_the_bytes_it_holds_too(tmp_path: Path) -> None:
    """Large answers fill the queue's bytes long before its count of lines: beyond it they
    are lost (counted) while small lines still fit."""
    path, opener = tmp_path / "run.kcr", GatedOpener()
    recorder = Recorder(path, RUN, flush_interval=0, max_pending_bytes=2500, opener=opener).start()
    disk = opener.files[0]
    disk.gate.clear()
    recorder.ws_open("c1", "ws://h/?connectId=c1")
    assert disk.blocked.wait(WAIT)  # the writer waits on the disk with an empty queue
    for i in range(3):
        recorder.ws_received("c1", f"{i}" * 1000)
    recorder.ws_received("c1", "small")
    assert recorder.lost == 1
    disk.gate.set()
    recorder.close()
    entries, _ = read_all(path)
    assert frames(entries) == ["0" * 1000, "1" * 1000, "small"]


def test_a_disk_error_stops_the_recording_once(tmp_path: Path) -> None:
    path, opener, problems = tmp_path / "run.kcr", GatedOpener(), Problems()
    recorder = Recorder(path, RUN, flush_interval=0, opener=opener, on_problem=problems).start()
    recorder.ws_received("c1", "kept")
    assert recorder.flush(WAIT)
    opener.files[0].fail = OSError(28, "No space left on device")
    recorder.ws_received("c1", "not kept")
    assert problems.told.wait(WAIT)
    for i in range(100):  # the feed goes on: nothing raises, nothing piles up
        recorder.ws_received("c1", f"later {i}")
    assert recorder.flush() is False
    recorder.close()
    recorder.close()
    assert problems.texts == [
        f"the recording to {path} stopped: No space left on device; the feed goes on"
    ]
    assert recorder.failed == problems.texts[0] and recorder.lost == 0
    entries, report = read_all(path)
    assert frames(entries) == ["kept"] and not report.complete


def test_a_failing_rotation_stops_the_recording(tmp_path: Path) -> None:
    path, problems = tmp_path / "run.kcr", Problems()
    recorder = Recorder(path, RUN, max_bytes=1, on_problem=problems).start()
    (tmp_path / "run.kcr.2").write_bytes(b"made meanwhile")
    recorder.ws_received("c1", "the part is full")
    assert problems.told.wait(WAIT)
    recorder.close()
    assert "stopped: File exists" in problems.texts[0]
    entries, report = read_all(path)
    assert frames(entries) == ["the part is full"]
    assert len(report.problems) == 1
    assert report.problems[0].startswith("part 2 (run.kcr.2) cannot be read (")
    assert report.problems[0].endswith("): it is not read")


def test_a_flush_the_disk_refuses_is_answered_at_once(tmp_path: Path) -> None:
    opener, problems = GatedOpener(), Problems()
    recorder = Recorder(
        tmp_path / "run.kcr", RUN, flush_interval=3600, opener=opener, on_problem=problems
    ).start()
    opener.files[0].fail = OSError(28, "No space left on device")
    mark = recorder._queue.put_flush()  # what flush() waits on, without its timeout
    assert mark is not None and problems.told.wait(WAIT)
    assert mark.done.is_set() and recorder.failed is not None
    recorder.close()


class JoinOpensTheDisk:
    """The writer thread, whose ``join`` lets the gated disk go on first: a close that
    returns without joining leaves the disk shut, and the file unfinished."""

    def __init__(self, thread: threading.Thread, gate: threading.Event) -> None:
        self._thread, self._gate = thread, gate
        self.ident = thread.ident

    def join(self, timeout: float | None = None) -> None:
        self._gate.set()
        self._thread.join(timeout)

    def is_alive(self) -> bool:
        return self._thread.is_alive()


def test_close_from_on_problem_and_from_another_thread(tmp_path: Path) -> None:
    path, opener = tmp_path / "run.kcr", GatedOpener()
    raised: list[BaseException] = []
    told = threading.Event()

    def on_problem(text: str) -> None:  # on the writer's thread
        disk.gate.clear()
        try:
            recorder.close()
        except BaseException as exc:
            raised.append(exc)
        told.set()

    recorder = Recorder(
        path, RUN, flush_interval=0, max_pending=1, opener=opener, on_problem=on_problem
    ).start()
    disk = opener.files[0]
    recorder._thread = JoinOpensTheDisk(recorder._thread, disk.gate)  # type: ignore[arg-type,assignment]
    disk.gate.clear()
    recorder.ws_received("c1", "one")
    assert disk.blocked.wait(WAIT)
    for frame in ("two", "lost"):
        recorder.ws_received("c1", frame)
    disk.gate.set()
    assert told.wait(WAIT) and raised == []
    recorder.close()  # the second close: it waits for the writer
    entries, report = read_all(path)
    assert frames(entries) == ["one", "two"] and report.complete and report.lost == 1


def test_a_token_is_kept_out_even_when_its_connect_line_is_lost(tmp_path: Path) -> None:
    path, opener = tmp_path / "run.kcr", GatedOpener()
    token = "2neAiuYvAU61ZDXAN/wP+a7nRe=.Qx"
    recorder = Recorder(path, RUN, flush_interval=0, max_pending=1, opener=opener).start()
    disk = opener.files[0]
    disk.gate.clear()
    recorder.ws_received("c0", "held")
    assert disk.blocked.wait(WAIT)
    recorder.ws_received("c0", "queued")
    recorder.ws_open("c1", f"ws://h/?token={quote(token, safe='')}&connectId=c1")
    assert recorder.lost == 1
    disk.gate.set()
    assert recorder.flush(WAIT)
    recorder.ws_end("c1", f"refused: {token} is not valid", False)
    recorder.close()
    assert token.encode() not in decompressed(recorder.parts)
    ended = read_all(path)[0][-1]
    assert isinstance(ended, WsEnd) and ended.reason == "refused: REDACTED is not valid"


def test_a_disk_full_while_ending_a_part_keeps_what_was_flushed(tmp_path: Path) -> None:
    path, opener, problems = tmp_path / "run.kcr", GatedOpener(), Problems()
    recorder = Recorder(path, RUN, max_bytes=1, opener=opener, on_problem=problems).start()
    opener.files[0].fail = OSError(28, "No space left on device")
    recorder.ws_received("c1", "ends the part")  # the part is full: its gzip end cannot be written
    assert problems.told.wait(WAIT)
    recorder.close()
    assert "No space left on device" in problems.texts[0] and recorder.parts == [path]
    entries, report = read_all(path)
    assert len(entries) == 1 and not report.complete
    assert report.problems[0].startswith("part 1 (run.kcr) is cut off after line 1")
