"""What one chart shows: a series, the one it showed before (the way back), its indicators and
its price scale."""

from __future__ import annotations

from collections.abc import Iterable

from kucandle_gui import DEFAULT_SYMBOL

from .events import Event
from .indicators import IndicatorSet, Study, unique_studies
from .keys import SeriesKey
from .layout import CellSpec
from .price_scale import ScaleMode
from .series_model import SeriesModel


class ChartModel:
    """One chart's view of the monitor; switched by :meth:`MonitorModel.show`.

    The studies (indicator, colour, shown or not) belong to the chart, not to the series: they
    stay when the chart switches pair or timeframe, and ``indicators`` is rebound to the new
    series. Hidden studies stay computed, so showing one again costs nothing. The price scale
    mode belongs to the chart too (one cell on log, its neighbour linear).
    """

    #: The new ``SeriesModel``: the view starts over (candles, follow-live, zoom).
    series_switched = Event()
    #: The new tuple of ``Study``: lines added, removed, recoloured, shown or hidden.
    studies_changed = Event()
    #: The new ``ScaleMode``.
    scale_changed = Event()

    def __init__(
        self,
        series: SeriesModel,
        studies: Iterable[Study] = (),
        scale: ScaleMode = ScaleMode.LINEAR,
    ) -> None:
        self.series = series
        self.scale = ScaleMode(scale)
        #: The series shown before the last switch, offered as the way back after a refusal.
        self.previous: SeriesKey | None = None
        self.studies: tuple[Study, ...] = unique_studies(studies)
        #: The studies' indicators over the shown series; views call ``sync()`` at redraw.
        self.indicators = IndicatorSet(series.candles, (s.spec for s in self.studies))

    @property
    def key(self) -> SeriesKey:
        return self.series.key

    def set_studies(self, studies: Iterable[Study]) -> bool:
        """Show ``studies`` (a spec twice: the first kept); False when nothing changed.

        The indicators follow at once: kept ones keep their values, new ones are computed.
        """
        studies = unique_studies(studies)
        if studies == self.studies:
            return False
        self.studies = studies
        self.indicators.set_specs(s.spec for s in studies)
        self.studies_changed.emit(studies)
        return True

    def set_scale(self, mode: ScaleMode) -> bool:
        """Draw prices on ``mode``'s scale; False when already so."""
        mode = ScaleMode(mode)
        if mode is self.scale:
            return False
        self.scale = mode
        self.scale_changed.emit(mode)
        return True

    def spec(self) -> CellSpec:
        """What a workspace saves or puts aside of this chart (the view's zoom is the chart's
        own). A series the exchange refused is not kept: the one shown before it is (else the
        default pair), so neither the next start nor a layout growing again opens it."""
        key = self.key
        if self.series.refused:
            key = self.previous or SeriesKey(DEFAULT_SYMBOL, key.timeframe)
        return CellSpec(key, self.studies, self.scale)

    def close(self) -> None:
        """The chart goes (:meth:`MonitorModel.remove_chart`): its indicators stop watching
        the series' candles and give their memory back."""
        self.indicators.bind(None)

    def _switch(self, series: SeriesModel) -> None:
        self.previous = self.series.key
        self.series = series
        self.indicators.bind(series.candles)
        self.series_switched.emit(series)
