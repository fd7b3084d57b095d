"""The real exchange's alerts and the notice switches, saved in the window's ``QSettings``.

The book is one JSON text (``alerts/book``): the model decides what is in it
(:meth:`AlertBook.to_dict`) and checks it when read back (:meth:`AlertBook.load`), so this
module only carries it, with care for the user's alerts (:mod:`~kucandle_gui.ui.settings_json`):
a saved value that cannot be read entirely is copied to
``alerts/book-backup-<UTC yyyymmddThhmmss>`` before anything else happens, so the next save
cannot erase alerts that a damaged file, a hand edit or another version made unreadable. Each
such start keeps its own copy (a second problem must not erase the first one's backup), the
newest :data:`MAX_BACKUPS`; the problems end with the key, so the user knows where to look. A
value past :data:`MAX_BOOK_CHARS` is not parsed at all, so a damaged file cannot slow the
start (the book's own limits keep a real one far below it).
"""

from __future__ import annotations

import contextlib
import json
import logging
import time
from collections.abc import Callable, Mapping

from PySide6.QtCore import QSettings
from PySide6.QtGui import QAction

from kucandle_gui.model import AlertBook

from ..settings_json import MAX_BACKUPS as MAX_BACKUPS
from ..settings_json import JsonSetting

log = logging.getLogger(__name__)

BOOK_KEY = "alerts/book"
CHANNELS_KEY = "alerts/channels"
#: Largest saved book read (JSON is ASCII here: characters are bytes). 2 MB.
MAX_BOOK_CHARS = 2 * 1024 * 1024
#: Largest saved channel switches read (a few dozen characters when written by us).
_MAX_CHANNELS_CHARS = 1024
_UNREADABLE = "the saved alerts could not be read"


class AlertStore:
    """Reads and writes the alerts' part of the settings; see the module docstring."""

    def __init__(self, store: QSettings, *, clock: Callable[[], float] = time.time) -> None:
        """``clock``: epoch seconds, the backups' times."""
        self._store = store
        self._book = JsonSetting(
            store, BOOK_KEY, max_chars=MAX_BOOK_CHARS, unreadable=_UNREADABLE, clock=clock
        )

    def load_into(self, book: AlertBook) -> list[str]:
        """Load the saved alerts into ``book``; returns what could not be read, one sentence
        each (nothing saved yet is no problem). On any problem the saved text is kept under a
        new backup key, and the last sentence says which."""
        return self._book.load(book.load)

    def backups(self) -> list[str]:
        """The backup keys, oldest first."""
        return self._book.backups()

    def save(self, book: AlertBook) -> None:
        """Write the real exchange's alerts, their state and the log of firings."""
        self._book.save(book.to_dict())

    def load_channels(self, actions: Mapping[str, QAction]) -> None:
        """Switch the notice channels as saved; a channel not saved (or saved wrong) stays
        as it is."""
        raw = self._store.value(CHANNELS_KEY)
        if raw is None:
            return
        saved = None
        if isinstance(raw, str) and len(raw) <= _MAX_CHANNELS_CHARS:
            with contextlib.suppress(ValueError, RecursionError):
                saved = json.loads(raw)
        if not isinstance(saved, dict):
            log.warning("settings: %s is unreadable; the notices stay as they are", CHANNELS_KEY)
            return
        for key, action in actions.items():
            on = saved.get(key)
            if isinstance(on, bool):
                action.setChecked(on)

    def save_channels(self, actions: Mapping[str, QAction]) -> None:
        """Write which notice channels are on."""
        switches = {key: action.isChecked() for key, action in actions.items()}
        self._store.setValue(CHANNELS_KEY, json.dumps(switches))
