"""The alerts panel's log: the book's firings newest first, and the spans the book could not
check when they are found.

The book keeps the firings (saved, at most ``MAX_LOG``); a span not checked is an event the
book does not keep, so it is a line here until the log is written again (cleared, another set
of alerts, a load), which takes it with the log it was about. A firing's line leads back to
its alert (``alertChosen`` on a double click).
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from kucandle_gui.model import AlertBook, Firing

from .texts import firing_detail, firing_title, unchecked_text

_ID = Qt.ItemDataRole.UserRole


class AlertLog(QWidget):
    """The log over ``book``; see the module docstring."""

    #: The id of the alert whose firing was double clicked.
    alertChosen = Signal(int)

    def __init__(
        self,
        book: AlertBook,
        decimals: Callable[[str], int | None],
        parent: QWidget | None = None,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        super().__init__(parent)
        self.book = book
        self._decimals = decimals
        self._clock = clock
        #: Lines that are no firing (spans not checked): the book's bound leaves them out.
        self._notes = 0
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        top = QHBoxLayout()
        top.addWidget(QLabel("Log", self))
        top.addStretch(1)
        self.clear_button = QPushButton("Clear", self)
        self.clear_button.setToolTip("Empty the log of firings (the alerts stay)")
        # The book's "many changed" event empties the list, once; the table keeps its rows.
        self.clear_button.clicked.connect(lambda: book.clear_log())
        top.addWidget(self.clear_button)
        layout.addLayout(top)
        self.list = QListWidget(self)
        self.list.setWordWrap(True)
        self.list.setToolTip("Double click: the alert in the table")
        self.list.itemDoubleClicked.connect(self._double_clicked)
        layout.addWidget(self.list, 1)
        book.changed.connect(self._changed)
        book.fired.connect(self._fired)
        book.unchecked.connect(self._unchecked)
        self.fill()

    def unbind(self) -> None:
        """Stop observing the book (the window closes)."""
        self.book.changed.disconnect(self._changed)
        self.book.fired.disconnect(self._fired)
        self.book.unchecked.disconnect(self._unchecked)

    def fill(self) -> None:
        """The book's log written again (notes of spans not checked go with the old one)."""
        self.list.clear()
        self._notes = 0
        for firing in reversed(self.book.log):
            self.list.addItem(self._item(firing))

    def lines(self) -> list[str]:
        """The log as shown, newest first (a firing's title and detail on two lines)."""
        return [self.list.item(n).text() for n in range(self.list.count())]

    def _changed(self, alert_id: int | None) -> None:
        if alert_id is None:  # a load, a switch of source, a cleared log
            self.fill()

    def _fired(self, firing: Firing) -> None:
        self.list.insertItem(0, self._item(firing))
        while self.list.count() > len(self.book.log) + self._notes:  # the book's bound
            oldest = self.list.takeItem(self.list.count() - 1)
            if oldest.data(_ID) is None:
                self._notes -= 1

    def _unchecked(self, symbol: str, start: int, end: int) -> None:
        self.list.insertItem(0, QListWidgetItem(unchecked_text(symbol, start, end, self._clock())))
        self._notes += 1

    def _item(self, firing: Firing) -> QListWidgetItem:
        title = firing_title(firing, self._decimals(firing.symbol))
        item = QListWidgetItem(f"{title}\n{firing_detail(firing, self._clock())}")
        item.setData(_ID, firing.alert_id)
        return item

    def _double_clicked(self, item: QListWidgetItem) -> None:
        alert_id = item.data(_ID)
        if alert_id is not None:  # a firing, not a note
            self.alertChosen.emit(alert_id)
