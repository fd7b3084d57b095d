"""``CandleChart``: a price pane and a volume pane over one candle store.

The widget is a view of a series: it knows candles, never the feed. Data goes into the store
at once; everything visible (following the newest candle, fitting y, the last-price line, the
readout, the repaint) happens in one coalesced redraw at most once per screen frame, driven by
a single-shot timer. ``flush()`` runs a pending redraw now.

View policy (after finplot): the x range follows the newest candle only while the view shows
it; a range change the chart did not make itself (mouse, keyboard, a linked pane) turns
following off when the newest candle is no longer in view, and back on when it is. Y is fitted
to the visible candles when the user moves the view, and otherwise only when the data leaves
the y range or fills too little of it, so that live ticks do not make the axis jitter
(finplot #203).
"""

from __future__ import annotations

import csv
import os
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QPointF, QSignalBlocker, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QGuiApplication
from PySide6.QtWidgets import QGraphicsItem, QGraphicsView, QVBoxLayout, QWidget

from kucandle_gui.protocol import Candle
from kucandle_gui.ui.chart.axes import TimeAxis, ValueAxis
from kucandle_gui.ui.chart.items import (
    AxisTag,
    CandleItem,
    GridItem,
    OverlayText,
    ViewLine,
    VolumeItem,
    cosmetic_pen,
)
from kucandle_gui.ui.chart.readout import (
    CSV_HEADER,
    csv_row,
    format_price,
    price_decimals,
    readout,
)
from kucandle_gui.ui.chart.sampling import Sampler, visible_extent
from kucandle_gui.ui.chart.store import CandleStore, Change
from kucandle_gui.ui.chart.theme import DARK, ChartTheme

#: Candles shown by ``reset_zoom`` (and on the first data of a series).
RESET_CANDLES = 150
#: Empty candle slots kept right of the newest candle while following.
RIGHT_MARGIN_CANDLES = 3
#: Fixed width of the right (price / volume) axes, so that both panes line up.
AXIS_WIDTH = 80
#: Y padding around the visible candles, as a fraction of their range.
Y_PADDING = 0.08
#: Refit y when the visible candles fill less than this fraction of the y range.
Y_LOOSE = 0.5


class CandleChart(QWidget):
    """Live candlesticks with volume; see the package docstring for the API."""

    followChanged = Signal(bool)
    olderHistoryWanted = Signal(int)

    def __init__(
        self,
        parent: QWidget | None = None,
        theme: ChartTheme = DARK,
        *,
        max_candles: int | None = None,
    ) -> None:
        super().__init__(parent)
        self._theme = theme
        self._store = CandleStore(max_candles)
        self._sampler = Sampler(self._store)
        self._symbol = ""
        self._timeframe = ""
        self._tf = 60
        self._decimals = 2
        self._follow = True
        self._needs_reset = True
        self._anchor_time: int | None = None  # newest candle the view was placed for
        self._drawn_version = -1  # store.history_version at the last redraw
        self._driving = 0  # > 0 while the chart itself changes a range
        self._older_asked: int | None = None
        self._hover_time: int | None = None  # candle under the crosshair, None: the newest
        self._volume_visible = True

        self._view = pg.GraphicsLayoutWidget()
        # A solid background fills faster than a cached background pixmap is copied.
        self._view.setCacheMode(QGraphicsView.CacheModeFlag.CacheNone)
        self._view.ci.setContentsMargins(0, 0, 0, 0)
        self._view.ci.setSpacing(0)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self._view)

        self._price_plot = self._make_plot(compact=False)
        self._volume_plot = self._make_plot(compact=True)
        self._view.ci.addItem(self._price_plot, row=0, col=0)
        self._view.ci.addItem(self._volume_plot, row=1, col=0)
        self._view.ci.layout.setRowStretchFactor(0, 4)
        self._view.ci.layout.setRowStretchFactor(1, 1)
        self._price_vb: pg.ViewBox = self._price_plot.getViewBox()
        self._volume_vb: pg.ViewBox = self._volume_plot.getViewBox()
        self._axes = {  # each pane's linked axes, told of the ranges the chart sets
            box: (plot.getAxis("bottom"), plot.getAxis("right"))
            for box, plot in (
                (self._price_vb, self._price_plot),
                (self._volume_vb, self._volume_plot),
            )
        }
        self._price_grid = GridItem(
            self._price_vb,
            self._price_plot.getAxis("right"),
            self._volume_plot.getAxis("bottom"),
        )
        self._volume_grid = GridItem(
            self._volume_vb,
            self._volume_plot.getAxis("right"),
            self._volume_plot.getAxis("bottom"),
            y_levels=1,
            top_line=True,
        )
        self._set_price_dates_shown(False)

        self._candles = CandleItem(self._store, self._sampler, self._price_vb)
        self._volumes = VolumeItem(self._store, self._sampler, self._volume_vb)
        self._price_vb.addItem(self._candles, ignoreBounds=True)
        self._volume_vb.addItem(self._volumes, ignoreBounds=True)

        self._last_line = ViewLine(self._price_vb)
        self._last_line.setZValue(30)
        self._last_line.hide()
        self._last_tag = AxisTag(self._price_plot.getAxis("right"))
        self._last_tag.hide()

        self._cross_x = ViewLine(self._price_vb, vertical=True)
        self._cross_y = ViewLine(self._price_vb)
        self._cross_vx = ViewLine(self._volume_vb, vertical=True)
        for line in (self._cross_x, self._cross_y, self._cross_vx):
            line.hide()
            line.setZValue(50)
        self._hover_price: float | None = None

        self._readout = OverlayText(self._price_vb, anchor=(0.0, 0.0))
        self._readout.setPos(4, 2)
        self._readout.setZValue(60)
        self._watermark = OverlayText(self._price_vb, point_size=42, bold=True, anchor=(0.5, 0.5))
        self._watermark.setZValue(40)
        self._watermark.hide()
        self._loading = OverlayText(self._price_vb, point_size=14, anchor=(0.5, 0.5))
        self._loading.setZValue(70)
        self._loading.hide()
        for static in (self._watermark, self._loading):  # blit, do not re-render, per frame
            static.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(_frame_interval_ms())
        self._timer.timeout.connect(self._redraw)

        # The panes share x; we link them ourselves (pyqtgraph's setXLink maps through both
        # views' screen geometry on every change, which costs more than the rest of an append).
        self._price_vb.sigXRangeChanged.connect(self._on_x_range_changed)
        self._volume_vb.sigXRangeChanged.connect(self._on_x_range_changed)
        self._price_vb.sigResized.connect(self._place_overlays)
        self._price_vb.sigTransformChanged.connect(self._view_transformed)
        self._view.scene().sigMouseMoved.connect(self._on_mouse_moved)

        self.set_theme(theme)
        self._place_overlays()

    # ------------------------------------------------------------------ construction

    def _make_plot(self, *, compact: bool) -> pg.PlotItem:
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

    def _set_price_dates_shown(self, shown: bool) -> None:
        """The price pane's date axis shows only without the volume pane (which has its own)."""
        self._price_plot.showAxis("bottom", shown)
        plot = self._price_plot if shown else self._volume_plot
        self._price_grid.set_x_axis(plot.getAxis("bottom"))

    # ------------------------------------------------------------------ public API: data

    def set_series(self, symbol: str, timeframe: str, timeframe_seconds: int) -> None:
        """Start a new series: clears the candles, resets follow-live and zoom."""
        self._symbol = symbol
        self._timeframe = timeframe
        self._tf = int(timeframe_seconds)
        self._sampler.set_timeframe(self._tf)
        limits_min = 5 * self._tf
        self._price_vb.setLimits(minXRange=limits_min)
        self._volume_vb.setLimits(minXRange=limits_min)
        self.clear()

    def set_history(self, candles: Sequence[Candle] | Iterable[Candle]) -> None:
        """Replace every candle (any order; for a repeated start time the last one wins)."""
        self._store.set_history(candles)
        self._data_changed()

    def set_history_arrays(
        self,
        time: np.ndarray,
        open: np.ndarray,
        high: np.ndarray,
        low: np.ndarray,
        close: np.ndarray,
        volume: np.ndarray,
        turnover: np.ndarray | None = None,
    ) -> None:
        """``set_history`` from numpy columns (no ``Candle`` objects: fast for big histories)."""
        self._store.set_arrays(time, open, high, low, close, volume, turnover)
        self._data_changed()

    def apply(self, candle: Candle) -> None:
        """Insert a candle or replace the one with the same start time."""
        change = self._store.upsert(candle)
        if change is not Change.IGNORED:
            self._data_changed()

    def apply_many(self, candles: Iterable[Candle]) -> None:
        self._store.upsert_many(candles)
        self._data_changed()

    def clear(self) -> None:
        self._store.clear()
        self._sampler.invalidate()
        self._needs_reset = True
        self._anchor_time = None
        self._older_asked = None
        self._hover_time = None
        self._set_follow(True)
        self._hide_crosshair()
        self._data_changed()

    def candle_count(self) -> int:
        return len(self._store)

    def candles(self) -> list[Candle]:
        return self._store.candles()

    def visible_candles(self) -> list[Candle]:
        (x0, x1), _ = self._price_vb.viewRange()
        lo, hi = self._store.range_indices(x0, x1)
        return self._store.candles(lo, hi)

    def last_price(self) -> float | None:
        last = self._store.last()
        return last.close if last is not None else None

    @property
    def store(self) -> CandleStore:
        """The candle store (read it; write through ``apply`` and friends)."""
        return self._store

    # ------------------------------------------------------------------ public API: view

    def follow_live(self) -> bool:
        return self._follow

    def set_follow_live(self, on: bool) -> None:
        """Follow the newest candle (snapping the view to it, zoom kept) or stop following."""
        if on and len(self._store):
            (x0, x1), _ = self._price_vb.viewRange()
            width = x1 - x0
            right = self._store.last_time() + RIGHT_MARGIN_CANDLES * self._tf
            self._anchor_time = self._store.last_time()
            self._set_x_range(right - width, right, exact_fit=True)
        self._set_follow(on)

    def reset_zoom(self) -> None:
        """Show the newest ~150 candles and follow them."""
        self._set_follow(True)
        if len(self._store):
            self._reset_view()
        else:
            self._needs_reset = True

    def set_volume_visible(self, on: bool) -> None:
        if on == self._volume_visible:
            return
        self._volume_visible = on
        if on:
            self._view.ci.addItem(self._volume_plot, row=1, col=0)
            self._volume_plot.show()
            self._move(self._volume_vb, x=tuple(self._price_vb.viewRange()[0]))
        else:
            self._view.ci.removeItem(self._volume_plot)
            self._volume_plot.hide()
        self._set_price_dates_shown(not on)
        self._view.ci.layout.activate()  # lay out now, not on the next event loop turn
        self._schedule()

    def volume_visible(self) -> bool:
        return self._volume_visible

    def set_theme(self, theme: ChartTheme) -> None:
        self._theme = theme
        self._view.setBackground(theme.background)
        fg = QColor(theme.foreground)
        for plot in (self._price_plot, self._volume_plot):
            for name in ("right", "bottom"):
                axis = plot.getAxis(name)
                axis.setPen(pg.mkPen(fg))
                axis.setTextPen(pg.mkPen(fg))
                axis.setTickPen(pg.mkPen(fg))
        minor = _mix(theme.grid, theme.background, 0.5)
        for grid in (self._price_grid, self._volume_grid):
            grid.set_colors(theme.grid, minor)
        self._candles.set_colors(theme.up, theme.down)
        self._volumes.set_colors(theme.volume_up, theme.volume_down)
        cross = cosmetic_pen(theme.crosshair, style=Qt.PenStyle.DashLine)
        for line in (self._cross_x, self._cross_y, self._cross_vx):
            line.set_pen(cross)
        self._last_line.set_pen(cosmetic_pen(theme.last_price, style=Qt.PenStyle.DotLine))
        self._last_tag.set_colors(theme.last_price, theme.last_price_text)
        plate = QColor(theme.background)
        plate.setAlpha(190)
        self._readout.set_color(fg, plate)
        self._loading.set_color(fg, plate)
        mark = QColor(theme.foreground)
        mark.setAlpha(48)
        self._watermark.set_color(mark)

    def theme(self) -> ChartTheme:
        return self._theme

    def set_loading(self, text: str | None) -> None:
        """Show ``text`` centred over the price pane (e.g. "Loading BTC-USDT 1min…"), or hide."""
        self._loading.set_text(text or "")
        self._loading.setVisible(bool(text))
        self._place_overlays()

    def loading_text(self) -> str | None:
        return self._loading.text() if self._loading.isVisible() else None

    def set_watermark(self, text: str | None) -> None:
        """Big translucent text across the price pane (e.g. "SIMULATED"), or none."""
        self._watermark.set_text(text or "")
        self._watermark.setVisible(bool(text))
        self._place_overlays()

    def watermark_text(self) -> str | None:
        return self._watermark.text() if self._watermark.isVisible() else None

    def readout_text(self) -> str:
        return self._readout.text()

    def show_readout_at(self, time: float) -> None:
        """Put the crosshair on the candle at or nearest to ``time`` and show its readout."""
        self._show_crosshair(time, None)

    def export_csv(self, path: str | os.PathLike) -> int:
        """Write the visible candles to ``path``; returns the number of rows written."""
        self.flush()
        rows = self.visible_candles()
        with open(path, "w", newline="", encoding="utf-8") as f:
            writer = csv.writer(f)
            writer.writerow(CSV_HEADER)
            writer.writerows(csv_row(c) for c in rows)
        return len(rows)

    def save_png(self, path: str | os.PathLike) -> bool:
        self.flush()
        return self.grab().save(os.fspath(path), "PNG")

    def flush(self) -> None:
        """Run a pending coalesced redraw now (the next paint shows everything applied)."""
        if self._timer.isActive():
            self._redraw()

    def drawn_count(self) -> int:
        """Candles (or zoomed-out buckets) drawn by the price pane's last paint."""
        return self._candles.drawn_count()

    # Internals exposed for tests and benchmarks.
    @property
    def price_view(self) -> pg.ViewBox:
        return self._price_vb

    @property
    def volume_view(self) -> pg.ViewBox:
        return self._volume_vb

    @property
    def graphics_view(self) -> pg.GraphicsLayoutWidget:
        return self._view

    @property
    def time_axis(self) -> TimeAxis:
        """The labelled date/time axis (the volume pane's, or the price pane's without it)."""
        plot = self._volume_plot if self._volume_visible else self._price_plot
        return plot.getAxis("bottom")

    @property
    def candle_item(self) -> CandleItem:
        return self._candles

    @property
    def volume_item(self) -> VolumeItem:
        return self._volumes

    def last_price_label(self) -> str:
        """The last-price tag's text ("" without candles)."""
        return self._last_tag.text() if len(self._store) else ""

    # ------------------------------------------------------------------ redraw

    def _data_changed(self) -> None:
        self._schedule()

    def _schedule(self) -> None:
        if not self._timer.isActive():
            self._timer.start()

    def _redraw(self) -> None:
        self._timer.stop()
        store = self._store
        n = len(store)
        if n:
            newest = store.last_time()
            last = store.last()
            self._decimals = price_decimals(last.close)
            if self._needs_reset:
                self._reset_view()
            elif self._follow and self._anchor_time is not None and newest != self._anchor_time:
                (x0, x1), _ = self._price_vb.viewRange()
                delta = newest - self._anchor_time
                self._anchor_time = newest
                self._set_x_range(x0 + delta, x1 + delta, exact_fit=False)
            elif store.history_version != self._drawn_version:
                self._fit_y(exact=False)
            else:
                self._fit_live()
            self._anchor_time = newest
            self._last_line.show()
            self._last_tag.set_text(format_price(last.close, self._decimals))
            self._last_tag.show()
            self._place_tag()
        else:
            self._last_line.hide()
            self._last_tag.hide()
        self._drawn_version = store.history_version
        self._candles.refresh_bounds()
        self._volumes.refresh_bounds()
        self._update_readout()
        self._check_older()

    def _reset_view(self) -> None:
        self._needs_reset = False
        newest = self._store.last_time()
        self._anchor_time = newest
        right = newest + RIGHT_MARGIN_CANDLES * self._tf
        left = newest - (RESET_CANDLES - 0.5) * self._tf
        self._set_x_range(left, right, exact_fit=True)

    @contextmanager
    def _programmatic(self) -> Iterator[None]:
        self._driving += 1
        try:
            yield
        finally:
            self._driving -= 1

    def _set_x_range(self, x0: float, x1: float, *, exact_fit: bool) -> None:
        self._fit_y(exact=exact_fit, x_range=(x0, x1))
        self._check_older()

    def _on_x_range_changed(self, box: pg.ViewBox, x_range: tuple[float, float]) -> None:
        if self._driving:
            return
        # Not ours: the mouse or keyboard in either pane. Keep the other pane in step.
        other = self._volume_vb if box is self._price_vb else self._price_vb
        self._move(other, x=x_range)
        if len(self._store):
            anchor = self._anchor_time
            if anchor is None:
                anchor = self._store.last_time()
            self._set_follow(x_range[1] >= anchor)
        self._fit_y(exact=True)
        self._check_older()

    def _move(
        self,
        box: pg.ViewBox,
        x: tuple[float, float] | None = None,
        y: tuple[float, float] | None = None,
    ) -> None:
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
        with self._programmatic(), QSignalBlocker(box):
            box.setRange(xRange=x, yRange=y, padding=0)
        new_x, new_y = box.viewRange()
        bottom, right = self._axes[box]
        if new_x != old_x:
            bottom.linkedViewChanged(box, tuple(new_x))
        if new_y != old_y:
            right.linkedViewChanged(box, tuple(new_y))

    def _fit_y(self, *, exact: bool, x_range: tuple[float, float] | None = None) -> None:
        """Fit y to the candles in view (or in ``x_range``, which both panes then move to)."""
        (x0, x1), (y0, y1) = self._price_vb.viewRange()
        if x_range is not None:
            x0, x1 = x_range
        price_y = volume_y = None
        extent = visible_extent(self._store, x0, x1, self._tf)
        if extent is not None:
            low, high, volume = extent
            if exact or high > y1 or low < y0 or (high - low) < Y_LOOSE * (y1 - y0):
                pad = (high - low) * Y_PADDING or abs(high) * 0.01 or 1.0
                price_y = (low - pad, high + pad)
            (_, v1) = self._volume_vb.viewRange()[1]
            if exact or volume > v1 or volume < Y_LOOSE * v1:
                volume_y = (0.0, (volume or 1.0) * (1 + Y_PADDING))
        self._move(self._price_vb, x_range, price_y)
        self._move(self._volume_vb, x_range, volume_y)

    def _fit_live(self) -> None:
        """After a tick of the newest candle: refit only if it left the y range (O(1))."""
        store = self._store
        i = len(store) - 1
        (x0, x1), (y0, y1) = self._price_vb.viewRange()
        t = store.time[i]
        if not x0 <= t <= x1:
            return
        (_, v1) = self._volume_vb.viewRange()[1]
        if store.high[i] > y1 or store.low[i] < y0 or store.volume[i] > v1:
            self._fit_y(exact=False)

    def _set_follow(self, on: bool) -> None:
        if on != self._follow:
            self._follow = on
            self.followChanged.emit(on)

    def _check_older(self) -> None:
        oldest = self._store.first_time()
        if oldest is None or oldest == self._older_asked:
            return
        (x0, x1), _ = self._price_vb.viewRange()
        if x0 - (x1 - x0) <= oldest:
            self._older_asked = oldest
            self.olderHistoryWanted.emit(oldest)

    # ------------------------------------------------------------------ overlays

    def _place_overlays(self, *_: object) -> None:
        rect = self._price_vb.rect()
        centre = rect.center()
        self._watermark.setPos(centre)
        self._loading.setPos(centre)
        self._place_tag()

    def _place_tag(self, *_: object) -> None:
        if not len(self._store):
            return
        price = float(self._store.close[len(self._store) - 1])
        axis = self._price_plot.getAxis("right")
        _, (y0, y1) = self._price_vb.viewRange()
        height = self._price_vb.height()
        if y1 <= y0 or height <= 0:
            return
        y_px = (y1 - price) / (y1 - y0) * height
        point = axis.mapFromItem(self._price_vb, QPointF(0.0, y_px))
        inside = 0.0 <= y_px <= height
        self._last_tag.setPos(0.0, point.y())
        self._last_tag.setVisible(inside)
        self._last_line.setPos(0.0, y_px)
        self._last_line.setVisible(inside)

    # ------------------------------------------------------------------ crosshair

    def _on_mouse_moved(self, pos: QPointF) -> None:
        if self._price_vb.sceneBoundingRect().contains(pos):
            point = self._price_vb.mapSceneToView(pos)
            self._show_crosshair(point.x(), point.y())
        elif self._volume_visible and self._volume_vb.sceneBoundingRect().contains(pos):
            point = self._volume_vb.mapSceneToView(pos)
            self._show_crosshair(point.x(), None)
        else:
            self._hide_crosshair()

    def leaveEvent(self, event: QEvent) -> None:
        self._hide_crosshair()
        super().leaveEvent(event)

    def _show_crosshair(self, x: float, y: float | None) -> None:
        i = self._store.nearest_index(x)
        if i < 0:
            self._hide_crosshair()
            return
        self._hover_time = int(self._store.time[i])
        self._hover_price = y
        self._place_crosshair()
        self._update_readout()

    def _hide_crosshair(self) -> None:
        self._hover_time = None
        self._hover_price = None
        for line in (self._cross_x, self._cross_y, self._cross_vx):
            line.hide()
        self._update_readout()

    def _view_transformed(self, *_: object) -> None:
        self._place_tag()
        self._place_crosshair()

    def _place_crosshair(self) -> None:
        """Put the crosshair lines (view-box pixels) on the hovered candle and price."""
        if self._hover_time is None:
            return
        (x0, x1), (y0, y1) = self._price_vb.viewRange()
        width, height = self._price_vb.width(), self._price_vb.height()
        if x1 <= x0 or y1 <= y0:
            return
        x_px = (self._hover_time - x0) / (x1 - x0) * width
        shown = 0.0 <= x_px <= width
        for line in (self._cross_x, self._cross_vx):
            line.setPos(x_px, 0.0)
            line.setVisible(shown)
        if self._hover_price is None:
            self._cross_y.hide()
        else:
            y_px = (y1 - self._hover_price) / (y1 - y0) * height
            self._cross_y.setPos(0.0, y_px)
            self._cross_y.setVisible(0.0 <= y_px <= height)

    def _update_readout(self) -> None:
        store = self._store
        i = -1
        if self._hover_time is not None:
            i = store.index_of(self._hover_time)
        if i < 0 and len(store):
            i = len(store) - 1
        if i < 0:
            self._readout.set_text("")
            return
        prefix = f"{self._symbol} {self._timeframe}  " if self._symbol else ""
        self._readout.set_text(readout(store.candle(i), self._decimals, self._tf, prefix))


def _mix(a: str, b: str, t: float) -> QColor:
    """The opaque colour ``t`` of the way from ``a`` to ``b`` (opaque lines paint fastest)."""
    ca, cb = QColor(a), QColor(b)
    return QColor(
        round(ca.red() + (cb.red() - ca.red()) * t),
        round(ca.green() + (cb.green() - ca.green()) * t),
        round(ca.blue() + (cb.blue() - ca.blue()) * t),
    )


def _frame_interval_ms() -> int:
    """The primary screen's refresh interval (60 Hz if unknown)."""
    screen = QGuiApplication.primaryScreen()
    rate = screen.refreshRate() if screen is not None else 0.0
    if not rate or rate <= 0:
        rate = 60.0
    return max(1, round(1000.0 / rate))
