"""What one chart shows: a series, and the one it showed before (the way back)."""

from __future__ import annotations

from .events import Event
from .keys import SeriesKey
from .series_model import SeriesModel


class ChartModel:
    """One chart's view of the monitor; switched by :meth:`MonitorModel.show`."""

    #: The new ``SeriesModel``: the view starts over (candles, follow-live, zoom).
    series_switched = Event()

    def __init__(self, series: SeriesModel) -> None:
        self.series = series
        #: The series shown before the last switch, offered as the way back after a refusal.
        self.previous: SeriesKey | None = None

    @property
    def key(self) -> SeriesKey:
        return self.series.key

    def _switch(self, series: SeriesModel) -> None:
        self.previous = self.series.key
        self.series = series
        self.series_switched.emit(series)
