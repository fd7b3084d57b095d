"""A chart widget as a view of a chart model.

``ChartBinding`` keeps a :class:`CandleChart` showing what a :class:`ChartModel` says: the
series' candles (the chart draws the model's own columns, it holds no copy), whether they are
loading or refused, SIMULATED while the source is simulated (REPLAY for a recording played
back), the model's studies drawn from its indicator set (the model keeps the set bound to the
series shown; the chart syncs it at each redraw) and its price scale. The chart's request for
older history goes back to the model, which decides whether to ask. ``stateChanged`` tells
the views around the chart (a cell's header) which series is shown and whether it is ready,
without observing it twice.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from kucandle_gui.model import ChartModel, MonitorModel, SeriesModel, SeriesState
from kucandle_gui.model.indicators import Study
from kucandle_gui.ui.chart import CandleChart

from .replay_wording import source_watermark
from .wording import series_note


class ChartBinding(QObject):
    """Observes one chart model (and the monitor's source) and drives one chart widget."""

    #: ``(SeriesKey, SeriesState)`` of the series shown: on a switch and on a change of state.
    stateChanged = Signal(object, object)

    def __init__(
        self,
        chart: CandleChart,
        model: ChartModel,
        monitor: MonitorModel,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.chart = chart
        self.model = model
        self._monitor = monitor
        self._series: SeriesModel | None = None
        model.series_switched.connect(self._show)
        model.studies_changed.connect(self._studies_changed)
        model.scale_changed.connect(chart.set_scale_mode)
        monitor.source_changed.connect(self._source_changed)
        chart.olderHistoryWanted.connect(self._older_wanted)
        chart.set_scale_mode(model.scale)
        self._show(model.series)

    def _show(self, series: SeriesModel) -> None:
        if self._series is not None:
            self._series.changed.disconnect(self.chart.data_changed)
            self._series.state_changed.disconnect(self._state_changed)
        self._series = series
        series.changed.connect(self.chart.data_changed)
        series.state_changed.connect(self._state_changed)
        key = series.key
        self.chart.set_series(key.symbol, key.timeframe, key.seconds, store=series.candles)
        monitor = self._monitor
        self.chart.set_watermark(source_watermark(monitor.simulated, monitor.replay))
        self._studies_changed(self.model.studies)
        self._state_changed(series.state)

    def _state_changed(self, state: SeriesState) -> None:
        if self._series is not None:
            self.chart.set_loading(series_note(self._series.key, state))
            self.stateChanged.emit(self._series.key, state)

    def _studies_changed(self, studies: tuple[Study, ...]) -> None:
        self.chart.set_indicators(self.model.indicators, studies)

    def _source_changed(self, _simulated: bool) -> None:
        self._show(self.model.series)  # every series started over: so does the view

    def _older_wanted(self, oldest: int) -> None:
        self.model.series.want_older(oldest)

    def unbind(self) -> None:
        """Stop observing (the chart or the model goes away first)."""
        self.model.series_switched.disconnect(self._show)
        self.model.studies_changed.disconnect(self._studies_changed)
        self.model.scale_changed.disconnect(self.chart.set_scale_mode)
        self._monitor.source_changed.disconnect(self._source_changed)
        self.chart.olderHistoryWanted.disconnect(self._older_wanted)
        if self._series is not None:
            self._series.changed.disconnect(self.chart.data_changed)
            self._series.state_changed.disconnect(self._state_changed)
            self._series = None
