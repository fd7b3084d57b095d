"""The watchlist dock: a filter-or-add box over a table of the watched pairs.

Keyboard first, like the pair dialog. Typing filters the rows; Enter opens the pair typed if
it is listed, else the first row the filter shows, and adds the name only when no row matches
(a bad name, a pair the exchange does not list, or a full list is said under the box, never in
a dialog); Down moves into the table.
In the table, Enter or a double click opens the pair in the active chart (its timeframe stays),
Delete removes the selected pairs; the context menu has the same and more. A header click sorts
by that column, the third click gives back the manual order, in which rows can be dragged.
Sorting and filtering are the table's: the watchlist model keeps the user's order.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable

from PySide6.QtCore import (
    QByteArray,
    QEvent,
    QModelIndex,
    QObject,
    QPoint,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QAction, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDockWidget,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from kucandle_gui.model import WatchlistModel
from kucandle_gui.protocol import InvalidSymbolError

from ..chart.theme import ChartTheme
from ..pair_dialog import ENTER_KEYS, normalise_pair
from ..wording import WATCHLIST_SIMULATED, watch_added_text, watch_removed_text
from .cells import Colours, Column
from .delegate import WatchlistDelegate
from .table_model import WatchlistTableModel

#: How long a message stays under the filter box (typing clears it sooner).
MESSAGE_SHOWN_MS = 15_000
#: Sample texts giving each column its first width (the user may resize them).
_WIDTH_SAMPLES = ("⚠", "DOGE-USDT", "00000.00", "+00.00 %", "00000.00", "00000.00", "000.0M")
_DELETE_KEYS = frozenset({Qt.Key.Key_Delete, Qt.Key.Key_Backspace})


def _not_listed_text(symbol: str, simulated: bool) -> str:
    exchange = "The demo exchange" if simulated else "KuCoin"
    return f"{exchange} does not list {symbol}: not added"


class WatchlistPanel(QDockWidget):
    """The watchlist dock; emits ``pairOpened`` with a pair to show in the active chart, and
    ``alertRequested`` with a pair to set an alert on (the context menu)."""

    pairOpened = Signal(str)
    alertRequested = Signal(str)

    def __init__(
        self,
        watchlist: WatchlistModel,
        parent: QWidget | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__("Watchlist", parent)
        self.setObjectName("watchlist")  # saveState/restoreState find the dock by it
        self.setAllowedAreas(
            Qt.DockWidgetArea.LeftDockWidgetArea | Qt.DockWidgetArea.RightDockWidgetArea
        )
        self.watchlist = watchlist
        self.table_model = WatchlistTableModel(watchlist, self, clock=clock)
        #: The exchange's pairs once it listed them (None: not known yet).
        self._listed: frozenset[str] | None = None

        content = QWidget(self)
        layout = QVBoxLayout(content)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.setSpacing(4)
        self.demo_label = QLabel(WATCHLIST_SIMULATED, content)
        self.demo_label.setWordWrap(True)
        self.demo_label.setStyleSheet("color: #ffffff; background: #b5179e; padding: 2px 6px;")
        self.demo_label.hide()
        self.filter_edit = QLineEdit(content)
        self.filter_edit.setPlaceholderText("Filter, or type a pair and Enter to add")
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.installEventFilter(self)
        self.message_label = QLabel(content)
        self.message_label.setWordWrap(True)
        self.message_label.hide()
        self.table = self._make_table(content)
        for widget in (self.demo_label, self.filter_edit, self.message_label):
            layout.addWidget(widget)
        layout.addWidget(self.table, 1)
        self.setWidget(content)

        self._message_timer = QTimer(self, singleShot=True, interval=MESSAGE_SHOWN_MS)
        self._message_timer.timeout.connect(self.clear_message)
        self._make_actions()
        #: The pairs selected (and the current one) while the model resets.
        self._kept_selection: tuple[list[str], str | None] = ([], None)
        self.table_model.modelAboutToBeReset.connect(self._keep_selection)
        self.table_model.modelReset.connect(self._restore_selection)
        self.filter_edit.textChanged.connect(self._filter)
        self.filter_edit.returnPressed.connect(self._submit)

    def _make_table(self, parent: QWidget) -> QTableView:
        table = QTableView(parent)
        table.setModel(self.table_model)
        table.setItemDelegate(WatchlistDelegate(self.table_model, table))
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setShowGrid(False)
        table.setWordWrap(False)
        table.setAlternatingRowColors(True)
        table.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        metrics = table.fontMetrics()
        rows = table.verticalHeader()
        rows.hide()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)  # uniform, never measured
        rows.setDefaultSectionSize(metrics.height() + 6)
        header = table.horizontalHeader()
        header.setHighlightSections(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for column, sample in enumerate(_WIDTH_SAMPLES):
            header.resizeSection(column, metrics.horizontalAdvance(sample) + 12)
        header.setSortIndicatorClearable(True)
        header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)  # the manual order
        table.setSortingEnabled(True)
        header.sortIndicatorChanged.connect(lambda *_: self._sort_changed())
        table.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        table.setDefaultDropAction(Qt.DropAction.MoveAction)
        table.setDragDropOverwriteMode(False)
        table.setDropIndicatorShown(True)
        table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        table.customContextMenuRequested.connect(self._context_menu)
        table.doubleClicked.connect(lambda index: self.open_row(index.row()))
        table.installEventFilter(self)
        return table

    def _make_actions(self) -> None:
        self.open_action = QAction("&Open in the active chart\tEnter", self)
        self.open_action.triggered.connect(lambda: self.open_row(self.table.currentIndex().row()))
        self.remove_action = QAction("&Remove\tDel", self)
        self.remove_action.triggered.connect(self.remove_selected)
        self.top_action = QAction("Move to &top", self)
        self.top_action.triggered.connect(self.move_selected_to_top)
        self.alert_action = QAction("New &alert…", self)
        self.alert_action.triggered.connect(self._request_alert)
        self.manual_action = QAction("&Manual order", self)
        self.manual_action.setCheckable(True)
        self.manual_action.setChecked(True)
        self.manual_action.setStatusTip("Rows in the saved order (drag them to reorder)")
        self.manual_action.triggered.connect(self.manual_order)
        self.menu = QMenu(self)
        self.menu.addActions([self.open_action, self.alert_action])
        self.menu.addActions([self.remove_action, self.top_action])
        self.menu.addSeparator()
        self.menu.addAction(self.manual_action)

    def preferred_width(self) -> int:
        """A width that shows every column."""
        header = self.table.horizontalHeader()
        columns = sum(header.sectionSize(c) for c in range(header.count()))
        return columns + self.table.verticalScrollBar().sizeHint().width() + 16

    # -- what the window tells the panel ----------------------------------------------------

    def set_simulated(self, simulated: bool) -> None:
        """Demo mode: the rows are the demo exchange's pairs, marked SIMULATED."""
        self.demo_label.setVisible(simulated)
        self.table_model.set_simulated(simulated)

    def set_listed(self, pairs: Iterable[str] | None) -> None:
        """The pairs the exchange lists (None: not known yet, or another exchange): a name it
        does not list is not added (it would only be refused)."""
        self._listed = None if pairs is None else frozenset(pairs)

    def set_theme(self, theme: ChartTheme) -> None:
        """Rising and falling in the chart's colours."""
        self.table_model.set_colours(Colours(up=theme.up, down=theme.down, dim=theme.crosshair))

    def header_state(self) -> QByteArray:
        """Column widths and the sort, for the settings."""
        return self.table.horizontalHeader().saveState()

    def restore_header_state(self, state: QByteArray | None) -> None:
        header = self.table.horizontalHeader()
        if state is not None and header.restoreState(state):
            self.table.sortByColumn(header.sortIndicatorSection(), header.sortIndicatorOrder())
            self._sort_changed()

    # -- rows -----------------------------------------------------------------------------------

    def symbols_shown(self) -> list[str]:
        """The pairs in the order shown (sorted and filtered)."""
        model = self.table_model
        return [model.symbol_at(row) for row in range(model.rowCount())]

    def selected_symbols(self) -> list[str]:
        """The selected pairs, in the order shown."""
        rows = sorted({index.row() for index in self.table.selectionModel().selectedRows()})
        return [self.table_model.symbol_at(row) for row in rows]

    def select(self, symbols: list[str], current: str | None = None) -> None:
        """Select the rows of ``symbols`` (those shown), ``current`` (default: the first) the
        current one, scrolled to."""
        selection = self.table.selectionModel()
        selection.clearSelection()
        flags = selection.SelectionFlag.Select | selection.SelectionFlag.Rows
        for symbol in symbols:
            index = self._index(symbol)
            if index.isValid():
                selection.select(index, flags)
        target = self._index(current if current is not None else next(iter(symbols), ""))
        if target.isValid():
            selection.setCurrentIndex(target, selection.SelectionFlag.NoUpdate)
            self.table.scrollTo(target)

    def _index(self, symbol: str) -> QModelIndex:
        """The Pair cell of ``symbol`` (invalid when it is not shown)."""
        row = self.table_model.row_of(symbol)
        return self.table_model.index(row, Column.PAIR) if row >= 0 else QModelIndex()

    def open_row(self, row: int) -> None:
        """Show the pair of the shown ``row`` in the active chart."""
        if 0 <= row < self.table_model.rowCount():
            self.pairOpened.emit(self.table_model.symbol_at(row))

    def add(self, symbol: str) -> tuple[bool, str]:
        """Add ``symbol`` (a typed name) to the watchlist and select it: whether it was
        added, and what to tell the user (why not: a bad name, a pair the exchange does not
        list, a full list). Said here too."""
        try:
            name = normalise_pair(symbol)
            present = name in self.watchlist
            if not present and self._listed is not None and name not in self._listed:
                raise ValueError(_not_listed_text(name, self.table_model.simulated))
            self.watchlist.add(name)
        except ValueError as exc:  # InvalidSymbolError, not listed, WatchlistFull
            self.show_message(str(exc), error=True)
            return False, str(exc)
        text = f"{name} is in the watchlist already" if present else watch_added_text(name)
        self.show_message(text)
        self.select([name])
        return not present, text

    def toggle(self, symbol: str) -> tuple[bool, str]:
        """Remove ``symbol`` if watched, else add it: whether that was done, and the news."""
        if self.watchlist.remove(symbol):
            return True, watch_removed_text(symbol)
        return self.add(symbol)

    def remove_selected(self) -> None:
        """Remove the selected pairs; the row after them becomes the current one."""
        symbols = self.selected_symbols()
        if not symbols:
            return
        first = min(self.table_model.row_of(s) for s in symbols)
        for symbol in symbols:
            self.watchlist.remove(symbol)
        shown = self.symbols_shown()
        if shown:
            self.select([shown[min(first, len(shown) - 1)]])

    def move_selected_to_top(self) -> None:
        """Put the selected pairs first in the manual order (the saved one)."""
        symbols = self.selected_symbols()
        self.table_model.move_before([s for s in self.watchlist.symbols if s in symbols], 0)

    def manual_order(self) -> None:
        """Show the rows in the saved order (no column sorts them)."""
        self.table.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)

    def _sort_changed(self) -> None:
        """Rows can be dragged only in the manual order (a sorted one has nothing to keep)."""
        manual = self.table.horizontalHeader().sortIndicatorSection() < 0
        self.table.setDragEnabled(manual)
        self.manual_action.setChecked(manual)

    def _keep_selection(self) -> None:
        current = self.table.currentIndex()
        self._kept_selection = (
            self.selected_symbols(),
            self.table_model.symbol_at(current.row()) if current.isValid() else None,
        )

    def _restore_selection(self) -> None:
        symbols, current = self._kept_selection
        self._kept_selection = ([], None)
        if symbols:
            self.select(symbols, current if current in symbols else None)

    def _context_menu(self, position: QPoint) -> None:
        selected = bool(self.selected_symbols())
        current = self.table.currentIndex()
        self.open_action.setEnabled(current.isValid())
        self.alert_action.setEnabled(current.isValid())
        pair = self.table_model.symbol_at(current.row()) if current.isValid() else ""
        self.alert_action.setText(f"New &alert for {pair}…" if pair else "New &alert…")
        self.remove_action.setEnabled(selected)
        self.top_action.setEnabled(selected)
        self.menu.popup(self.table.viewport().mapToGlobal(position))

    def _request_alert(self) -> None:
        row = self.table.currentIndex().row()
        if 0 <= row < self.table_model.rowCount():
            self.alertRequested.emit(self.table_model.symbol_at(row))

    # -- the filter-or-add box ----------------------------------------------------------------

    def _filter(self, text: str) -> None:
        self.clear_message()
        self.table_model.set_filter(text.strip().upper().replace("/", "-").replace("_", "-"))

    def _submit(self) -> None:
        """Enter in the box: open the pair typed if it is listed, else the first row the
        filter shows; only a name that matches no row is added."""
        text = self.filter_edit.text().strip()
        if not text:
            return
        error = ""
        try:
            name = normalise_pair(text)
        except InvalidSymbolError as exc:
            name, error = "", str(exc)
        if name not in self.watchlist and self.table_model.rowCount():
            name = self.table_model.symbol_at(0)  # a partial name: the first row it shows
        if name in self.watchlist:
            self.select([name])
            self.pairOpened.emit(name)
            return
        if not name:
            self.show_message(error, error=True)
            return
        added, text = self.add(name)
        if added:
            self.filter_edit.clear()
            self.show_message(text)  # the clearing took it away
            self.select([name])

    def show_message(self, text: str, *, error: bool = False) -> None:
        """A sentence under the box (a pair added, why not) for a while."""
        self.message_label.setStyleSheet("color: #e01b24;" if error else "")
        self.message_label.setText(text)
        self.message_label.show()
        self._message_timer.start()

    def clear_message(self) -> None:
        self.message_label.clear()
        self.message_label.hide()

    # -- keyboard -----------------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Down in the box moves into the table; Enter and Delete in the table open and
        remove; Esc in the box clears it."""
        if event.type() != QEvent.Type.KeyPress or not isinstance(event, QKeyEvent):
            return super().eventFilter(watched, event)
        key = event.key()
        if watched is self.filter_edit:
            if key == Qt.Key.Key_Down and self.table_model.rowCount():
                self.table.setFocus()
                if not self.table.currentIndex().isValid():
                    self.table.selectRow(0)
                return True
            if key == Qt.Key.Key_Escape and self.filter_edit.text():
                self.filter_edit.clear()
                return True
        elif watched is self.table:
            if key in ENTER_KEYS:
                self.open_row(self.table.currentIndex().row())
                return True
            if key in _DELETE_KEYS:
                self.remove_selected()
                return True
        return super().eventFilter(watched, event)

    def unbind(self) -> None:
        """Stop observing the watchlist model (the window closes)."""
        self.table_model.unbind()
