"""The user's drawings, saved in the window's ``QSettings`` as one JSON text (``drawings/book``).

The book decides what is in it (:meth:`DrawingBook.to_dict`) and checks it when read back
(:meth:`DrawingBook.load`); this module only carries it, with the care of
``ui/alerts/store.py``: a saved value that cannot be read entirely is copied to
``drawings/book-backup-<UTC yyyymmddThhmmss>`` before anything else happens, so the next save
cannot erase drawings that a damaged file, a hand edit or another version made unreadable.
Each such start keeps its own copy, the newest :data:`MAX_BACKUPS`; the problems end with the
key. A value past :data:`MAX_BOOK_CHARS` is not parsed at all.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable

from PySide6.QtCore import QSettings

from kucandle_gui.model.drawings import MAX_PAIRS, MAX_PER_PAIR, DrawingBook

BOOK_KEY = "drawings/book"
_GROUP = "drawings"
#: A backup's key: this, then the UTC time it was made (``20260131T142305``).
BACKUP_PREFIX = f"{_GROUP}/book-backup-"
MAX_BACKUPS = 5
#: Largest saved book read: the book's limits at about 160 characters a drawing (a trend
#: line with long prices is about 110), 16 MB.
MAX_BOOK_CHARS = MAX_PAIRS * MAX_PER_PAIR * 160
_UNREADABLE = "the saved drawings could not be read"


class DrawingStore:
    """Reads and writes the drawings' part of the settings; see the module docstring."""

    def __init__(self, store: QSettings, *, clock: Callable[[], float] = time.time) -> None:
        """``clock``: epoch seconds, the backups' times."""
        self._store = store
        self._clock = clock

    def load_into(self, book: DrawingBook) -> list[str]:
        """Load the saved drawings into ``book``; returns what could not be read, one sentence
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

    def save(self, book: DrawingBook) -> None:
        """Write every pair's drawings."""
        self._store.setValue(BOOK_KEY, json.dumps(book.to_dict(), separators=(",", ":")))

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
        """``raw`` under a new backup key (returned); the oldest past :data:`MAX_BACKUPS` go."""
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


def _backup_order(key: str) -> tuple[str, int]:
    """``...-20260131T142305`` before ``...-20260131T142305-2`` before ``...-3``."""
    stamp, _, n = key.removeprefix(BACKUP_PREFIX).partition("-")
    return stamp, int(n) if n.isdigit() else 1
