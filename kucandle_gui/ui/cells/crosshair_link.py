"""Linked crosshairs (View → Link crosshairs): the time under the mouse in one cell, shown as
a vertical line in every other cell.

Each chart says when its crosshair moves to another candle and when it goes
(``CandleChart.crosshairMoved``: the candle's start); the cell it moved in is the source, and
every other cell draws a line (``show_linked_time``) on its own candle containing that
instant, whether or not its candles reach that time. A trader reading a 1min candle at 14:37
on a 1hour chart looks for the 14:00 candle: a line at 14:37 itself would fall between the
14:00 and 15:00 candles (drawn centred on their starts), nearer the wrong one. A coarser source
gives its candle's start: a 1hour crosshair at 14:00 marks the 14:00 minute. The source's own
linked line is hidden (its crosshair is there).
The lines go when the mouse leaves the source's panes, or when the link is turned off. Cells
added later are linked too.
"""

from __future__ import annotations

import math
from functools import partial

from PySide6.QtCore import QObject

from kucandle_gui.protocol import candle_start
from kucandle_gui.ui.cells.cell import ChartCell
from kucandle_gui.ui.cells.grid import ChartGrid


class CrosshairLink(QObject):
    """Shows the source cell's crosshair time in the grid's other cells while enabled."""

    def __init__(self, grid: ChartGrid, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._grid = grid
        self._enabled = False
        #: The cell whose crosshair the others show (None: no line shown).
        self._source: ChartCell | None = None
        grid.follow_cells(self._watch, self._cell_removed)

    def is_enabled(self) -> bool:
        """Whether the crosshairs are linked (tests: an observation point)."""
        return self._enabled

    def set_enabled(self, on: bool) -> None:
        """Link the crosshairs from the next move on, or stop (the lines go at once)."""
        self._enabled = on
        if not on:
            self._hide()

    def _watch(self, cell: ChartCell) -> None:
        cell.chart.crosshairMoved.connect(partial(self._moved, cell))

    def _cell_removed(self, cell: ChartCell) -> None:
        if cell is self._source:
            self._hide()

    def _moved(self, cell: ChartCell, time: float) -> None:
        if not self._enabled or all(cell is not each for each in self._grid.cells):
            return
        if math.isnan(time):
            if cell is self._source:
                self._hide()
            return
        self._source = cell
        for each in self._grid.cells:
            shown = None if each is cell else float(candle_start(each.model.key.timeframe, time))
            each.chart.show_linked_time(shown)

    def _hide(self) -> None:
        self._source = None
        for cell in self._grid.cells:
            cell.chart.show_linked_time(None)
