"""Several charts at once: the cells of a layout, their arrangement, their linked crosshair.

* :mod:`.cell` — :class:`ChartCell`: a chart bound to one chart model, with a header and a
  frame marking the active cell when several are shown.
* :mod:`.grid` — :class:`ChartGrid`: the cells of a workspace in splitters, following its
  layout, cells and active cell.
* :mod:`.crosshair_link` — :class:`CrosshairLink`: the time under the mouse in one cell shown
  as a vertical line in the others (View → Link crosshairs).
"""

from kucandle_gui.ui.cells.cell import ChartCell
from kucandle_gui.ui.cells.crosshair_link import CrosshairLink
from kucandle_gui.ui.cells.grid import ChartGrid

__all__ = ["ChartCell", "ChartGrid", "CrosshairLink"]
