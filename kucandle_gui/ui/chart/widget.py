"""``CandleChart``: a price pane, a volume pane and study panes, a view of one candle series.

The chart draws a series and knows nothing of the feed. Given a store (``set_series(...,
store=...)``) it only reads it: the owner writes it and calls ``data_changed()``. Without one
it keeps a store of its own, written through ``apply`` and friends (tests, the benchmark).

Where the view goes is not decided here: a :class:`~kucandle_gui.model.viewport.Viewport`
(plain Python, tested without widgets) is told what happened and returns the ranges to set.
Everything visible (the view placed for new data, the last-price line, the readout, the
repaint, the indicator set brought up to date) happens in one coalesced redraw at most once
per screen frame, driven by a single-shot timer; ``flush()`` runs a pending redraw now.

Apart from here: the crosshair and readout (:mod:`.hover`), the studies (:mod:`.studies`),
the countdown's timer (:mod:`.countdown`), the drawings (:mod:`.drawings`).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import TYPE_CHECKING

import pyqtgraph as pg
import shiboken6
from PySide6.QtCore import QEvent, QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QWindow
from PySide6.QtWidgets import QVBoxLayout, QWidget

from kucandle_gui.feed import CandleSeries
from kucandle_gui.model.price_scale import PriceScale, ScaleMode, countdown_to_close
from kucandle_gui.model.viewport import MIN_VIEW_CANDLES, ViewChange, Viewport
from kucandle_gui.ui.chart import export
from kucandle_gui.ui.chart.alert_lines import AlertLines
from kucandle_gui.ui.chart.countdown import Countdown
from kucandle_gui.ui.chart.drawings import DrawingLayer
from kucandle_gui.ui.chart.frames import frame_interval_ms
from kucandle_gui.ui.chart.hover import HoverMixin, StudyPanePointer
from kucandle_gui.ui.chart.items import CandleItem, VolumeItem
from kucandle_gui.ui.chart.markers import Crosshair, LastPriceMarker
from kucandle_gui.ui.chart.overlays import PaneTexts
from kucandle_gui.ui.chart.own_store import OwnStoreMixin
from kucandle_gui.ui.chart.panes import Panes
from kucandle_gui.ui.chart.parts import PartsMixin
from kucandle_gui.ui.chart.readout import format_price, price_decimals
from kucandle_gui.ui.chart.sampling import Sampler
from kucandle_gui.ui.chart.studies import StudyLayer
from kucandle_gui.ui.chart.theme import DARK, ChartTheme

if TYPE_CHECKING:
    from kucandle_gui.model.indicators import IndicatorSet, Study


class CandleChart(OwnStoreMixin, HoverMixin, PartsMixin, QWidget):
    """Live candlesticks with volume and studies; see the package docstring for the API."""

    followChanged = Signal(bool)
    olderHistoryWanted = Signal(int)
    #: ``(global position, price)``: a right click in the price pane (its menu is the owner's).
    priceMenuRequested = Signal(QPoint, float)
    #: The crosshair's candle time when it moves to another candle, NaN when it goes.
    crosshairMoved = Signal(float)

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
        self._scale = scale = PriceScale()
        self._viewport = Viewport(self._store, scale=scale)
        self._log, self._mode = scale.is_log, scale.mode
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
        self._crosshair = Crosshair(price_box, volume_box, panes.price_axis)
        self._texts = PaneTexts(price_box)
        self.alert_lines = AlertLines(price_box, panes.price_axis, panes.view, self)
        self._crosshair_price: float | None = None
        for part in (self._candles, panes.price_axis, self._last, self._crosshair):
            part.set_scale(scale)
        self.alert_lines.set_scale(scale)
        scale.changed.connect(self._scale_changed)
        self._studies = StudyLayer(panes, self._sampler, scale, self._link_box)
        self._countdown = Countdown(self._show_countdown, self)
        self._countdown_for: str | None = None  # the timeframe the tag counts down for
        #: Between a show and a hide event (a minimized window hides its widgets, spontaneously,
        #: while ``isVisible`` stays True).
        self._shown = False
        self._watched_window: QWindow | None = None  # the top-level's, for minimize/restore

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(frame_interval_ms())
        self._timer.timeout.connect(self._redraw)

        for box in (price_box, volume_box):
            self._link_box(box)
        price_box.sigResized.connect(self._place_overlays)
        price_box.sigTransformChanged.connect(self._view_transformed)
        pointer = StudyPanePointer(panes, self)
        pointer.moved.connect(self._show_crosshair)
        pointer.left.connect(self._hide_crosshair)
        pointer.priceMenuRequested.connect(self._price_menu)

        #: The drawings of the pair shown (horizontal and trend lines, the measure tool).
        self.drawings = DrawingLayer(self)
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
        self.drawings.set_pair(symbol, self._tf)

    def data_changed(self) -> None:
        """The store changed: redraw at the next screen frame (many calls, one redraw)."""
        if not self._timer.isActive():
            self._timer.start()

    def set_indicators(
        self,
        indicators: IndicatorSet | None,
        studies: Sequence[Study] = (),
    ) -> None:
        """Draw ``studies`` (spec, colour, visible) from ``indicators``, a set the owner keeps
        bound to the store shown; the chart syncs it at each redraw. None: no studies."""
        self._studies.set_indicators(indicators, () if indicators is None else tuple(studies))
        self.data_changed()

    # ------------------------------------------------------------------ public API: view

    def follow_live(self) -> bool:
        return self._viewport.follow

    def set_follow_live(self, on: bool) -> None:
        """Follow the newest candle (snapping the view to it, zoom kept) or stop following."""
        self._apply(self._viewport.set_follow(on))

    def reset_zoom(self) -> None:
        """Show the newest candles at the default zoom and follow them."""
        self._apply(self._viewport.reset_zoom())

    @property
    def scale(self) -> PriceScale:
        """The price pane's scale (the chart's own; drawings and alert lines map through it)."""
        return self._scale

    def set_scale_mode(self, mode: ScaleMode) -> None:
        """Linear, log or percent (of the first visible candle's close)."""
        self._scale.set_mode(mode)

    def set_volume_visible(self, on: bool) -> None:
        if on != self._panes.volume_visible:
            self._panes.set_volume_visible(on)
            self.data_changed()

    def set_theme(self, theme: ChartTheme) -> None:
        self._theme = theme
        self._panes.set_theme(theme)
        self._candles.set_colors(theme.up, theme.down)
        self._volumes.set_colors(theme.volume_up, theme.volume_down)
        self._crosshair.set_color(theme.crosshair)
        self._last.set_colors(theme.last_price, theme.last_price_text)
        self._texts.set_colors(theme.foreground, theme.background)
        self.alert_lines.set_colors(theme.alert)
        self._studies.set_theme(theme)
        self.drawings.set_theme(theme)

    def set_loading(self, text: str | None) -> None:
        """Show ``text`` centred over the price pane (e.g. "Loading BTC-USDT 1min…"), or hide."""
        self._texts.set_text(self._texts.loading, text)

    def set_watermark(self, text: str | None) -> None:
        """Big translucent text across the price pane (e.g. "SIMULATED"), or none."""
        self._texts.set_text(self._texts.watermark, text)

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

    # ------------------------------------------------------------------ series and view

    def _restart(self) -> None:
        """The store was replaced or emptied: start the view over."""
        self._sampler.set_series(self._store, self._tf)
        change = self._viewport.set_series(self._store, self._tf)
        self._hide_crosshair()
        self.data_changed()
        self._announce(change)

    def _redraw(self) -> None:
        self._timer.stop()
        self._studies.sync()
        change = self._viewport.refresh()
        self._move(change)
        if change.x is None:
            # Older candles backfilled or prepended may change the first visible candle
            # without any move of the view (a move sets the base itself).
            self._x_moved()
        self._studies.fit(exact=False)
        last = self._store.last()
        if last is not None:
            decimals = price_decimals(last.close)
            if decimals != self._decimals:
                self._decimals = decimals
                self._crosshair.set_decimals(decimals)
            self._last.show(last.close, format_price(last.close, self._decimals))
        else:
            self._last.hide()
        self._countdown_running()
        self._panes.show_values(last is not None)
        self._candles.refresh_bounds()
        self._volumes.refresh_bounds()
        self._studies.refresh()
        self._update_readout()
        self._announce(change)

    def _link_box(self, box: pg.ViewBox) -> None:
        """Panes move together in x: the chart follows a user's move of any of them."""
        box.sigXRangeChanged.connect(self._on_x_range_changed)

    def _on_x_range_changed(self, box: pg.ViewBox, x_range: tuple[float, float]) -> None:
        if self._panes.driving:
            return
        # Not ours: the mouse or keyboard in a pane. Keep the other panes in step.
        for other in self._panes.others(box):
            self._panes.move(other, x=x_range)
        self._x_moved()
        self._apply(self._viewport.user_moved(*x_range))

    def _apply(self, change: ViewChange) -> None:
        self._move(change)
        self._studies.fit(exact=True)
        self._announce(change)

    def _move(self, change: ViewChange) -> None:
        panes = self._panes
        if change.limits is not None:  # first: the new range is inside them
            panes.set_x_limits(*change.limits)
        price = change.price
        if price is not None:
            price = self._scale.view_range(*price)
        panes.move(panes.price_box, change.x, price)
        panes.move(panes.volume_box, change.x, change.volume)
        if change.x is not None:
            for pane in panes.studies:
                panes.move(pane.box, x=change.x)
            self._x_moved()

    def _x_moved(self) -> None:
        """The view moved: percent is relative to the first visible candle's close."""
        if self._scale.mode is ScaleMode.PERCENT:
            self._scale.set_base(self._first_visible_close())

    def _first_visible_close(self) -> float | None:
        (x0, _), _ = self._panes.price_box.viewRange()
        i = self._store.first_at_or_after(x0)
        return float(self._store.close[i]) if i < len(self._store) else None

    def _scale_changed(self) -> None:
        """Another mode or base. The candles, axis, markers and lines follow by themselves
        (a base alone, moved on every pan in percent, needs nothing more); on another mode:
        the percent base when there is none, and on a change of geometry (log or not) y
        fitted again (the viewport pads log ranges in decades)."""
        scale = self._scale
        if scale.mode is self._mode:
            return
        self._mode = scale.mode
        if scale.mode is ScaleMode.PERCENT and len(self._store):
            scale.set_base(self._first_visible_close())
        if scale.is_log != self._log:
            self._log = scale.is_log
            self._apply(self._viewport.refit())
            self._studies.refresh()
        self.data_changed()

    def _announce(self, change: ViewChange) -> None:
        if change.follow is not None:
            self.followChanged.emit(change.follow)
        if change.older is not None:
            self.olderHistoryWanted.emit(change.older)

    # ------------------------------------------------------------------ overlays, countdown

    def _place_overlays(self, *_: object) -> None:
        self._texts.place()
        self._last.place()

    def _view_transformed(self, *_: object) -> None:
        self._last.place()
        self.alert_lines.place()
        self._place_crosshair()

    def _on_screen(self) -> bool:
        """Shown, and not in a minimized window."""
        return self._shown and self.isVisible() and not self._minimized()

    def _minimized(self) -> bool:
        window = self._watched_window
        if window is not None and shiboken6.isValid(window):
            # The native window's state: the widget's follows it a little later.
            return bool(window.windowStates() & Qt.WindowState.WindowMinimized)
        return self.window().isMinimized()

    def _countdown_running(self) -> None:
        """Tick while there are candles and the chart is on screen (another timeframe: now)."""
        countdown = self._countdown
        was = countdown.running()
        countdown.set_running(bool(len(self._store)) and self._on_screen())
        if was and countdown.running() and self._timeframe != self._countdown_for:
            self._show_countdown(countdown.clock())

    def _show_countdown(self, now: float) -> None:
        """The time left in the current period of the timeframe, whatever candle is held
        last (a quiet pair has none for this minute yet; a month is a calendar month)."""
        self._countdown_for = self._timeframe
        text = None
        if len(self._store):
            try:
                text = countdown_to_close(now, self._timeframe)
            except KeyError:  # not a KuCoin timeframe: no countdown
                text = None
        self._last.set_countdown(text)

    def showEvent(self, event: QEvent) -> None:
        super().showEvent(event)
        self._shown = True
        self._watch_window()
        self._countdown_running()

    def hideEvent(self, event: QEvent) -> None:
        super().hideEvent(event)
        self._shown = False
        self._countdown.set_running(False)

    def _watch_window(self) -> None:
        """Follow the top-level window's minimize and restore (it may have changed: the
        chart reparented, the native window re-created)."""
        window = self.window().windowHandle()
        if window is self._watched_window:
            return
        old = self._watched_window
        if old is not None and shiboken6.isValid(old):
            old.windowStateChanged.disconnect(self._window_state_changed)
        self._watched_window = window
        if window is not None:
            window.windowStateChanged.connect(self._window_state_changed)

    def _window_state_changed(self, _state: Qt.WindowState) -> None:
        self._countdown_running()
