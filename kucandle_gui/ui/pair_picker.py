"""The window's "Choose pair…" dialog over its life: one open at a time, fed the exchange's
pairs, which are asked for the first time it opens and kept until the source changes (each
exchange lists its own), and told when they could not be loaded. Every dialog it opens is
wired both ways: the pair chosen to the active chart, the pairs to add to the watchlist.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QWidget

from kucandle_gui.feed import SymbolInfo
from kucandle_gui.worker import FeedLink

from .pair_dialog import PairDialog
from .status_bar import FeedStatusBar
from .wording import pairs_failed_text


class PairPicker(QObject):
    """Opens the pair dialog over ``window``; hands the pair chosen to ``choose`` and each
    pair to add to ``add``, whose answer (what became of it) the dialog shows."""

    def __init__(
        self,
        window: QWidget,
        link: FeedLink,
        status_bar: FeedStatusBar,
        current: Callable[[], str],
        choose: Callable[[str], None],
        add: Callable[[str], str],
    ) -> None:
        super().__init__(window)
        self._window = window
        self._link = link
        self._status_bar = status_bar
        self._current = current
        self._choose = choose
        self._add = add
        self._pairs: list[str] = []
        #: The dialog while it is open.
        self.dialog: PairDialog | None = None
        link.symbolsLoaded.connect(self._loaded)
        link.symbolsFailed.connect(self._failed)

    def open(self) -> PairDialog:
        """Open the dialog, or raise the one open (the pairs load in the background)."""
        if self.dialog is not None:
            self.dialog.raise_()
            self.dialog.activateWindow()
            return self.dialog
        dialog = PairDialog(self._window, current=self._current())
        dialog.pairChosen.connect(self._choose)
        dialog.addRequested.connect(lambda pair: dialog.show_note(self._add(pair)))
        dialog.finished.connect(self._closed)
        if self._pairs:
            dialog.set_pairs(self._pairs)
        else:
            self._link.request_symbols()
        self.dialog = dialog
        dialog.open()
        return dialog

    def forget(self) -> None:
        """The source changed: its pairs are another exchange's."""
        self._pairs = []

    def _loaded(self, symbols: list[SymbolInfo]) -> None:
        self._pairs = [s.symbol for s in symbols]
        if self.dialog is not None:
            self.dialog.set_pairs(self._pairs)

    def _failed(self, message: str) -> None:
        text = pairs_failed_text(message)
        self._status_bar.show_error(text)
        if self.dialog is not None:
            self.dialog.set_load_failed(text)

    def _closed(self) -> None:
        if self.dialog is not None:
            self.dialog.deleteLater()
            self.dialog = None
