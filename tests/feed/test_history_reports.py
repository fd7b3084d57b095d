"""What FeedClient says about its REST history loads: malformed rows dropped with a counted
error while the good rows are kept, and failures with why and where (local exchange)."""

from __future__ import annotations

import json

from kucandle_gui.feed import ErrorEvent, ErrorKind, FeedClient, HistoryEvent, NetworkFailure
from kucandle_gui.protocol import Candle, candle_start
from kucandle_gui.sim import LocalExchange
from tests.helpers import Consumer, EventRecorder, fast_feed_config

from .checks import catch_up_and_compare

BTC = ("BTC-USDT", "1min")
CANDLES = "/api/v1/market/candles"


def test_a_bad_row_costs_only_itself_with_a_counted_error(exchange: LocalExchange) -> None:
    served: list[Candle] = []

    def page() -> str:
        """The page as of the request, as a real one: a page made before the subscribe could
        miss a trade of the open candle that the exchange then never pushes (it pushes changes
        from the subscribe on), and the series would keep that candle's older state."""
        now = candle_start("1min", exchange.now())
        served[:] = exchange.truth(*BTC, now - 59 * 60, now + 60)
        rows = [c.to_kucoin() for c in reversed(served)]
        rows.insert(5, ["not a time", *rows[5][1:]])
        return json.dumps({"code": "200000", "data": rows})

    exchange.faults.rest_fail(CANDLES, count=1, status=200, body=page)
    events = EventRecorder()
    with FeedClient(exchange.base_url, [BTC], config=fast_feed_config(), listener=events) as feed:
        history = events.wait_for(lambda e: isinstance(e, HistoryEvent))
        bad = events.wait_for(lambda e: isinstance(e, ErrorEvent))
        catch_up_and_compare(exchange, Consumer(feed), *BTC)
        metrics = feed.metrics()
    assert (bad.kind, bad.symbol, bad.timeframe) == (ErrorKind.BAD_ROWS, *BTC)
    assert "malformed candle rows of BTC-USDT 1min dropped" in bad.message
    assert history.count == len(served)  # every good row of the page
    assert metrics.errors == 1


def test_a_failed_history_load_says_why_and_where(exchange: LocalExchange) -> None:
    exchange.faults.rest_server_error(CANDLES, count=5)  # the REST client's every attempt
    events = EventRecorder()
    with FeedClient(exchange.base_url, [BTC], config=fast_feed_config(), listener=events):
        failed = events.wait_for(lambda e: isinstance(e, ErrorEvent))
        events.wait_for(lambda e: isinstance(e, HistoryEvent))  # and the retry loads it
    assert (failed.kind, failed.retrying) == (ErrorKind.HISTORY, True)
    assert failed.failure is NetworkFailure.SERVER
    assert failed.host == exchange.base_url.removeprefix("http://")
