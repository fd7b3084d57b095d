"""The chart's panes in one graphics view — price, volume, then one per oscillator — and how
their ranges move.

Order, top to bottom: the price pane, the volume pane (when shown), then the study panes
(RSI, MACD) in the order their studies are listed. Volume stays glued to the price because it
is the same candles' other half (bar under candle); oscillators are derived and come and go,
so they stack below and never push the volume pane away from its candles. The date/time
labels belong to the bottom-most visible pane; every pane's grid follows those ticks.

The panes share x, but they are not linked the pyqtgraph way: ``setXLink`` maps through both
views' screen geometry on every change, which costs more than the rest of an append. The
chart links them itself, and moves a pane with :meth:`Panes.move`: one ``setRange`` with the
view box's signals blocked, its axes told directly.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import pyqtgraph as pg
from PySide6.QtCore import QSignalBlocker
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QGraphicsItem, QGraphicsView

from kucandle_gui.ui.chart.axes import StudyAxis, TimeAxis, ValueAxis
from kucandle_gui.ui.chart.grid import GridItem
from kucandle_gui.ui.chart.theme import ChartTheme

#: Fixed width of the right (value) axes, so that every pane lines up.
AXIS_WIDTH = 80
#: Height shares of the panes (the layout's row stretch factors).
PRICE_STRETCH = 8
VOLUME_STRETCH = 2
STUDY_STRETCH = 3

Range = tuple[float, float]
#: pyqtgraph's own x limits ("none").
_FAR = 1e307


class Pane:
    """One plot of the chart: its view box, right value axis, bottom time axis and grid."""

    def __init__(
        self, *, compact: bool, stretch: int, y_levels: int, top_line: bool, study: bool = False
    ) -> None:
        self.plot = _make_plot(compact=compact, study=study)
        self.box: pg.ViewBox = self.plot.getViewBox()
        self.axis: ValueAxis = self.plot.getAxis("right")
        self.time_axis: TimeAxis = self.plot.getAxis("bottom")
        self.stretch = stretch
        self.grid = GridItem(
            self.box, self.axis, self.time_axis, y_levels=y_levels, top_line=top_line
        )


class Panes:
    """The graphics view with the price, volume and study plots, their axes and grids."""

    def __init__(self) -> None:
        self.view = pg.GraphicsLayoutWidget()
        # A solid background fills faster than a cached background pixmap is copied.
        self.view.setCacheMode(QGraphicsView.CacheModeFlag.CacheNone)
        self.view.ci.setContentsMargins(0, 0, 0, 0)
        self.view.ci.setSpacing(0)
        self.price = Pane(compact=False, stretch=PRICE_STRETCH, y_levels=2, top_line=False)
        self.volume = Pane(compact=True, stretch=VOLUME_STRETCH, y_levels=1, top_line=True)
        #: The study panes, top to bottom (see :meth:`set_studies`).
        self.studies: list[Pane] = []
        self.price_plot, self.price_box, self.price_axis = (
            self.price.plot,
            self.price.box,
            self.price.axis,
        )
        self.volume_box = self.volume.box
        self.view.ci.addItem(self.price_plot, row=0, col=0)
        self._in_layout: list[Pane] = []  # below the price pane, in layout order
        self._by_box: dict[pg.ViewBox, Pane] = {}
        self.volume_visible = True
        #: > 0 while the chart itself changes a range (its range handlers then do nothing).
        self.driving = 0
        self._values_shown = True
        self._theme: ChartTheme | None = None
        #: What every pane's ``setLimits`` was given (a new study pane gets it too).
        self._limits: dict[str, float | None] = {}
        self._relayout()

    # ------------------------------------------------------------------ which panes

    def all(self) -> list[Pane]:
        """Every pane, shown or not, top to bottom (the volume pane even when hidden)."""
        return [self.price, self.volume, *self.studies]

    def shown(self) -> list[Pane]:
        """The panes on screen, top to bottom."""
        return [self.price, *self._in_layout]

    def boxes(self) -> list[pg.ViewBox]:
        return [pane.box for pane in self.all()]

    @property
    def time_axis(self) -> TimeAxis:
        """The labelled date/time axis: the bottom-most visible pane's."""
        return self.shown()[-1].time_axis

    def others(self, box: pg.ViewBox) -> list[pg.ViewBox]:
        """Every pane's box but ``box`` (all of them move together in x)."""
        return [other for other in self.boxes() if other is not box]

    def other(self, box: pg.ViewBox) -> pg.ViewBox:
        """Price for volume and volume for price (the two-pane chart's link)."""
        return self.volume_box if box is self.price_box else self.price_box

    def new_study_pane(self, levels: Sequence[Sequence[float]] = ()) -> Pane:
        """A pane for an oscillator, styled like the others; not shown until
        :meth:`set_studies` lists it. Its axis labels ``levels`` (groups by priority, see
        :class:`StudyAxis`) or, without, nice ticks enough for a short pane."""
        pane = Pane(compact=False, stretch=STUDY_STRETCH, y_levels=1, top_line=True, study=True)
        if levels:
            pane.axis.set_levels(levels)
        self._by_box[pane.box] = pane
        self._style(pane)
        if self._limits:
            with self.programmatic():
                pane.box.setLimits(**self._limits)
        return pane

    def set_studies(self, panes: list[Pane]) -> None:
        """Show these study panes (top to bottom) under the price and volume panes; panes
        left out are taken off the screen (their owner drops them)."""
        if panes == self.studies:
            return
        self.studies = list(panes)
        self._relayout()

    # ------------------------------------------------------------------ ranges

    @contextmanager
    def programmatic(self) -> Iterator[None]:
        """Range changes inside are the chart's own, not the user's."""
        self.driving += 1
        try:
            yield
        finally:
            self.driving -= 1

    def move(self, box: pg.ViewBox, x: Range | None = None, y: Range | None = None) -> None:
        """Set a pane's range for the chart itself: one ``setRange``, no signal cascade.

        ``ViewBox.setRange`` emits four or five signals per call (state, x/y range, range),
        each fanning out to Python slots that have nothing to do for a range the chart sets
        itself (its own link handler, the plot's re-emitters and buttons, the items' no-op
        view hooks). Only the pane's axes need the new range: they are told directly. The
        transform (and ``sigTransformChanged``) follows as usual before the next paint.
        """
        if x is None and y is None:
            return
        old_x, old_y = box.viewRange()
        with self.programmatic(), QSignalBlocker(box):
            box.setRange(xRange=x, yRange=y, padding=0)
        new_x, new_y = box.viewRange()
        pane = self._by_box[box]
        if new_x != old_x:
            pane.time_axis.linkedViewChanged(box, tuple(new_x))
        if new_y != old_y:
            pane.axis.linkedViewChanged(box, tuple(new_y))

    def set_min_x_range(self, width: float) -> None:
        """The narrowest x range the user may zoom to (a change it forces is the chart's)."""
        self._set_limits(minXRange=width)

    def set_x_limits(self, lo: float, hi: float) -> None:
        """How far the x range may go (infinite: no limit); the widest view is all of it.

        Called when the data's extent changes, not per tick: each pane re-checks its range.
        """
        bounded = math.isfinite(lo) and math.isfinite(hi)
        self._set_limits(
            xMin=lo if math.isfinite(lo) else -_FAR,
            xMax=hi if math.isfinite(hi) else _FAR,
            maxXRange=hi - lo if bounded else None,
        )

    def _set_limits(self, **limits: float | None) -> None:
        """``setLimits`` on every pane (a range it forces is the chart's, not the user's)."""
        self._limits.update(limits)
        with self.programmatic():
            for box in self.boxes():
                box.setLimits(**limits)

    # ------------------------------------------------------------------ looks

    def show_values(self, on: bool) -> None:
        """Axis values and grid lines (there is data), or neither (there is none)."""
        if on == self._values_shown:
            return  # asked on every redraw
        self._values_shown = on
        for pane in self.all():
            self._show_pane_values(pane)

    def _show_pane_values(self, pane: Pane) -> None:
        pane.time_axis.show_values(self._values_shown)
        pane.axis.show_values(self._values_shown)
        pane.grid.update()

    def set_volume_visible(self, on: bool) -> None:
        if on != self.volume_visible:
            self.volume_visible = on
            self._relayout()

    def set_theme(self, theme: ChartTheme) -> None:
        """Background, axes and grid colours."""
        self._theme = theme
        self.view.setBackground(theme.background)
        for pane in self.all():
            self._style(pane)

    def _style(self, pane: Pane) -> None:
        self._show_pane_values(pane)
        theme = self._theme
        if theme is None:
            return
        fg = QColor(theme.foreground)
        for axis in (pane.axis, pane.time_axis):
            axis.setPen(pg.mkPen(fg))
            axis.setTextPen(pg.mkPen(fg))
            axis.setTickPen(pg.mkPen(fg))
        pane.grid.set_colors(theme.grid, _mix(theme.grid, theme.background, 0.5))

    def _relayout(self) -> None:
        """Lay the shown panes out in rows under the price pane; dates on the lowest."""
        ci = self.view.ci
        wanted = ([self.volume] if self.volume_visible else []) + self.studies
        x_range = tuple(self.price_box.viewRange()[0])
        self._by_box = {pane.box: pane for pane in self.all()}
        for pane in self._in_layout:
            ci.removeItem(pane.plot)
            if pane not in wanted:
                pane.plot.hide()
        for row, pane in enumerate(wanted, start=1):
            ci.addItem(pane.plot, row=row, col=0)
            pane.plot.show()
            if pane not in self._in_layout:
                self.move(pane.box, x=x_range)  # joins in step with the others
        rows = ci.layout.rowCount()
        ci.layout.setRowStretchFactor(0, self.price.stretch)
        for row in range(1, max(rows, len(wanted) + 1)):
            stretch = wanted[row - 1].stretch if row <= len(wanted) else 0
            ci.layout.setRowStretchFactor(row, stretch)
        self._in_layout = wanted
        bottom = self.shown()[-1]
        for pane in self.shown():
            pane.plot.showAxis("bottom", pane is bottom)
            pane.grid.set_x_axis(bottom.time_axis)
        ci.layout.activate()  # lay out now, not on the next event loop turn


def _make_plot(*, compact: bool, study: bool = False) -> pg.PlotItem:
    value_axis = StudyAxis("right") if study else ValueAxis("right", compact=compact)
    plot = pg.PlotItem(axisItems={"bottom": TimeAxis("bottom"), "right": value_axis})
    plot.hideAxis("left")
    plot.showAxis("right")
    for name in ("left", "top"):
        # Never shown: unlinked, they do not redo their label on every range change.
        unused = plot.getAxis(name)
        unused.enableAutoSIPrefix(False)
        unused.unlinkFromView()
    plot.hideButtons()
    plot.setMenuEnabled(False)
    box = plot.getViewBox()
    box.setMenuEnabled(False)
    box.setMouseEnabled(x=True, y=False)
    box.enableAutoRange(x=False, y=False)
    box.setDefaultPadding(0.0)
    # The view's transform is set on its child group on every range change; as a
    # GraphicsObject it would call back into Python twice per change only to tell the
    # view that its bounds changed (for auto-range, which is off here).
    box.childGroup.setFlag(QGraphicsItem.GraphicsItemFlag.ItemSendsGeometryChanges, False)
    axis = plot.getAxis("right")
    axis.setWidth(AXIS_WIDTH)
    axis.enableAutoSIPrefix(False)
    for name in ("right", "bottom"):
        # The grid is a GridItem, so the axes are small strips: cache them as pixmaps, and
        # most repaints (every live tick) blit them instead of drawing ticks and labels.
        plot.getAxis(name).setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
    return plot


def _mix(a: str, b: str, t: float) -> QColor:
    """The opaque colour ``t`` of the way from ``a`` to ``b`` (opaque lines paint fastest)."""
    ca, cb = QColor(a), QColor(b)
    return QColor(
        round(ca.red() + (cb.red() - ca.red()) * t),
        round(ca.green() + (cb.green() - ca.green()) * t),
        round(ca.blue() + (cb.blue() - ca.blue()) * t),
    )
