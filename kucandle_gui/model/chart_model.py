"""What one chart shows: a series, the one it showed before (the way back), its indicators."""

from __future__ import annotations

from collections.abc import Iterable

from .events import Event
from .indicators import IndicatorSet, Study, unique_studies
from .keys import SeriesKey
from .series_model import SeriesModel


class ChartModel:
    """One chart's view of the monitor; switched by :meth:`MonitorModel.show`.

    The studies (indicator, colour, shown or not) belong to the chart, not to the series: they
    stay when the chart switches pair or timeframe, and ``indicators`` is rebound to the new
    series. Hidden studies stay computed, so showing one again costs nothing.
    """

    #: The new ``SeriesModel``: the view starts over (candles, follow-live, zoom).
    series_switched = Event()
    #: The new tuple of ``Study``: lines added, removed, recoloured, shown or hidden.
    studies_changed = Event()

    def __init__(self, series: SeriesModel, studies: Iterable[Study] = ()) -> None:
        self.series = series
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

    def _switch(self, series: SeriesModel) -> None:
        self.previous = self.series.key
        self.series = series
        self.indicators.bind(series.candles)
        self.series_switched.emit(series)
