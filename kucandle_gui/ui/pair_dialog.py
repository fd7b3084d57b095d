"""The "Choose pair…" dialog: every trading pair of the exchange, filtered as you type.

Keyboard first: the filter field keeps the focus, the arrow keys move through the matches,
Enter opens the highlighted pair, Ctrl+Enter adds it to the watchlist (the dialog stays open
for more) and Esc cancels. A pair the list does not show (the list is
still loading, or the exchange does not list it) can be typed in full; it is checked for form
here and the exchange's answer then shows in the window, so nothing the user types is lost
silently.
"""

from __future__ import annotations

from PySide6.QtCore import (
    QEvent,
    QModelIndex,
    QObject,
    QSortFilterProxyModel,
    QStringListModel,
    Qt,
    Signal,
)
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QListView,
    QVBoxLayout,
    QWidget,
)

from kucandle_gui.protocol import InvalidSymbolError, validate_symbol

#: Keys the filter field hands to the list: moving through the matches.
_NAVIGATION_KEYS = frozenset(
    {Qt.Key.Key_Up, Qt.Key.Key_Down, Qt.Key.Key_PageUp, Qt.Key.Key_PageDown}
)
#: Return and the keypad's Enter (the watchlist panel uses them too).
ENTER_KEYS = frozenset({Qt.Key.Key_Return, Qt.Key.Key_Enter})


def normalise_pair(text: str) -> str:
    """What the user typed as a KuCoin symbol: ``btc/usdt`` → ``BTC-USDT``; raises
    ``InvalidSymbolError`` for something that cannot be a pair."""
    return validate_symbol(text.strip().replace("/", "-").replace("_", "-").replace(" ", ""))


class PairDialog(QDialog):
    """A searchable list of pairs; emits ``pairChosen`` with the pair when accepted, and
    ``addRequested`` with the pair to add to the watchlist (the answer comes back through
    :meth:`show_note`)."""

    pairChosen = Signal(str)
    addRequested = Signal(str)

    def __init__(self, parent: QWidget | None = None, current: str | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Choose pair")
        self._current = current
        self._loaded = False
        self._load_error: str | None = None

        self.filter_edit = QLineEdit(self)
        self.filter_edit.setPlaceholderText("Type to filter, e.g. eth or SOL-USDT")
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.installEventFilter(self)

        self._model = QStringListModel(self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self._model)
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)

        self.list_view = QListView(self)
        self.list_view.setModel(self.proxy)
        self.list_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.list_view.setUniformItemSizes(True)
        # The filter field keeps the keyboard; the list follows it (and takes mouse clicks).
        self.list_view.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.list_view.doubleClicked.connect(lambda _index: self.accept())
        self.list_view.selectionModel().currentChanged.connect(lambda *_: self._update_hint())

        self.hint_label = QLabel(self)
        self.hint_label.setWordWrap(True)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Open | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.add_button = buttons.addButton(
            "&Add to watchlist", QDialogButtonBox.ButtonRole.ActionRole
        )
        self.add_button.setToolTip("Add the highlighted pair to the watchlist (Ctrl+Enter)")
        self.add_button.setAutoDefault(False)
        self.add_button.clicked.connect(self.request_add)

        layout = QVBoxLayout(self)
        layout.addWidget(self.filter_edit)
        layout.addWidget(self.list_view, 1)
        layout.addWidget(self.hint_label)
        layout.addWidget(buttons)
        self.resize(360, 420)

        self.filter_edit.textChanged.connect(self._filter)
        self.filter_edit.setFocus()
        self._update_hint()

    # -- the list ------------------------------------------------------------------------

    def set_pairs(self, pairs: list[str]) -> None:
        """The exchange's pairs arrived; the filter typed so far applies to them."""
        self._loaded = True
        self._model.setStringList(sorted(set(pairs)))
        self._filter(self.filter_edit.text())

    def set_load_failed(self, message: str) -> None:
        """The pair list could not be loaded: say so; typing a full pair still works."""
        self._load_error = message
        self._update_hint()

    def pairs_shown(self) -> list[str]:
        """The pairs matching the filter, in the order shown."""
        return [self.proxy.index(row, 0).data() for row in range(self.proxy.rowCount())]

    def _filter(self, text: str) -> None:
        needle = text.strip().replace("/", "-").replace("_", "-")
        self.proxy.setFilterFixedString(needle)
        self._select_best(needle.upper())
        self._update_hint()

    def _select_best(self, needle: str) -> None:
        """Highlight the exact match, else the current pair (empty filter), else the first."""
        shown = self.pairs_shown()
        wanted = needle or self._current
        row = shown.index(wanted) if wanted in shown else 0
        index = self.proxy.index(row, 0) if shown else QModelIndex()
        self.list_view.setCurrentIndex(index)
        if index.isValid():
            self.list_view.scrollTo(index)

    # -- choosing ------------------------------------------------------------------------

    def chosen_pair(self) -> str:
        """The highlighted pair, or the typed text as a pair; raises ``InvalidSymbolError``."""
        index = self.list_view.currentIndex()
        if index.isValid():
            return str(index.data())
        return normalise_pair(self.filter_edit.text())

    def accept(self) -> None:
        """Enter, double click or Open: emit the pair; an invalid one keeps the dialog open."""
        try:
            pair = self.chosen_pair()
        except InvalidSymbolError as exc:
            self.hint_label.setText(str(exc))
            return
        super().accept()
        self.pairChosen.emit(pair)

    def request_add(self) -> None:
        """Ctrl+Enter or "Add to watchlist": ask for the pair to be added; the dialog stays
        open (an invalid pair: the reason, here)."""
        try:
            pair = self.chosen_pair()
        except InvalidSymbolError as exc:
            self.hint_label.setText(str(exc))
            return
        self.addRequested.emit(pair)

    def show_note(self, text: str) -> None:
        """What became of a request (e.g. the pair was added), in the hint line."""
        self.hint_label.setText(text)

    def _update_hint(self) -> None:
        typed = self.filter_edit.text().strip()
        index = self.list_view.currentIndex()
        if self._loaded:
            where = "not in the list"
        elif self._load_error:
            where = "the list of pairs is unavailable"
        else:
            where = "still loading pairs…"
        if index.isValid():
            text = f"Enter opens {index.data()}"
        elif not typed and self._load_error and not self._loaded:
            text = f"{self._load_error}; type a pair in full, e.g. BTC-USDT"
        elif not typed:
            text = "Type a pair" if self._loaded else "loading pairs…"
        else:
            try:
                text = f"Enter tries {normalise_pair(typed)} ({where})"
            except InvalidSymbolError:
                text = "Type a pair as BASE-QUOTE, e.g. BTC-USDT"
        self.hint_label.setText(text)

    # -- keyboard ------------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Arrow and page keys typed in the filter field move the list's highlight;
        Ctrl+Enter adds to the watchlist."""
        if (
            watched is self.filter_edit
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
        ):
            if event.key() in _NAVIGATION_KEYS:
                QApplication.sendEvent(self.list_view, event)
                return True
            if (
                event.key() in ENTER_KEYS
                and event.modifiers() & Qt.KeyboardModifier.ControlModifier
            ):
                self.request_add()
                return True
        return super().eventFilter(watched, event)
