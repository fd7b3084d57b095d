"""The recorder when the disk does not keep up or fails: the feed never waits and never sees
an error; lost lines are counted and marked where they are missing; one problem is told."""

from __future__ import annotations

import threading
from pathlib import Path

from kucandle_gui.recording import Lost, Recorder, WsOpen

from .files import RUN, WAIT, GatedOpener, frames, read_all


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
