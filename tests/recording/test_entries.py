"""Recording lines: every kind written and read back the same, every field checked on the way
in, and the connect token taken out of everything that may hold it."""

from __future__ import annotations

import json
from typing import Any

import pytest

from kucandle_gui.recording import REDACTED, redact_bullet_body, redact_text, redact_token_url
from kucandle_gui.recording.decoding import BadLine, UnknownKind, decode
from kucandle_gui.recording.entries import (
    End,
    Header,
    Line,
    Lost,
    RestEntry,
    Rotated,
    WsEnd,
    WsIn,
    WsOpen,
    WsOut,
    encode,
    to_json,
)

from .files import RECORDING_ID, RUN, T, header, ws_in

LINES: list[Line] = [
    Header(1, RECORDING_ID, 3, "0.1.0", T, 12.5, RUN),
    RestEntry(
        T, 1.0, "GET", "/api/v1/market/candles", (("symbol", "BTC-USDT"), ("type", "1min")),
        200, (("Retry-After", "2"), ("gw-ratelimit-reset", "900")), b'{"code":"200000"}', None, "",
    ),
    RestEntry(T, 1.5, "GET", "/api/v1/timestamp", (), 200, (), b"\x1f\x8b\xff", None, ""),
    RestEntry(T, 2.0, "GET", "/api/v1/timestamp", (), None, (), None, "timeout", "no answer"),
    RestEntry(T, 2.5, "GET", "/api/v1/timestamp", (), 302, (), None, None, "a redirect"),
    WsOpen(T, 3.0, 1, "wss://ws.example/?token=REDACTED&connectId=abc"),
    WsIn(T, 4.0, 1, '{"type":"welcome","id":"abc"}'),
    WsIn(T, 4.5, 1, b"\x00\x01\xfe"),
    WsIn(T, 4.6, 1, "a lone surrogate \udc80 and ünïcode"),
    WsOut(T, 5.0, 1, '{"type":"ping","id":"1"}'),
    WsEnd(T, 6.0, 1, "the link was lost", False),
    Lost(T, 7.0, 42),
    Rotated(T, 8.0, "run.kcr.4"),
    End(T, 9.0),
]  # fmt: skip


@pytest.mark.parametrize("line", LINES, ids=lambda line: type(line).__name__)
def test_every_kind_reads_back_the_same(line: Line) -> None:
    raw = encode(line)
    assert raw.endswith(b"\n") and raw.count(b"\n") == 1
    assert decode(json.loads(raw)) == line


def test_json_field_names_follow_the_format() -> None:
    answer, binary_answer, failure = (to_json(line) for line in LINES[1:4])
    assert answer["params"] == {"symbol": "BTC-USDT", "type": "1min"}
    assert answer["body"] == '{"code":"200000"}' and "body_b64" not in answer
    assert "body" not in binary_answer and binary_answer["body_b64"] == "H4v/"
    assert failure == {
        "k": "rest", "t": T, "m": 2.0, "method": "GET", "path": "/api/v1/timestamp",
        "params": {}, "status": None, "failure": "timeout", "text": "no answer",
    }  # fmt: skip
    assert to_json(LINES[7])["b64"] == "AAH+" and "text" not in to_json(LINES[7])
    assert to_json(LINES[10]) == {
        "k": "ws_end", "t": T, "m": 6.0, "session": 1, "reason": "the link was lost",
        "planned": False,
    }  # fmt: skip
    assert to_json(LINES[0])["run"]["series"] == [["BTC-USDT", "1min"], ["ETH-USDT", "5min"]]


def test_rest_key_is_what_a_replay_matches_on() -> None:
    entry = LINES[1]
    assert isinstance(entry, RestEntry)
    assert entry.key == (
        "GET",
        "/api/v1/market/candles",
        (("symbol", "BTC-USDT"), ("type", "1min")),
    )


def test_params_are_read_sorted() -> None:
    obj = to_json(LINES[1]) | {"params": {"type": "1min", "endAt": "9", "symbol": "X"}}
    entry = decode(obj)
    assert isinstance(entry, RestEntry)
    assert entry.params == (("endAt", "9"), ("symbol", "X"), ("type", "1min"))


def changed(obj: dict[str, Any], **fields: Any) -> dict[str, Any]:
    """``obj`` with ``fields`` set (a value of ``...`` removes the field)."""
    out = dict(obj)
    for key, value in fields.items():
        if value is ...:
            out.pop(key, None)
        else:
            out[key] = value
    return out


REST = to_json(LINES[1])
HEADER = header()
BAD: list[Any] = [
    [1, 2],
    "text",
    {"t": T, "m": 0.0},
    {"k": 7, "t": T, "m": 0.0},
    changed(ws_in(1), t="now"),
    changed(ws_in(1), t=True),
    changed(ws_in(1), t=-5.0),
    changed(ws_in(1), t=1e300),
    changed(ws_in(1), t=10**400),
    changed(ws_in(1), m=-1.0),
    changed(ws_in(1), m=...),
    changed(ws_in(1), session=0),
    changed(ws_in(1), session=1.0),
    changed(ws_in(1), session=True),
    changed(ws_in(1), text=...),
    changed(ws_in(1), text=5),
    changed(ws_in(1), b64="AAH+"),
    changed(ws_in(1), text=..., b64="not base64!"),
    changed(ws_in(1), text=..., b64="AAH+é"),
    changed(ws_in(1), k="ws_out", text=None),
    {"k": "ws_open", "t": T, "m": 0.0, "session": 1, "url": ["x"]},
    {"k": "ws_end", "t": T, "m": 0.0, "session": 1, "reason": "x", "planned": "no"},
    {"k": "lost", "t": T, "m": 0.0, "count": 0},
    {"k": "rotated", "t": T, "m": 0.0, "next": 2},
    changed(REST, method=""),
    changed(REST, path="api/v1/x"),
    changed(REST, params={"symbol": 1}),
    changed(REST, params=[["symbol", "X"]]),
    changed(REST, status="200"),
    changed(REST, status=99),
    changed(REST, status=None),
    changed(REST, headers={"Retry-After": 2}),
    changed(REST, body=None),
    changed(REST, body="\ud800"),
    changed(REST, body_b64="AAAA"),
    changed(REST, body=..., body_b64="€"),
    changed(REST, body=..., status=..., text=None),
    changed(REST, body=..., failure=3, text="x"),
    changed(HEADER, format="something else"),
    changed(HEADER, recording="not hex"),
    changed(HEADER, recording=RECORDING_ID.upper()),
    changed(HEADER, version=0),
    changed(HEADER, version="1"),
    changed(HEADER, part=0),
    changed(HEADER, app=None),
    changed(HEADER, run=[]),
    changed(HEADER, run=HEADER["run"] | {"series": [["BTC-USDT"]]}),
    changed(HEADER, run=HEADER["run"] | {"series": [["BTC-USDT", 1]]}),
    changed(HEADER, run=HEADER["run"] | {"watched": "BTC-USDT"}),
    changed(HEADER, run=HEADER["run"] | {"alerts": [None]}),
    changed(HEADER, run=HEADER["run"] | {"simulated": 1}),
    changed(HEADER, run=HEADER["run"] | {"mode": "kiosk"}),
]


@pytest.mark.parametrize("obj", BAD, ids=range(len(BAD)))
def test_a_wrong_field_makes_a_bad_line(obj: Any) -> None:
    with pytest.raises(BadLine):
        decode(obj)


def test_an_unknown_kind_is_told_apart() -> None:
    with pytest.raises(UnknownKind) as caught:
        decode({"k": "trade", "t": T, "m": 0.0})
    assert caught.value.kind == "trade"


def test_newer_fields_are_ignored() -> None:
    assert decode(ws_in(1) | {"compressed": True}) == WsIn(T + 1, 1.0, 1, "frame 1")


TOKEN = "2neAiuYvAU61ZDXAN/wP+a7nRe=.x"


def test_the_token_leaves_a_connect_url() -> None:
    url = f"wss://user:pw@ws.example/endpoint?token={TOKEN}&connectId=c1"
    assert redact_token_url(url) == "wss://***@ws.example/endpoint?token=REDACTED&connectId=c1"
    encoded = "ws://127.0.0.1:9/?connectId=c2&Token=2neAi%2BuYv%3D"
    assert redact_token_url(encoded) == "ws://127.0.0.1:9/?connectId=c2&Token=REDACTED"


def test_the_token_leaves_free_text() -> None:
    text = f"refused ws://h/?token={TOKEN}: bad token {TOKEN} (again {TOKEN})"
    redacted = redact_text(text, (TOKEN,))
    assert TOKEN not in redacted
    assert redacted == "refused ws://h/?token=REDACTED: bad token REDACTED (again REDACTED)"


def test_the_token_leaves_a_bullet_answer() -> None:
    body = json.dumps(
        {
            "code": "200000",
            "data": {
                "token": TOKEN,
                "instanceServers": [{"endpoint": "wss://ws.example/", "pingInterval": 18000}],
            },
        }
    ).encode()
    redacted = json.loads(redact_bullet_body(body))
    assert redacted["data"]["token"] == REDACTED
    assert redacted["data"]["instanceServers"] == [
        {"endpoint": "wss://ws.example/", "pingInterval": 18000}
    ]


@pytest.mark.parametrize(
    ("body", "kept"),
    [
        (b"<html>bad gateway</html>", True),
        (b'{"data":{"token":"' + TOKEN.encode() + b'"', False),
        (b"\xff\xfe token", False),
    ],
)
def test_an_unparsable_bullet_answer_is_kept_only_without_a_token(body: bytes, kept: bool) -> None:
    assert redact_bullet_body(body) == (body if kept else REDACTED.encode())


@pytest.mark.parametrize("depth", [1, 400, 990, 5000])
def test_a_deeply_nested_bullet_answer_loses_its_token(depth: int) -> None:
    body = b"[" * depth + b'{"token":"' + TOKEN.encode() + b'"}' + b"]" * depth
    assert TOKEN.encode() not in redact_bullet_body(body)
