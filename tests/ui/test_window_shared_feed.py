"""Several charts, one feed: the window's cells, its watchlist and its alerts on ONE WebSocket
connection of the local exchange, a series shown twice subscribed and loaded once, and the
subscriptions following the layout as it grows and shrinks.

What goes over the wire is read from the exchange's own counters (the live connections, each
one's topic set, the subscribe and unsubscribe requests it received); history loads are the
feed's own (``historyLoaded`` of a start-up load, not of a backfill). A request not sent is
proved by a later one sent on the same connection: the exchange handles one connection's
requests in order, so once the later topic is there, an earlier request would have been
counted. Waits are on conditions with timeouts; nothing sleeps.
"""

from __future__ import annotations

from collections import Counter

from PySide6.QtCore import QSettings

from kucandle_gui.model import (
    ALERT_TIMEFRAME,
    AlertSpec,
    Condition,
    LayoutKind,
    SeriesKey,
    SeriesState,
)
from kucandle_gui.protocol import candle_topic, snapshot_topic
from kucandle_gui.sim import ExchangeStats, LocalExchange
from kucandle_gui.ui.main_window import MainWindow
from kucandle_gui.ui.settings import AppSettings
from tests.ui.window_kit import keys, spec

WAIT_MS = 15_000
#: A price no pair of the local exchange reaches: the alert stays armed, its series held.
FAR_ABOVE = 1e9


def saved_watchlist(settings_path: str, symbols: list[str]) -> None:
    """The watchlist the window will start with (set before it connects: a change after
    would subscribe or unsubscribe snapshots too)."""
    settings = AppSettings(QSettings(settings_path, QSettings.Format.IniFormat))
    settings.watchlist = symbols
    settings.sync()


def topics_of(*series: tuple[str, str]) -> set[str]:
    return {candle_topic(*each) for each in series}


def snapshots_of(symbols: list[str]) -> set[str]:
    return {snapshot_topic([symbol]) for symbol in symbols}


def wait_topics(qtbot, exchange: LocalExchange, expected: set[str]) -> ExchangeStats:
    """Until the exchange has one live connection, carrying exactly the ``expected`` topics."""
    qtbot.waitUntil(lambda: exchange.stats().subscriptions == (expected,), timeout=WAIT_MS)
    return exchange.stats()


def wait_drawn(qtbot, window: MainWindow) -> None:
    """Until every cell's history is on its chart."""
    qtbot.waitUntil(
        lambda: all(
            cell.model.series.state is SeriesState.READY and cell.chart.candle_count() > 0
            for cell in window.grid.cells
        ),
        timeout=WAIT_MS,
    )


def history_loads(window: MainWindow) -> Counter[tuple[str, str]]:
    """The window's start-up history loads by series (backfills and older pages not counted),
    from now on: connected before the event loop runs, nothing delivered is missed."""
    loads: Counter[tuple[str, str]] = Counter()

    def loaded(symbol: str, timeframe: str, _rows: int, backfill: bool) -> None:
        if not backfill:
            loads[(symbol, timeframe)] += 1

    window.link.historyLoaded.connect(loaded)
    return loads


def test_one_connection_carries_every_cell_the_watchlist_and_an_alert(qtbot, make_window, exchange):
    cells = (
        ("BTC-USDT", "1min"),
        ("ETH-USDT", "5min"),
        ("SOL-USDT", "15min"),
        ("XRP-USDT", "1hour"),
    )
    window = make_window(exchange.base_url, workspace=spec(LayoutKind.GRID, *cells))
    window.resize(1400, 900)
    # A pair no cell shows: the alert holds a series of its own.
    window.monitor.alerts.add(AlertSpec.of("KCS-USDT", Condition.ABOVE, FAR_ABOVE))
    watched = window.monitor.watchlist.symbols
    assert len(watched) >= 4 and "KCS-USDT" not in {s for s, _ in cells}
    alert_series = ("KCS-USDT", ALERT_TIMEFRAME)

    stats = wait_topics(qtbot, exchange, topics_of(*cells, alert_series) | snapshots_of(watched))

    assert stats.active_connections == 1
    assert stats.connects == 1  # never a second connection, not even for a moment
    assert keys(window) == list(cells)
    # And the data came: every cell drawn (above), the alert's series and the tickers in.
    wait_drawn(qtbot, window)
    alert = window.monitor.series(SeriesKey.of(*alert_series))
    assert alert is not None
    qtbot.waitUntil(lambda: len(alert.candles) > 0, timeout=WAIT_MS)
    rows = window.monitor.watchlist.rows()
    qtbot.waitUntil(lambda: all(row.ticker is not None for row in rows), timeout=WAIT_MS)


def test_two_cells_on_one_series_share_its_subscription_and_its_history(
    qtbot, make_window, exchange, settings_path
):
    saved_watchlist(settings_path, [])  # every subscribe request is a cell's
    cells = (("BTC-USDT", "1min"), ("ETH-USDT", "1min"), ("SOL-USDT", "1min"), ("BTC-USDT", "1min"))
    window = make_window(exchange.base_url, workspace=spec(LayoutKind.GRID, *cells))
    loads = history_loads(window)
    window.resize(1400, 900)
    first, second, _, fourth = window.grid.cells
    assert first.model is not fourth.model  # two charts, each its own view...
    assert first.model.series is fourth.model.series  # ...of one series
    wait_topics(qtbot, exchange, topics_of(*cells))
    wait_drawn(qtbot, window)
    assert fourth.chart.candle_count() == first.chart.candle_count()

    # A later request on the same connection: once it is handled, every earlier one was.
    window.monitor.show(second.model, "XRP-USDT", "1min")
    stats = wait_topics(
        qtbot, exchange, topics_of(("BTC-USDT", "1min"), ("XRP-USDT", "1min"), ("SOL-USDT", "1min"))
    )

    assert stats.connects == 1
    assert stats.subscribe_requests == 4  # BTC once, ETH, SOL, then XRP
    assert stats.unsubscribe_requests == 1  # ETH
    assert loads[("BTC-USDT", "1min")] == 1
    assert loads[("ETH-USDT", "1min")] == 1 == loads[("SOL-USDT", "1min")]


def test_the_layout_growing_subscribes_and_shrinking_unsubscribes_only_what_nothing_needs(
    qtbot, make_window, exchange, settings_path
):
    watched = ["BTC-USDT", "ETH-USDT", "SOL-USDT"]
    saved_watchlist(settings_path, watched)
    snapshots = snapshots_of(watched)
    btc, eth, sol, xrp = (
        ("BTC-USDT", "1min"),
        ("ETH-USDT", "1min"),
        ("SOL-USDT", "1min"),
        ("XRP-USDT", "1min"),
    )
    window = make_window(exchange.base_url, workspace=spec(LayoutKind.SIDE_BY_SIDE, btc, eth))
    window.resize(1400, 900)
    window.monitor.alerts.add(AlertSpec.of("ETH-USDT", Condition.ABOVE, FAR_ABOVE))
    start = wait_topics(qtbot, exchange, topics_of(btc, eth) | snapshots)
    workspace = window.workspace

    # Growing: the first watchlist pair not shown, subscribed.
    workspace.set_layout(LayoutKind.THREE)
    assert keys(window) == [btc, eth, sol]
    wait_topics(qtbot, exchange, topics_of(btc, eth, sol) | snapshots)
    # No watchlist pair left: the active cell's pair again, sharing its series.
    workspace.set_layout(LayoutKind.GRID)
    assert keys(window) == [btc, eth, sol, btc]
    assert window.grid.cells[3].model.series is window.grid.cells[0].model.series

    # Shrinking: SOL (nothing else shows it) goes; the second BTC cell goes, BTC stays (the
    # first cell shows it); then the ETH cell goes, ETH stays (the alert watches it).
    workspace.set_layout(LayoutKind.SIDE_BY_SIDE)
    assert keys(window) == [btc, eth]
    wait_topics(qtbot, exchange, topics_of(btc, eth) | snapshots)
    workspace.set_layout(LayoutKind.SINGLE)
    assert keys(window) == [btc]
    assert window.monitor.series(SeriesKey.of(*eth)) is not None
    # A later request on the same connection: once it is handled, every earlier one was.
    window.monitor.show(window.grid.cells[0].model, *xrp)
    end = wait_topics(qtbot, exchange, topics_of(xrp, eth) | snapshots)

    assert end.connects == 1
    assert end.subscribe_requests - start.subscribe_requests == 2  # SOL, XRP
    assert end.unsubscribe_requests - start.unsubscribe_requests == 2  # SOL, BTC
