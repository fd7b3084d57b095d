"""The studies (indicators with their colour and visibility) that earlier versions saved in
``QSettings`` for their one chart: read once, to migrate them into the saved layout (each chart
now keeps its own studies: see :mod:`~kucandle_gui.ui.layout_store`), and never written again.

One JSON text under ``indicators/studies``, checked by the model when read
(:func:`studies_from_data`) through :mod:`~kucandle_gui.ui.settings_json`, like every such
store: a value that cannot be read entirely is copied to
``indicators/studies-backup-<UTC yyyymmddThhmmss>`` (the newest :data:`MAX_BACKUPS` kept) and
the problems end with the key, so the user knows where to look; what could be read is used. A
value past :data:`MAX_STUDIES_CHARS` is not parsed at all.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QSettings

from kucandle_gui.model.indicators import Study, studies_from_data

from ..settings_json import MAX_BACKUPS as MAX_BACKUPS
from ..settings_json import JsonSetting

STUDIES_KEY = "indicators/studies"
#: Largest saved value read: a real one is a few hundred characters.
MAX_STUDIES_CHARS = 64 * 1024
_UNREADABLE = "the saved indicators could not be read"


class StudyStore:
    """Reads what earlier versions saved of the studies; see the module docstring."""

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

    def backups(self) -> list[str]:
        """The backup keys, oldest first."""
        return self._studies.backups()
