"""The real exchange's alerts and the notice switches, saved in the window's ``QSettings``.

The book is one JSON text (``alerts/book``): the model decides what is in it
(:meth:`AlertBook.to_dict`) and checks it when read back (:meth:`AlertBook.load`), so this
module only carries it. What it adds is care for the user's alerts: a saved value that cannot
be read entirely is copied to ``alerts/book-backup`` before anything else happens, so the next
save cannot erase alerts that a damaged file, a hand edit or another version made unreadable;
and a value past :data:`MAX_BOOK_CHARS` is not parsed at all, so a damaged file cannot slow
the start (the book's own limits keep a real one far below it).
"""

from __future__ import annotations

import contextlib
import json
import logging
from collections.abc import Mapping

from PySide6.QtCore import QSettings
from PySide6.QtGui import QAction

from kucandle_gui.model import AlertBook

log = logging.getLogger(__name__)

BOOK_KEY = "alerts/book"
BACKUP_KEY = "alerts/book-backup"
CHANNELS_KEY = "alerts/channels"
#: Largest saved book read (JSON is ASCII here: characters are bytes). 2 MB.
MAX_BOOK_CHARS = 2 * 1024 * 1024
#: Largest saved channel switches read (a few dozen characters when written by us).
_MAX_CHANNELS_CHARS = 1024
_UNREADABLE = "the saved alerts could not be read"


class AlertStore:
    """Reads and writes the alerts' part of the settings; see the module docstring."""

    def __init__(self, store: QSettings) -> None:
        self._store = store

    def load_into(self, book: AlertBook) -> list[str]:
        """Load the saved alerts into ``book``; returns what could not be read, one sentence
        each (nothing saved yet is no problem). On any problem the saved text is kept under
        ``alerts/book-backup``."""
        if not self._store.contains(BOOK_KEY):
            return []
        raw = self._store.value(BOOK_KEY)
        problems: list[str] = []
        if not isinstance(raw, str):
            problems.append(f"{_UNREADABLE}: a {type(raw).__name__} is not JSON text")
        elif len(raw) > MAX_BOOK_CHARS:
            problems.append(
                f"{_UNREADABLE}: {len(raw):,} characters, more than the {MAX_BOOK_CHARS:,} read"
            )
        else:
            try:
                data = json.loads(raw)
            except (ValueError, RecursionError) as exc:  # RecursionError: "[[[[..." nested deep
                problems.append(f"{_UNREADABLE}: {exc}")
            else:
                problems.extend(book.load(data))
        if problems:
            self._store.setValue(BACKUP_KEY, raw)
            log.warning(
                "saved alerts: %d problems; the saved text is kept in %s: %s",
                len(problems),
                BACKUP_KEY,
                "; ".join(problems[:5]),
            )
        return problems

    def save(self, book: AlertBook) -> None:
        """Write the real exchange's alerts, their state and the log of firings."""
        self._store.setValue(BOOK_KEY, json.dumps(book.to_dict(), separators=(",", ":")))

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
