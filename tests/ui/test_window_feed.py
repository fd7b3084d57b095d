"""The main window against the local exchange: candles drawn, status shown, menus used.

Everything is driven as a user would (menu actions, keys typed into the pair dialog) and
asserted on what the chart and the status bar show. Waits are on signals or conditions with
timeouts; nothing sleeps.
"""

from __future__ import annotations

import csv
import threading

import pytest
from PySide6.QtCore import QObject, QSettings, Qt, QUrl, Slot
from PySide6.QtGui import QDesktopServices, QImage
from PySide6.QtWidgets import QApplication

from kucandle_gui.app import start_spec
from kucandle_gui.protocol import Candle
from kucandle_gui.ui import chart as chart_module
from kucandle_gui.ui.main_window import MainWindow
from kucandle_gui.ui.settings import AppSettings
from kucandle_gui.ui.wording import counted
from tests.helpers import fast_feed_config

WAIT_MS = 15_000


@pytest.fixture
def window(make_window, exchange):
    return make_window(exchange.base_url)


def wait_drawn(qtbot, window: MainWindow) -> None:
    """Until history is in and the loading note gone."""
    qtbot.waitUntil(
        lambda: window.chart.candle_count() > 0 and window.chart.loading_text() is None,
        timeout=WAIT_MS,
    )


class Recorder:
    """Every candle the controller hands the window, merged by start time."""

    def __init__(self) -> None:
        self.series: dict[tuple[str, str], dict[int, Candle]] = {}

    def __call__(self, symbol: str, timeframe: str, candles: list[Candle]) -> None:
        held = self.series.setdefault((symbol, timeframe), {})
        for candle in candles:
            held[candle.time] = candle


def test_candles_arrive_and_are_drawn(qtbot, window):
    recorder = Recorder()
    window.controller.candlesChanged.connect(recorder)
    assert window.chart.loading_text() == "loading BTC-USDT 1min…"
    wait_drawn(qtbot, window)
    start = window.chart.candle_count()
    qtbot.waitUntil(lambda: window.chart.candle_count() > start, timeout=WAIT_MS)
    # Drawn = delivered, merged by start time; the price shown is the newest candle's close.
    # (The recorder was connected after the window, so it has seen what the chart has.)
    with qtbot.waitSignal(window.controller.candlesChanged, timeout=WAIT_MS):
        pass
    held = recorder.series[("BTC-USDT", "1min")]
    assert [c.time for c in window.chart.candles()][-len(held) :] == sorted(held)
    newest = held[max(held)]
    assert window.chart.last_price() == newest.close
    assert window.chart.candles()[-1] == newest


def test_status_bar_shows_the_controllers_metrics(qtbot, window):
    wait_drawn(qtbot, window)
    with qtbot.waitSignal(
        window.controller.metricsUpdated,
        timeout=WAIT_MS,
        check_params_cb=lambda m: m.messages > 0,
    ) as blocker:
        pass
    metrics = blocker.args[0]
    bar = window.status_bar
    assert bar.messages_label.text() == counted(metrics.messages, "msg")
    assert bar.errors_label.text() == counted(metrics.errors, "error")
    assert bar.reconnects_label.text() == counted(metrics.reconnects, "reconnect")
    assert bar.token_label.text().startswith("token 0:00:")
    assert bar.latency_label.text().endswith(" ms")
    assert bar.state_label.text() == "live"
    assert not bar.demo_label.isVisibleTo(bar)
    assert "SIMULATED" not in window.windowTitle()


def test_live_only_while_the_series_shown_is_subscribed(qtbot, window):
    bar = window.status_bar
    qtbot.waitUntil(lambda: bar.state_label.text() == "live", timeout=WAIT_MS)
    window.monitor.subscribed("BTC-USDT", "1min", False)  # e.g. a resubscribe on its way
    assert bar.state_label.text() == "subscribing BTC-USDT 1min…"
    window.monitor.subscribed("BTC-USDT", "1min", True)
    assert bar.state_label.text() == "live"
    window.switch_timeframe("5min")
    assert bar.state_label.text() == "subscribing BTC-USDT 5min…"  # not acknowledged yet
    qtbot.waitUntil(lambda: bar.state_label.text() == "live", timeout=WAIT_MS)
    assert window.chart_model.series.subscribed


def test_timeframe_switch_from_the_menu_shows_only_the_new_series(qtbot, window, exchange):
    wait_drawn(qtbot, window)
    with qtbot.waitSignal(window.controller.historyLoaded, timeout=WAIT_MS) as loaded:
        window.menu_actions.timeframes["5min"].trigger()
        # At once: the old candles are gone and the chart says it is loading.
        assert window.chart.candle_count() == 0
        assert window.chart.loading_text() == "loading BTC-USDT 5min…"
        assert window.windowTitle().startswith("BTC-USDT · 5min")
        assert window.menu_actions.timeframes["5min"].isChecked()
    assert loaded.args[:2] == ["BTC-USDT", "5min"]
    wait_drawn(qtbot, window)
    qtbot.waitUntil(lambda: window.chart.candle_count() > 30, timeout=WAIT_MS)
    candles = window.chart.candles()
    assert all(c.time % 300 == 0 for c in candles)
    # A closed 5min candle is exactly what the exchange says it is.
    closed = candles[-3]
    assert exchange.truth("BTC-USDT", "5min", closed.time, closed.time) == [closed]
    assert window.settings.timeframe == "5min"


def test_longer_and_shorter_timeframe_keys(qtbot, window):
    wait_drawn(qtbot, window)
    window.menu_actions.longer_timeframe.trigger()
    assert window.timeframe == "3min"
    window.menu_actions.shorter_timeframe.trigger()
    window.menu_actions.shorter_timeframe.trigger()  # nothing shorter than 1min
    assert window.timeframe == "1min"
    assert window.menu_actions.timeframes["1min"].isChecked()


def test_pair_dialog_by_keyboard_then_back_through_recent_pairs(qtbot, window):
    window.monitor.watchlist.set_symbols([])  # the menu lists as recent what it lists not above
    wait_drawn(qtbot, window)
    assert window.chart.last_price() > 10_000  # BTC
    window.menu_actions.choose_pair.trigger()
    dialog = window.pair_dialog
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.pairs_shown() != [], timeout=WAIT_MS)
    qtbot.keyClicks(dialog.filter_edit, "eth")
    assert dialog.pairs_shown() == ["ETH-BTC", "ETH-USDT"]
    qtbot.keyClick(dialog.filter_edit, Qt.Key.Key_Down)
    qtbot.keyClick(dialog.filter_edit, Qt.Key.Key_Return)
    assert window.symbol == "ETH-USDT"
    assert window.chart.candle_count() == 0
    wait_drawn(qtbot, window)
    assert all(c.close < 10_000 for c in window.chart.candles())  # ETH, none of BTC's
    assert window.windowTitle().startswith("ETH-USDT · 1min")

    recent = {a.text(): a for a in window.menu_actions.recent_actions}
    assert list(recent) == ["ETH-USDT", "BTC-USDT"]
    recent["BTC-USDT"].trigger()
    assert window.symbol == "BTC-USDT"
    wait_drawn(qtbot, window)
    assert all(c.close > 10_000 for c in window.chart.candles())


def test_the_pair_menu_adds_to_the_watchlist_and_lists_its_first_pairs(qtbot, window):
    actions = window.menu_actions
    watchlist = window.monitor.watchlist
    watchlist.set_symbols(["ETH-USDT", "SOL-USDT"])
    assert [(a.text(), a.shortcut().toString()) for a in actions.watchlist_actions] == [
        ("ETH-USDT", "Ctrl+1"),
        ("SOL-USDT", "Ctrl+2"),
    ]
    assert actions.watch.text() == "&Add BTC-USDT to watchlist"
    assert actions.watch.shortcut().toString() == "Ctrl+D"
    actions.watch.trigger()
    assert watchlist.symbols == ("ETH-USDT", "SOL-USDT", "BTC-USDT")
    assert window.settings.watchlist == ["ETH-USDT", "SOL-USDT", "BTC-USDT"]
    assert window.status_bar.message_label.text() == "BTC-USDT added to the watchlist"
    assert actions.watch.text() == "&Remove BTC-USDT from watchlist"
    actions.watchlist_actions[1].trigger()
    assert window.symbol == "SOL-USDT"
    actions.watch.trigger()  # out again
    assert watchlist.symbols == ("ETH-USDT", "BTC-USDT")
    assert [a.text() for a in actions.watchlist_actions] == ["ETH-USDT", "BTC-USDT"]
    assert window.status_bar.message_label.text() == "SOL-USDT removed from the watchlist"


def test_scrolling_back_loads_older_history(qtbot, window):
    # The first view shows more candles than the start-up history holds, so the chart asks
    # for older ones at once; they must land on the chart.
    with qtbot.waitSignal(window.controller.olderCandlesLoaded, timeout=WAIT_MS) as older:
        pass
    symbol, timeframe, candles = older.args
    assert (symbol, timeframe) == ("BTC-USDT", "1min")
    assert len(candles) > 100
    held = {c.time for c in window.chart.candles()}
    assert {c.time for c in candles} <= held
    assert window.chart.candle_count() > fast_feed_config().history_candles


def test_follow_live_action_and_chart_stay_in_step(qtbot, window):
    wait_drawn(qtbot, window)
    follow = window.menu_actions.follow_live
    assert follow.isChecked() and window.chart.follow_live()
    follow.trigger()
    assert not follow.isChecked()
    assert not window.chart.follow_live()
    follow.trigger()
    assert window.chart.follow_live()
    window.chart.set_follow_live(False)  # what panning away does
    assert not follow.isChecked()
    window.menu_actions.reset_zoom.trigger()
    assert window.chart.follow_live() and follow.isChecked()


def test_volume_and_theme_actions(qtbot, window):
    window.menu_actions.volume.trigger()
    assert not window.chart.volume_visible()
    assert window.settings.volume_visible is False
    window.menu_actions.themes["light"].trigger()
    assert window.chart.theme() == chart_module.LIGHT
    # Widgets take a new application palette through posted events.
    qtbot.waitUntil(lambda: window_lightness(window) > 128, timeout=2000)
    window.menu_actions.themes["dark"].trigger()
    assert window.chart.theme() == chart_module.DARK
    qtbot.waitUntil(lambda: window_lightness(window) < 128, timeout=2000)
    assert window.settings.theme == "dark"


def window_lightness(window: MainWindow) -> int:
    return window.palette().color(window.backgroundRole()).lightness()


def test_screenshot_and_csv_export(qtbot, window, tmp_path):
    wait_drawn(qtbot, window)
    png = tmp_path / "chart.png"
    assert window.files.save_screenshot(str(png))
    image = QImage(str(png))
    assert not image.isNull() and image.width() > 100 and image.height() > 100

    path = tmp_path / "visible.csv"
    rows = window.files.export_csv(str(path))
    visible = window.chart.visible_candles()  # same event-loop turn: nothing changed between
    assert rows == len(visible) > 0
    with path.open(newline="") as f:
        table = list(csv.DictReader(f))
    assert [int(r["unix"]) for r in table] == [c.time for c in visible]
    for row, candle in zip(table, visible, strict=True):
        values = [float(row[k]) for k in ("open", "high", "low", "close", "volume")]
        assert values == [candle.open, candle.high, candle.low, candle.close, candle.volume]
    assert str(rows) in window.status_bar.message_label.text()


def test_export_to_an_unwritable_place_says_so(qtbot, window, tmp_path):
    wait_drawn(qtbot, window)
    target = tmp_path / "no-such-folder" / "x.csv"
    assert window.files.export_csv(str(target)) == -1
    assert "Could not export" in window.banner.text()
    assert window.chart.candle_count() > 0  # nothing lost


def test_settings_restored_in_a_new_window(qtbot, make_window, exchange, settings_path):
    first = make_window(exchange.base_url)
    first.monitor.watchlist.set_symbols(["SOL-USDT"])
    first.menu_actions.timeframes["15min"].trigger()
    first.switch_pair("ETH-BTC")
    first.menu_actions.themes["light"].trigger()
    first.menu_actions.volume.trigger()
    first.menu_actions.watch.trigger()  # ETH-BTC into the watchlist
    first.watchlist_panel.table.sortByColumn(3, Qt.SortOrder.DescendingOrder)
    first.resize(700, 500)
    first.menu_actions.quit.trigger()
    assert not first.isVisible()

    settings = AppSettings(QSettings(settings_path, QSettings.Format.IniFormat))
    assert start_spec(settings)[0].shown[0].key == ("ETH-BTC", "15min")
    second = make_window(exchange.base_url, None, None)  # as saved
    assert (second.symbol, second.timeframe) == ("ETH-BTC", "15min")
    assert second.chart.theme() == chart_module.LIGHT
    assert second.menu_actions.themes["light"].isChecked()
    assert not second.menu_actions.volume.isChecked() and not second.chart.volume_visible()
    assert second.monitor.watchlist.symbols == ("SOL-USDT", "ETH-BTC")
    header = second.watchlist_panel.table.horizontalHeader()
    assert (header.sortIndicatorSection(), header.sortIndicatorOrder()) == (
        3,
        Qt.SortOrder.DescendingOrder,
    )
    assert (second.width(), second.height()) == (700, 500)
    assert [a.text() for a in second.menu_actions.recent_actions] == ["BTC-USDT"]
    wait_drawn(qtbot, second)
    assert all(c.close < 1 for c in second.chart.candles())  # ETH-BTC prices
    # A command-line flag wins over the saved pair.
    assert start_spec(settings, symbols=["SOL-USDT"])[0].shown[0].key == ("SOL-USDT", "15min")


def test_quit_stops_every_thread(qtbot, window):
    wait_drawn(qtbot, window)
    thread = window.controller._thread
    assert thread.isRunning()
    window.menu_actions.quit.trigger()
    assert not thread.isRunning()
    assert window.controller is None
    qtbot.waitUntil(
        lambda: not [t for t in threading.enumerate() if t.name.startswith("kucandle")],
        timeout=2000,
    )


def test_keyboard_shortcuts(qtbot, window):
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=2000)
    wait_drawn(qtbot, window)
    qtbot.keyClick(window, Qt.Key.Key_3, Qt.KeyboardModifier.AltModifier)
    assert window.timeframe == "5min"
    qtbot.keyClick(window, Qt.Key.Key_BracketRight)
    assert window.timeframe == "15min"
    wait_drawn(qtbot, window)
    qtbot.keyClick(window, Qt.Key.Key_End)
    assert not window.chart.follow_live()
    qtbot.keyClick(window, Qt.Key.Key_End)
    assert window.chart.follow_live()
    qtbot.keyClick(window, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    assert window.pair_dialog is not None and window.pair_dialog.isVisible()


class UrlCatcher(QObject):
    """Stands in for the desktop's file manager."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[QUrl] = []

    @Slot(QUrl)
    def handle(self, url: QUrl) -> None:
        self.urls.append(url)


def test_help_menu(qtbot, window, tmp_path):
    window.menu_actions.about.trigger()
    box = window.about_box
    assert box is not None and box.isVisible()
    assert "pyqtgraph" in box.text() and "PySide6" in box.text()
    box.close()

    window.log_dir = tmp_path
    catcher = UrlCatcher()
    QDesktopServices.setUrlHandler("file", catcher, "handle")
    try:
        window.menu_actions.open_log_folder.trigger()
    finally:
        QDesktopServices.unsetUrlHandler("file")
    assert [u.toLocalFile() for u in catcher.urls] == [str(tmp_path)]


def test_the_chart_keeps_no_more_candles_than_the_feed(make_window, exchange) -> None:
    window = make_window(exchange.base_url)
    assert window.chart.store.max_candles == fast_feed_config().max_candles


def test_a_closed_window_leaves_no_callback_on_the_model(make_window, exchange) -> None:
    window = make_window(exchange.base_url)
    series = window.chart_model.series
    monitor = window.monitor
    # The chart's binding, the watchlist's and the alerts' keepers, the window.
    assert len(series.changed) == 1 and len(monitor.source_changed) == 4
    book = monitor.alerts
    assert len(book.changed) > 0 and len(book.fired) > 0
    watchlist = monitor.watchlist
    assert (len(watchlist.rows_changed), len(watchlist.order_changed)) == (1, 2)
    assert len(series.subscription_changed) == 1  # the window's, for the status bar
    window.close()
    assert len(series.changed) == 0
    assert len(series.state_changed) == 0
    assert len(series.subscription_changed) == 0
    assert len(monitor.source_changed) == 1  # the window's own, gone with it
    assert (len(book.changed), len(book.fired)) == (0, 0)  # the panel's, lines', keeper's
    # The table's and the keeper's are gone (the link's own stays: it outlives windows).
    assert (len(watchlist.rows_changed), len(watchlist.order_changed)) == (0, 0)
    assert window.controller is None
