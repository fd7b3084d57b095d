"""What the tests of the alerts panel and its form share: a real :class:`AlertBook` on a fake
clock, fed candles directly (its model API, as the monitor feeds it), and a hand on the
panel's widgets (the fixtures are in this folder's ``conftest.py``)."""

from __future__ import annotations

from PySide6.QtCore import Qt

from kucandle_gui.feed import CandleSeries
from kucandle_gui.protocol import Candle
from kucandle_gui.ui.alerts.panel import AlertsPanel
from kucandle_gui.ui.alerts.table_model import Column

PAIR = "BTC-USDT"
LISTED = frozenset({PAIR, "ETH-USDT", "SOL-USDT"})
#: A 1min candle start; the session began an hour before it.
T0 = 1_700_000_040


class FakeClock:
    def __init__(self) -> None:
        self.now = T0 + 30.0

    def __call__(self) -> float:
        return self.now


class Window:
    """What the window knows of the pairs: precisions, the exchange's list, last prices."""

    def __init__(self) -> None:
        self.decimals = {PAIR: 1, "ETH-USDT": 2}
        self.listed: frozenset[str] | None = LISTED
        self.last: dict[str, float] = {}

    def known_pairs(self) -> frozenset[str] | None:
        return self.listed


def candle(i: int, close: float, high: float | None = None, low: float | None = None) -> Candle:
    """The ``i``-th 1min candle from T0, opening at its close unless said."""
    high = close if high is None else high
    low = close if low is None else low
    return Candle(T0 + 60 * i, close, high, low, close, 1.0, close)


def series(*candles: Candle) -> CandleSeries:
    held = CandleSeries(PAIR, "1min")
    held.merge(candles)
    return held


def fill(panel: AlertsPanel, pair: str = PAIR, price: str = "70000", **more: object) -> None:
    """Type into the form as a user would (the pair and price boxes emptied first), opened
    with the New alert button unless it is open already (an edit)."""
    form = panel.form
    if form.isHidden():
        panel.buttons["New alert"].click()
    form.pair_edit.setText(pair)
    form.price_edit.setText(price)
    form.condition_combo.setCurrentIndex(0 if more.get("condition", "above") == "above" else 1)
    form.note_edit.setText(str(more.get("note", "")))
    if "cooldown" in more:
        form.repeat_radio.setChecked(True)
        form.cooldown_spin.setValue(int(more["cooldown"]))  # type: ignore[call-overload]


def shown_errors(panel: AlertsPanel) -> dict[str, str]:
    form = panel.form
    labels = {
        "": form.top_error,
        "pair": form.pair_error,
        "price": form.price_error,
        "note": form.note_error,
        "cooldown": form.cooldown_error,
        "expiry": form.expiry_error,
    }
    return {name: label.text() for name, label in labels.items() if label.isVisible()}


def cell(panel: AlertsPanel, alert_id: int, column: Column) -> str:
    row = panel.ids_shown().index(alert_id)
    return panel.proxy.index(row, column).data()


def click(qtbot, button) -> None:
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
