"""The replay's pacing arithmetic and what it reads from a recording, without a server."""

from __future__ import annotations

from pathlib import Path

import pytest

from kucandle_gui.protocol import subscribe_message, unsubscribe_message
from kucandle_gui.recording import RecordingUnreadable
from kucandle_gui.replay.pace import MAX_SPEED, MIN_SPEED, Pace, checked_speed
from kucandle_gui.replay.plan import iter_steps, read_plan
from kucandle_gui.replay.steps import Reply, Send, SessionEnd, request_key
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
    pushed = rec.push(2.4, 2, 7)
    rec.received(2.5, 2, f'{{"id": "{connect_id}", "type": "error", "code": 401, "data": "x"}}')
    rec.unsubscribe(2.6, 2, "r3", TOPIC)
    rec.end(2.7, 2, "stopped")

    plan = read_plan(rec.save(tmp_path / "run.kcr"))
    steps = list(iter_steps(plan.path))
    plan.rest.close()

    assert plan.header.recording == rec.recording_id
    assert plan.rest.keys() == [
        ("GET", "/api/v1/timestamp", ()),
        ("POST", "/api/v1/bullet-public", ()),
    ]
    assert len(plan.rest.recorded(("POST", "/api/v1/bullet-public", ()))) == 2
    assert plan.sessions[1].frames == 0  # the connect failed
    assert plan.sessions[2].requests == {
        ("subscribe", TOPIC): [True],
        ("subscribe", OTHER_TOPIC): [True],
        ("unsubscribe", TOPIC): [True],
    }
    assert [type(s).__name__ for s in steps] == [
        "SessionEnd",  # session 1
        "Reply", "Reply", "Reply", "Send", "Reply", "Reply", "SessionEnd",
    ]  # fmt: skip
    welcome, ack, _, push, error, unsubscribed = steps[1:7]
    assert isinstance(welcome, Reply) and welcome.request is None
    assert welcome.frame("mine") == '{"id": "mine", "type": "welcome"}'
    assert push.frame == pushed  # sent as recorded
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
    plan.rest.close()

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


def test_a_reply_keeps_the_recorded_text_but_its_id(tmp_path: Path) -> None:
    rec = RecordingWriter()
    rec.connect(1.0, 1)
    rec.sent(1.1, 1, subscribe_message("r1", TOPIC))
    recorded_ack = '{"id":"r1" ,"type":"ack","extra":{"id":"inner"}, "note":"\\u00e9 é"}'
    rec.received(1.2, 1, recorded_ack)
    rec.received(1.3, 1, '{"type":"welcome","id":12}')

    plan = read_plan(rec.save(tmp_path / "run.kcr"))
    _, ack, welcome = list(iter_steps(plan.path))
    plan.rest.close()

    assert isinstance(ack, Reply) and isinstance(welcome, Reply)
    assert ack.frame("mine") == recorded_ack.replace('"r1"', '"mine"')
    assert welcome.frame("c-1") == '{"type":"welcome","id":"c-1"}'


def test_what_became_of_each_recorded_request_is_planned(tmp_path: Path) -> None:
    rec = RecordingWriter()
    connect_id = rec.connect(1.0, 1)
    rec.sent(1.1, 1, subscribe_message("r1", TOPIC, response=False))
    rec.subscribe(1.2, 1, "r2", TOPIC)
    pair = f"{OTHER_TOPIC},XXX-USDT_1min"
    rec.sent(1.3, 1, subscribe_message("r3", pair))
    refusal = '{"id":"%s","type":"error","code":404,"data":"topic %s is not found"}'
    rec.received(1.4, 1, refusal % (connect_id, "/market/candles:XXX-USDT_1min"))
    rec.unsubscribe(1.5, 1, "r4", TOPIC)
    rec.sent(1.6, 1, unsubscribe_message("r5", TOPIC))
    rec.end(1.7, 1)  # before r5 was answered

    plan = read_plan(rec.save(tmp_path / "run.kcr"))
    steps = list(iter_steps(plan.path))
    plan.rest.close()

    assert plan.sessions[1].requests == {
        ("subscribe", TOPIC): [False, True],
        request_key("subscribe", pair): [True],
        ("unsubscribe", TOPIC): [True, False],
    }
    error = steps[2]
    assert isinstance(error, Reply) and error.to_connection
    assert error.request == ("subscribe", "/market/candles:ETH-USDT_1min,XXX-USDT_1min")


def test_a_comma_list_in_any_order_is_the_same_request() -> None:
    assert request_key("subscribe", "/market/candles:B_1min,A_1min") == request_key(
        "subscribe", "/market/candles:A_1min,B_1min"
    )
    assert request_key("unsubscribe", "/market/ticker:all") == ("unsubscribe", "/market/ticker:all")
