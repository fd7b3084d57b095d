"""The charts the window shows at once: a layout of cells, one of them active.

Each cell is a :class:`ChartModel` of the monitor (``MonitorModel.add_chart``), so two cells on
the same series share it: one subscription, one history load. The active cell is the one the
pair dialog, the timeframe keys and the menus act on.

When the layout grows, cells the user had before (spare cells: saved, or dropped by an earlier
shrink in this run) come back first, in order, as they were; then each new cell shows the
first watchlist pair not on screen yet (none left: the active cell's pair), with the active
cell's timeframe, studies and scale, so a second chart is one key away from useful. When it
shrinks, the last cells go (remembered as spare cells, their series released); the active cell
stays active when kept, else the last kept cell becomes active. At most :data:`MAX_CELLS`
cells are remembered, shown and spare together.

Events, in the order a change emits them, each once and only when what it names changed:
``cells_changed`` (views of a removed cell unbind while its chart is still whole),
``layout_changed``, ``active_changed`` (views retarget to a kept cell); then the removed cells
leave the monitor (their series released) and ``changed`` ends it. ``changed`` also follows
any cell's switch of series, studies or scale: whatever :meth:`Workspace.spec` saves.
"""

from __future__ import annotations

from .chart_model import ChartModel
from .events import Event
from .layout import CellSpec, LayoutKind, WorkspaceSpec, new_cell
from .monitor import MonitorModel


class Workspace:
    """The cells shown, the spare ones, the active one; see the module docstring."""

    #: ``LayoutKind``: the new layout (after ``cells_changed``).
    layout_changed = Event()
    #: ``tuple[ChartModel, ...]``: the cells shown now, in order (some added or removed).
    cells_changed = Event()
    #: ``ChartModel``: the cell now active.
    active_changed = Event()
    #: Something :meth:`spec` saves changed (the window saves, debounced).
    changed = Event()

    def __init__(self, monitor: MonitorModel, spec: WorkspaceSpec) -> None:
        if not isinstance(spec, WorkspaceSpec):
            raise TypeError(f"spec must be a WorkspaceSpec, got {type(spec).__name__}")
        self._monitor = monitor
        self.layout = spec.layout
        #: The cells shown, in the layout's order.
        self.cells: tuple[ChartModel, ...] = tuple(self._open(cell) for cell in spec.shown)
        self.active_index = spec.active
        #: Cells a larger layout shows first, in order.
        self._spare: list[CellSpec] = list(spec.spare)
        self._closed = False

    @property
    def active(self) -> ChartModel:
        return self.cells[self.active_index]

    def set_layout(self, layout: LayoutKind) -> bool:
        """Show ``layout``, growing or shrinking as the module docstring says; False when it
        is already shown."""
        layout = LayoutKind(layout)
        if layout is self.layout:
            return False
        count = layout.cells
        before, active = self.cells, self.active
        removed = before[count:]
        self._spare[:0] = [chart.spec() for chart in removed]
        cells = list(before[:count])
        while len(cells) < count:
            spec = (
                self._spare.pop(0)
                if self._spare
                else new_cell(
                    [c.spec() for c in cells], self._monitor.watchlist.symbols, self.active.spec()
                )
            )
            cells.append(self._open(spec))
        self.layout = layout
        self.cells = tuple(cells)
        self.active_index = min(self.active_index, count - 1)
        if self.cells != before:
            self.cells_changed.emit(self.cells)
        self.layout_changed.emit(layout)
        if self.active is not active:
            self.active_changed.emit(self.active)
        for chart in removed:
            self._forget(chart)
        self.changed.emit()
        return True

    def set_active(self, index: int) -> bool:
        """Make the ``index``-th cell shown active; False when it is already.
        ``IndexError`` when no such cell is shown."""
        if not 0 <= index < len(self.cells):
            raise IndexError(f"chart {index} is not shown: 0 to {len(self.cells) - 1}")
        if index == self.active_index:
            return False
        self.active_index = index
        self.active_changed.emit(self.active)
        self.changed.emit()
        return True

    def step_active(self, step: int) -> None:
        """Activate the cell ``step`` places on (+1 next, -1 previous), wrapping around."""
        self.set_active((self.active_index + step) % len(self.cells))

    def spec(self) -> WorkspaceSpec:
        """What to save: the layout, the cells shown then the spare ones, the active cell
        (still right after :meth:`close`, for a window saving as it closes)."""
        cells = tuple(chart.spec() for chart in self.cells) + tuple(self._spare)
        return WorkspaceSpec(self.layout, cells, self.active_index)

    def close(self) -> None:
        """The window goes: every cell leaves the monitor (its series released) and is no
        longer observed. Nothing else may be asked of the workspace but :meth:`spec`."""
        if self._closed:
            return
        self._closed = True
        for chart in self.cells:
            self._forget(chart)

    # -- cells -----------------------------------------------------------------------------

    def _open(self, spec: CellSpec) -> ChartModel:
        chart = self._monitor.add_chart(
            spec.key.symbol, spec.key.timeframe, spec.studies, spec.scale
        )
        chart.series_switched.connect(self._cell_changed)
        chart.studies_changed.connect(self._cell_changed)
        chart.scale_changed.connect(self._cell_changed)
        return chart

    def _forget(self, chart: ChartModel) -> None:
        chart.series_switched.disconnect(self._cell_changed)
        chart.studies_changed.disconnect(self._cell_changed)
        chart.scale_changed.disconnect(self._cell_changed)
        self._monitor.remove_chart(chart)

    def _cell_changed(self, *_: object) -> None:
        self.changed.emit()
