"""The chart's two panes, price over volume, in one graphics view, and how their ranges move.

The panes share x, but they are not linked the pyqtgraph way: ``setXLink`` maps through both
views' screen geometry on every change, which costs more than the rest of an append. The
chart links them itself, and moves a pane with :meth:`Panes.move`: one ``setRange`` with the
view box's signals blocked, its axes told directly.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pyqtgraph as pg
from PySide6.QtCore import QSignalBlocker
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QGraphicsItem, QGraphicsView

from kucandle_gui.ui.chart.axes import TimeAxis, ValueAxis
from kucandle_gui.ui.chart.grid import GridItem
from kucandle_gui.ui.chart.theme import ChartTheme

#: Fixed width of the right (price / volume) axes, so that both panes line up.
AXIS_WIDTH = 80

Range = tuple[float, float]


class Panes:
    """The graphics view with the price and the volume plot, their axes and grids."""

    def __init__(self) -> None:
        self.view = pg.GraphicsLayoutWidget()
        # A solid background fills faster than a cached background pixmap is copied.
        self.view.setCacheMode(QGraphicsView.CacheModeFlag.CacheNone)
        self.view.ci.setContentsMargins(0, 0, 0, 0)
        self.view.ci.setSpacing(0)
        self.price_plot = _make_plot(compact=False)
        self.volume_plot = _make_plot(compact=True)
        self.view.ci.addItem(self.price_plot, row=0, col=0)
        self.view.ci.addItem(self.volume_plot, row=1, col=0)
        self.view.ci.layout.setRowStretchFactor(0, 4)
        self.view.ci.layout.setRowStretchFactor(1, 1)
        self.price_box: pg.ViewBox = self.price_plot.getViewBox()
        self.volume_box: pg.ViewBox = self.volume_plot.getViewBox()
        self.price_axis: ValueAxis = self.price_plot.getAxis("right")
        self._axes = {  # each pane's linked axes, told of the ranges the chart sets
            box: (plot.getAxis("bottom"), plot.getAxis("right"))
            for box, plot in (
                (self.price_box, self.price_plot),
                (self.volume_box, self.volume_plot),
            )
        }
        self._price_grid = GridItem(
            self.price_box, self.price_axis, self.volume_plot.getAxis("bottom")
        )
        self._volume_grid = GridItem(
            self.volume_box,
            self.volume_plot.getAxis("right"),
            self.volume_plot.getAxis("bottom"),
            y_levels=1,
            top_line=True,
        )
        self.volume_visible = True
        #: > 0 while the chart itself changes a range (its range handlers then do nothing).
        self.driving = 0
        self._values_shown = True
        self._set_price_dates_shown(False)

    @property
    def time_axis(self) -> TimeAxis:
        """The labelled date/time axis (the volume pane's, or the price pane's without it)."""
        plot = self.volume_plot if self.volume_visible else self.price_plot
        return plot.getAxis("bottom")

    def other(self, box: pg.ViewBox) -> pg.ViewBox:
        return self.volume_box if box is self.price_box else self.price_box

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
        bottom, right = self._axes[box]
        if new_x != old_x:
            bottom.linkedViewChanged(box, tuple(new_x))
        if new_y != old_y:
            right.linkedViewChanged(box, tuple(new_y))

    def set_min_x_range(self, width: float) -> None:
        """The narrowest x range the user may zoom to (a change it forces is the chart's)."""
        with self.programmatic():
            for box in (self.price_box, self.volume_box):
                box.setLimits(minXRange=width)

    def show_values(self, on: bool) -> None:
        """Axis values and grid lines (there is data), or neither (there is none)."""
        if on == self._values_shown:
            return  # asked on every redraw
        self._values_shown = on
        for bottom, right in self._axes.values():
            bottom.show_values(on)
            right.show_values(on)
        for grid in (self._price_grid, self._volume_grid):
            grid.update()

    def set_volume_visible(self, on: bool) -> None:
        if on == self.volume_visible:
            return
        self.volume_visible = on
        if on:
            self.view.ci.addItem(self.volume_plot, row=1, col=0)
            self.volume_plot.show()
            self.move(self.volume_box, x=tuple(self.price_box.viewRange()[0]))
        else:
            self.view.ci.removeItem(self.volume_plot)
            self.volume_plot.hide()
        self._set_price_dates_shown(not on)
        self.view.ci.layout.activate()  # lay out now, not on the next event loop turn

    def set_theme(self, theme: ChartTheme) -> None:
        """Background, axes and grid colours."""
        self.view.setBackground(theme.background)
        fg = QColor(theme.foreground)
        for plot in (self.price_plot, self.volume_plot):
            for name in ("right", "bottom"):
                axis = plot.getAxis(name)
                axis.setPen(pg.mkPen(fg))
                axis.setTextPen(pg.mkPen(fg))
                axis.setTickPen(pg.mkPen(fg))
        minor = _mix(theme.grid, theme.background, 0.5)
        for grid in (self._price_grid, self._volume_grid):
            grid.set_colors(theme.grid, minor)

    def _set_price_dates_shown(self, shown: bool) -> None:
        """The price pane's date axis shows only without the volume pane (which has its own)."""
        self.price_plot.showAxis("bottom", shown)
        plot = self.price_plot if shown else self.volume_plot
        self._price_grid.set_x_axis(plot.getAxis("bottom"))


def _make_plot(*, compact: bool) -> pg.PlotItem:
    plot = pg.PlotItem(
        axisItems={"bottom": TimeAxis("bottom"), "right": ValueAxis("right", compact=compact)}
    )
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
