"""REST as an independent KuCoin client sees it: shapes, errors, limits and injected faults."""

from __future__ import annotations

import itertools
import json
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from kucandle_gui.protocol import MAX_CANDLES_PER_REQUEST, Candle, candle_start
from kucandle_gui.sim import LocalExchange
from tests.sim.simclient import START, sim_config

SAMPLES = Path(__file__).parents[1] / "data"
CANDLES = "/api/v1/market/candles"


@pytest.fixture(scope="module")
def frozen() -> Iterator[LocalExchange]:
    """Simulated time all but stopped at START: every candle answer is reproducible."""
    with LocalExchange(sim_config(clock_speed=1e-9)) as exchange:
        yield exchange


def get(exchange: LocalExchange, path: str, **params: Any) -> requests.Response:
    return requests.get(exchange.base_url + path, params=params, timeout=5)


def candles(exchange: LocalExchange, **params: Any) -> dict[str, Any]:
    reply = get(exchange, CANDLES, **params)
    assert reply.status_code == 200
    return reply.json()


def sample(name: str) -> Any:
    """One of KuCoin's payloads kept in ``tests/data``."""
    return json.loads((SAMPLES / name).read_text(encoding="utf-8"))


def shape(value: Any) -> Any:
    """The keys and value types of a JSON reply, nested: what a client's parser relies on."""
    if isinstance(value, dict):
        return {key: shape(item) for key, item in value.items()}
    if isinstance(value, list):
        return [shape(item) for item in value]
    return type(value)


def test_bullet_public_hands_out_fresh_tokens_and_this_servers_endpoint(sim: LocalExchange) -> None:
    first = requests.post(sim.base_url + "/api/v1/bullet-public", timeout=5).json()
    second = requests.post(sim.base_url + "/api/v1/bullet-public", timeout=5).json()
    assert first["code"] == "200000"
    assert set(first["data"]) == {"token", "instanceServers"}
    assert first["data"]["token"] != second["data"]["token"]
    port = sim.base_url.rsplit(":", 1)[1]
    assert first["data"]["instanceServers"] == [
        {
            "endpoint": f"ws://127.0.0.1:{port}/endpoint",
            "encrypt": False,
            "protocol": "websocket",
            "pingInterval": 500,
            "pingTimeout": 1000,
        }
    ]
    assert sim.stats().tokens_issued == 2


@pytest.mark.parametrize(
    ("method", "path", "name"),
    [
        ("POST", "/api/v1/bullet-public", "rest-bullet-public.docs-new.json"),
        ("POST", "/api/v1/bullet-public", "rest-bullet-public.legacy-docs.json"),
        ("GET", "/api/v1/timestamp", "rest-timestamp.docs-new.json"),
    ],
)
def test_replies_have_the_fields_and_types_of_kucoins_examples(
    sim: LocalExchange, method: str, path: str, name: str
) -> None:
    reply = requests.request(method, sim.base_url + path, timeout=5)
    assert reply.status_code == 200
    assert shape(reply.json()) == shape(sample(name))


def test_symbols_have_every_field_of_the_documented_record(sim: LocalExchange) -> None:
    documented = sample("rest-symbols-v2.docs-new.json")["data"][0]
    reply = get(sim, "/api/v2/symbols").json()
    assert reply["code"] == "200000"
    records = {r["symbol"]: r for r in reply["data"]}
    assert set(records) == set(sim.config.symbols)
    for record in records.values():
        assert list(record) == list(documented)
        for key, value in documented.items():
            assert type(record[key]) is type(value), key
        assert record["enableTrading"] is True
    assert records["BTC-USDT"]["priceIncrement"] == "0.1"
    usds = get(sim, "/api/v2/symbols", market="USDS").json()["data"]
    assert {r["symbol"] for r in usds} == set(records) - {"ETH-BTC", "QUIET-USDT"}


def test_timestamp_is_simulated_milliseconds(sim: LocalExchange) -> None:
    before = sim.now()
    reply = get(sim, "/api/v1/timestamp").json()
    after = sim.now()
    assert reply["code"] == "200000"
    assert isinstance(reply["data"], int)
    assert math.floor(before * 1000) <= reply["data"] <= math.ceil(after * 1000)


def test_candles_come_newest_first_with_the_open_candle_on_top(frozen: LocalExchange) -> None:
    rows = candles(frozen, type="1min", symbol="BTC-USDT", startAt=int(START) - 3600)["data"]
    starts = [int(row[0]) for row in rows]
    assert starts == sorted(starts, reverse=True)
    assert starts[0] == candle_start("1min", START)
    for row in rows:
        assert len(row) == 7 and all(isinstance(field, str) for field in row)
        Candle.from_kucoin(row)  # raises for anything but a possible candle
    truth = frozen.truth("BTC-USDT", "1min", starts[-1], starts[0])
    assert [Candle.from_kucoin(row) for row in reversed(rows)] == truth
    assert truth[-1].volume < frozen.market.candle("BTC-USDT", "1min", starts[0], START + 60).volume


def test_candles_are_capped_at_1500_rows_the_newest_ones(frozen: LocalExchange) -> None:
    end = int(START) - 600
    rows = candles(frozen, type="1min", symbol="ETH-USDT", startAt=0, endAt=end)["data"]
    assert len(rows) == MAX_CANDLES_PER_REQUEST
    expected = frozen.truth("ETH-USDT", "1min", 0, end)[-MAX_CANDLES_PER_REQUEST:]
    assert [Candle.from_kucoin(row) for row in reversed(rows)] == expected
    # Without bounds: also 1500 rows, up to the open candle.
    unbounded = candles(frozen, type="1min", symbol="ETH-USDT")["data"]
    assert len(unbounded) == MAX_CANDLES_PER_REQUEST
    assert int(unbounded[0][0]) == candle_start("1min", START)


def test_bounds_are_inclusive_start_times(frozen: LocalExchange) -> None:
    anchor = int(START) // 3600 * 3600 - 10 * 3600
    rows = candles(frozen, type="1hour", symbol="KCS-USDT", startAt=anchor, endAt=anchor + 3 * 3600)
    assert [int(r[0]) for r in rows["data"]] == [anchor + h * 3600 for h in (3, 2, 1, 0)]
    inner = candles(
        frozen, type="1hour", symbol="KCS-USDT", startAt=anchor + 1, endAt=anchor + 3599
    )
    assert inner["data"] == []


def test_there_are_no_rows_before_the_listing_time(frozen: LocalExchange) -> None:
    listing = frozen.market.listing_time
    assert listing == int(START - 30 * 86400) // 60 * 60
    rows = candles(frozen, type="1hour", symbol="BTC-USDT", startAt=0)["data"]
    assert candle_start("1hour", listing) == int(rows[-1][0])
    assert (
        candles(frozen, type="1min", symbol="BTC-USDT", startAt=1, endAt=listing - 1)["data"] == []
    )


def test_silent_periods_are_gaps_never_zero_candles(frozen: LocalExchange) -> None:
    now = int(START)
    rows = candles(frozen, type="1min", symbol="QUIET-USDT", startAt=now - 86400, endAt=now - 60)
    starts = [int(r[0]) for r in rows["data"]]
    assert 0 < len(starts) < 1440 / 2
    assert max(a - b for a, b in itertools.pairwise(starts)) > 60
    assert all(float(r[5]) > 0 for r in rows["data"])


def test_an_unknown_pair_is_reported_in_an_http_200(sim: LocalExchange) -> None:
    reply = candles(sim, type="1min", symbol="NOPE-USDT")
    assert reply == {"code": "400100", "msg": "This pair is not provided at present."}


@pytest.mark.parametrize(
    "params",
    [
        {"type": "2min", "symbol": "BTC-USDT"},
        {"symbol": "BTC-USDT"},
        {"type": "1min", "symbol": "BTC-USDT", "startAt": "yesterday"},
        {"type": "1min", "symbol": "BTC-USDT", "endAt": "-5"},
    ],
)
def test_bad_parameters_are_reported_in_an_http_200(
    sim: LocalExchange, params: dict[str, str]
) -> None:
    assert candles(sim, **params) == {"code": "400100", "msg": "Invalid Parameter."}


def test_an_unknown_path_is_a_json_404(sim: LocalExchange) -> None:
    reply = get(sim, "/api/v1/market/nothing")
    assert reply.status_code == 404
    assert reply.json() == {"code": "404000", "msg": "Not Found"}
    assert sim.stats().rest_requests == {"/api/v1/market/nothing": 1}


def test_rate_limit_fault_answers_429_with_kucoins_headers(sim: LocalExchange) -> None:
    sim.faults.rest_rate_limit(CANDLES, count=2, reset_ms=350)
    for _ in range(2):
        reply = get(sim, CANDLES, type="1min", symbol="BTC-USDT")
        assert reply.status_code == 429
        assert reply.json() == {"code": "429000", "msg": "Too Many Requests"}
        assert reply.headers["gw-ratelimit-limit"] == "2000"
        assert reply.headers["gw-ratelimit-remaining"] == "0"
        assert reply.headers["gw-ratelimit-reset"] == "350"
    assert candles(sim, type="1min", symbol="BTC-USDT")["code"] == "200000"
    assert sim.stats().rest_requests[CANDLES] == 3


def test_server_error_and_malformed_faults(sim: LocalExchange) -> None:
    sim.faults.rest_server_error("/api/v2/symbols")
    sim.faults.rest_malformed("/api/v1/timestamp")
    failed = get(sim, "/api/v2/symbols")
    assert failed.status_code == 500
    assert set(failed.json()) == {"code", "msg"}
    cut = get(sim, "/api/v1/timestamp")
    assert cut.status_code == 200
    with pytest.raises(ValueError):
        cut.json()
    assert get(sim, "/api/v2/symbols").status_code == 200
    assert get(sim, "/api/v1/timestamp").json()["code"] == "200000"


def test_raw_fault_matches_by_path_prefix_and_clear_drops_pending_ones(sim: LocalExchange) -> None:
    sim.faults.rest_fail("/api/v1/bullet", 5, 503, "busy", {"Retry-After": "1"})
    reply = requests.post(sim.base_url + "/api/v1/bullet-public", timeout=5)
    assert (reply.status_code, reply.text, reply.headers["Retry-After"]) == (503, "busy", "1")
    assert get(sim, "/api/v1/timestamp").status_code == 200  # other paths unaffected
    sim.faults.clear()
    assert requests.post(sim.base_url + "/api/v1/bullet-public", timeout=5).status_code == 200
