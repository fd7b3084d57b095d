"""The chart's studies: indicator lines in the price and volume panes, a pane per oscillator.

The indicator set belongs to the model (``ChartModel.indicators``, bound to the series
shown); the chart only reads it: :meth:`StudyLayer.sync` brings it up to date at each
coalesced redraw (and, defensively, before a paint that finds the store changed since),
then the items repaint from its arrays (:mod:`.indicator_items`). What to draw, in which
colour and whether at all, is the list of ``Study`` records.

* Price pane: SMA, EMA, Bollinger Bands (three lines, one colour), VWAP — through the price
  scale. The price pane's y fit stays the candles' (bands outside the candles may leave the
  pane: fitting y to every indicator per tick is the flicker finplot #203 describes).
* Volume pane: the volume SMA (volume units; hidden with the pane).
* A pane of its own per visible RSI and MACD (MACD and signal lines, histogram bars
  coloured by sign): :mod:`.oscillator_panes` (their ranges, guides, labels and cursor).
* On the log scale a price-pane line has a gap where its value has no logarithm (a
  Bollinger lower band at or below zero), rather than plunging to the scale's floor.

Invisible studies draw nothing and have no pane.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import numpy as np

from kucandle_gui.model.indicators import Study
from kucandle_gui.model.price_scale import MIN_PRICE
from kucandle_gui.ui.chart.indicator_items import StudyItem
from kucandle_gui.ui.chart.oscillator_panes import OscillatorPanes
from kucandle_gui.ui.chart.panes import Pane, Panes
from kucandle_gui.ui.chart.readout import studies_readout
from kucandle_gui.ui.chart.sampling import Frame, Sampler
from kucandle_gui.ui.chart.theme import DARK, ChartTheme

if TYPE_CHECKING:
    import pyqtgraph as pg

    from kucandle_gui.model.indicators import IndicatorSet, IndicatorSpec
    from kucandle_gui.model.price_scale import PriceScale

#: MACD's signal line colour (the MACD line has the study's), and the one used instead when
#: the study's colour is this one.
SIGNAL_COLOR = "#ff6d00"
SIGNAL_COLOR_ALT = "#2962ff"


class _Source:
    """One study's arrays for its item: looked up again only when the set's values moved
    (``version``) or the store shown changed, so that a paint costs a compare."""

    __slots__ = ("_arrays", "_layer", "_seen", "spec")

    def __init__(self, layer: StudyLayer, spec: IndicatorSpec) -> None:
        self._layer = layer
        self.spec = spec
        self._seen: tuple[object, int, object] | None = None
        self._arrays: tuple[np.ndarray, ...] | None = None

    def reset(self) -> None:
        """Forget the arrays (another set is drawn: they are its calculators' buffers)."""
        self._seen = None
        self._arrays = None

    def __call__(self) -> tuple[np.ndarray, ...] | None:
        layer = self._layer
        if not layer._ensure_synced():
            return None
        indicators = layer._set
        seen = (indicators, indicators.version, layer._sampler.store)
        if seen != self._seen:
            self._arrays = layer._lookup(self.spec)
            self._seen = seen
        return self._arrays


class StudyLayer:
    """Everything the chart draws of its indicator set; see the module docstring."""

    def __init__(
        self,
        panes: Panes,
        sampler: Sampler,
        scale: PriceScale,
        on_new_box: Callable[[pg.ViewBox], object],
    ) -> None:
        self._panes = panes
        self._on_new_box = on_new_box
        self._sampler = sampler
        self._scale = scale
        self._set: IndicatorSet | None = None
        self._studies: tuple[Study, ...] = ()
        self._items: dict[IndicatorSpec, StudyItem] = {}
        self._oscillators = OscillatorPanes(panes, sampler)
        self._theme = DARK
        # What the set was last synced with: the store and its version.
        self._synced_store: object = None
        self._synced_version = -1
        # Per view and store state, asked by every item on every paint: the frame.
        self._frame_key: tuple | None = None
        self._frame_memo: Frame | None = None
        self._sources: dict[IndicatorSpec, _Source] = {}
        self._readout_rows: list[tuple[_Source, str, str]] = []

    # ------------------------------------------------------------------ what to draw

    @property
    def indicators(self) -> IndicatorSet | None:
        return self._set

    @property
    def studies(self) -> tuple[Study, ...]:
        return self._studies

    def set_indicators(self, indicators: IndicatorSet | None, studies: Sequence[Study]) -> bool:
        """Draw ``studies`` from ``indicators``; True when the study panes changed."""
        listed: dict[IndicatorSpec, Study] = {}
        for study in studies:
            listed.setdefault(study.spec, study)
        if indicators is not self._set:
            for item in self._items.values():
                item.invalidate()
            for source in self._sources.values():
                source.reset()
        self._set = indicators
        self._studies = tuple(listed.values())
        self._synced_store = None
        for spec in [s for s in self._items if s not in listed or not listed[s].visible]:
            self._drop(spec)
        for study in self._studies:
            if study.visible:
                self._show(study)
        # Only the studies drawn keep a source: a source holds views of its calculator's
        # buffers, which a dropped study (ema:20 edited to ema:21) must not keep alive.
        # (None draws nothing: the chart lists no study then, and the sources empty.)
        shown = {s.spec for s in self._studies if s.visible}
        self._sources = {spec: src for spec, src in self._sources.items() if spec in shown}
        self._readout_rows = [
            (self._source(s.spec), s.spec.label, s.spec.kind.name)
            for s in self._studies
            if s.visible
        ]
        own = [pane for s in self._studies if (pane := self._oscillators.pane(s.spec)) is not None]
        changed = own != self._panes.studies
        self._panes.set_studies(own)
        return changed

    def _show(self, study: Study) -> None:
        spec = study.spec
        item = self._items.get(spec)
        if item is None:
            item = self._items[spec] = self._new(study)
        else:
            item.set_colors(_line_colors(study))
        self._oscillators.set_color(spec, study.color)

    def _new(self, study: Study) -> StudyItem:
        spec = study.spec
        kind = spec.pane.value
        outputs = list(spec.outputs)
        colors = iter(_line_colors(study))
        lines = [(k, next(colors)) for k, name in enumerate(outputs) if name != "histogram"]
        histogram = outputs.index("histogram") if "histogram" in outputs else None
        pane = self._oscillators.new_pane(spec) if kind == "own" else None
        if pane is not None:
            box = pane.box
        else:
            box = self._panes.price_box if kind == "price" else self._panes.volume_box
        scale = self._scale
        item = StudyItem(
            box,
            self._sampler,
            self._frame,
            self._source(spec),
            self._history_key,
            lines=lines,
            histogram=histogram,
            to_view=_line_view_array(scale) if kind == "price" else None,
            to_view_one=_line_view_one(scale) if kind == "price" else None,
            scale_key=(lambda: scale.is_log) if kind == "price" else (lambda: None),
        )
        item.set_bar_colors(self._theme.volume_up, self._theme.volume_down)
        if pane is not None:
            self._oscillators.add(pane, item, study)
            self._on_new_box(box)
        return item

    def _drop(self, spec: IndicatorSpec) -> None:
        item = self._items.pop(spec)
        scene = item.scene()
        # An own pane goes with its plot (taken off the layout by set_studies); its children
        # (item, label, guides) are dropped with it.
        if not self._oscillators.drop(spec) and scene is not None:
            scene.removeItem(item)

    # ------------------------------------------------------------------ data

    def _frame(self) -> Frame:
        """The sampler's frame for the price pane's view, asked once per view and store
        state however many items paint (the sampler's own check costs two bisections)."""
        box = self._panes.price_box
        (x0, x1), _ = box.viewRange()
        width = box.width()
        store = self._sampler.store
        key = (x0, x1, width, id(store), store.version, self._sampler.timeframe)
        if key != self._frame_key or self._frame_memo is None:
            self._frame_memo = self._sampler.frame(x0, x1, width)
            self._frame_key = key
        return self._frame_memo

    def _history_key(self) -> object:
        indicators = self._set
        return None if indicators is None else (id(indicators), indicators.history_version)

    def sync(self) -> None:
        """Bring the indicator set up to date with the store (the redraw calls this first)."""
        self._synced_store = None
        self._ensure_synced()

    def _ensure_synced(self) -> bool:
        """Sync the set if the store changed since (a paint may come before the redraw)."""
        indicators = self._set
        if indicators is None:
            return False
        store = self._sampler.store
        if store is not self._synced_store or store.version != self._synced_version:
            indicators.sync()
            self._synced_store, self._synced_version = store, store.version
        return True

    def values(self, spec: IndicatorSpec) -> tuple[np.ndarray, ...] | None:
        """The study's arrays, up to date and aligned with the store shown; None when the set
        does not hold the study or describes another series."""
        source = self._sources.get(spec)
        if source is None:  # not drawn: looked up once, not kept
            source = _Source(self, spec)
        return source()

    def _lookup(self, spec: IndicatorSpec) -> tuple[np.ndarray, ...] | None:
        indicators = self._set
        store = self._sampler.store
        if indicators is None or indicators.columns is not store or spec not in indicators:
            return None
        arrays = indicators.values(spec)
        if not arrays or len(arrays[0]) != len(store):
            return None
        return arrays

    def _source(self, spec: IndicatorSpec) -> _Source:
        source = self._sources.get(spec)
        if source is None:
            source = self._sources[spec] = _Source(self, spec)
        return source

    def item(self, spec: IndicatorSpec) -> StudyItem | None:
        """The item drawing a visible study (tests)."""
        return self._items.get(spec)

    def own_pane(self, spec: IndicatorSpec) -> Pane | None:
        return self._oscillators.pane(spec)

    # ------------------------------------------------------------------ each redraw

    def refresh(self) -> None:
        """Repaint every study (after the data or the scale changed)."""
        for item in self._items.values():
            item.update()

    def fit(self, *, exact: bool) -> None:
        """Fit the oscillator panes' y to what they show (:mod:`.oscillator_panes`)."""
        self._oscillators.fit(exact=exact)

    def readout(self, index: int, decimals: int) -> str:
        """The visible studies' values at candle ``index`` ("" without any)."""
        if not 0 <= index < len(self._sampler.store):
            return ""
        entries = []
        for source, label, kind in self._readout_rows:
            arrays = source()
            if arrays is not None:
                entries.append((label, kind, [float(values[index]) for values in arrays]))
        return studies_readout(entries, decimals)

    def place_cursor(self, time: float | None) -> None:
        """The crosshair's vertical line through the oscillator panes (None: hidden)."""
        self._oscillators.place_cursor(time)

    def set_theme(self, theme: ChartTheme) -> None:
        self._theme = theme
        for item in self._items.values():
            item.set_bar_colors(theme.volume_up, theme.volume_down)
        self._oscillators.set_theme(theme)


def _line_view_array(scale: PriceScale) -> Callable[[np.ndarray], np.ndarray]:
    """The price scale's map for a price-pane line: on the log scale a value with no
    logarithm (a Bollinger lower band at or below zero) is a gap in the line, not a plunge
    to the scale's floor."""

    def to_view(values: np.ndarray) -> np.ndarray:
        mapped = scale.to_view_array(values)
        if not scale.is_log:
            return mapped
        return np.where(values > MIN_PRICE, mapped, np.nan)

    return to_view


def _line_view_one(scale: PriceScale) -> Callable[[float], float]:
    """:func:`_line_view_array` for one value (the live segment's ends)."""

    def to_view(value: float) -> float:
        if scale.is_log and not value > MIN_PRICE:
            return math.nan
        return scale.to_view(value)

    return to_view


def _line_colors(study: Study) -> list[str]:
    """A colour per line of the study: its own, and a contrasting one for MACD's signal."""
    signal = SIGNAL_COLOR_ALT if study.color.lower() == SIGNAL_COLOR else SIGNAL_COLOR
    return [
        signal if name == "signal" else study.color
        for name in study.spec.outputs
        if name != "histogram"
    ]
