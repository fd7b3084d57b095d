"""The chart's studies (indicators with their colour and visibility), saved in ``QSettings``.

One JSON text under ``indicators/studies``: the model decides what is in it
(:func:`studies_to_data`) and checks it when read back (:func:`studies_from_data`), so this
module only carries it. Like the alerts' store, it takes care of what the user saved: a value
that cannot be read entirely is copied to ``indicators/studies-backup-<UTC yyyymmddThhmmss>``
before anything else happens (the next save would otherwise erase it), the newest
:data:`MAX_BACKUPS` kept, and the problems end with the key, so the user knows where to look.
What could be read is used. A value past :data:`MAX_STUDIES_CHARS` is not parsed at all.

The studies are global, one list for every pair: a trader keeps the same indicators when
switching pairs (drawings, anchored at prices, are per pair: see ``drawings_store``).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable

from PySide6.QtCore import QSettings

from kucandle_gui.model.indicators import Study, studies_from_data, studies_to_data

STUDIES_KEY = "indicators/studies"
_GROUP = "indicators"
#: A backup's key: this, then the UTC time it was made (``20260131T142305``).
BACKUP_PREFIX = f"{_GROUP}/studies-backup-"
MAX_BACKUPS = 5
#: Largest saved value read: a real one is a few hundred characters.
MAX_STUDIES_CHARS = 64 * 1024
_UNREADABLE = "the saved indicators could not be read"


class StudyStore:
    """Reads and writes the studies' part of the settings; see the module docstring."""

    def __init__(self, store: QSettings, *, clock: Callable[[], float] = time.time) -> None:
        """``clock``: epoch seconds, the backups' times."""
        self._store = store
        self._clock = clock

    def load(self) -> tuple[list[Study], list[str]]:
        """The saved studies, and what could not be read, one sentence each (nothing saved
        is no problem). On any problem the saved text is kept under a new backup key, and the
        last sentence says which."""
        if not self._store.contains(STUDIES_KEY):
            return [], []
        raw = self._store.value(STUDIES_KEY)
        studies: list[Study] = []
        problems: list[str] = []
        if not isinstance(raw, str):
            problems.append(f"{_UNREADABLE}: a {type(raw).__name__} is not JSON text")
        elif len(raw) > MAX_STUDIES_CHARS:
            problems.append(
                f"{_UNREADABLE}: {len(raw):,} characters, more than the {MAX_STUDIES_CHARS:,} read"
            )
        else:
            try:
                data = json.loads(raw)
            except (ValueError, RecursionError) as exc:
                problems.append(f"{_UNREADABLE}: {exc}")
            else:
                found, bad = studies_from_data(data)
                studies.extend(found)
                problems.extend(bad)
        if problems:
            key = self._back_up(raw)
            problems.append(f"the saved text is kept in the settings as {key}")
        return studies, problems

    def save(self, studies: Iterable[Study]) -> None:
        self._store.setValue(
            STUDIES_KEY, json.dumps(studies_to_data(tuple(studies)), separators=(",", ":"))
        )

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
