"""The watchlist as a Qt table: one row per pair of a :class:`WatchlistModel`.

Each row's texts, colours and sort keys are made once, when the model says the row changed,
so painting reads ready values (a Python call per cell and role is what PySide6 makes costly;
the delegate paints a cell in one call). The table sorts and filters its rows itself, in plain
Python over those keys: a 300-row update costs one sort of 300 numbers, not a proxy's thousands
of calls back into Python. Values that change emit ``dataChanged`` for the changed cells only
(a run of columns per run of neighbouring rows); rows that move emit ``layoutChanged``; the
model is reset only when the watchlist's order changes (or the filter does).

A changed last price flashes: one timer repaints the flashing cells while any is flashing, and
stops; a second, once a second, asks the model which rows turned stale or fresh. Rows can be
dragged to another place (the view allows it only in the manual order): the drop moves the
pairs in the watchlist model, which reorders every view of it.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence

from PySide6.QtCore import (
    QAbstractTableModel,
    QByteArray,
    QMimeData,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTimer,
)
from PySide6.QtGui import QBrush, QColor

from kucandle_gui.model import FLASH_SECONDS, WatchlistModel, WatchRow

from ..wording import refused_tooltip, stale_tooltip
from .cells import (
    ALIGNMENT,
    HEADER_ALIGNMENT,
    HEADER_TIPS,
    HEADERS,
    Cells,
    Colours,
    Column,
    changed_columns,
    make_cells,
    runs,
    text_colours,
)

MIME_TYPE = "application/x-kucandle-pairs"

#: How often a flashing cell is repainted as it fades.
FLASH_TICK_MS = 80
STALE_CHECK_MS = 1000
#: Opacity of a flash as it starts (it fades to nothing in FLASH_SECONDS).
FLASH_ALPHA = 0.55

_Role = Qt.ItemDataRole
_BACKGROUND_ROLES = [_Role.BackgroundRole]
_ROOT = QModelIndex()
_ROW_FLAGS = (
    Qt.ItemFlag.ItemIsEnabled
    | Qt.ItemFlag.ItemIsSelectable
    | Qt.ItemFlag.ItemIsDragEnabled
    | Qt.ItemFlag.ItemNeverHasChildren
)
_MANUAL = -1


class WatchlistTableModel(QAbstractTableModel):
    """A :class:`WatchlistModel` as a sortable, filterable table; see the module docstring."""

    def __init__(
        self,
        watchlist: WatchlistModel,
        parent: QObject | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(parent)
        self.watchlist = watchlist
        #: The watchlist model's clock: flashes and ages are measured on it.
        self._clock = clock
        self.simulated = False
        self._decimals: dict[str, int] = {}
        self._colours = Colours()
        self._text_colours = text_colours(self._colours)
        self._cells: dict[str, Cells] = {}
        #: The pairs shown, in the order shown (filtered, sorted), and their rows.
        self._shown: list[str] = []
        self._row_of: dict[str, int] = {}
        self._sort_column = _MANUAL
        self._descending = False
        self._needle = ""
        self._flashing: set[str] = set()
        self._flash_timer = QTimer(self, interval=FLASH_TICK_MS)
        self._flash_timer.timeout.connect(self._fade)
        self._stale_timer = QTimer(self, interval=STALE_CHECK_MS)
        self._stale_timer.timeout.connect(self.check_stale)
        watchlist.rows_changed.connect(self._rows_changed)
        watchlist.order_changed.connect(self._order_changed)
        self._order_changed()
        self._stale_timer.start()

    def unbind(self) -> None:
        """Stop observing the watchlist model (the window closes)."""
        self.watchlist.rows_changed.disconnect(self._rows_changed)
        self.watchlist.order_changed.disconnect(self._order_changed)
        self._stale_timer.stop()
        self._flash_timer.stop()

    # -- settings from the window and the view ------------------------------------------------

    def set_price_decimals(self, decimals: dict[str, int]) -> None:
        """Each pair's price precision (from the exchange's increments); all rows again."""
        self._decimals = dict(decimals)
        self._rows_changed(self.watchlist.symbols)

    def set_colours(self, colours: Colours) -> None:
        self._colours = colours
        self._text_colours = text_colours(self._colours)
        self._emit_rows(range(len(self._shown)))

    def set_simulated(self, simulated: bool) -> None:
        """Whether the exchange is the demo one (its refusals are said so)."""
        self.simulated = simulated

    def set_filter(self, needle: str) -> None:
        """Show only the pairs whose name contains ``needle`` (upper case; "" shows all)."""
        if needle != self._needle:
            self._needle = needle
            self.beginResetModel()
            self._set_shown(self._arranged())
            self.endResetModel()

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sort by ``column`` (-1: the manual order); rows without a value come last."""
        self._sort_column = column if 0 <= column < len(Column) else _MANUAL
        self._descending = order == Qt.SortOrder.DescendingOrder
        self._relayout(self._arranged())

    # -- which rows, in which order -------------------------------------------------------------

    def _arranged(self) -> list[str]:
        """The pairs to show: the filter's, in the manual order or sorted (stable)."""
        needle = self._needle
        pairs = [s for s in self.watchlist.symbols if needle in s]
        column = self._sort_column
        if column == _MANUAL:
            return pairs
        cells = self._cells
        known = [s for s in pairs if cells[s].keys[column] is not None]
        known.sort(key=lambda s: cells[s].keys[column], reverse=self._descending)
        if len(known) == len(pairs):
            return known
        return known + [s for s in pairs if cells[s].keys[column] is None]

    def _set_shown(self, shown: list[str]) -> None:
        self._shown = shown
        self._row_of = {symbol: row for row, symbol in enumerate(shown)}

    def _relayout(self, shown: list[str]) -> bool:
        """Show the same pairs in another order (False: the same already); persistent
        indexes (the selection) follow."""
        if shown == self._shown:
            return False
        self.layoutAboutToBeChanged.emit()
        old = self.persistentIndexList()
        before = self._shown
        self._set_shown(shown)
        self.changePersistentIndexList(
            old, [self.index(self._row_of[before[i.row()]], i.column()) for i in old]
        )
        self.layoutChanged.emit()
        return True

    # -- the watchlist model's events -----------------------------------------------------------

    def _order_changed(self) -> None:
        self.beginResetModel()
        now = self._clock()
        old = self._cells
        self._cells = {s: old.get(s) or self._make_cells(s, now) for s in self.watchlist.symbols}
        self._flashing &= self._cells.keys()
        self._set_shown(self._arranged())
        self.endResetModel()

    def _rows_changed(self, symbols: Sequence[str]) -> None:
        """Remake the changed rows; move them if the sort says so, else repaint the cells
        that changed."""
        now = self._clock()
        cells = self._cells
        changed: dict[tuple[int, int], list[str]] = {}
        for symbol in symbols:
            if symbol not in cells:
                continue
            old, cells[symbol] = cells[symbol], self._make_cells(symbol, now)
            for columns in changed_columns(old, cells[symbol]):
                changed.setdefault(columns, []).append(symbol)
            row = self.watchlist.row(symbol)
            if row is not None and row.flashing(now):
                self._flashing.add(symbol)
        moved = self._sort_column not in (_MANUAL, Column.PAIR) and self._relayout(self._arranged())
        if not moved:  # (a new layout repaints every row)
            row_of = self._row_of
            for columns, changed_symbols in changed.items():
                self._emit_rows((row_of[s] for s in changed_symbols if s in row_of), columns)
        if self._flashing and not self._flash_timer.isActive():
            self._flash_timer.start()

    def _emit_rows(
        self,
        rows: Iterable[int],
        columns: tuple[int, int] = (0, len(Column) - 1),
        roles: list[Qt.ItemDataRole] | None = None,
    ) -> None:
        """One ``dataChanged`` per run of neighbouring ``rows`` (the view repaints them)."""
        first, last = columns
        for top, bottom in runs(rows):
            corners = self.index(top, first), self.index(bottom, last)
            if roles is None:
                self.dataChanged.emit(*corners)
            else:
                self.dataChanged.emit(*corners, roles)

    def check_stale(self) -> None:
        """Repaint the sign of rows that turned stale or fresh (the 1 s timer)."""
        changed = self.watchlist.stale_changes(self._clock())
        if changed:
            self._rows_changed(changed)

    def _fade(self) -> None:
        """Repaint the flashing cells (they fade); stop when none is left."""
        now = self._clock()
        rows = []
        for symbol in tuple(self._flashing):
            row = self.watchlist.row(symbol)
            if row is None or not row.flashing(now):
                self._flashing.discard(symbol)
            if symbol in self._row_of:
                rows.append(self._row_of[symbol])
        self._emit_rows(rows, (Column.LAST, Column.LAST), _BACKGROUND_ROLES)
        if not self._flashing:
            self._flash_timer.stop()

    def flashing(self) -> frozenset[str]:
        """The pairs whose last price is flashing now."""
        return frozenset(self._flashing)

    # -- cells ----------------------------------------------------------------------------------

    def _make_cells(self, symbol: str, now: float) -> Cells:
        row = self.watchlist.row(symbol) or WatchRow(symbol)
        stale = self.watchlist.is_stale(symbol, now)
        return make_cells(row, stale, self._decimals.get(symbol))

    def symbol_at(self, row: int) -> str:
        """The pair shown at ``row``."""
        return self._shown[row]

    def row_of(self, symbol: str) -> int:
        """Where ``symbol`` is shown, or -1 (not watched, or filtered out)."""
        return self._row_of.get(symbol, -1)

    def cell(self, row: int, column: int) -> tuple[str, QColor | None, QColor | None]:
        """What the delegate paints: the text, its colour (None: the palette's), and the
        background (a flash), in one call."""
        symbol = self._shown[row]
        cells = self._cells[symbol]
        background = self._flash_colour(symbol) if column == Column.LAST else None
        return cells.texts[column], self._text_colour(cells, column), background

    def _text_colour(self, cells: Cells, column: int) -> QColor | None:
        if column == Column.PAIR:
            return None
        if column == Column.SIGN:  # a refused pair's sign red, a stale one's amber
            return self._text_colours[0 if cells.refused else 3]
        if cells.stale or cells.refused:
            return self._text_colours[1]
        if column == Column.CHANGE and cells.direction:
            return self._text_colours[cells.direction + 1]
        return None

    def _flash_colour(self, symbol: str) -> QColor | None:
        watched = self.watchlist.row(symbol)
        if watched is None:
            return None
        now = self._clock()
        direction = watched.flashing(now)
        if not direction:
            return None
        colour = QColor(self._colours.up if direction > 0 else self._colours.down)
        fade = 1.0 - (now - watched.flashed_at) / FLASH_SECONDS
        colour.setAlphaF(max(0.0, min(1.0, FLASH_ALPHA * fade)))
        return colour

    def _sign_tooltip(self, symbol: str) -> str | None:
        cells = self._cells[symbol]
        if cells.refused:
            return refused_tooltip(self.simulated)
        if not cells.stale:
            return None
        watched = self.watchlist.row(symbol)
        updated = watched.updated_at if watched is not None else None
        age = None if updated is None else self._clock() - updated
        return stale_tooltip(age, self.watchlist.live)

    # -- QAbstractTableModel --------------------------------------------------------------------

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = _ROOT) -> int:
        return 0 if parent.isValid() else len(self._shown)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = _ROOT) -> int:
        return 0 if parent.isValid() else len(Column)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = _Role.DisplayRole):
        """Every role, for the delegate's fallbacks, accessibility and tests (painting goes
        through :meth:`cell`)."""
        row, column = index.row(), index.column()
        if not index.isValid() or row >= len(self._shown):
            return None
        symbol = self._shown[row]
        if role == _Role.DisplayRole:
            return self._cells[symbol].texts[column]
        if role == _Role.ForegroundRole:
            colour = self._text_colour(self._cells[symbol], column)
            return None if colour is None else QBrush(colour)
        if role == _Role.BackgroundRole and column == Column.LAST:
            colour = self._flash_colour(symbol)
            return None if colour is None else QBrush(colour)
        if role == _Role.TextAlignmentRole:
            return ALIGNMENT[column]
        if role == _Role.ToolTipRole and column == Column.SIGN:
            return self._sign_tooltip(symbol)
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = _Role.DisplayRole):
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(Column):
            return None
        if role == _Role.DisplayRole:
            return HEADERS[section]
        if role == _Role.ToolTipRole:
            return HEADER_TIPS[section]
        if role == _Role.TextAlignmentRole:
            return HEADER_ALIGNMENT[section]
        return None

    # -- dragging rows --------------------------------------------------------------------------

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.ItemIsDropEnabled  # between rows only, never onto one
        return _ROW_FLAGS

    def supportedDropActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction

    def mimeTypes(self) -> list[str]:
        return [MIME_TYPE]

    def mimeData(self, indexes: Sequence[QModelIndex]) -> QMimeData:
        rows = sorted({index.row() for index in indexes if index.isValid()})
        data = QMimeData()
        data.setData(MIME_TYPE, QByteArray(",".join(self._shown[r] for r in rows).encode()))
        return data

    def dropMimeData(
        self,
        data: QMimeData,
        action: Qt.DropAction,
        row: int,
        column: int,
        parent: QModelIndex | QPersistentModelIndex,
    ) -> bool:
        """Dragged pairs dropped before the shown ``row`` (-1: after the last shown): moved
        there in the manual order. The rows are moved here; the view has nothing to remove."""
        if action != Qt.DropAction.MoveAction or not data.hasFormat(MIME_TYPE):
            return False
        dragged = bytes(data.data(MIME_TYPE).data()).decode().split(",")
        self.move_before([s for s in dragged if s in self._cells], row)
        return True

    def move_before(self, symbols: Sequence[str], row: int) -> None:
        """Move ``symbols`` together, in the manual order, before the pair shown at ``row``
        (-1 or past the end: after the last pair shown)."""
        moving = set(symbols)
        order = self.watchlist.symbols
        ordered = [s for s in order if s in moving]
        if not ordered:
            return
        if 0 <= row < len(self._shown):
            end = self.watchlist.index(self._shown[row])
        else:
            end = self.watchlist.index(self._shown[-1]) + 1 if self._shown else len(order)
        base = sum(1 for s in order[:end] if s not in moving)
        for offset, symbol in enumerate(ordered):
            self.watchlist.move(symbol, base + offset)
