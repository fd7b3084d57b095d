"""What :class:`~.widget.CandleChart` lets others read: its data, its state, its parts.

A mixin of the chart (it shares the chart's state): the read-only half of the public API,
and the internals exposed for tests and benchmarks, apart from the widget's logic.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pyqtgraph as pg

from kucandle_gui.feed import CandleSeries
from kucandle_gui.protocol import Candle

if TYPE_CHECKING:
    from kucandle_gui.model.indicators import IndicatorSet, IndicatorSpec, Study
    from kucandle_gui.model.price_scale import ScaleMode
    from kucandle_gui.ui.chart.axes import TimeAxis, ValueAxis
    from kucandle_gui.ui.chart.countdown import Countdown
    from kucandle_gui.ui.chart.indicator_items import StudyItem
    from kucandle_gui.ui.chart.items import CandleItem, VolumeItem
    from kucandle_gui.ui.chart.markers import LastPriceMarker
    from kucandle_gui.ui.chart.overlays import PaneTexts
    from kucandle_gui.ui.chart.panes import Panes
    from kucandle_gui.ui.chart.studies import StudyLayer
    from kucandle_gui.ui.chart.theme import ChartTheme


class PartsMixin:
    """Read access to the chart (a mixin of ``CandleChart``)."""

    _store: CandleSeries
    _panes: Panes
    _theme: ChartTheme
    _texts: PaneTexts
    _candles: CandleItem
    _volumes: VolumeItem
    _last: LastPriceMarker
    _studies: StudyLayer
    _countdown: Countdown

    # ------------------------------------------------------------------ data

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

    def indicators(self) -> IndicatorSet | None:
        """The indicator set drawn (the owner's), None without."""
        return self._studies.indicators

    def studies(self) -> tuple[Study, ...]:
        """The studies listed by the last ``set_indicators`` (one per spec)."""
        return self._studies.studies

    # ------------------------------------------------------------------ state

    def volume_visible(self) -> bool:
        return self._panes.volume_visible

    def theme(self) -> ChartTheme:
        return self._theme

    def scale_mode(self) -> ScaleMode:
        return self.scale.mode  # type: ignore[attr-defined]

    def loading_text(self) -> str | None:
        return self._texts.shown_text(self._texts.loading)

    def watermark_text(self) -> str | None:
        return self._texts.shown_text(self._texts.watermark)

    def drawn_count(self) -> int:
        """Candles (or zoomed-out buckets) drawn by the price pane's last paint."""
        return self._candles.drawn_count()

    def last_price_label(self) -> str:
        """The last-price tag's price text ("" without candles)."""
        return self._last.text() if len(self._store) else ""

    def countdown_label(self) -> str | None:
        """The time left on the last-price tag (None while not shown)."""
        return self._last.countdown() if len(self._store) else None

    # ------------------------------------------------------------------ internals

    @property
    def price_view(self) -> pg.ViewBox:
        return self._panes.price_box

    @property
    def volume_view(self) -> pg.ViewBox:
        return self._panes.volume_box

    def study_views(self) -> list[pg.ViewBox]:
        """The oscillator panes' view boxes, top to bottom."""
        return [pane.box for pane in self._panes.studies]

    def study_view(self, spec: IndicatorSpec) -> pg.ViewBox | None:
        """The pane of a visible RSI or MACD study, None for others."""
        pane = self._studies.own_pane(spec)
        return pane.box if pane is not None else None

    def study_item(self, spec: IndicatorSpec) -> StudyItem | None:
        """The item drawing a visible study, None when not drawn."""
        return self._studies.item(spec)

    @property
    def graphics_view(self) -> pg.GraphicsLayoutWidget:
        return self._panes.view

    @property
    def time_axis(self) -> TimeAxis:
        """The labelled date/time axis: the bottom-most visible pane's."""
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

    @property
    def countdown(self) -> Countdown:
        """The tag's countdown timer (tests set its ``clock``)."""
        return self._countdown
