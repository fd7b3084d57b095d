"""The watchlist fed through FeedLink: the exchange's 24 h statistics in every row, the
exchange's topics following the list, freshness across drops and outages (pytest-qt, the
local exchange on loopback)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import pytest

from kucandle_gui.app import MonitorParts, assemble
from kucandle_gui.feed import ConnectionState, StatusEvent
from kucandle_gui.model import WatchlistModel
from kucandle_gui.protocol import (
    SNAPSHOT_TOPIC_PREFIX,
    Ticker,
    snapshot_push_message,
    snapshot_topic,
)
from kucandle_gui.sim import LocalExchange
from tests.helpers import fast_feed_config, fast_sim_config

WAIT_MS = 10_000
#: Real seconds between two snapshot pushes of a pair: a few pushes per second.
SNAPSHOT_INTERVAL = 0.2


@pytest.fixture
def snapshots() -> Iterator[LocalExchange]:
    """The fast local exchange, pushing each watched pair's statistics every 0.2 s."""
    with LocalExchange(fast_sim_config(snapshot_interval=SNAPSHOT_INTERVAL)) as running:
        yield running


@pytest.fixture
def parts() -> Iterator[MonitorParts]:
    """The monitor on BTC-USDT 1min with its link, not started; closed after the test."""
    built = assemble("BTC-USDT", "1min", fast_feed_config())
    yield built
    built.link.close()


def topics(exchange: LocalExchange) -> frozenset[str]:
    """Every topic of every live connection."""
    return frozenset().union(*exchange.stats().subscriptions)


def ticker(watchlist: WatchlistModel, symbol: str) -> Ticker | None:
    row = watchlist.row(symbol)
    return None if row is None else row.ticker


def newer_than(watchlist: WatchlistModel, times: dict[str, int]) -> bool:
    """Every row in ``times`` holds a ticker of the exchange's later than the time given."""
    return all((t := ticker(watchlist, s)) is not None and t.time > times[s] for s in times)


def test_every_row_holds_the_exchanges_statistics(qtbot, snapshots, parts) -> None:
    watchlist = parts.monitor.watchlist
    pairs = ("ETH-USDT", "SOL-USDT", "XRP-USDT")
    watchlist.set_symbols(pairs)  # before the feed: the controller starts with them
    parts.link.start(snapshots.base_url)
    qtbot.waitUntil(lambda: newer_than(watchlist, dict.fromkeys(pairs, 0)), timeout=WAIT_MS)
    first = {s: ticker(watchlist, s) for s in pairs}
    # Pushes after the first values: each row moves on, and stays the exchange's.
    qtbot.waitUntil(
        lambda: newer_than(watchlist, {s: t.time for s, t in first.items() if t}), timeout=WAIT_MS
    )
    for symbol in pairs:
        row = watchlist.row(symbol)
        assert row is not None and row.ticker is not None and not row.refused
        assert row.ticker == snapshots.ticker(symbol, at=row.ticker.time / 1000)
        got = (row.last, row.change_rate, row.high, row.low, row.turnover)
        t = row.ticker
        assert got == (t.last, t.change_rate, t.high, t.low, t.turnover)
        assert not watchlist.is_stale(symbol)
    assert watchlist.symbols == pairs


def test_adding_and_removing_pairs_live_moves_the_exchanges_topics(qtbot, snapshots, parts) -> None:
    watchlist = parts.monitor.watchlist
    watchlist.set_symbols(("ETH-USDT", "SOL-USDT"))
    parts.link.start(snapshots.base_url)
    qtbot.waitUntil(
        lambda: {snapshot_topic(["ETH-USDT"]), snapshot_topic(["SOL-USDT"])} <= topics(snapshots),
        timeout=WAIT_MS,
    )
    watchlist.add("doge-usdt")
    qtbot.waitUntil(lambda: snapshot_topic(["DOGE-USDT"]) in topics(snapshots), timeout=WAIT_MS)
    qtbot.waitUntil(lambda: ticker(watchlist, "DOGE-USDT") is not None, timeout=WAIT_MS)
    watchlist.remove("ETH-USDT")
    qtbot.waitUntil(lambda: snapshot_topic(["ETH-USDT"]) not in topics(snapshots), timeout=WAIT_MS)
    snapshot_topics = {t for t in topics(snapshots) if t.startswith(SNAPSHOT_TOPIC_PREFIX)}
    assert snapshot_topics == {snapshot_topic(["SOL-USDT"]), snapshot_topic(["DOGE-USDT"])}
    assert "/market/candles:BTC-USDT_1min" in topics(snapshots)  # the chart's series stays
    assert snapshots.stats().uplink_violations == 0


def test_after_a_drop_and_an_outage_every_row_is_fresh_again(qtbot, snapshots, parts) -> None:
    watchlist = parts.monitor.watchlist
    pairs = ("ETH-USDT", "SOL-USDT", "KCS-USDT")
    watchlist.set_symbols(pairs)
    # While the link is down, every row is stale at once (not only after 6 s of silence).
    stale_while_down: list[bool] = []

    def on_status(event: StatusEvent) -> None:
        if event.state is ConnectionState.RECONNECTING:
            stale_while_down.append(all(watchlist.is_stale(s) for s in pairs))

    def fresh_again(before: dict[str, int]) -> None:
        """Every row gets values the exchange sent after the cut, and is fresh."""
        qtbot.waitUntil(lambda: newer_than(watchlist, before), timeout=WAIT_MS)
        qtbot.waitUntil(lambda: not any(watchlist.is_stale(s) for s in pairs), timeout=WAIT_MS)
        for symbol in pairs:
            t = ticker(watchlist, symbol)
            assert t is not None and t == snapshots.ticker(symbol, at=t.time / 1000)

    def times() -> dict[str, int]:
        return {s: t.time for s in pairs if (t := ticker(watchlist, s)) is not None}

    parts.link.statusChanged.connect(on_status)
    parts.link.start(snapshots.base_url)
    fresh_again(dict.fromkeys(pairs, 0))
    before = times()
    assert snapshots.faults.drop_connections() == 1
    qtbot.waitUntil(lambda: len(stale_while_down) == 1, timeout=WAIT_MS)
    fresh_again(before)
    before = times()
    snapshots.faults.outage(True)
    qtbot.waitUntil(lambda: len(stale_while_down) >= 3, timeout=WAIT_MS)  # failed connects too
    snapshots.faults.outage(False)
    fresh_again(before)
    assert all(stale_while_down)
    parts.link.stop()
    assert all(watchlist.is_stale(s) for s in pairs)  # no feed: nothing is current


def test_an_unknown_pair_is_marked_refused_and_the_others_go_on(qtbot, snapshots, parts) -> None:
    watchlist = parts.monitor.watchlist
    watchlist.set_symbols(("ETH-USDT", "NOPE-USDT", "SOL-USDT"))
    errors: list[object] = []
    parts.link.errorOccurred.connect(errors.append)
    parts.link.start(snapshots.base_url)
    qtbot.waitUntil(lambda: watchlist.row("NOPE-USDT").refused, timeout=WAIT_MS)
    refused_at = {s: t.time for s in ("ETH-USDT", "SOL-USDT") if (t := ticker(watchlist, s))}
    others = dict.fromkeys(("ETH-USDT", "SOL-USDT"), 0) | refused_at
    qtbot.waitUntil(lambda: newer_than(watchlist, others), timeout=WAIT_MS)
    assert ticker(watchlist, "NOPE-USDT") is None
    assert not watchlist.row("ETH-USDT").refused and not watchlist.row("SOL-USDT").refused
    assert snapshot_topic(["NOPE-USDT"]) not in topics(snapshots)
    assert {snapshot_topic(["ETH-USDT"]), snapshot_topic(["SOL-USDT"])} <= topics(snapshots)
    assert any("NOPE-USDT" in getattr(e, "message", "") for e in errors)
    assert parts.chart.series.subscribed  # the chart's series was not touched


def test_candles_and_the_watchlist_share_one_connection(qtbot, snapshots, parts) -> None:
    watchlist = parts.monitor.watchlist
    watchlist.set_symbols(("BTC-USDT", "ETH-USDT"))
    parts.link.start(snapshots.base_url)
    series = parts.chart.series
    qtbot.waitUntil(lambda: series.subscribed and len(series.candles) > 0, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: newer_than(watchlist, {"BTC-USDT": 0, "ETH-USDT": 0}), timeout=WAIT_MS)
    stats = snapshots.stats()
    assert stats.active_connections == 1
    [connection] = stats.subscriptions
    assert connection >= {
        "/market/candles:BTC-USDT_1min",
        snapshot_topic(["BTC-USDT"]),
        snapshot_topic(["ETH-USDT"]),
    }
    # The chart's own pair: the row's last price is the live candle's close, even when a
    # snapshot says otherwise: one a minute ahead of the exchange's own (these, older from then
    # on, are not applied), its last price not the candle's close.
    row = watchlist.row("BTC-USDT")
    qtbot.waitUntil(lambda: row.last == series.candles.last().close, timeout=WAIT_MS)
    other = dataclasses.replace(
        row.ticker, last=round(row.last * 1.5, 1), time=row.ticker.time + 60_000
    )
    assert snapshots.faults.send_raw(snapshot_push_message(other, 1)) == 1
    qtbot.waitUntil(lambda: row.ticker.time == other.time, timeout=WAIT_MS)
    assert row.ticker.last == other.last != series.candles.last().close
    assert row.last == series.candles.last().close
