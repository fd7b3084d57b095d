"""Markers placed from data coordinates: the crosshair (and the linked time line shown for
another chart's crosshair) and the last-price line with its tag.

Both are lines in their view box's pixels (:class:`~.overlays.ViewLine`), placed here from
the boxes' ranges: a move of the mouse or a live tick is a ``setPos`` per line, and a view
change re-places them from the new range (``place``).

Prices go to the pane through the chart's :class:`~kucandle_gui.model.price_scale.PriceScale`
(``set_scale``; linear by default): the markers keep prices and place them at
``to_view(price)``, so a scale change moves them to the same prices on the new scale. On a
percent scale (with a base) their tags on the price axis write the price's change from the
base with the axis' percent decimals (:func:`axis_text`), like the axis and TradingView; the
readout keeps prices. The last-price tag has a second line, the time left until the candle
closes (``set_countdown``), which the chart ticks once a second: that repaints the tag alone.
"""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor, QPen

from kucandle_gui.model.price_scale import PERCENT_DECIMALS, PriceScale, percent_text
from kucandle_gui.ui.chart.axes import ValueAxis
from kucandle_gui.ui.chart.overlays import AxisTag, ViewLine, cosmetic_pen
from kucandle_gui.ui.chart.scaled import Scaled


def y_pixel(box: pg.ViewBox, value: float) -> float | None:
    """View y ``value``'s y in the box's pixels (from the top), or None for a degenerate view."""
    _, (y0, y1) = box.viewRange()
    height = box.height()
    if y1 <= y0 or height <= 0:
        return None
    return (y1 - value) / (y1 - y0) * height


#: From this change on, a percent tag has the axis' decimals only: "+9900%" fits the axis.
_WIDE_PERCENT = 1000.0


def axis_percent_decimals(axis: ValueAxis | None, change: float = 0.0) -> int:
    """The decimals of a percent tag for ``change``: the axis labels' when they are finer,
    else ``PERCENT_DECIMALS`` (a tag names one price: "-1.32%" where the axis steps by 0.5%),
    but only the axis' from ±1000% on, so that the tag still fits the axis."""
    decimals = None if axis is None else axis.percent_decimals()
    if decimals is None:
        return PERCENT_DECIMALS
    return decimals if abs(change) >= _WIDE_PERCENT else max(decimals, PERCENT_DECIMALS)


def axis_text(scale: PriceScale, axis: ValueAxis | None, price: float, price_text: str) -> str:
    """What a tag on the price axis writes for ``price``: on a percent scale with a base, its
    change from the base ("+1.25%"; more decimals when the axis is finer); else
    ``price_text``.

    The decimals are asked for each text, and tags are written again whenever they are
    placed (every view change, a resize, a scale change): a zoom that changes the axis'
    step changes the tags' decimals with it.
    """
    change = scale.percent(price) if scale.shows_percent else None
    if change is None:
        return price_text
    return percent_text(change, axis_percent_decimals(axis, change))


class _Scaled(Scaled):
    """A marker placing prices through a scale it observes, which it shows (``scale``)."""

    def __init__(self) -> None:
        self._follow_scale()

    @property
    def scale(self) -> PriceScale:
        return self._scale


class TimeLine:
    """A vertical line at one time through panes moving together in x (each box placing it
    in its own pixels): the crosshair's, and the linked one for another chart's crosshair."""

    def __init__(self, *boxes: pg.ViewBox) -> None:
        self._boxes = boxes
        self._lines = tuple(ViewLine(box, vertical=True) for box in boxes)
        for line in self._lines:
            line.hide()
            line.setZValue(50)
        #: The time the line is at, None when hidden.
        self.time: float | None = None

    def set_pen(self, pen: QPen) -> None:
        for line in self._lines:
            line.set_pen(pen)

    def show(self, time: float) -> None:
        self.time = time
        self.place()

    def hide(self) -> None:
        self.time = None
        for line in self._lines:
            line.hide()

    def place(self) -> None:
        """Put the line at its time for the boxes' current ranges (hidden outside them)."""
        if self.time is None:
            return
        for box, line in zip(self._boxes, self._lines, strict=True):
            (x0, x1), _ = box.viewRange()
            width = box.width()
            if x1 <= x0:
                continue
            x_px = (self.time - x0) / (x1 - x0) * width
            line.setPos(x_px, 0.0)
            line.setVisible(0.0 <= x_px <= width)


class Crosshair(_Scaled):
    """A vertical line through both panes on a candle, and a horizontal one at a price.

    With the price axis given, the price under the cursor is also a tag on the axis, written
    by the scale (a price, or its change from the base in percent with the axis' decimals:
    "+1.25%", or "+3%" when the axis steps by whole percents).

    ``linked`` is a vertical line alone in the same style, at the time another chart's
    crosshair is at (linked crosshairs); it is placed with the crosshair, shown and hidden
    apart from it.
    """

    def __init__(
        self, price_box: pg.ViewBox, volume_box: pg.ViewBox, axis: ValueAxis | None = None
    ) -> None:
        super().__init__()
        self._box = price_box
        self._axis = axis
        self._vertical = TimeLine(price_box, volume_box)
        self.linked = TimeLine(price_box, volume_box)
        self._y = ViewLine(price_box)
        self._y.hide()
        self._y.setZValue(50)
        self._tag: AxisTag | None = None
        if axis is not None:
            self._tag = AxisTag(axis)
            self._tag.setZValue(110)  # over the last price's (100) and the alerts' (95)
            self._tag.hide()
        self._decimals = 2
        #: Start time of the candle under the crosshair, None when hidden.
        self.time: int | None = None
        self._price: float | None = None

    def set_color(self, color: str) -> None:
        pen = cosmetic_pen(color, style=Qt.PenStyle.DashLine)
        self._vertical.set_pen(pen)
        self.linked.set_pen(pen)
        self._y.set_pen(pen)
        if self._tag is not None:
            ink = "#000000" if QColor(color).lightnessF() > 0.55 else "#ffffff"
            self._tag.set_colors(color, ink)

    def set_decimals(self, decimals: int) -> None:
        """Decimals of the price on the tag (the pair's; percentages take the axis')."""
        self._decimals = decimals
        self._write_tag()

    def show(self, time: int, price: float | None) -> None:
        """On the candle starting at ``time``; at ``price`` too, unless None (volume pane).

        ``price`` is a price: the pointer's view y read back with ``scale.from_view``.
        """
        self.time = time
        self._price = price
        self.place()

    def price(self) -> float | None:
        """The price under the horizontal line (None when there is none)."""
        return self._price if self.time is not None else None

    def tag_text(self) -> str:
        """The axis tag's text ("" without a tag, or while it is hidden) (tests: an
        observation point)."""
        tag = self._tag
        return tag.text() if tag is not None and tag.isVisible() else ""

    def hide(self) -> None:
        """Hide the crosshair (the linked line stays as it is)."""
        self.time = None
        self._price = None
        self._vertical.hide()
        self._y.hide()
        if self._tag is not None:
            self._tag.hide()

    def _rescaled(self) -> None:
        self.place()  # writes the tag: a percent base or the mode, the same price, other text

    def _write_tag(self) -> None:
        if self._tag is not None and self._price is not None:
            price_text = f"{self._price:.{self._decimals}f}"
            self._tag.set_text(axis_text(self._scale, self._axis, self._price, price_text))

    def place(self) -> None:
        """Put the lines on the hovered candle and price, and the linked line at its time,
        for the boxes' current ranges (and write the tag again: the axis' percent decimals
        may have changed with the range)."""
        self.linked.place()
        if self.time is None:
            return
        self._write_tag()
        self._vertical.show(self.time)
        box = self._box
        price = self._price
        y_px = None if price is None else y_pixel(box, self._scale.to_view(price))
        if y_px is None:
            self._y.hide()
            if self._tag is not None:
                self._tag.hide()
            return
        inside = 0.0 <= y_px <= box.height()
        self._y.setPos(0.0, y_px)
        self._y.setVisible(inside)
        if self._tag is not None and self._axis is not None:
            point = self._axis.mapFromItem(box, QPointF(0.0, y_px))
            self._tag.setPos(0.0, point.y())
            self._tag.setVisible(inside)


class PriceTag(AxisTag):
    """The last-price tag: the price on the line, the time left under it (when given).

    An :class:`~.overlays.AxisTag` whose countdown is a second line below the price.
    Changing the countdown repaints this item alone (and changes its geometry only when its
    width changes).
    """

    def countdown(self) -> str | None:
        return self._second

    def set_countdown(self, text: str | None) -> None:
        if text != self._second:
            self._second = text
            self._layout()


class LastPriceMarker(_Scaled):
    """A dotted line across the price pane at the last price, and its tag on the price axis."""

    def __init__(self, box: pg.ViewBox, axis: ValueAxis) -> None:
        super().__init__()
        self._box = box
        self._axis = axis
        self._line = ViewLine(box)
        self._line.setZValue(30)
        self._tag = PriceTag(axis)
        self._price: float | None = None
        self._price_text = ""
        self.hide()

    def set_colors(self, fill: str, ink: str) -> None:
        self._line.set_pen(cosmetic_pen(fill, style=Qt.PenStyle.DotLine))
        self._tag.set_colors(fill, ink)

    def text(self) -> str:
        """The tag's first line ("" while hidden): the price text shown with, or on a percent
        scale the change from the base (:func:`axis_text`)."""
        return self._tag.text() if self._price is not None else ""

    def countdown(self) -> str | None:
        """The tag's second line, the time left (None: not shown)."""
        return self._tag.countdown()

    def tag_item(self) -> PriceTag:
        """The price tag (tests: an observation point)."""
        return self._tag

    def set_countdown(self, text: str | None) -> None:
        """Show ``text`` (e.g. ``countdown_to_close(...)``) under the price, or nothing (None).
        Repaints the tag alone: call it every second without redrawing the chart."""
        self._tag.set_countdown(text)

    def show(self, price: float, text: str) -> None:
        """At ``price`` (a price: placed through the scale), its tag reading ``text`` (the
        price as the pair writes it), or on a percent scale the price's change from the base."""
        self._price = price
        self._price_text = text
        self.place()

    def hide(self) -> None:
        self._price = None
        self._line.hide()
        self._tag.hide()

    def _rescaled(self) -> None:
        self.place()

    def place(self) -> None:
        """Put line and tag at the price for the pane's current y range (hidden outside it)."""
        if self._price is None:
            return
        self._tag.set_text(axis_text(self._scale, self._axis, self._price, self._price_text))
        y_px = y_pixel(self._box, self._scale.to_view(self._price))
        if y_px is None:
            return
        point = self._axis.mapFromItem(self._box, QPointF(0.0, y_px))
        inside = 0.0 <= y_px <= self._box.height()
        self._tag.setPos(0.0, point.y())
        self._tag.setVisible(inside)
        self._line.setPos(0.0, y_px)
        self._line.setVisible(inside)
