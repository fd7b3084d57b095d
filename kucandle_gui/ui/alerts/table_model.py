"""All the alerts of an :class:`AlertBook` as a Qt table, one row per alert, by id.

Each row's texts and sort keys are made once, when the book says the alert changed, so the
view reads ready values. A change of one alert repaints its row (``dataChanged``), an alert
added or removed inserts or removes its row (the selection stays): each costs its own row, so
a catch-up that changes hundreds of alerts is linear, not quadratic. "Many changed" (a load, a
switch to demo mode, a cleared log) remakes the rows and repaints those that differ when the
same alerts are listed, and resets the table only when the set of alerts changed. Sorting is a
proxy's over :data:`SORT_ROLE`. A cool-down ends with no event of the book, so one timer, set
for the earliest end (kept as rows change, not looked for among all of them), remakes the rows
whose cool-down is over.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import IntEnum

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTimer,
)
from PySide6.QtGui import QBrush, QColor

from kucandle_gui.model import Alert, AlertBook, AlertState, Arming

from ..watchlist.formatting import format_price
from .texts import clock_text, condition_text, repeat_text, status_text

_Role = Qt.ItemDataRole
_ROOT = QModelIndex()
#: The role a proxy sorts by: a number or a string per cell, comparable within a column.
SORT_ROLE = _Role.UserRole + 1
#: A problem (a pair not served) in the status column.
PROBLEM_COLOUR = "#e01b24"
#: Longest wait for the cool-down timer (a timer's interval is a 32-bit count of ms).
_LONGEST_WAIT_MS = 24 * 3600 * 1000


class Column(IntEnum):
    PAIR = 0
    CONDITION = 1
    PRICE = 2
    STATUS = 3
    REPEAT = 4
    EXPIRES = 5
    NOTE = 6


HEADERS = ("Pair", "Condition", "Price", "Status", "Repeat", "Expires", "Note")
_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
_LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
_ARMING_ORDER = {Arming.ARMED: 0, Arming.WAITING: 1, Arming.PENDING: 2}
#: Above any epoch seconds: the status key's place of the state.
_EPOCH_SPAN = 1e10


def _status_key(alert: Alert) -> float:
    """Sorts the statuses as they matter: active ones (armed first, a pair not served
    last), then the triggered ones newest first, then the expired; one number, so the proxy
    compares it without calling back into Python."""
    if alert.state is AlertState.TRIGGERED:
        return 5 * _EPOCH_SPAN - (alert.last_fired_at or 0.0)
    if alert.state is AlertState.EXPIRED:
        return 6 * _EPOCH_SPAN
    return 3.0 if alert.unserved else float(_ARMING_ORDER[alert.arming])


@dataclass(frozen=True, slots=True)
class Row:
    """One alert as shown: its texts and sort keys by column."""

    alert_id: int
    texts: tuple[str, ...]
    keys: tuple[str | float, ...]
    problem: bool


class AlertsTableModel(QAbstractTableModel):
    """The book's alerts as a table; see the module docstring."""

    def __init__(
        self,
        book: AlertBook,
        decimals: Callable[[str], int | None],
        parent: QObject | None = None,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        super().__init__(parent)
        self.book = book
        self._decimals = decimals
        self._clock = clock
        self._rows: list[Row] = []
        self._row_of: dict[int, int] = {}
        self._problem = QBrush(QColor(PROBLEM_COLOUR))
        #: When the cool-down timer fires, epoch seconds (None: not running).
        self._cooling_end: float | None = None
        self._cooling_timer = QTimer(self, singleShot=True)
        self._cooling_timer.timeout.connect(self._cooling_over)
        # A firing needs no handler of its own: the book says the alert changed before it
        # says it fired, and that remakes the row.
        book.changed.connect(self._changed)
        self.reset()

    def unbind(self) -> None:
        """Stop observing the book (the window closes)."""
        self.book.changed.disconnect(self._changed)
        self._cooling_timer.stop()
        self._cooling_end = None

    # -- the book's events ------------------------------------------------------------------

    def reset(self) -> None:
        """Every row made again (the book changed a lot, or the pairs' precisions came)."""
        self.beginResetModel()
        now = self._clock()
        self._rows = [self._make_row(alert, now) for alert in self.book.alerts()]
        self._row_of = {row.alert_id: n for n, row in enumerate(self._rows)}
        self.endResetModel()
        self._schedule_cooling(now)

    def _changed(self, alert_id: int | None) -> None:
        """One alert changed, came or went: its row alone (the selection stays); many: all."""
        if alert_id is None:
            self._remake_all()
            return
        alert = self.book.get(alert_id)
        row = self._row_of.get(alert_id)
        if alert is not None and row is not None:
            self._remake(alert)
        elif alert is not None and (not self._rows or alert_id > self._rows[-1].alert_id):
            n = len(self._rows)  # new: the last by id, as in the book
            self.beginInsertRows(_ROOT, n, n)
            self._rows.append(self._make_row(alert, self._clock()))
            self._row_of[alert.id] = n
            self.endInsertRows()
            self._cooling_from(alert, self._clock())
        elif alert is None and row is not None:
            self.beginRemoveRows(_ROOT, row, row)
            del self._rows[row]
            del self._row_of[alert_id]
            for n in range(row, len(self._rows)):
                self._row_of[self._rows[n].alert_id] = n
            self.endRemoveRows()
        else:
            self.reset()

    def _remake_all(self) -> None:
        """Many may have changed: the same alerts listed keep their rows (and the selection),
        only the rows that read differently are repainted; another set resets the table."""
        alerts = self.book.alerts()
        if [alert.id for alert in alerts] != [row.alert_id for row in self._rows]:
            self.reset()
            return
        now = self._clock()
        for n, alert in enumerate(alerts):
            row = self._make_row(alert, now)
            if row != self._rows[n]:
                self._rows[n] = row
                self.dataChanged.emit(self.index(n, 0), self.index(n, len(Column) - 1))
        self._schedule_cooling(now)

    def _remake(self, alert: Alert) -> None:
        now = self._clock()
        n = self._row_of[alert.id]
        self._rows[n] = self._make_row(alert, now)
        self.dataChanged.emit(self.index(n, 0), self.index(n, len(Column) - 1))
        self._cooling_from(alert, now)

    def _cooling_from(self, alert: Alert, now: float) -> None:
        """The timer brought forward if ``alert`` cools down until before it fires (a timer
        that fires for an alert no longer cooling only looks again)."""
        end = alert.cooling_until
        if alert.state is not AlertState.ACTIVE or end is None or end <= now:
            return
        if self._cooling_end is None or end < self._cooling_end:
            self._start_cooling(end, now)

    def _schedule_cooling(self, now: float) -> None:
        """The timer set for the next cool-down to end among all alerts (none: stopped)."""
        ends = [
            alert.cooling_until
            for alert in self.book.alerts()
            if alert.state is AlertState.ACTIVE
            and alert.cooling_until is not None
            and alert.cooling_until > now
        ]
        if not ends:
            self._cooling_timer.stop()
            self._cooling_end = None
            return
        self._start_cooling(min(ends), now)

    def _start_cooling(self, end: float, now: float) -> None:
        self._cooling_end = end
        wait = math.ceil((end - now) * 1000) + 50
        self._cooling_timer.start(min(wait, _LONGEST_WAIT_MS))

    def _cooling_over(self) -> None:
        """Remake the rows whose cool-down has ended (their status says so)."""
        now = self._clock()
        for n, row in enumerate(self._rows):
            alert = self.book.get(row.alert_id)
            if alert is not None and alert.cooling_until is not None:
                self._rows[n] = self._make_row(alert, now)
                self.dataChanged.emit(self.index(n, Column.STATUS), self.index(n, Column.STATUS))
        self._schedule_cooling(now)

    # -- rows -------------------------------------------------------------------------------

    def _make_row(self, alert: Alert, now: float) -> Row:
        decimals = self._decimals(alert.symbol)
        expires = alert.expires_at
        texts = (
            alert.symbol,
            condition_text(alert.condition),
            format_price(alert.price, decimals),
            status_text(alert, decimals, now),
            repeat_text(alert),
            "" if expires is None else clock_text(expires, now),
            alert.note,
        )
        keys = (
            alert.symbol,
            condition_text(alert.condition),
            alert.price,
            _status_key(alert),
            alert.cooldown if alert.repeat else -1.0,
            math.inf if expires is None else expires,
            alert.note.casefold(),
        )
        problem = alert.state is AlertState.ACTIVE and alert.unserved
        return Row(alert.id, texts, keys, problem)

    def alert_id_at(self, row: int) -> int:
        """The id of the alert at ``row`` (of this model, not of a proxy)."""
        return self._rows[row].alert_id

    def row_of(self, alert_id: int) -> int:
        """The row of ``alert_id``, or -1."""
        return self._row_of.get(alert_id, -1)

    # -- QAbstractTableModel ----------------------------------------------------------------

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = _ROOT) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = _ROOT) -> int:
        return 0 if parent.isValid() else len(Column)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = _Role.DisplayRole):
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        row, column = self._rows[index.row()], index.column()
        if role == _Role.DisplayRole:
            return row.texts[column]
        if role == SORT_ROLE:
            return row.keys[column]
        if role == _Role.ToolTipRole and column in (Column.STATUS, Column.NOTE):
            return row.texts[column] or None
        if role == _Role.ForegroundRole and column == Column.STATUS and row.problem:
            return self._problem
        if role == _Role.TextAlignmentRole:
            return _RIGHT if column == Column.PRICE else _LEFT
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = _Role.DisplayRole):
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(Column):
            return None
        if role == _Role.DisplayRole:
            return HEADERS[section]
        if role == _Role.TextAlignmentRole:
            return _RIGHT if section == Column.PRICE else _LEFT
        return None
