"""The alerts dock: the form, every alert of the book in a table, and the log of firings.

The table lists all alerts, active, triggered and expired, of every pair; a header click sorts
it. Double click or Edit loads the alert into the form (Save updates it); Delete (the button,
the key, the menu) removes the selected ones at once, with the status bar saying so rather than
a dialog asking; Re-arm makes a triggered or expired alert active again; Open chart shows the
pair. The log lists the book's firings newest first, and the spans the book could not check
(no candles to be had for them) when they are found. The panel only observes the book and sends
it the user's intents: the book's events repaint one row, or all of them after a big change.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Collection

from PySide6.QtCore import QEvent, QModelIndex, QObject, QPoint, QSortFilterProxyModel, Qt, Signal
from PySide6.QtGui import QAction, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDockWidget,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from kucandle_gui.model import AlertBook, AlertError, AlertState, Condition, Firing

from .form import AlertForm
from .log_view import AlertLog
from .table_model import SORT_ROLE, AlertsTableModel, Column
from .texts import (
    SIMULATED_MARK,
    SIMULATED_TOOLTIP,
    alert_rearmed_text,
    alert_text,
    alerts_deleted_text,
)

_DELETE_KEYS = frozenset({Qt.Key.Key_Delete, Qt.Key.Key_Backspace})
_DONE = (AlertState.TRIGGERED, AlertState.EXPIRED)


class AlertsPanel(QDockWidget):
    """The alerts dock over ``book``; ``decimals``, ``known_pairs`` and ``last_price`` are
    the window's knowledge of the pairs (None: not known yet). Emits ``pairOpened`` with a pair
    to show in the chart and ``message`` with what was done, for the status bar."""

    pairOpened = Signal(str)
    message = Signal(str)

    def __init__(
        self,
        book: AlertBook,
        decimals: Callable[[str], int | None],
        known_pairs: Callable[[], Collection[str] | None],
        last_price: Callable[[str], float | None],
        parent: QWidget | None = None,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        super().__init__("Alerts", parent)
        self.setObjectName("alertsDock")  # saveState/restoreState find the dock by it
        self.book = book
        self._decimals = decimals
        self._clock = clock
        self.table_model = AlertsTableModel(book, decimals, self, clock=clock)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.table_model)
        self.proxy.setSortRole(SORT_ROLE)

        content = QWidget(self)
        layout = QVBoxLayout(content)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.setSpacing(4)
        self.demo_label = QLabel(SIMULATED_MARK, content)
        self.demo_label.setToolTip(SIMULATED_TOOLTIP)
        self.demo_label.setWordWrap(True)
        self.demo_label.setStyleSheet("color: #ffffff; background: #b5179e; padding: 2px 6px;")
        self.demo_label.hide()
        self.form = AlertForm(book, decimals, known_pairs, last_price, content, clock=clock)
        layout.addWidget(self.demo_label)
        layout.addWidget(self.form)
        splitter = QSplitter(Qt.Orientation.Vertical, content)
        splitter.addWidget(self._build_alerts(splitter))
        self.log = AlertLog(book, decimals, splitter, clock=clock)
        self.clear_log_button = self.log.clear_button
        splitter.addWidget(self.log)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)
        layout.addWidget(splitter, 1)
        self.setWidget(content)

        # The form is shown only while an alert is made or edited: the list is the panel.
        self.form.hide()
        self.form.message.connect(self.message)
        self.form.saved.connect(self.select)
        self.form.saved.connect(lambda _id: self.form.hide())
        self.form.closed.connect(self.form.hide)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._update_actions())
        self.proxy.modelReset.connect(self._update_actions)
        self.log.alertChosen.connect(self.select)
        book.changed.connect(self._changed)
        book.fired.connect(self._fired)
        self._update_actions()

    def _build_alerts(self, parent: QWidget) -> QWidget:
        box = QWidget(parent)
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        self.new_action = QAction("&New alert", self)
        self.new_action.triggered.connect(lambda: self.new_alert())
        self.edit_action = QAction("&Edit", self)
        self.edit_action.triggered.connect(self._edit_current)
        self.delete_action = QAction("&Delete\tDel", self)
        self.delete_action.triggered.connect(self.delete_selected)
        self.rearm_action = QAction("&Re-arm", self)
        self.rearm_action.setStatusTip("Make a triggered or expired alert active again")
        self.rearm_action.triggered.connect(self.rearm_selected)
        self.open_action = QAction("&Open chart", self)
        self.open_action.triggered.connect(self._open_current)
        actions = (
            self.new_action,
            self.edit_action,
            self.delete_action,
            self.rearm_action,
            self.open_action,
        )
        buttons = QHBoxLayout()
        self.buttons: dict[str, QPushButton] = {}
        for action in actions:
            name = action.text().replace("&", "").split("\t")[0]
            button = QPushButton(name, box)
            button.clicked.connect(action.trigger)
            action.enabledChanged.connect(button.setEnabled)
            self.buttons[name] = button
            buttons.addWidget(button)
        buttons.addStretch(1)
        self.menu = QMenu(self)
        self.menu.addActions(list(actions))
        layout.addLayout(buttons)

        self.table = table = QTableView(box)
        table.setModel(self.proxy)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setShowGrid(False)
        table.setWordWrap(False)
        table.setAlternatingRowColors(True)
        rows = table.verticalHeader()
        rows.hide()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(table.fontMetrics().height() + 6)
        header = table.horizontalHeader()
        header.setHighlightSections(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        header.resizeSection(Column.STATUS, table.fontMetrics().horizontalAdvance("W" * 14))
        table.setSortingEnabled(True)
        header.setSortIndicatorClearable(True)
        header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)  # the book's order
        table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        table.customContextMenuRequested.connect(self._context_menu)
        table.doubleClicked.connect(lambda index: self.edit(self._id_at(index)))
        table.installEventFilter(self)
        layout.addWidget(table, 1)
        return box

    # -- what the window tells the panel ----------------------------------------------------

    def set_simulated(self, simulated: bool) -> None:
        """Demo mode: the alerts shown are the demo set (the book switched them), marked."""
        self.demo_label.setVisible(simulated)
        self.form.simulated = simulated

    def refresh(self) -> None:
        """Every row and log line written again (the pairs' precisions are known now)."""
        self.table_model.reset()
        self.log.fill()

    def unbind(self) -> None:
        """Stop observing the book (the window closes)."""
        self.book.changed.disconnect(self._changed)
        self.book.fired.disconnect(self._fired)
        self.table_model.unbind()
        self.log.unbind()

    def new_alert(
        self,
        symbol: str | None = None,
        price: float | None = None,
        condition: Condition | None = None,
    ) -> None:
        """Show the panel with the form ready for a new alert, ``symbol`` and ``price`` filled
        in; without a ``condition``, the side of the price from the last one, when known."""
        if condition is None and symbol is not None and price is not None:
            last = self.form.last_price(symbol)
            if last is not None and price != last:
                condition = Condition.ABOVE if price > last else Condition.BELOW
        self.form.new(symbol, price, condition or Condition.ABOVE)
        self._present()
        if symbol is None:
            self.form.focus_pair()
        else:
            self.form.change_price()

    def edit(self, alert_id: int | None) -> None:
        """Show the panel with ``alert_id`` in the form, to be changed and saved."""
        alert = None if alert_id is None else self.book.get(alert_id)
        if alert is None:
            return
        self.form.load(alert)
        self._present()
        self.select(alert.id)
        self.form.change_price()

    def _present(self) -> None:
        self.form.show()
        self.show()
        self.raise_()
        self.activateWindow()

    # -- the table ---------------------------------------------------------------------------

    def _id_at(self, index: QModelIndex) -> int | None:
        if not index.isValid():
            return None
        return self.table_model.alert_id_at(self.proxy.mapToSource(index).row())

    def selected_ids(self) -> list[int]:
        """The selected alerts, in the order shown."""
        rows = sorted({index.row() for index in self.table.selectionModel().selectedRows()})
        return [
            self.table_model.alert_id_at(self.proxy.mapToSource(self.proxy.index(r, 0)).row())
            for r in rows
        ]

    def ids_shown(self) -> list[int]:
        """Every alert, in the order shown."""
        source = self.proxy.mapToSource
        return [
            self.table_model.alert_id_at(source(self.proxy.index(r, 0)).row())
            for r in range(self.proxy.rowCount())
        ]

    def select(self, alert_id: int) -> None:
        """Select the row of ``alert_id``, made current and scrolled to."""
        row = self.table_model.row_of(alert_id)
        if row < 0:
            return
        index = self.proxy.mapFromSource(self.table_model.index(row, 0))
        selection = self.table.selectionModel()
        flags = selection.SelectionFlag.ClearAndSelect | selection.SelectionFlag.Rows
        selection.setCurrentIndex(index, flags)
        self.table.scrollTo(index)

    def _current_id(self) -> int | None:
        return self._id_at(self.table.currentIndex())

    def _edit_current(self) -> None:
        self.edit(self._current_id())

    def _open_current(self) -> None:
        alert_id = self._current_id()
        alert = None if alert_id is None else self.book.get(alert_id)
        if alert is not None:
            self.pairOpened.emit(alert.symbol)

    def delete_selected(self) -> None:
        """Remove the selected alerts; the row after them becomes the current one."""
        ids = self.selected_ids()
        if not ids:
            return
        shown = self.ids_shown()
        after = [i for i in shown[shown.index(ids[-1]) + 1 :] if i not in ids]
        before = [i for i in shown if i not in ids and i not in after]
        texts = []
        for alert_id in ids:
            alert = self.book.get(alert_id)
            if alert is not None:
                texts.append(alert_text(alert, self._decimals(alert.symbol)))
                self.book.remove(alert_id)
        if after or before:
            self.select((after or before[-1:])[0])
        if texts:
            self.message.emit(alerts_deleted_text(texts))

    def rearm_selected(self) -> None:
        """Make the selected triggered or expired alerts active again."""
        for alert_id in self.selected_ids():
            alert = self.book.get(alert_id)
            if alert is None or alert.state not in _DONE:
                continue
            try:
                alert = self.book.rearm(alert_id, last_price=self.form.last_price(alert.symbol))
            except AlertError as exc:  # a limit
                self.message.emit(str(exc))
                return
            self.message.emit(alert_rearmed_text(alert, self._decimals(alert.symbol)))

    def _update_actions(self) -> None:
        ids = self.selected_ids()
        alerts = [a for a in (self.book.get(i) for i in ids) if a is not None]
        current = self._current_id() is not None
        self.edit_action.setEnabled(current)
        self.open_action.setEnabled(current)
        self.delete_action.setEnabled(bool(alerts))
        self.rearm_action.setEnabled(any(a.state in _DONE for a in alerts))

    def _context_menu(self, position: QPoint) -> None:
        self._update_actions()
        self.menu.popup(self.table.viewport().mapToGlobal(position))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Delete in the table removes the selected alerts; Enter edits the current one."""
        if watched is self.table and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            if event.key() in _DELETE_KEYS:
                self.delete_selected()
                return True
            if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self._edit_current()
                return True
        return super().eventFilter(watched, event)

    # -- the book's events and the log --------------------------------------------------------

    def _changed(self, alert_id: int | None) -> None:
        """The alert being edited was removed (or the set switched): the form forgets it."""
        editing = self.form.editing
        if editing is not None and self.book.get(editing) is None:
            self.form.new()
        self._update_actions()

    def _fired(self, _firing: Firing) -> None:
        self._update_actions()

    def log_lines(self) -> list[str]:
        """The log as shown, newest first (title and detail on two lines)."""
        return self.log.lines()
