"""Recorded sessions played back through the protocol's parsers, as cryptofeed's playback tests
do with raw messages: every frame and REST body of the recordings in ``tests/data/recordings``
(short headless sessions with faults, see ``tests/data/SOURCES.md``), with exact counts.

Each recording is read with the app's own reader; every frame received goes through
``parse_server_message``, every frame sent through ``parse_client_message``, every REST body
through the parser the feed uses for its path. The acks of each session answer its
subscribes one for one, the garbage frames raise ``ProtocolError``, the candles parsed are
those the recorded run printed, and no token is left in the file.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import fields
from pathlib import Path
from typing import Any

import pytest

from kucandle_gui.protocol import (
    Ack,
    Candle,
    CandlePush,
    ErrorMessage,
    Ping,
    Pong,
    ProtocolError,
    Subscribe,
    Welcome,
    parse_bullet,
    parse_candle_page,
    parse_client_message,
    parse_server_message,
    parse_ticker_stats,
)
from kucandle_gui.recording import (
    REDACTED,
    Header,
    ReadReport,
    RestEntry,
    WsEnd,
    WsIn,
    WsOpen,
    WsOut,
    iter_entries,
)

RECORDINGS = Path(__file__).parent / "data" / "recordings"
#: A printed candle line's fields (the rest are the line's markers).
FIELDS = {f.name for f in fields(Candle)}
#: Per recording, per session: what the frames received parse as (a candle push by topic).
RECEIVED = {
    "drop-garbage": {
        1: {"welcome": 1, "ack": 1, "pong": 1, "BTC-USDT_1week": 8},
        2: {"welcome": 1, "ack": 1, "pong": 1, "BTC-USDT_1week": 8, "garbage": 2},
    },
    "token-expired": {
        1: {"welcome": 1, "ack": 2, "ETH-USDT_1day": 7, "error 401": 1},
        2: {"welcome": 1, "ack": 2, "pong": 1, "ETH-USDT_1day": 8, "error 503": 1},
    },
    "refused-pair": {1: {"welcome": 1, "error 404": 1}},
}
#: Per recording: each session's end, and whether the app chose it.
ENDS = {
    "drop-garbage": [
        ("connection dropped: Connection to remote host was lost.", False),
        ("stopped", True),
    ],
    "token-expired": [("token refused: token is expired", False), ("stopped", True)],
    "refused-pair": [("stopped", True)],
}
#: Per recording: the REST calls by path, and the rows of each candle page in order.
REST = {
    "drop-garbage": ({"/api/v1/bullet-public": 2, "/api/v1/timestamp": 2}, [6, 2]),
    "token-expired": (
        {"/api/v1/bullet-public": 2, "/api/v1/timestamp": 2, "/api/v1/market/stats": 1},
        [31, 2],
    ),
    "refused-pair": ({"/api/v1/bullet-public": 1}, []),
}


def entries(name: str) -> list[Any]:
    report = ReadReport()
    found = list(iter_entries(RECORDINGS / f"{name}.kcr", report))
    assert report.complete and not report.problems and not report.skipped_lines
    return found


def kind(frame: str | bytes) -> str:
    """What a received frame parses as, in the words of ``RECEIVED``."""
    try:
        message = parse_server_message(frame)
    except ProtocolError:
        return "garbage"
    if isinstance(message, CandlePush):
        return f"{message.symbol}_{message.timeframe}"
    if isinstance(message, ErrorMessage):
        return f"error {message.code}"
    names = {Welcome: "welcome", Ack: "ack", Pong: "pong"}
    return names[type(message)]


@pytest.mark.parametrize("name", sorted(RECEIVED))
def test_received_frames_parse_as_recorded(name: str) -> None:
    received: dict[int, Counter[str]] = {}
    for entry in entries(name):
        if isinstance(entry, WsIn):
            received.setdefault(entry.session, Counter())[kind(entry.frame)] += 1
    assert received == {n: Counter(kinds) for n, kinds in RECEIVED[name].items()}


@pytest.mark.parametrize("name", sorted(RECEIVED))
def test_each_session_opens_with_a_welcome_and_answers_its_subscribes(name: str) -> None:
    first: dict[int, object] = {}
    subscribed: dict[int, list[str]] = {}
    answered: dict[int, list[str | None]] = {}
    for entry in entries(name):
        if isinstance(entry, WsOut):
            request = parse_client_message(entry.frame)
            assert isinstance(request, Subscribe | Ping)
            if isinstance(request, Subscribe):
                subscribed.setdefault(entry.session, []).append(request.id)
        elif isinstance(entry, WsIn) and kind(entry.frame) != "garbage":
            message = parse_server_message(entry.frame)
            first.setdefault(entry.session, message)
            if isinstance(message, Ack) or kind(entry.frame) == "error 404":
                answered.setdefault(entry.session, []).append(message.id)
    assert all(isinstance(message, Welcome) for message in first.values())
    # The welcome names the connection by the connectId the client put in its URL.
    opened = {e.session: e.url for e in entries(name) if isinstance(e, WsOpen)}
    for session, welcome in first.items():
        assert isinstance(welcome, Welcome)
        assert opened[session].endswith(f"&connectId={welcome.id}")
    assert answered == subscribed  # one answer per subscribe, by its id, in order


@pytest.mark.parametrize("name", sorted(RECEIVED))
def test_the_garbage_frames_are_kept_as_they_came_and_raise(name: str) -> None:
    garbage = [e.frame for e in entries(name) if isinstance(e, WsIn) and kind(e.frame) == "garbage"]
    assert garbage == (["not json at all", b"\x00\x01\x02"] if name == "drop-garbage" else [])
    for frame in garbage:
        with pytest.raises(ProtocolError):
            parse_server_message(frame)


@pytest.mark.parametrize("name", sorted(RECEIVED))
def test_sessions_are_numbered_in_order_and_end_as_recorded(name: str) -> None:
    found = entries(name)
    opened = [e.session for e in found if isinstance(e, WsOpen)]
    ends = [(e.reason, e.planned) for e in found if isinstance(e, WsEnd)]
    assert opened == list(range(1, len(ENDS[name]) + 1))
    assert ends == ENDS[name]
    times = [e.m for e in found]
    assert times == sorted(times) and times[0] == 0.0  # the header's m


@pytest.mark.parametrize("name", sorted(RECEIVED))
def test_rest_bodies_parse_with_the_feeds_parsers(name: str) -> None:
    calls: Counter[str] = Counter()
    pages: list[int] = []
    for entry in entries(name):
        if not isinstance(entry, RestEntry):
            continue
        assert (entry.method, entry.status, entry.failure) == (
            "POST" if entry.path.endswith("bullet-public") else "GET",
            200,
            None,
        )
        assert entry.body is not None
        reply = json.loads(entry.body)
        assert reply["code"] == "200000"
        data, params = reply["data"], dict(entry.params)
        if entry.path == "/api/v1/market/candles":
            start, end = int(params["startAt"]), int(params["endAt"])
            page = parse_candle_page(data, params["type"], start, end)
            assert page.dropped == 0 and len(page.candles) == len(data)
            pages.append(len(data))
            continue
        calls[entry.path] += 1
        if entry.path == "/api/v1/bullet-public":
            bullet = parse_bullet(data, plain_allowed=True)
            assert bullet.token == REDACTED
        elif entry.path == "/api/v1/timestamp":
            assert isinstance(data, int) and data > 1_700_000_000_000
        else:
            assert parse_ticker_stats(data).symbol == params["symbol"]
    assert (dict(calls), pages) == REST[name]


@pytest.mark.parametrize("name", sorted(RECEIVED))
def test_the_candles_parsed_are_those_the_recorded_run_printed(name: str) -> None:
    """The candles of the pushes and pages, as the parsers read them, are the lines the run
    printed (``NAME.out``): every state once, and the last state of each candle the same."""
    parsed: list[Candle] = []
    for entry in entries(name):
        if isinstance(entry, WsIn) and kind(entry.frame) != "garbage":
            message = parse_server_message(entry.frame)
            if isinstance(message, CandlePush):
                parsed.append(message.candle)
        elif isinstance(entry, RestEntry) and entry.path == "/api/v1/market/candles":
            assert entry.body is not None
            params = dict(entry.params)
            start, end = int(params["startAt"]), int(params["endAt"])
            data = json.loads(entry.body)["data"]
            parsed += parse_candle_page(data, params["type"], start, end).candles
    lines = (RECORDINGS / f"{name}.out").read_text().splitlines()
    printed = [printed_candle(json.loads(line)) for line in lines]
    assert set(printed) == set(parsed) and len(printed) == len(set(printed))
    assert {c.time: c for c in printed} == {c.time: c for c in parsed}


def printed_candle(line: dict[str, Any]) -> Candle:
    return Candle(**{name: value for name, value in line.items() if name in FIELDS})


@pytest.mark.parametrize("name", sorted(RECEIVED))
def test_no_token_is_left_in_the_file(name: str) -> None:
    found = entries(name)
    header = found[0]
    assert isinstance(header, Header) and header.run.series
    urls = [e.url for e in found if isinstance(e, WsOpen)]
    assert urls and all(f"token={REDACTED}&connectId=" in url for url in urls)
    bullets = [e.body for e in found if isinstance(e, RestEntry) and "bullet" in e.path]
    assert all(json.loads(body)["data"]["token"] == REDACTED for body in bullets if body)
