"""The user's drawings, saved in the window's ``QSettings`` as one JSON text (``drawings/book``).

The book decides what is in it (:meth:`DrawingBook.to_dict`) and checks it when read back
(:meth:`DrawingBook.load`); this module only carries it, with the care of
:mod:`~kucandle_gui.ui.settings_json`: a saved value that cannot be read entirely is copied to
``drawings/book-backup-<UTC yyyymmddThhmmss>`` before anything else happens, so the next save
cannot erase drawings that a damaged file, a hand edit or another version made unreadable.
Each such start keeps its own copy, the newest :data:`MAX_BACKUPS`; the problems end with the
key. A value past :data:`MAX_BOOK_CHARS` is not parsed at all.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QSettings

from kucandle_gui.model.drawings import MAX_PAIRS, MAX_PER_PAIR, DrawingBook

from .settings_json import MAX_BACKUPS as MAX_BACKUPS
from .settings_json import JsonSetting

BOOK_KEY = "drawings/book"
#: Largest saved book read: the book's limits at about 160 characters a drawing (a trend
#: line with long prices is about 110), 16 MB.
MAX_BOOK_CHARS = MAX_PAIRS * MAX_PER_PAIR * 160
_UNREADABLE = "the saved drawings could not be read"


class DrawingStore:
    """Reads and writes the drawings' part of the settings; see the module docstring."""

    def __init__(self, store: QSettings, *, clock: Callable[[], float] = time.time) -> None:
        """``clock``: epoch seconds, the backups' times."""
        self._book = JsonSetting(
            store, BOOK_KEY, max_chars=MAX_BOOK_CHARS, unreadable=_UNREADABLE, clock=clock
        )

    def load_into(self, book: DrawingBook) -> list[str]:
        """Load the saved drawings into ``book``; returns what could not be read, one sentence
        each (nothing saved yet is no problem). On any problem the saved text is kept under a
        new backup key, and the last sentence says which."""
        return self._book.load(book.load)

    def save(self, book: DrawingBook) -> None:
        """Write every pair's drawings."""
        self._book.save(book.to_dict())

    def backups(self) -> list[str]:
        """The backup keys, oldest first."""
        return self._book.backups()
