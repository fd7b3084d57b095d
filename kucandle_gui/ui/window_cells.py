"""What the window hears of every chart the grid shows, as the Qt signals of one object.

Cells come and go with the layout; this keeps the connections in step with them (made when a
cell is added, undone when it is removed), so the window's parts connect once and learn
which cell spoke: what speaks of the active chart (``ActiveChartView``) heeds the active
cell's, the news any cell's.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Signal

from kucandle_gui.model import ChartModel

from .cells import ChartCell, ChartGrid


class CellEvents(QObject):
    """Re-emits the cells' own events with the cell (or its model) they came from."""

    #: ``ChartModel``: a shown cell switched pair or timeframe.
    seriesSwitched = Signal(object)
    #: ``(ChartCell, bool)``: a shown cell's chart started or stopped following live.
    followChanged = Signal(object, bool)

    def __init__(self, grid: ChartGrid, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._grid = grid
        #: Per cell shown, the callback its model's ``series_switched`` calls.
        self._switched: dict[ChartCell, Callable[[object], None]] = {}
        grid.follow_cells(self._added, self._removed)

    def _added(self, cell: ChartCell) -> None:
        model = cell.model

        def switched(_series: object, model: ChartModel = model) -> None:
            self.seriesSwitched.emit(model)

        model.series_switched.connect(switched)
        self._switched[cell] = switched
        # A Qt connection: it goes with the chart.
        cell.chart.followChanged.connect(lambda on, c=cell: self.followChanged.emit(c, on))

    def _removed(self, cell: ChartCell) -> None:
        switched = self._switched.pop(cell, None)
        if switched is not None:
            cell.model.series_switched.disconnect(switched)

    def close(self) -> None:
        """The window closes: nothing left on the models."""
        self._grid.unfollow_cells(self._added, self._removed)
