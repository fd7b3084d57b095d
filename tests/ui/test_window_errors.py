"""The main window when things go wrong: exchange down, unknown pair, exchange errors, rate
limits, and the demo exchange it offers. Each time the window must say what happened and what
it does about it, and keep working."""

from __future__ import annotations

import socket

from PySide6.QtCore import QEvent, QSettings, Qt
from PySide6.QtWidgets import QApplication

from kucandle_gui.sim import LocalExchange
from kucandle_gui.ui.layout_store import WORKSPACE_KEY, LayoutStore
from kucandle_gui.ui.main_window import MainWindow
from kucandle_gui.ui.settings import AppSettings
from kucandle_gui.ui.wording import BannerKind, counted
from tests.helpers import fast_sim_config

WAIT_MS = 15_000
DEMO_OFFER = "Use demo exchange (simulated prices)"


def free_port() -> int:
    """A port nothing listens on (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_drawn(qtbot, window: MainWindow) -> None:
    qtbot.waitUntil(
        lambda: window.chart.candle_count() > 0 and window.chart.loading_text() is None,
        timeout=WAIT_MS,
    )


def test_exchange_down_at_start_is_said_then_recovers(qtbot, make_window):
    port = free_port()
    window = make_window(f"http://127.0.0.1:{port}")
    qtbot.waitUntil(lambda: window.banner.kind is BannerKind.CONNECTION, timeout=WAIT_MS)
    # Issue 9: the host, as a person would say it; the library's text is the log's.
    assert window.banner.text().startswith(
        f"Cannot reach 127.0.0.1:{port}: the connection was refused"
    )
    assert "HTTPConnectionPool" not in window.banner.text()
    assert "Retrying automatically" in window.banner.text()
    assert window.banner.action_button.text() == DEMO_OFFER
    qtbot.waitUntil(
        lambda: window.status_bar.state_label.text().startswith("reconnecting"), timeout=WAIT_MS
    )
    assert "cannot get a connect token" in window.status_bar.message_label.text()
    assert f"127.0.0.1:{port} refused the connection" in window.status_bar.message_label.text()
    # Never connected: failed attempts, not reconnects.
    bar = window.status_bar
    qtbot.waitUntil(lambda: "failed attempt" in bar.attempts_label.text(), timeout=WAIT_MS)
    assert not bar.reconnects_label.isVisibleTo(bar)
    # A long error does not widen the window (laid out now rather than on the next event).
    QApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)
    assert window.minimumSizeHint().width() < 800
    assert window.chart.loading_text() == "loading BTC-USDT 1min…"
    window.chart.grab()  # nothing to show: no axis values (no price 0.5, no 00:00:30)
    assert window.chart.time_axis.tick_labels() == []
    assert window.chart.price_axis.tick_labels() == []
    assert not window.demo  # offered, never switched silently

    with LocalExchange(fast_sim_config(port=port)):
        qtbot.waitUntil(lambda: window.status_bar.state_label.text() == "live", timeout=WAIT_MS)
        wait_drawn(qtbot, window)
        assert window.banner.text() == ""
        assert "SIMULATED" not in window.windowTitle()
        window.chart.flush()
        window.chart.grab()
        assert window.chart.time_axis.tick_labels() and window.chart.price_axis.tick_labels()
        window.close()


def test_url_credentials_are_never_shown(qtbot, make_window):
    port = free_port()
    window = make_window(f"http://user:secret@127.0.0.1:{port}")
    bar = window.status_bar
    qtbot.waitUntil(lambda: window.banner.kind is BannerKind.CONNECTION, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: bar.state_label.text().startswith("reconnecting"), timeout=WAIT_MS)
    assert window.banner.text().startswith(f"Cannot reach 127.0.0.1:{port}")
    shown = [
        window.banner.text(),
        bar.message_label.text(),
        bar.message_label.toolTip(),
        bar.state_label.text(),
        bar.state_label.toolTip(),
    ]
    dialog = window.open_pair_dialog()  # the pair list fails to load as well
    # The dialog keeps saying so; the status bar's message may already be the next failed
    # connect's by the time the test looks.
    qtbot.waitUntil(lambda: "list of pairs" in dialog.hint_label.text(), timeout=WAIT_MS)
    shown += [bar.message_label.text(), dialog.hint_label.text()]
    assert all("secret" not in text for text in shown), shown


def test_accepting_the_demo_offer_shows_marked_simulated_prices(qtbot, make_window):
    window = make_window(f"http://127.0.0.1:{free_port()}")
    qtbot.waitUntil(lambda: window.banner.kind is BannerKind.CONNECTION, timeout=WAIT_MS)
    qtbot.mouseClick(window.banner.action_button, Qt.MouseButton.LeftButton)
    assert window.demo
    assert "SIMULATED" in window.windowTitle()
    assert window.chart.watermark_text() == "SIMULATED"
    assert window.status_bar.demo_label.isVisibleTo(window.status_bar)
    # The exchange starts off the UI thread; the feed follows once it listens.
    qtbot.waitUntil(lambda: window.controller is not None, timeout=WAIT_MS)
    assert window.controller.api_url == window.exchange.base_url
    assert window.status_bar.message_label.text() == ""  # the real exchange's error is gone
    wait_drawn(qtbot, window)
    qtbot.waitUntil(lambda: window.status_bar.state_label.text() == "live", timeout=WAIT_MS)
    exchange = window.exchange
    window.close()
    assert not exchange.running


def test_demo_flag_starts_marked(qtbot, make_window):
    window = make_window("http://unused.invalid", demo=True)
    assert window.windowTitle().startswith("SIMULATED · BTC-USDT · 1min")
    assert window.chart.watermark_text() == "SIMULATED"
    wait_drawn(qtbot, window)
    # Switching keeps the mark.
    window.menu_actions.timeframes["3min"].trigger()
    assert window.chart.watermark_text() == "SIMULATED"
    assert "SIMULATED" in window.windowTitle()


def test_unknown_pair_gets_the_exchanges_answer_and_a_way_back(
    qtbot, make_window, exchange, settings_path
):
    window = make_window(exchange.base_url)
    wait_drawn(qtbot, window)
    window.menu_actions.choose_pair.trigger()
    dialog = window.pair_dialog
    qtbot.waitUntil(lambda: dialog.pairs_shown() != [], timeout=WAIT_MS)
    qtbot.keyClicks(dialog.filter_edit, "nope-usdt")
    qtbot.keyClick(dialog.filter_edit, Qt.Key.Key_Return)
    assert window.symbol == "NOPE-USDT"
    qtbot.waitUntil(lambda: window.banner.kind is BannerKind.PAIR, timeout=WAIT_MS)
    assert "NOPE-USDT" in window.banner.text()
    assert "Choose another pair (Ctrl+P)" in window.banner.text()
    assert window.chart.loading_text() == "NOPE-USDT 1min is not available"
    assert "NOPE-USDT" not in [a.text() for a in window.menu_actions.recent_actions]
    assert window.banner.action_button.text() == "Back to BTC-USDT 1min"

    # The refused pair is not the one the next start opens (the layout is saved again).
    def saved_series() -> tuple[str, str] | None:
        window.settings.sync()
        saved = AppSettings(QSettings(settings_path, QSettings.Format.IniFormat))
        if not saved.store.contains(WORKSPACE_KEY):
            return None
        return LayoutStore(saved).load()[0].shown[0].key

    qtbot.waitUntil(lambda: saved_series() == ("BTC-USDT", "1min"), timeout=WAIT_MS)
    assert (window.settings.symbol, window.settings.timeframe) == ("BTC-USDT", "1min")
    qtbot.mouseClick(window.banner.action_button, Qt.MouseButton.LeftButton)
    assert window.symbol == "BTC-USDT"
    wait_drawn(qtbot, window)
    assert window.banner.text() == ""


def test_exchange_error_message_is_shown_and_the_feed_goes_on(qtbot, make_window, exchange):
    window = make_window(exchange.base_url)
    wait_drawn(qtbot, window)
    qtbot.waitUntil(lambda: window.status_bar.state_label.text() == "live", timeout=WAIT_MS)
    with qtbot.waitSignal(window.controller.errorOccurred, timeout=WAIT_MS):
        exchange.faults.send_error(500, "internal hiccup")
    assert "exchange error 500: internal hiccup" in window.banner.text()
    assert "exchange error 500: internal hiccup" in window.status_bar.message_label.text()
    with qtbot.waitSignal(
        window.controller.metricsUpdated, timeout=WAIT_MS, check_params_cb=lambda m: m.errors
    ) as blocker:
        pass
    assert window.status_bar.errors_label.text() == counted(blocker.args[0].errors, "error")
    count = window.chart.candle_count()
    qtbot.waitUntil(lambda: window.chart.candle_count() > count, timeout=WAIT_MS)


def test_rate_limited_history_says_it_retries_then_loads(qtbot, make_window, exchange):
    window = make_window(exchange.base_url)
    wait_drawn(qtbot, window)
    # As many refusals as the REST client makes attempts: the history load fails once. (Only
    # history loads ask the exchange's time; older candles for the chart do not.)
    exchange.faults.rest_rate_limit("/api/v1/timestamp", count=5, reset_ms=20)
    window.menu_actions.timeframes["5min"].trigger()
    qtbot.waitUntil(lambda: "429" in window.banner.text(), timeout=WAIT_MS)
    assert "retrying" in window.banner.text()
    wait_drawn(qtbot, window)
    assert all(c.time % 300 == 0 for c in window.chart.candles())


def test_dropped_connection_reconnects_and_backfills(qtbot, make_window, exchange):
    window = make_window(exchange.base_url)
    wait_drawn(qtbot, window)
    qtbot.waitUntil(lambda: window.status_bar.state_label.text() == "live", timeout=WAIT_MS)
    states: list[str] = []
    window.controller.statusChanged.connect(lambda e: states.append(e.state.value))
    with qtbot.waitSignal(
        window.controller.historyLoaded,
        timeout=WAIT_MS,
        check_params_cb=lambda symbol, timeframe, rows, backfill, complete: backfill,
    ):
        exchange.faults.drop_connections()
    assert states[:2] == ["reconnecting", "live"]
    assert "backfilled" in window.status_bar.message_label.text()
    with qtbot.waitSignal(
        window.controller.metricsUpdated, timeout=WAIT_MS, check_params_cb=lambda m: m.reconnects
    ):
        pass
    assert window.status_bar.reconnects_label.text() == "1 reconnect"
    # No hole: the chart has every candle the exchange has (minutes without trades have none).
    times = [c.time for c in window.chart.candles()]
    truth = exchange.truth("BTC-USDT", "1min", times[0], times[-1])
    assert times == [c.time for c in truth]
