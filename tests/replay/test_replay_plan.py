"""The replay's pacing arithmetic and what it reads from a recording, without a server."""

from __future__ import annotations

from pathlib import Path

import pytest

from kucandle_gui.recording import RecordingUnreadable
from kucandle_gui.replay.pace import MAX_SPEED, MIN_SPEED, Pace, checked_speed
from kucandle_gui.replay.plan import Reply, Send, SessionEnd, iter_steps, read_plan
from tests.replay.recordings import OTHER_TOPIC, TOPIC, RecordingWriter


def test_frames_are_due_at_the_recorded_gaps_divided_by_the_speed() -> None:
    pace = Pace(wall=100.0, recorded=10.0, speed=2.0)

    assert pace.due(10.0) == 100.0
    assert pace.due(11.0) == 100.5
    assert pace.due(14.0) == 102.0
    assert pace.position(101.0) == 12.0


def test_time_blocked_or_paused_does_not_compress_the_gaps_that_follow() -> None:
    pace = Pace(wall=100.0, recorded=10.0, speed=1.0)

    pace.delay(30.0)  # waited 30 s for the client after the frame due at 100

    assert pace.due(10.0) == 130.0
    assert pace.due(12.5) == 132.5


def test_a_new_speed_goes_on_from_the_position_reached() -> None:
    pace = Pace(wall=100.0, recorded=10.0, speed=1.0)

    pace.set_speed(now=104.0, speed=4.0)  # 4 recorded seconds played at 1x

    assert pace.due(14.0) == 104.0
    assert pace.due(22.0) == 106.0
    assert pace.speed == 4.0


def test_a_session_restarts_the_pace_at_its_first_frame() -> None:
    pace = Pace(wall=100.0, recorded=10.0, speed=10.0)

    pace.restart(now=500.0, m=3600.0)  # an hour later in the recording, whenever it connects

    assert pace.due(3600.0) == 500.0
    assert pace.due(3601.0) == 500.1


@pytest.mark.parametrize("speed", [MIN_SPEED / 2, MAX_SPEED * 2, 0.0, -1.0, float("nan")])
def test_speeds_outside_the_range_are_refused(speed: float) -> None:
    with pytest.raises(ValueError, match=r"\[0.1, 1000\]"):
        checked_speed(speed)


def test_sessions_answers_and_rest_are_planned_from_the_recording(tmp_path: Path) -> None:
    rec = RecordingWriter()
    rec.rest(0.05, "/api/v1/timestamp", "1")
    rec.connect(1.0, 1, welcome=False)
    rec.end(1.1, 1, "cannot open", planned=False)
    connect_id = rec.connect(2.0, 2)
    rec.subscribe(2.1, 2, "r1", TOPIC)
    rec.subscribe(2.2, 2, "r2", OTHER_TOPIC)
    rec.ping(2.3, 2, "p1")
    rec.push(2.4, 2, 7)
    rec.received(2.5, 2, f'{{"id": "{connect_id}", "type": "error", "code": 401, "data": "x"}}')
    rec.unsubscribe(2.6, 2, "r3", TOPIC)
    rec.end(2.7, 2, "stopped")

    plan = read_plan(rec.save(tmp_path / "run.kcr"))
    steps = list(iter_steps(plan.path))

    assert plan.header.recording == rec.recording_id
    assert list(plan.rest) == [
        ("GET", "/api/v1/timestamp", ()),
        ("POST", "/api/v1/bullet-public", ()),
    ]
    assert len(plan.rest["POST", "/api/v1/bullet-public", ()]) == 2
    assert plan.sessions[1].frames == 0  # the connect failed
    assert plan.sessions[2].answers == {
        ("subscribe", TOPIC): 1,
        ("subscribe", OTHER_TOPIC): 1,
        ("unsubscribe", TOPIC): 1,
    }
    assert [type(s).__name__ for s in steps] == [
        "SessionEnd",  # session 1
        "Reply", "Reply", "Reply", "Send", "Reply", "Reply", "SessionEnd",
    ]  # fmt: skip
    welcome, ack, _, push, error, unsubscribed = steps[1:7]
    assert isinstance(welcome, Reply) and welcome.request is None
    assert welcome.frame("mine") == '{"id": "mine", "type": "welcome"}'
    assert isinstance(ack, Reply) and ack.request == ("subscribe", TOPIC)
    assert isinstance(push, Send) and push.m == 2.4
    assert isinstance(error, Reply) and error.request is None  # sent to the connectId
    assert isinstance(unsubscribed, Reply) and unsubscribed.request == ("unsubscribe", TOPIC)
    assert plan.report.problems == []


def test_lines_of_a_session_after_a_later_one_began_are_not_replayed(tmp_path: Path) -> None:
    rec = RecordingWriter()
    rec.connect(1.0, 1)
    rec.connect(2.0, 2)
    rec.push(2.1, 1, 5)  # session 1 again: out of order
    rec.push(2.2, 2, 6)
    rec.end(2.3, 2)
    rec.push(2.4, 2, 7)  # after its end

    plan = read_plan(rec.save(tmp_path / "run.kcr"))
    steps = list(iter_steps(plan.path))

    assert [(s.session, type(s)) for s in steps] == [
        (1, Reply),
        (2, Reply),
        (2, Send),
        (2, SessionEnd),
    ]
    assert any("2 WebSocket lines" in problem for problem in plan.report.problems)


def test_a_file_that_is_no_recording_is_unreadable(tmp_path: Path) -> None:
    text = tmp_path / "notes.txt"
    text.write_text("hello")

    with pytest.raises(RecordingUnreadable):
        read_plan(text)
    with pytest.raises(RecordingUnreadable):
        read_plan(tmp_path / "missing.kcr")
