"""One JSON value in ``QSettings``, read with care for what the user saved.

The alerts, the drawings and the layout each keep one JSON text (``alerts/book``,
``drawings/book``, ``layout/workspace``; the one chart's ``indicators/studies`` of earlier
versions is only read, to migrate it); their owner decides what is in it and checks it when
read back, :class:`JsonSetting` only carries it. A value past ``max_chars`` is not parsed
at all, so a damaged file cannot slow the start. A saved value that cannot be read entirely is
copied to ``<key>-backup-<UTC yyyymmddThhmmss>`` before anything else happens, so the next
save cannot erase what a damaged file, a hand edit or another version made unreadable. Each
such start keeps its own copy (a second problem must not erase the first one's backup), the
newest :data:`MAX_BACKUPS`; the problems end with the key, so the user knows where to look.
Their keepers write a change a moment later (:func:`save_timer`), a burst of changes once.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable

from PySide6.QtCore import QObject, QSettings, QTimer

#: Backups kept of one value; the oldest goes when another is made.
MAX_BACKUPS = 5
#: How long a change waits before its owner writes it (a burst of changes is written once).
SAVE_DELAY_MS = 1000


def save_timer(parent: QObject, save: Callable[[], object]) -> QTimer:
    """A single-shot timer calling ``save`` :data:`SAVE_DELAY_MS` after it was last started:
    the owner starts it on each change, so a drag or a catch-up is written once."""
    timer = QTimer(parent)
    timer.setSingleShot(True)
    timer.setInterval(SAVE_DELAY_MS)
    timer.timeout.connect(save)
    return timer


class JsonSetting:
    """One JSON text under ``key`` in ``store``; see the module docstring."""

    def __init__(
        self,
        store: QSettings,
        key: str,
        *,
        max_chars: int,
        unreadable: str,
        clock: Callable[[], float] = time.time,
    ) -> None:
        """``unreadable``: the problems' first words (``the saved alerts could not be read``);
        ``clock``: epoch seconds, the backups' times."""
        self._store = store
        self._key = key
        self._max_chars = max_chars
        self._unreadable = unreadable
        self._clock = clock
        #: A backup's key: this, then the UTC time it was made (``20260131T142305``).
        self.backup_prefix = f"{key}-backup-"
        self._group, _, _ = key.rpartition("/")

    def load(self, take: Callable[[object], list[str]]) -> list[str]:
        """Pass the saved value, parsed, to ``take`` (which returns its own problems); returns
        what could not be read, one sentence each (nothing saved yet is no problem). On any
        problem the saved text is kept under a new backup key, and the last sentence says
        which."""
        if not self._store.contains(self._key):
            return []
        raw = self._store.value(self._key)
        problems: list[str] = []
        if not isinstance(raw, str):
            problems.append(f"{self._unreadable}: a {type(raw).__name__} is not JSON text")
        elif len(raw) > self._max_chars:
            problems.append(
                f"{self._unreadable}: {len(raw):,} characters, "
                f"more than the {self._max_chars:,} read"
            )
        else:
            try:
                data = json.loads(raw)
            except (ValueError, RecursionError) as exc:  # RecursionError: "[[[[..." nested deep
                problems.append(f"{self._unreadable}: {exc}")
            else:
                problems.extend(take(data))
        if problems:
            key = self._back_up(raw)
            problems.append(f"the saved text is kept in the settings as {key}")
        return problems

    def save(self, data: object) -> None:
        """Write ``data`` as compact JSON."""
        self._store.setValue(self._key, json.dumps(data, separators=(",", ":")))

    def backups(self) -> list[str]:
        """The backup keys, oldest first."""
        if self._group:
            self._store.beginGroup(self._group)
            try:
                names = self._store.childKeys()
            finally:
                self._store.endGroup()
            group_prefix = f"{self._group}/"
        else:
            names, group_prefix = self._store.childKeys(), ""
        name_prefix = self.backup_prefix.removeprefix(group_prefix)
        keys = [f"{group_prefix}{name}" for name in names if name.startswith(name_prefix)]
        return sorted(keys, key=self._backup_order)

    def _back_up(self, raw: object) -> str:
        """``raw`` under a new backup key (returned); the oldest backups past
        :data:`MAX_BACKUPS` go."""
        stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime(self._clock()))
        existing = self.backups()
        key, n = f"{self.backup_prefix}{stamp}", 1
        while key in existing:  # two problems within one second
            n += 1
            key = f"{self.backup_prefix}{stamp}-{n}"
        self._store.setValue(key, raw)
        for old in existing[: max(0, len(existing) - MAX_BACKUPS + 1)]:
            self._store.remove(old)
        return key

    def _backup_order(self, key: str) -> tuple[str, int]:
        """``...-20260131T142305`` before ``...-20260131T142305-2`` before ``...-3``."""
        stamp, _, n = key.removeprefix(self.backup_prefix).partition("-")
        return stamp, int(n) if n.isdigit() else 1
