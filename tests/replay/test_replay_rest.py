"""REST of a replay: the N-th request of a kind gets the N-th recorded answer, exactly;
bullet-public names a fresh token and this server; recorded failures cut the connection;
requests beyond the recording get 503 saying so."""

from __future__ import annotations

import json
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import pytest
import requests

from kucandle_gui.replay import ReplayExchange
from kucandle_gui.replay.plan import read_plan
from tests.replay.recordings import RecordingWriter

CANDLES = "/api/v1/market/candles"


def test_each_request_gets_the_answer_recorded_in_its_turn(
    start_replay: Callable[..., ReplayExchange],
) -> None:
    rec = RecordingWriter()
    rec.rest(0.1, "/api/v1/timestamp", '{"code":"200000","data":1}')
    one_minute = {"symbol": "BTC-USDT", "type": "1min", "startAt": "10", "endAt": "20"}
    rec.rest(0.2, CANDLES, '{"code":"200000","data":["first page"]}', params=one_minute)
    rec.rest(
        0.3, "/api/v1/timestamp", '{"code":"429000","msg":"Too Many Requests"}', status=429,
        headers={"gw-ratelimit-reset": "1500", "Retry-After": "2"},
    )  # fmt: skip
    rec.rest(0.4, CANDLES, '{"code":"200000","data":["other pair"]}', params={"symbol": "X"})
    replay = start_replay(rec)
    base = replay.base_url

    first = requests.get(f"{base}/api/v1/timestamp", timeout=5)
    # The query in another order is the same request.
    page = requests.get(f"{base}{CANDLES}", params=dict(reversed(one_minute.items())), timeout=5)
    second = requests.get(f"{base}/api/v1/timestamp", timeout=5)
    other = requests.get(f"{base}{CANDLES}", params={"symbol": "X"}, timeout=5)

    assert (first.status_code, first.content) == (200, b'{"code":"200000","data":1}')
    assert page.json()["data"] == ["first page"]
    assert other.json()["data"] == ["other pair"]
    assert second.status_code == 429
    assert second.content == b'{"code":"429000","msg":"Too Many Requests"}'
    assert second.headers["gw-ratelimit-reset"] == "1500"
    assert second.headers["Retry-After"] == "2"
    assert replay.position().unmatched_requests == 0


def test_a_request_beyond_the_recording_gets_503_saying_so(
    start_replay: Callable[..., ReplayExchange],
) -> None:
    rec = RecordingWriter()
    rec.rest(0.1, CANDLES, '{"code":"200000","data":[]}', params={"symbol": "BTC-USDT"})
    replay = start_replay(rec)
    url = f"{replay.base_url}{CANDLES}"

    assert requests.get(url, params={"symbol": "BTC-USDT"}, timeout=5).status_code == 200
    again = requests.get(url, params={"symbol": "BTC-USDT"}, timeout=5)
    never = requests.get(f"{replay.base_url}/api/v2/symbols", timeout=5)

    assert again.status_code == 503
    assert again.json() == {
        "code": "503000",
        "msg": f"not in the recording: GET {CANDLES}?symbol=BTC-USDT (asked 2 times, recorded 1)",
    }
    assert never.status_code == 503
    assert "GET /api/v2/symbols (asked 1 times, recorded 0)" in never.json()["msg"]
    assert replay.position().unmatched_requests == 2


def test_a_recorded_failure_cuts_the_connection_and_the_retry_gets_the_next_answer(
    start_replay: Callable[..., ReplayExchange],
) -> None:
    rec = RecordingWriter()
    rec.rest_failure(0.1, "/api/v1/timestamp")
    rec.rest(0.2, "/api/v1/timestamp", '{"code":"200000","data":2}')
    replay = start_replay(rec)

    with pytest.raises(requests.ConnectionError):
        requests.get(f"{replay.base_url}/api/v1/timestamp", timeout=5)
    retry = requests.get(f"{replay.base_url}/api/v1/timestamp", timeout=5)

    assert retry.json() == {"code": "200000", "data": 2}


def test_bullet_public_names_a_fresh_token_and_this_server(
    start_replay: Callable[..., ReplayExchange],
) -> None:
    rec = RecordingWriter()
    rec.bullet(0.1, ping_interval=700, ping_timeout=900)
    rec.bullet(0.2, ping_interval=700, ping_timeout=900)
    replay = start_replay(rec)

    replies = [
        requests.post(f"{replay.base_url}/api/v1/bullet-public", timeout=5).json()["data"]
        for _ in range(2)
    ]

    port = replay.base_url.rsplit(":", 1)[1]
    for data in replies:
        assert data["token"] not in ("", "REDACTED")
        (server,) = data["instanceServers"]
        assert server["endpoint"] == f"ws://127.0.0.1:{port}/endpoint"
        assert (server["pingInterval"], server["pingTimeout"]) == (700, 900)
    assert replies[0]["token"] != replies[1]["token"]


def test_a_bullet_answer_that_is_no_token_is_served_as_recorded(
    start_replay: Callable[..., ReplayExchange],
) -> None:
    rec = RecordingWriter()
    refusal = json.dumps({"code": "429000", "msg": "Too Many Requests"})
    rec.rest(0.1, "/api/v1/bullet-public", refusal, method="POST", status=429)
    replay = start_replay(rec)

    reply = requests.post(f"{replay.base_url}/api/v1/bullet-public", timeout=5)

    assert (reply.status_code, reply.text) == (429, refusal)


def test_the_bodies_are_set_aside_not_kept_in_memory(tmp_path: Path) -> None:
    rec = RecordingWriter()
    body = json.dumps({"code": "200000", "data": [[str(i), "70000.1"] for i in range(20_000)]})
    for page in range(40):  # 40 pages of some 500 kB: 20 MB if kept
        rec.rest(0.1 + page / 100, CANDLES, body, params={"startAt": str(page)})
    path = rec.save(tmp_path / "pages.kcr")

    tracemalloc.start()
    try:
        plan = read_plan(path)
        kept, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    try:
        (last,) = plan.rest.recorded(("GET", CANDLES, (("startAt", "39"),)))
        assert plan.rest.body(last) == body.encode()
    finally:
        plan.rest.close()
    assert kept < 2_000_000
