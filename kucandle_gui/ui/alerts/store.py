"""The real exchange's alerts and the notice switches, saved in the window's ``QSettings``.

The book is one JSON text (``alerts/book``): the model decides what is in it
(:meth:`AlertBook.to_dict`) and checks it when read back (:meth:`AlertBook.load`), so this
module only carries it. What it adds is care for the user's alerts: a saved value that cannot
be read entirely is copied to ``alerts/book-backup-<UTC yyyymmddThhmmss>`` before anything
else happens, so the next save cannot erase alerts that a damaged file, a hand edit or another
version made unreadable. Each such start keeps its own copy (a second problem must not erase
the first one's backup), the newest :data:`MAX_BACKUPS`; the problems end with the key, so the
user knows where to look. A value past :data:`MAX_BOOK_CHARS` is not parsed at all, so a
damaged file cannot slow the start (the book's own limits keep a real one far below it).
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

log = logging.getLogger(__name__)

BOOK_KEY = "alerts/book"
_GROUP = "alerts"
#: A backup's key: this, then the UTC time it was made (``20260131T142305``).
BACKUP_PREFIX = f"{_GROUP}/book-backup-"
#: Backups kept; the oldest goes when another is made.
MAX_BACKUPS = 5
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
        self._clock = clock

    def load_into(self, book: AlertBook) -> list[str]:
        """Load the saved alerts into ``book``; returns what could not be read, one sentence
        each (nothing saved yet is no problem). On any problem the saved text is kept under a
        new backup key, and the last sentence says which."""
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
            key = self._back_up(raw)
            problems.append(f"the saved text is kept in the settings as {key}")
        return problems

    def backups(self) -> list[str]:
        """The backup keys, oldest first."""
        self._store.beginGroup(_GROUP)
        try:
            names = self._store.childKeys()
        finally:
            self._store.endGroup()
        name_prefix = BACKUP_PREFIX.removeprefix(f"{_GROUP}/")
        keys = [f"{_GROUP}/{name}" for name in names if name.startswith(name_prefix)]
        return sorted(keys, key=_backup_order)

    def _back_up(self, raw: object) -> str:
        """``raw`` under a new backup key (returned); the oldest backups past
        :data:`MAX_BACKUPS` go."""
        stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime(self._clock()))
        existing = self.backups()
        key, n = f"{BACKUP_PREFIX}{stamp}", 1
        while key in existing:  # two problems within one second
            n += 1
            key = f"{BACKUP_PREFIX}{stamp}-{n}"
        self._store.setValue(key, raw)
        for old in existing[: max(0, len(existing) - MAX_BACKUPS + 1)]:
            self._store.remove(old)
        return key

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


def _backup_order(key: str) -> tuple[str, int]:
    """``...-20260131T142305`` before ``...-20260131T142305-2`` before ``...-3``."""
    stamp, _, n = key.removeprefix(BACKUP_PREFIX).partition("-")
    return stamp, int(n) if n.isdigit() else 1
