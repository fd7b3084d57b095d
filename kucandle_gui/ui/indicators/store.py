"""The chart's studies (indicators with their colour and visibility), saved in ``QSettings``.

One JSON text under ``indicators/studies``: the model decides what is in it
(:func:`studies_to_data`) and checks it when read back (:func:`studies_from_data`), so this
module only carries it. Like the alerts' store (both through
:mod:`~kucandle_gui.ui.settings_json`), it takes care of what the user saved: a value that
cannot be read entirely is copied to ``indicators/studies-backup-<UTC yyyymmddThhmmss>``
before anything else happens (the next save would otherwise erase it), the newest
:data:`MAX_BACKUPS` kept, and the problems end with the key, so the user knows where to look.
What could be read is used. A value past :data:`MAX_STUDIES_CHARS` is not parsed at all.

The studies are global, one list for every pair: a trader keeps the same indicators when
switching pairs (drawings, anchored at prices, are per pair: see ``drawings_store``).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable

from PySide6.QtCore import QSettings

from kucandle_gui.model.indicators import Study, studies_from_data, studies_to_data

from ..settings_json import MAX_BACKUPS as MAX_BACKUPS
from ..settings_json import JsonSetting

STUDIES_KEY = "indicators/studies"
#: Largest saved value read: a real one is a few hundred characters.
MAX_STUDIES_CHARS = 64 * 1024
_UNREADABLE = "the saved indicators could not be read"


class StudyStore:
    """Reads and writes the studies' part of the settings; see the module docstring."""

    def __init__(self, store: QSettings, *, clock: Callable[[], float] = time.time) -> None:
        """``clock``: epoch seconds, the backups' times."""
        self._studies = JsonSetting(
            store, STUDIES_KEY, max_chars=MAX_STUDIES_CHARS, unreadable=_UNREADABLE, clock=clock
        )

    def load(self) -> tuple[list[Study], list[str]]:
        """The saved studies, and what could not be read, one sentence each (nothing saved
        is no problem). On any problem the saved text is kept under a new backup key, and the
        last sentence says which."""
        studies: list[Study] = []

        def take(data: object) -> list[str]:
            found, bad = studies_from_data(data)
            studies.extend(found)
            return bad

        problems = self._studies.load(take)
        return studies, problems

    def save(self, studies: Iterable[Study]) -> None:
        self._studies.save(studies_to_data(tuple(studies)))

    def backups(self) -> list[str]:
        """The backup keys, oldest first."""
        return self._studies.backups()
