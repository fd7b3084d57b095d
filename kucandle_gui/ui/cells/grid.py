"""The chart area: a workspace's cells arranged by its layout, in splitters.

``ChartGrid`` is a view of a :class:`~kucandle_gui.model.workspace.Workspace`: it follows the
cells shown, the layout and the active cell, and turns a click in a cell into
``workspace.set_active``. A cell whose chart model stays keeps its :class:`ChartCell` (zoom,
drawings armed, alert lines) through any change of layout: only the splitters around it are
made again, the cell moved into them. A cell added is made, placed, then announced
(``cellAdded``); a cell removed is announced (``cellRemoved``, its keepers unbind) while it is
still whole, then closed and deleted. The active cell moves before removed cells are
announced, so nothing retargets to a cell about to go. ``follow_cells`` hears both, and the
cells already shown, for whatever keeps something per cell. A keyboard focus in the grid stays on
the active cell's chart through any change (the keys act where the frame is).

The arrangements: one cell alone; two side by side or stacked; three as one large cell on the
left (half the width) and two stacked on the right; four as two rows whose column splitters
move together. Splitter children never collapse to nothing. ``sizes`` and ``restore_sizes``
carry the splitters' sizes through a restart.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QApplication, QSplitter, QVBoxLayout, QWidget

from kucandle_gui.model import ChartModel, LayoutKind, MonitorModel, Workspace
from kucandle_gui.ui.cells.cell import ChartCell
from kucandle_gui.ui.chart import DARK, ChartTheme

#: The size each splitter child starts with: the splitter shares its space in proportion.
_EQUAL = 10_000

_H = Qt.Orientation.Horizontal
_V = Qt.Orientation.Vertical


class ChartGrid(QWidget):
    """The cells of ``workspace`` in splitters; see the module docstring."""

    #: ``ChartCell``: a cell made and placed (the cells made with the grid are in ``cells``).
    cellAdded = Signal(object)
    #: ``ChartCell``: a cell about to be closed and deleted (its model leaves the workspace).
    cellRemoved = Signal(object)
    #: ``ChartCell``: the cell now active.
    activeChanged = Signal(object)

    def __init__(
        self, workspace: Workspace, monitor: MonitorModel, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._workspace = workspace
        self._monitor = monitor
        self._theme = DARK
        self._volume_visible = True
        self._closed = False
        #: While cells move between splitters: focus handed on by a hidden widget is no click.
        self._arranging = False
        #: The cells shown, in the workspace's order.
        self.cells: list[ChartCell] = []
        self._active: ChartCell | None = None
        self._layout_kind: LayoutKind | None = None
        #: The arrangement's top widget (a splitter, or the only cell) and every splitter in
        #: it, outer first (the order of ``sizes``).
        self._root: QWidget | None = None
        self._splitters: list[QSplitter] = []
        #: Each layout's splitter sizes as last left (or saved): a layout shown again comes
        #: back as the user arranged it.
        self._sizes: dict[LayoutKind, list[list[int]]] = {}
        self._box = QVBoxLayout(self)
        self._box.setContentsMargins(0, 0, 0, 0)
        workspace.cells_changed.connect(self._cells_changed)
        workspace.layout_changed.connect(self._layout_changed)
        workspace.active_changed.connect(self._active_changed)
        self._sync()

    # ------------------------------------------------------------------ public API

    @property
    def active(self) -> ChartCell:
        """The active cell (framed in the accent colour when several are shown)."""
        assert self._active is not None
        return self._active

    def follow_cells(
        self, added: Callable[[ChartCell], None], removed: Callable[[ChartCell], None]
    ) -> None:
        """Keep up with every cell: ``added`` for each cell shown now and each one added
        later, ``removed`` for each one about to go (see :meth:`unfollow_cells`)."""
        for cell in self.cells:
            added(cell)
        self.cellAdded.connect(added)
        self.cellRemoved.connect(removed)

    def unfollow_cells(
        self, added: Callable[[ChartCell], None], removed: Callable[[ChartCell], None]
    ) -> None:
        """Stop what :meth:`follow_cells` started: ``removed`` for each cell shown now (the
        follower lets go of them as if they went), and no more calls."""
        self.cellAdded.disconnect(added)
        self.cellRemoved.disconnect(removed)
        for cell in self.cells:
            removed(cell)

    def splitters(self) -> list[QSplitter]:
        """Every splitter of the arrangement, outer first, none for one cell (tests: an
        observation point)."""
        return list(self._splitters)

    def sizes(self) -> list[list[int]]:
        """Every splitter's sizes, outer first: what :meth:`restore_sizes` takes back."""
        return [splitter.sizes() for splitter in self._splitters]

    def sizes_by_layout(self) -> dict[LayoutKind, list[list[int]]]:
        """Every layout's sizes known in this run (the one shown: as it is now), to save."""
        self._keep_sizes()
        return dict(self._sizes)

    def set_saved_sizes(self, saved: dict[LayoutKind, list[list[int]]]) -> None:
        """Sizes saved per layout: the layout shown takes its own now, the others when shown."""
        self._sizes.update(saved)
        if self._layout_kind in saved:
            self.restore_sizes(saved[self._layout_kind])

    def restore_sizes(self, sizes: list[list[int]]) -> None:
        """Give the splitters ``sizes`` (from :meth:`sizes`); ignored unless they fit the
        arrangement shown (as many splitters, as many children each, all positive)."""
        splitters = self._splitters
        if len(sizes) != len(splitters):
            return
        for splitter, each in zip(splitters, sizes, strict=True):
            if len(each) != splitter.count() or not all(
                isinstance(size, int) and size > 0 for size in each
            ):
                return
        for splitter, each in zip(splitters, sizes, strict=True):
            splitter.setSizes(each)

    def set_theme(self, theme: ChartTheme) -> None:
        """Every cell's theme, now and for the cells made later."""
        self._theme = theme
        for cell in self.cells:
            cell.set_theme(theme)

    def set_volume_visible(self, on: bool) -> None:
        """Every cell's volume pane, now and for the cells made later."""
        self._volume_visible = on
        for cell in self.cells:
            cell.chart.set_volume_visible(on)

    def close(self) -> bool:
        """The window goes: stop following the workspace, close every cell."""
        if not self._closed:
            self._closed = True
            workspace = self._workspace
            workspace.cells_changed.disconnect(self._cells_changed)
            workspace.layout_changed.disconnect(self._layout_changed)
            workspace.active_changed.disconnect(self._active_changed)
            for cell in self.cells:
                cell.close()
        return super().close()

    # ------------------------------------------------------------------ following the model

    def _cells_changed(self, _cells: tuple[ChartModel, ...]) -> None:
        self._sync()

    def _layout_changed(self, _layout: LayoutKind) -> None:
        self._sync()

    def _active_changed(self, _model: ChartModel) -> None:
        self._show_active()

    def _sync(self) -> None:
        """Show the workspace's cells in its layout, keeping the cells of kept models."""
        workspace = self._workspace
        layout, models = workspace.layout, workspace.cells
        if layout is self._layout_kind and tuple(c.model for c in self.cells) == models:
            return
        kept = {id(cell.model): cell for cell in self.cells}
        cells: list[ChartCell] = []
        added: list[ChartCell] = []
        for model in models:
            cell = kept.pop(id(model), None)
            if cell is None:
                cell = self._new_cell(model)
                added.append(cell)
            cells.append(cell)
        removed = list(kept.values())
        # Moving cells between splitters hides the old ones, and Qt hands a focus inside them
        # on along the tab chain, out of the grid: the keys meant for the chart would go to
        # the watchlist. The focus comes back to the active cell below.
        focused = self._holds_focus()
        self._keep_sizes()
        self._arranging = True
        try:
            self._arrange(layout, cells)
        finally:
            self._arranging = False
        self._layout_kind = layout
        if layout in self._sizes:
            self.restore_sizes(self._sizes[layout])
        self.cells = cells
        for cell in cells:
            cell.set_framed(len(cells) > 1)
        for cell in added:
            self.cellAdded.emit(cell)
        self._show_active(focused)
        for cell in removed:
            self.cellRemoved.emit(cell)
            cell.close()
            cell.deleteLater()

    def _keep_sizes(self) -> None:
        """Note the sizes of the layout shown (not before its splitters were laid out)."""
        sizes = self.sizes()
        if self._layout_kind is not None and all(all(each) for each in sizes):
            self._sizes[self._layout_kind] = sizes

    def _new_cell(self, model: ChartModel) -> ChartCell:
        cell = ChartCell(model, self._monitor, self, theme=self._theme)
        cell.chart.set_volume_visible(self._volume_visible)
        cell.activated.connect(partial(self._cell_activated, cell))
        return cell

    def _cell_activated(self, cell: ChartCell) -> None:
        if self._arranging:
            return
        for index, each in enumerate(self.cells):
            if each is cell:
                self._workspace.set_active(index)
                return

    def _cell_of(self, model: ChartModel) -> ChartCell | None:
        """The cell showing ``model`` (None: not shown)."""
        return next((cell for cell in self.cells if cell.model is model), None)

    def _holds_focus(self) -> bool:
        focus = QApplication.focusWidget()
        return focus is not None and self.isAncestorOf(focus)

    def _show_active(self, focused: bool = False) -> None:
        """Frame the workspace's active cell; a focus in the grid (or in it before the
        cells moved: ``focused``) moves into it, so the keys follow the frame."""
        cell = self._cell_of(self._workspace.active)
        if cell is None:
            return
        for each in self.cells:
            each.set_active(each is cell)
        focus = QApplication.focusWidget()
        inside = focus is not None and cell.isAncestorOf(focus)
        if not inside and (focused or self._holds_focus()):
            cell.chart.graphics_view.setFocus(Qt.FocusReason.OtherFocusReason)
        if cell is not self._active:
            self._active = cell
            self.activeChanged.emit(cell)

    # ------------------------------------------------------------------ arrangement

    def _arrange(self, layout: LayoutKind, cells: list[ChartCell]) -> None:
        """Put ``cells`` in new splitters for ``layout``; the old ones (holding only removed
        cells by then) go."""
        old = self._root
        if old is not None:
            self._box.removeWidget(old)
        self._splitters = []
        root = self._build(layout, cells)
        self._box.addWidget(root)
        self._root = root
        for cell in cells:
            cell.show()
        root.show()
        if isinstance(old, QSplitter):
            old.hide()
            old.deleteLater()

    def _build(self, layout: LayoutKind, cells: list[ChartCell]) -> QWidget:
        """The arrangement of ``cells`` for ``layout`` (its splitters listed, outer first)."""
        if layout is LayoutKind.SINGLE:
            return cells[0]
        if layout is LayoutKind.SIDE_BY_SIDE:
            return self._split(_H, cells)
        if layout is LayoutKind.STACKED:
            return self._split(_V, cells)
        if layout is LayoutKind.THREE:
            root = self._split(_H, cells[:1])
            self._add(root, self._split(_V, cells[1:]))
            return root
        root = self._split(_V, [])
        top, bottom = self._split(_H, cells[:2]), self._split(_H, cells[2:])
        self._add(root, top)
        self._add(root, bottom)
        top.splitterMoved.connect(partial(_follow, bottom, top))
        bottom.splitterMoved.connect(partial(_follow, top, bottom))
        return root

    def _split(self, orientation: Qt.Orientation, widgets: list[QWidget]) -> QSplitter:
        """A splitter of ``widgets`` sharing its space equally, listed in ``_splitters``."""
        splitter = QSplitter(orientation)
        splitter.setChildrenCollapsible(False)
        self._splitters.append(splitter)
        for widget in widgets:
            self._add(splitter, widget)
        return splitter

    @staticmethod
    def _add(splitter: QSplitter, widget: QWidget) -> None:
        """Add ``widget`` to ``splitter``, all its children sharing the space equally."""
        splitter.addWidget(widget)
        count = splitter.count()
        splitter.setStretchFactor(count - 1, 1)
        splitter.setSizes([_EQUAL] * count)


def _follow(follower: QSplitter, leader: QSplitter, *_moved: object) -> None:
    """The 2x2 rows' column splitters move together: one moved, the other follows."""
    follower.setSizes(leader.sizes())
