"""The drawings' part of the window: the Draw menu, which book the charts' layers draw, saving.

The lines live in a :class:`DrawingBook`, per pair (anchored at prices, they mean nothing on
another pair), and each chart's drawing layer shows its chart's pair's lines from it: two
cells on the same pair show the same lines, each on its own timeframe, and a line drawn or
moved in one appears in the other at once. The Draw menu's tools arm the ACTIVE cell's layer;
a tool armed when another cell becomes active moves to it, and "Delete all drawings on this
pair" is the active cell's pair. The real
exchange's book is read from the settings at start (:class:`DrawingStore`: a saved value that
cannot be read is kept aside, logged and kept in ``load_problems``, which the window says in
one status line with the other stores') and written ``SAVE_DELAY_MS``
after a change (a drag is written once) and when the window closes.

In demo mode the layer draws a separate book that is never saved, like the demo alerts: the
local exchange's pairs have the real ones' names, but not their prices, and a line drawn at a
simulated price has no place on the real chart. The real book, set aside meanwhile, comes back
unchanged when the real exchange does. The demo book lasts for the run.

The Draw menu's tool entries follow the active layer's tool both ways: choosing an entry arms
the tool (again: disarms it), and the layer's own changes (a line placed, Escape) uncheck it.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction

from kucandle_gui.model import MonitorModel
from kucandle_gui.model.drawings import DrawingBook, DrawingChange
from kucandle_gui.ui.chart.drawings import DrawingLayer, Tool

from .actions import WindowActions
from .cells import ChartCell, ChartGrid
from .drawings_store import DrawingStore
from .settings import AppSettings
from .settings_json import save_timer
from .status_bar import FeedStatusBar

log = logging.getLogger(__name__)


class DrawingsKeeper(QObject):
    """Gives every chart's drawing layer the book (the chart gives it the pair shown), runs the
    Draw menu on the active one, saves; see the module docstring."""

    def __init__(
        self,
        parent: QObject,
        grid: ChartGrid,
        monitor: MonitorModel,
        settings: AppSettings,
        actions: WindowActions,
        status_bar: FeedStatusBar,
    ) -> None:
        super().__init__(parent)
        self._grid = grid
        #: The active cell's layer, whose tool the Draw menu shows.
        self._layer: DrawingLayer = grid.active.chart.drawings
        self._status_bar = status_bar
        self._store = DrawingStore(settings.store)
        #: The real exchange's drawings, saved; the demo's, never saved.
        self.real_book = DrawingBook()
        self.demo_book = DrawingBook()
        problems = self._store.load_into(self.real_book)
        for problem in problems:
            log.warning("saved drawings: %s", problem)
        #: What could not be read of the saved drawings, the last sentence saying where the
        #: saved text was kept (the window says it; see ``wording.saved_settings_text``).
        self.load_problems: list[str] = problems
        self._save_timer = save_timer(self, self.save)
        self.real_book.changed.connect(self._real_changed)

        self._tools: dict[Tool, QAction] = {
            Tool.HLINE: actions.hline_tool,
            Tool.TREND: actions.trend_tool,
        }
        for tool, action in self._tools.items():
            action.triggered.connect(lambda on, t=tool: self._layer.set_tool(t if on else None))
        actions.delete_drawings.triggered.connect(self.delete_all)
        self._book = self.demo_book if monitor.simulated else self.real_book
        grid.follow_cells(self._cell_added, self._cell_removed)
        self._layer.toolChanged.connect(self._tool_changed)
        grid.activeChanged.connect(self._active_changed)

    @property
    def book(self) -> DrawingBook:
        """The book the charts draw now (the demo's in demo mode)."""
        return self._book

    def source_changed(self, simulated: bool) -> None:
        """The demo's book in demo mode, the real one otherwise."""
        self._book = self.demo_book if simulated else self.real_book
        for cell in self._grid.cells:
            cell.chart.drawings.set_book(self._book)  # the pair is the chart's (``set_series``)

    # -- the cells -----------------------------------------------------------------------------

    def _cell_added(self, cell: ChartCell) -> None:
        layer = cell.chart.drawings
        layer.set_book(self._book)
        layer.failed.connect(self._status_bar.show_error)

    def _cell_removed(self, cell: ChartCell) -> None:
        """The cell goes: its layer stops drawing the book. It is not the active one (the
        grid makes another cell active first, and the armed tool moves there)."""
        layer = cell.chart.drawings
        layer.failed.disconnect(self._status_bar.show_error)
        layer.set_book(None)

    def _active_changed(self, cell: ChartCell) -> None:
        """The Draw menu now arms the active cell's layer; a tool armed moves with it."""
        layer, old = cell.chart.drawings, self._layer
        if layer is old:
            return
        old.toolChanged.disconnect(self._tool_changed)
        tool = old.tool()
        old.set_tool(None)
        self._layer = layer
        layer.toolChanged.connect(self._tool_changed)
        layer.set_tool(tool)
        self._tool_changed(layer.tool())

    def _tool_changed(self, tool: Tool | None) -> None:
        for each, action in self._tools.items():
            action.setChecked(each is tool)

    def delete_all(self) -> int:
        """Draw → Delete all drawings on this pair (the active cell's); returns how many
        there were."""
        symbol = self._grid.active.model.key.symbol
        count = self._book.clear(symbol)
        if count:
            self._status_bar.show_note(
                f"{count} drawing{'s' if count > 1 else ''} on {symbol} deleted"
            )
        else:
            self._status_bar.show_note(f"No drawings on {symbol}")
        return count

    def _real_changed(self, _change: DrawingChange) -> None:
        self._save_timer.start()

    def save(self) -> None:
        """Write the real exchange's drawings now."""
        self._save_timer.stop()
        self._store.save(self.real_book)

    def close(self) -> None:
        """The window closes: save, stop observing."""
        self.save()
        self.real_book.changed.disconnect(self._real_changed)
        self._grid.unfollow_cells(self._cell_added, self._cell_removed)
        self._grid.activeChanged.disconnect(self._active_changed)
        self._layer.toolChanged.disconnect(self._tool_changed)
