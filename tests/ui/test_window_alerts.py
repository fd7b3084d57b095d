"""Alerts in the window against the local exchange: made from the panel's form, drawn on the
chart, fired with a notice, kept across a restart.

The local exchange is deterministic, so the test knows its future: the market's candles as of a
later time tell which price a coming candle will reach first. Waits are on conditions with
timeouts; nothing sleeps.
"""

from __future__ import annotations

from typing import NamedTuple

from PySide6.QtCore import QSettings

from kucandle_gui.model import AlertSpec, AlertState, Condition
from kucandle_gui.sim import LocalExchange
from kucandle_gui.ui.main_window import MainWindow

WAIT_MS = 20_000
PAIR = "BTC-USDT"


def drawn(window: MainWindow) -> dict[int, float]:
    """The alert lines on the chart: price by alert id."""
    return {line.key: line.price for line in window.chart.alert_lines.lines()}


def wait_live(qtbot, window: MainWindow) -> None:
    """Until the chart's 1min series is drawn, its price known."""
    qtbot.waitUntil(lambda: window.chart.last_price() is not None, timeout=WAIT_MS)


class Target(NamedTuple):
    """An alert the coming candles will fire, and the start of the first candle to reach it."""

    condition: Condition
    price: float
    time: int

    @property
    def past(self) -> str:
        return "rose to" if self.condition is Condition.ABOVE else "fell to"


def first_new_extreme(exchange: LocalExchange, ahead: int = 3) -> Target:
    """The first coming 1min candle (at least ``ahead`` minutes on) whose high is above, or low
    below, every one from the current minute until it: an alert at that extreme fires on it
    first. Both sides and six hours, so that some candle always qualifies."""
    now = exchange.now()
    minute = int(now // 60) * 60
    end = minute + 6 * 3600
    future = exchange.market.candles(PAIR, "1min", minute, end, now=end + 60)
    early = [c for c in future if c.time < minute + ahead * 60]
    high, low = max(c.high for c in early), min(c.low for c in early)
    for candle in future:
        if candle.time < minute + ahead * 60:
            continue
        if candle.high > high:
            return Target(Condition.ABOVE, candle.high, candle.time)
        if candle.low < low:
            return Target(Condition.BELOW, candle.low, candle.time)
    raise AssertionError("no new extreme within six hours")


def until(exchange: LocalExchange, target: Target) -> int:
    """Milliseconds to wait for ``target``'s candle: until the exchange's clock is past it, and
    the usual wait more."""
    ahead = max(0.0, target.time + 60 - exchange.now()) / exchange.config.clock_speed
    return WAIT_MS + int(ahead * 1000)


def test_an_alert_made_in_the_panel_is_drawn_fires_once_and_notifies(qtbot, make_window, exchange):
    window = make_window(exchange.base_url)
    window.resize(1200, 700)
    wait_live(qtbot, window)
    target = first_new_extreme(exchange)
    keeper = window.alerts
    window.menu_actions.new_alert.trigger()
    assert keeper.panel.isVisible()
    form = keeper.panel.form
    form.new(PAIR, target.price, target.condition)
    alert = form.submit()
    assert alert is not None and alert.condition is target.condition
    # Drawn on the chart, at its price.
    qtbot.waitUntil(lambda: alert.id in drawn(window), timeout=WAIT_MS)
    assert drawn(window)[alert.id] == target.price

    fired = []
    window.monitor.alerts.fired.connect(fired.append)
    qtbot.waitUntil(lambda: alert.state is AlertState.TRIGGERED, timeout=until(exchange, target))
    assert [f.candle_time for f in fired] == [target.time]  # the first candle to reach it
    assert not fired[0].late
    # Notified: an in-window notice that stays, the log, the status bar; the line is gone.
    qtbot.waitUntil(lambda: bool(keeper.toasts.texts()), timeout=WAIT_MS)  # at the turn's end
    assert f"BTC-USDT {target.past}" in keeper.toasts.texts()[0]
    assert any(target.past in line for line in keeper.panel.log_lines())
    assert alert.id not in drawn(window)
    # Nothing fires twice: a later candle reaching the price again is no new crossing.
    after = exchange.now()
    qtbot.waitUntil(lambda: exchange.now() > after + 120, timeout=WAIT_MS)
    assert len(fired) == 1


def test_alerts_and_their_state_survive_a_restart(qtbot, make_window, exchange, settings_path):
    window = make_window(exchange.base_url)
    wait_live(qtbot, window)
    book = window.monitor.alerts
    price = window.chart.last_price()
    assert price is not None
    far = book.add(AlertSpec.of(PAIR, Condition.ABOVE, price * 10, note="far away"))
    target = first_new_extreme(exchange)
    near = book.add(AlertSpec.of(PAIR, target.condition, target.price))
    qtbot.waitUntil(lambda: near.state is AlertState.TRIGGERED, timeout=until(exchange, target))
    window.close()  # saved as the user closes it
    saved = QSettings(settings_path, QSettings.Format.IniFormat).value("alerts/book")
    assert isinstance(saved, str) and "far away" in saved

    again = make_window(exchange.base_url)
    books = again.monitor.alerts
    fired = []
    books.fired.connect(fired.append)
    kept_far, kept_near = books.get(far.id), books.get(near.id)
    assert kept_far is not None and kept_near is not None
    assert (kept_far.condition, kept_far.price, kept_far.note) == (
        Condition.ABOVE,
        far.price,
        "far away",
    )
    assert kept_far.state is AlertState.ACTIVE
    # Triggered stays triggered, with when and on which candle.
    assert kept_near.state is AlertState.TRIGGERED
    assert kept_near.last_fired_candle == target.time
    assert again.alerts.panel.ids_shown() == sorted([far.id, near.id])
    qtbot.waitUntil(lambda: far.id in drawn(again), timeout=WAIT_MS)
    wait_live(qtbot, again)
    assert fired == []  # the restart's catch-up does not fire a triggered alert again
