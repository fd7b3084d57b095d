"""The chart's alerts: the active alerts of the chart's pair as lines, and what the user does
with them there.

The chart draws prices (:class:`~kucandle_gui.ui.chart.alert_lines.AlertLines`) and knows
nothing of alerts; the book knows alerts and nothing of pixels. This binding turns one into
the other: it redraws the line of an alert the book says changed (only that one: a catch-up
that arms hundreds of alerts costs a line each, not all the lines each), all of them when the
book changed wholesale or the chart shows another pair, and turns a
drag, Delete, the price menu and Alt+A into calls on the book, saying in the status bar what
became of each. An alert made at a price on the chart is armed from the side the price is on
now (above the last price: "rises to", below: "falls to"), so it is never already crossed. At
the last price itself none is made, and no line is let go there (either condition would count as
crossed already, armed only once the price had gone away and come back): the status bar says to
choose a price above or below it, the menu's entry is disabled, saying the same, and a line
dropped there goes back.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from PySide6.QtCore import QObject, QPoint
from PySide6.QtWidgets import QMenu

from kucandle_gui.model import (
    Alert,
    AlertBook,
    AlertError,
    AlertSpec,
    AlertState,
    ChartModel,
    Condition,
)
from kucandle_gui.ui.chart import AlertLine, CandleChart
from kucandle_gui.ui.chart.readout import price_decimals

from ..watchlist.formatting import format_price
from .texts import alert_set_text, alert_text, alerts_deleted_text, price_text, status_text

#: What Alt+A says when the mouse is not over the chart's prices.
NO_CROSSHAIR = "No alert set: point at a price on the chart first (Alt+A uses the crosshair)"
#: What is said (and the menu's disabled entry shows) for an alert at the last price itself.
AT_LAST_PRICE = "That is the last price: choose a price above or below it"


class ChartAlerts(QObject):
    """Binds a chart's alert lines and price menu to the alert book; see the module docstring."""

    def __init__(
        self,
        chart: CandleChart,
        chart_model: ChartModel,
        book: AlertBook,
        decimals: Callable[[str], int | None],
        say: Callable[[str], None],
        open_form: Callable[[str, float | None], None],
        parent: QObject | None = None,
    ) -> None:
        """``decimals``: a pair's price precision (None unknown); ``say``: a status-bar note;
        ``open_form``: the alert form for a pair at a price."""
        super().__init__(parent)
        self._chart = chart
        self._chart_model = chart_model
        self._book = book
        self._decimals = decimals
        self._say = say
        self._open_form = open_form
        self._lines = lines = chart.alert_lines
        self._menu: QMenu | None = None
        lines.set_price_format(self._tag_text)
        lines.lineMoved.connect(self._moved)
        lines.removeRequested.connect(self._remove)
        chart.priceMenuRequested.connect(self._menu_requested)
        chart_model.series_switched.connect(self._show)
        book.changed.connect(self._changed)
        self._show()

    # -- what the window asks --------------------------------------------------------------------

    def add_at_crosshair(self) -> bool:
        """An alert at the crosshair's price, from the side the price is on now; False (and
        the status bar says why) without a crosshair over the prices or a price to compare."""
        at = self._chart.crosshair_price()
        if at is None:
            self._say(NO_CROSSHAIR)
            return False
        price = self._round(at)
        if self._at_last(price):
            self._say(AT_LAST_PRICE)
            return False
        condition = self._side(price)
        if condition is None:
            self._say(f"No alert set: no price of {self._symbol()} yet to compare with")
            return False
        return self._add(condition, price)

    def price_menu(self, at: float) -> QMenu:
        """The chart's menu for a right click at price ``at``: an alert there at once (from the
        side the price is on; both sides while no price is known), the form, and removing the
        alert whose line is under the click; at the last price itself, a disabled entry says
        why there is none."""
        menu = QMenu(self._chart)
        menu.setToolTipsVisible(True)
        symbol, price = self._symbol(), self._round(at)
        if price > 0 and self._at_last(price):
            at_last = menu.addAction(f"Alert at {price_text(price, self._places(price))}")
            at_last.setEnabled(False)
            at_last.setToolTip(AT_LAST_PRICE)
        elif price > 0:
            text = price_text(price, self._places(price))
            side = self._side(price)
            for condition in (side,) if side is not None else tuple(Condition):
                action = menu.addAction(f"Alert when price {condition.verb} {text}")
                action.triggered.connect(partial(self._add, condition, price))
        menu.addAction("New alert…").triggered.connect(lambda: self._open_form(symbol, price))
        near = self._lines.line_near(at)
        alert = self._book.get(near) if near is not None else None
        if alert is not None:
            menu.addSeparator()
            remove = menu.addAction(f"Remove alert ({alert.condition.verb} {self._price(alert)})")
            remove.triggered.connect(lambda _=False, key=alert.id: self._remove(key))
        return menu

    def unbind(self) -> None:
        """Stop observing the chart, its model and the book; the lines go."""
        self._lines.lineMoved.disconnect(self._moved)
        self._lines.removeRequested.disconnect(self._remove)
        self._chart.priceMenuRequested.disconnect(self._menu_requested)
        self._chart_model.series_switched.disconnect(self._show)
        self._book.changed.disconnect(self._changed)
        self._lines.set_lines(())

    # -- lines -----------------------------------------------------------------------------------

    def _show(self, *_: object) -> None:
        """The active alerts of the chart's pair, as lines (an unchanged line is not touched)."""
        self._lines.set_lines(
            [self._line(alert) for alert in self._book.alerts() if self._drawn(alert)]
        )

    def _changed(self, alert_id: int | None) -> None:
        """The book's event: one alert's line drawn again (or taken away), or all of them."""
        if alert_id is None:
            self._show()
            return
        alert = self._book.get(alert_id)
        if alert is not None and self._drawn(alert):
            self._lines.put(self._line(alert))
        else:
            self._lines.discard(alert_id)

    def _drawn(self, alert: Alert) -> bool:
        return alert.state is AlertState.ACTIVE and alert.symbol == self._symbol()

    def _line(self, alert: Alert) -> AlertLine:
        return AlertLine(alert.id, alert.price, self._label(alert))

    def _label(self, alert: Alert) -> str:
        decimals = self._decimals(alert.symbol)
        parts = [alert_text(alert, decimals), status_text(alert, decimals)]
        return "\n".join([*parts, alert.note] if alert.note else parts)

    def _moved(self, alert_id: int, at: float) -> None:
        """A line was let go at ``at``: the alert's new price, its condition the side of the
        last price (the book decides); said, or why not (the line then goes back where it
        was: AlertLines does that)."""
        if self._book.get(alert_id) is None:  # removed meanwhile (the panel): its line is gone
            return
        price = self._round(at)
        if self._at_last(price):  # crossed either way: refused, as a new alert there is
            self._say(AT_LAST_PRICE)
            return
        try:
            alert = self._book.move(alert_id, price, last_price=self._last_price())
        except AlertError as exc:
            self._say(f"Alert not moved: {exc}")
            return
        self._say(f"Alert moved: {alert_text(alert, self._decimals(alert.symbol))}")

    def _remove(self, alert_id: int) -> None:
        alert = self._book.get(alert_id)
        if alert is None:
            return
        text = alert_text(alert, self._decimals(alert.symbol))
        self._book.remove(alert_id)
        self._say(alerts_deleted_text([text]))

    # -- menu, new alerts ------------------------------------------------------------------------

    def _menu_requested(self, where: QPoint, at: float) -> None:
        if self._menu is not None:
            self._menu.deleteLater()
        self._menu = self.price_menu(at)
        self._menu.popup(where)

    def _add(self, condition: Condition, price: float, *_: object) -> bool:
        symbol = self._symbol()
        if self._at_last(price):  # the price came there since the menu opened
            self._say(AT_LAST_PRICE)
            return False
        try:
            spec = AlertSpec.of(symbol, condition, price)
            alert = self._book.add(spec, force=True, last_price=self._last_price())
        except AlertError as exc:
            self._say(f"No alert set: {exc}")
            return False
        self._say(alert_set_text(alert, self._decimals(symbol)))
        return True

    def _side(self, price: float) -> Condition | None:
        """The condition not yet crossed at ``price``: above the last price it rises to it,
        below it falls to it; None while no price is known (at the last price itself both are
        crossed: see :meth:`_at_last`)."""
        last = self._last_price()
        if last is None:
            return None
        return Condition.ABOVE if price > last else Condition.BELOW

    def _at_last(self, price: float) -> bool:
        """Whether ``price`` (rounded to the pair's precision) is the last price."""
        last = self._last_price()
        return last is not None and self._round(last) == price

    # -- prices ----------------------------------------------------------------------------------

    def _symbol(self) -> str:
        return self._chart_model.key.symbol

    def _last_price(self) -> float | None:
        last = self._chart.last_price()
        return last if last is not None else self._book.last_price(self._symbol())

    def _places(self, price: float) -> int:
        """Decimals of the chart pair's prices: the exchange's, else about five digits."""
        decimals = self._decimals(self._symbol())
        if decimals is not None:
            return decimals
        last = self._last_price()
        return price_decimals(last if last is not None else price)

    def _round(self, price: float) -> float:
        """A price under the mouse to the pair's precision (no 70012.3456789)."""
        return round(price, self._places(price))

    def _tag_text(self, price: float) -> str:
        return format_price(price, self._places(price))

    def _price(self, alert: Alert) -> str:
        return price_text(alert.price, self._decimals(alert.symbol))
