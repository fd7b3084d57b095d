"""The crosshair and the readout of :class:`~.widget.CandleChart`, apart from its data and view.

The mouse is read by :class:`StudyPanePointer` (the panes' pointer, plus the oscillator
panes, where it gives a time and no price). Over a pane, the crosshair goes to the candle
nearest the mouse and the readout says that candle, and the indicators' values at it on a
second line; off the panes, the newest candle. The pane's y is a view coordinate: the price
is read back through the price scale (``from_view``), so the log scale reads prices too.

Linked crosshairs: the chart says when its crosshair moves to another candle or goes
(``crosshairMoved``: the candle's time, NaN when gone), and shows another chart's time as a
vertical line alone (``show_linked_time``): no price, no tag, no readout, for the readout and
Alt+A belong to the chart under the mouse.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QPoint, QPointF

from kucandle_gui.model.price_scale import PERCENT_DECIMALS, percent_text
from kucandle_gui.ui.chart.pointer import PanePointer
from kucandle_gui.ui.chart.readout import readout

if TYPE_CHECKING:
    from kucandle_gui.feed import CandleSeries
    from kucandle_gui.model.price_scale import PriceScale
    from kucandle_gui.ui.chart.markers import Crosshair
    from kucandle_gui.ui.chart.overlays import PaneTexts
    from kucandle_gui.ui.chart.studies import StudyLayer


class StudyPanePointer(PanePointer):
    """The panes' pointer, which also reports moves over the oscillator panes (no price)."""

    def _mouse_moved(self, pos: QPointF) -> None:
        for pane in self._panes.studies:
            if pane.box.sceneBoundingRect().contains(pos):
                self.moved.emit(pane.box.mapSceneToView(pos).x(), None)
                return
        super()._mouse_moved(pos)


class HoverMixin:
    """Crosshair and readout handling of the chart (a mixin: it shares the chart's state)."""

    _store: CandleSeries
    _scale: PriceScale
    _crosshair: Crosshair
    _texts: PaneTexts
    _studies: StudyLayer
    _symbol: str
    _timeframe: str
    _tf: int
    _decimals: int
    _crosshair_price: float | None
    priceMenuRequested: object
    crosshairMoved: object

    def readout_text(self) -> str:
        """The readout: the candle under the crosshair (else the newest), and on a second
        line the visible indicators' values at it."""
        return self._texts.readout.text()

    def crosshair_price(self) -> float | None:
        """The price under the crosshair in the price pane (None when it is not there)."""
        return self._crosshair_price

    def show_readout_at(self, time: float) -> None:
        """Put the crosshair on the candle at or nearest to ``time`` and show its readout."""
        self._show_crosshair(time, None)

    def show_linked_time(self, time: float | None) -> None:
        """A vertical line at ``time`` (another chart's crosshair) through every pane, at that
        time whatever candles are held; None hides it."""
        linked = self._crosshair.linked
        if time is None:
            linked.hide()
        else:
            linked.show(time)
        self._studies.place_cursor(self._cursor_time())

    def linked_time(self) -> float | None:
        """The time of the linked line shown, None for none (tests: an observation point)."""
        return self._crosshair.linked.time

    def leaveEvent(self, event: QEvent) -> None:
        self._hide_crosshair()
        super().leaveEvent(event)  # type: ignore[misc]

    def _price_menu(self, where: QPoint, y: float) -> None:
        """A right click in the price pane: the owner's menu gets the price, not the view y."""
        self.priceMenuRequested.emit(where, self._scale.from_view(y))  # type: ignore[attr-defined]

    def _show_crosshair(self, x: float, y: float | None) -> None:
        """Over a pane at time ``x`` and view y ``y`` (None outside the price pane)."""
        i = self._store.nearest_index(x)
        if i < 0:
            self._hide_crosshair()
            return
        time = int(self._store.time[i])
        moved = time != self._crosshair.time
        price = None if y is None else self._scale.from_view(y)
        self._crosshair.show(time, price)
        self._crosshair_price = price
        self._studies.place_cursor(time)
        self._update_readout()
        if moved:
            self.crosshairMoved.emit(float(time))  # type: ignore[attr-defined]

    def _hide_crosshair(self) -> None:
        shown = self._crosshair.time is not None
        self._crosshair.hide()
        self._crosshair_price = None
        self._studies.place_cursor(self._cursor_time())
        self._update_readout()
        if shown:
            self.crosshairMoved.emit(math.nan)  # type: ignore[attr-defined]

    def _place_crosshair(self) -> None:
        """Re-place the crosshair's lines for the panes' current ranges."""
        self._crosshair.place()
        self._studies.place_cursor(self._cursor_time())

    def _cursor_time(self) -> float | None:
        """Where the oscillator panes' vertical line goes: the crosshair's candle, else the
        linked time (None: nowhere)."""
        crosshair = self._crosshair
        return crosshair.time if crosshair.time is not None else crosshair.linked.time

    def _update_readout(self) -> None:
        """The candle under the crosshair, else the newest one."""
        store = self._store
        i = -1
        if self._crosshair.time is not None:
            i = store.index_of(self._crosshair.time)
        if i < 0 and len(store):
            i = len(store) - 1
        if i < 0:
            self._texts.readout.set_text("")
            return
        prefix = f"{self._symbol} {self._timeframe}  " if self._symbol else ""
        candle = store.candle(i)
        text = readout(candle, self._decimals, self._tf, prefix)
        change = self._scale.percent(candle.close) if self._scale.shows_percent else None
        if change is not None:  # the percent scale: the close as the axis reads it
            text += f"  {percent_text(change, PERCENT_DECIMALS)} from the first visible close"
        studies = self._studies.readout(i, self._decimals)
        self._texts.readout.set_text(f"{text}\n{studies}" if studies else text)
