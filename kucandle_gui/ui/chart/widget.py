"""``CandleChart``: a price pane over a volume pane, a view of one candle series.

The chart draws a series and knows nothing of the feed. Given a store (``set_series(...,
store=...)``) it only reads it: the owner writes it and calls ``data_changed()``. Without one
it keeps a store of its own, written through ``apply`` and friends (tests, the benchmark).

Where the view goes is not decided here: a :class:`~kucandle_gui.model.viewport.Viewport`
(plain Python, tested without widgets) is told what happened and returns the ranges to set.
Everything visible (the view placed for new data, the last-price line, the readout, the
repaint) happens in one coalesced redraw at most once per screen frame, driven by a
single-shot timer; ``flush()`` runs a pending redraw now.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QPoint, QTimer, Signal
from PySide6.QtWidgets import QVBoxLayout, QWidget

from kucandle_gui.feed import CandleSeries
from kucandle_gui.model.viewport import ViewChange, Viewport
from kucandle_gui.protocol import Candle
from kucandle_gui.ui.chart import export
from kucandle_gui.ui.chart.alert_lines import AlertLines
from kucandle_gui.ui.chart.axes import TimeAxis, ValueAxis
from kucandle_gui.ui.chart.frames import frame_interval_ms
from kucandle_gui.ui.chart.items import CandleItem, VolumeItem
from kucandle_gui.ui.chart.markers import Crosshair, LastPriceMarker
from kucandle_gui.ui.chart.overlays import PaneTexts
from kucandle_gui.ui.chart.panes import Panes
from kucandle_gui.ui.chart.pointer import PanePointer
from kucandle_gui.ui.chart.readout import format_price, price_decimals, readout
from kucandle_gui.ui.chart.sampling import Sampler
from kucandle_gui.ui.chart.theme import DARK, ChartTheme

#: The narrowest view the user may zoom to, in candles.
MIN_VIEW_CANDLES = 5


class CandleChart(QWidget):
    """Live candlesticks with volume; see the package docstring for the API."""

    followChanged = Signal(bool)
    olderHistoryWanted = Signal(int)
    #: ``(global position, price)``: a right click in the price pane (its menu is the owner's).
    priceMenuRequested = Signal(QPoint, float)

    def __init__(
        self,
        parent: QWidget | None = None,
        theme: ChartTheme = DARK,
        *,
        max_candles: int | None = None,
    ) -> None:
        super().__init__(parent)
        self._theme = theme
        self._max_candles = max_candles
        self._store = CandleSeries(max_candles=max_candles)
        self._owns_store = True
        self._sampler = Sampler(self._store)
        self._viewport = Viewport(self._store)
        self._symbol = ""
        self._timeframe = ""
        self._tf = 60
        self._decimals = 2

        self._panes = panes = Panes()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(panes.view)
        price_box, volume_box = panes.price_box, panes.volume_box

        self._candles = CandleItem(self._sampler, price_box)
        self._volumes = VolumeItem(self._sampler, volume_box)
        price_box.addItem(self._candles, ignoreBounds=True)
        volume_box.addItem(self._volumes, ignoreBounds=True)
        self._last = LastPriceMarker(price_box, panes.price_axis)
        self._crosshair = Crosshair(price_box, volume_box)
        self._texts = PaneTexts(price_box)
        self.alert_lines = AlertLines(price_box, panes.price_axis, panes.view, self)
        self._crosshair_price: float | None = None

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(frame_interval_ms())
        self._timer.timeout.connect(self._redraw)

        price_box.sigXRangeChanged.connect(self._on_x_range_changed)
        volume_box.sigXRangeChanged.connect(self._on_x_range_changed)
        price_box.sigResized.connect(self._place_overlays)
        price_box.sigTransformChanged.connect(self._view_transformed)
        pointer = PanePointer(panes, self)
        pointer.moved.connect(self._show_crosshair)
        pointer.left.connect(self._hide_crosshair)
        pointer.priceMenuRequested.connect(self.priceMenuRequested)

        self.set_theme(theme)
        self._place_overlays()

    # ------------------------------------------------------------------ public API: data

    def set_series(
        self,
        symbol: str,
        timeframe: str,
        timeframe_seconds: int,
        store: CandleSeries | None = None,
    ) -> None:
        """Show a new series; resets follow-live and zoom.

        With ``store`` the chart draws that object and only reads it: its owner writes it and
        calls :meth:`data_changed`. Without, the chart starts an empty store of its own.
        """
        self._symbol = symbol
        self._timeframe = timeframe
        self._tf = int(timeframe_seconds)
        self._owns_store = store is None
        self._store = CandleSeries(max_candles=self._max_candles) if store is None else store
        self._panes.set_min_x_range(MIN_VIEW_CANDLES * self._tf)
        self._restart()

    def data_changed(self) -> None:
        """The store changed: redraw at the next screen frame (many calls, one redraw)."""
        if not self._timer.isActive():
            self._timer.start()

    def set_history(self, candles: Sequence[Candle] | Iterable[Candle]) -> None:
        """Replace every candle (any order; a repeated start time is merged by the series rule)."""
        self._writable().set_history(candles)
        self.data_changed()

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
        self._writable().set_arrays(time, open, high, low, close, volume, turnover)
        self.data_changed()

    def apply(self, candle: Candle) -> None:
        """Insert a candle or replace the one with the same start time."""
        store = self._writable()
        version = store.version
        store.upsert(candle)
        if store.version != version:
            self.data_changed()

    def apply_many(self, candles: Iterable[Candle]) -> None:
        self._writable().merge(candles)
        self.data_changed()

    def clear(self) -> None:
        self._writable().clear()
        self._restart()

    def candle_count(self) -> int:
        return len(self._store)

    def candles(self) -> list[Candle]:
        return self._store.candles()

    def visible_candles(self) -> list[Candle]:
        (x0, x1), _ = self._panes.price_box.viewRange()
        lo, hi = self._store.range_indices(x0, x1)
        return self._store.candles(lo, hi)

    def last_price(self) -> float | None:
        last = self._store.last()
        return last.close if last is not None else None

    @property
    def store(self) -> CandleSeries:
        """The store shown (read it; write through ``apply`` and friends, or its owner)."""
        return self._store

    # ------------------------------------------------------------------ public API: view

    def follow_live(self) -> bool:
        return self._viewport.follow

    def set_follow_live(self, on: bool) -> None:
        """Follow the newest candle (snapping the view to it, zoom kept) or stop following."""
        self._apply(self._viewport.set_follow(on))

    def reset_zoom(self) -> None:
        """Show the newest candles at the default zoom and follow them."""
        self._apply(self._viewport.reset_zoom())

    def set_volume_visible(self, on: bool) -> None:
        if on != self._panes.volume_visible:
            self._panes.set_volume_visible(on)
            self.data_changed()

    def volume_visible(self) -> bool:
        return self._panes.volume_visible

    def set_theme(self, theme: ChartTheme) -> None:
        self._theme = theme
        self._panes.set_theme(theme)
        self._candles.set_colors(theme.up, theme.down)
        self._volumes.set_colors(theme.volume_up, theme.volume_down)
        self._crosshair.set_color(theme.crosshair)
        self._last.set_colors(theme.last_price, theme.last_price_text)
        self._texts.set_colors(theme.foreground, theme.background)
        self.alert_lines.set_colors(theme.alert)

    def theme(self) -> ChartTheme:
        return self._theme

    def set_loading(self, text: str | None) -> None:
        """Show ``text`` centred over the price pane (e.g. "Loading BTC-USDT 1min…"), or hide."""
        self._texts.set_text(self._texts.loading, text)

    def loading_text(self) -> str | None:
        return self._texts.shown_text(self._texts.loading)

    def set_watermark(self, text: str | None) -> None:
        """Big translucent text across the price pane (e.g. "SIMULATED"), or none."""
        self._texts.set_text(self._texts.watermark, text)

    def watermark_text(self) -> str | None:
        return self._texts.shown_text(self._texts.watermark)

    def readout_text(self) -> str:
        return self._texts.readout.text()

    def crosshair_price(self) -> float | None:
        """The price under the crosshair in the price pane (None when it is not there)."""
        return self._crosshair_price

    def show_readout_at(self, time: float) -> None:
        """Put the crosshair on the candle at or nearest to ``time`` and show its readout."""
        self._show_crosshair(time, None)

    def export_csv(self, path: str | os.PathLike) -> int:
        """Write the visible candles to ``path``; returns the number of rows written."""
        self.flush()
        return export.write_csv(path, self.visible_candles())

    def save_png(self, path: str | os.PathLike) -> bool:
        self.flush()
        return export.save_png(self, path)

    def flush(self) -> None:
        """Run a pending coalesced redraw now (the next paint shows everything applied)."""
        if self._timer.isActive():
            self._redraw()

    def drawn_count(self) -> int:
        """Candles (or zoomed-out buckets) drawn by the price pane's last paint."""
        return self._candles.drawn_count()

    def last_price_label(self) -> str:
        """The last-price tag's text ("" without candles)."""
        return self._last.text() if len(self._store) else ""

    # Internals exposed for tests and benchmarks.
    @property
    def price_view(self) -> pg.ViewBox:
        return self._panes.price_box

    @property
    def volume_view(self) -> pg.ViewBox:
        return self._panes.volume_box

    @property
    def graphics_view(self) -> pg.GraphicsLayoutWidget:
        return self._panes.view

    @property
    def time_axis(self) -> TimeAxis:
        """The labelled date/time axis (the volume pane's, or the price pane's without it)."""
        return self._panes.time_axis

    @property
    def price_axis(self) -> ValueAxis:
        return self._panes.price_axis

    @property
    def candle_item(self) -> CandleItem:
        return self._candles

    @property
    def volume_item(self) -> VolumeItem:
        return self._volumes

    # ------------------------------------------------------------------ series and view

    def _writable(self) -> CandleSeries:
        if not self._owns_store:
            raise RuntimeError("the chart only reads the store it was given: write to its owner")
        return self._store

    def _restart(self) -> None:
        """The store was replaced or emptied: start the view over."""
        self._sampler.set_series(self._store, self._tf)
        change = self._viewport.set_series(self._store, self._tf)
        self._hide_crosshair()
        self.data_changed()
        self._announce(change)

    def _redraw(self) -> None:
        self._timer.stop()
        change = self._viewport.refresh()
        self._move(change)
        last = self._store.last()
        if last is not None:
            self._decimals = price_decimals(last.close)
            self._last.show(last.close, format_price(last.close, self._decimals))
        else:
            self._last.hide()
        self._panes.show_values(last is not None)
        self._candles.refresh_bounds()
        self._volumes.refresh_bounds()
        self._update_readout()
        self._announce(change)

    def _on_x_range_changed(self, box: pg.ViewBox, x_range: tuple[float, float]) -> None:
        if self._panes.driving:
            return
        # Not ours: the mouse or keyboard in either pane. Keep the other pane in step.
        self._panes.move(self._panes.other(box), x=x_range)
        self._apply(self._viewport.user_moved(*x_range))

    def _apply(self, change: ViewChange) -> None:
        self._move(change)
        self._announce(change)

    def _move(self, change: ViewChange) -> None:
        self._panes.move(self._panes.price_box, change.x, change.price)
        self._panes.move(self._panes.volume_box, change.x, change.volume)

    def _announce(self, change: ViewChange) -> None:
        if change.follow is not None:
            self.followChanged.emit(change.follow)
        if change.older is not None:
            self.olderHistoryWanted.emit(change.older)

    # ------------------------------------------------------------------ overlays, crosshair

    def _place_overlays(self, *_: object) -> None:
        self._texts.place()
        self._last.place()

    def _view_transformed(self, *_: object) -> None:
        self._last.place()
        self.alert_lines.place()
        self._crosshair.place()

    def leaveEvent(self, event: QEvent) -> None:
        self._hide_crosshair()
        super().leaveEvent(event)

    def _show_crosshair(self, x: float, y: float | None) -> None:
        i = self._store.nearest_index(x)
        if i < 0:
            self._hide_crosshair()
            return
        self._crosshair.show(int(self._store.time[i]), y)
        self._crosshair_price = y
        self._update_readout()

    def _hide_crosshair(self) -> None:
        self._crosshair.hide()
        self._crosshair_price = None
        self._update_readout()

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
        self._texts.readout.set_text(readout(store.candle(i), self._decimals, self._tf, prefix))
