"""Ten minutes of faults (``pytest -m soak``): the series must still equal the exchange's truth.

``KUCANDLE_SOAK_SECONDS`` shortens or lengthens the run. The fault sequence is seeded, so a
failure can be replayed.
"""

from __future__ import annotations

import os
import random

import pytest

from kucandle_gui.feed import FeedClient
from kucandle_gui.sim import LocalExchange
from tests.helpers import Consumer, EventRecorder, fast_feed_config, fast_sim_config

from .checks import catch_up_and_compare

#: How long the faults go on (the run then catches up and compares).
SOAK_SECONDS = float(os.environ.get("KUCANDLE_SOAK_SECONDS", "600"))
SERIES = [("BTC-USDT", "1min"), ("ETH-USDT", "5min"), ("QUIET-USDT", "1min")]
CANDLES = "/api/v1/market/candles"


def inject(exchange: LocalExchange, rng: random.Random) -> str:
    """One random fault; returns its name for the failure message."""
    faults = exchange.faults
    faults.clear()
    choice = rng.choice(
        ["drop", "pings", "stall", "garbage", "error", "expire", "refuse", "rest", "welcome"]
    )
    if choice == "drop":
        faults.drop_connections()
    elif choice == "pings":
        faults.ignore_pings(True)
    elif choice == "stall":
        faults.stall(True)
    elif choice == "garbage":
        faults.send_raw(rng.choice(['{"type":"message","topic"', "\x00garbage", '{"type":1}']))
    elif choice == "error":
        faults.send_error(500, "system error")
    elif choice == "expire":
        faults.expire_tokens()
    elif choice == "refuse":
        faults.refuse_tokens(2)
        faults.drop_connections()
    elif choice == "rest":
        faults.rest_rate_limit(CANDLES, count=3, reset_ms=300)
        faults.rest_server_error(CANDLES, count=2)
        faults.drop_connections()
    else:
        faults.delay_welcome(2.0)
        faults.drop_connections()
    return choice


@pytest.mark.soak
# The suite's per-test timeout (pyproject) is for ordinary tests: this one runs for minutes.
@pytest.mark.timeout(SOAK_SECONDS + 180)
def test_ten_minutes_of_faults_leave_the_series_exact() -> None:
    seconds = SOAK_SECONDS
    rng = random.Random(20261123)
    events = EventRecorder()
    config = fast_feed_config(reconnect_base=0.2, reconnect_cap=2.0)
    injected: list[str] = []
    with (
        LocalExchange(fast_sim_config()) as exchange,
        FeedClient(exchange.base_url, SERIES, config=config, listener=events) as feed,
    ):
        consumer = Consumer(feed)
        elapsed = 0.0
        while elapsed < seconds:
            injected.append(inject(exchange, rng))
            hold = rng.uniform(1.0, 4.0)
            consumer.pump_for(hold)
            exchange.faults.clear()
            calm = rng.uniform(2.0, 6.0)
            consumer.pump_for(calm)
            elapsed += hold + calm
        # The quiet pair may not push for minutes: it is subscribed to show that silence is
        # not taken for a dead link, and compared only through the busy pairs' checks.
        assert catch_up_and_compare(exchange, consumer, *SERIES[0]) > seconds / 2
        assert catch_up_and_compare(exchange, consumer, *SERIES[1]) > seconds / 10
        metrics = feed.metrics()
    assert metrics.reconnects > 0, injected
    assert metrics.messages > 0
