"""The charts shown, saved in the window's ``QSettings``: the layout, every cell (spare ones too)
with its series, studies and price scale, the active cell, and the splitters' sizes.

The workspace is one JSON text (``layout/workspace``): the model decides what is in it
(:meth:`WorkspaceSpec.to_data`) and checks it when read back (:func:`workspace_from_data`), so
this module only carries it, with the care of :mod:`~kucandle_gui.ui.settings_json`: a saved
value that cannot be read entirely is copied to ``layout/workspace-backup-<UTC
yyyymmddThhmmss>`` before anything else happens, the newest :data:`MAX_BACKUPS` kept, and the
problems end with the key. What could be read is used; when no cell could, one chart of the
last active series opens (the series settings keep it). A value past
:data:`MAX_WORKSPACE_CHARS` is not parsed at all.

Nothing saved yet: the one chart an earlier version saved is migrated, its series, price scale
and studies (``series/*``, ``chart/scale``, ``indicators/studies``, read and never written
again; they stay as they were, so nothing the user saved is lost).

The splitters' sizes are kept per layout (``layout/sizes/2x2``): sizes say nothing of
orientation, and the widths of two charts side by side are no heights for two stacked ones.
They only arrange the cells: a saved value that does not fit the bounds is ignored (logged)
and the cells share the space evenly.
"""

from __future__ import annotations

import contextlib
import json
import logging
import time
from collections.abc import Callable

from kucandle_gui.model.layout import MAX_CELLS, LayoutKind, WorkspaceSpec, workspace_from_data

from .indicators.store import MAX_STUDIES_CHARS, StudyStore
from .settings import AppSettings
from .settings_json import MAX_BACKUPS as MAX_BACKUPS
from .settings_json import JsonSetting

log = logging.getLogger(__name__)

WORKSPACE_KEY = "layout/workspace"
SIZES_KEY = "layout/sizes"  # then /<layout>, e.g. layout/sizes/1x2
#: Largest saved workspace read: each cell's studies as long as the one list of earlier
#: versions could be, and as much again for the rest.
MAX_WORKSPACE_CHARS = (MAX_CELLS + 1) * MAX_STUDIES_CHARS
#: Largest splitter size kept, in pixels (far past any screen).
MAX_SIZE = 100_000
#: Largest saved sizes read (a real value is a few dozen characters).
_MAX_SIZES_CHARS = 1024
_UNREADABLE = "the saved layout could not be read"


class LayoutStore:
    """Reads and writes the layout's part of the settings; see the module docstring."""

    def __init__(self, settings: AppSettings, *, clock: Callable[[], float] = time.time) -> None:
        """``clock``: epoch seconds, the backups' times."""
        self._settings = settings
        self._clock = clock
        self._workspace = JsonSetting(
            settings.store,
            WORKSPACE_KEY,
            max_chars=MAX_WORKSPACE_CHARS,
            unreadable=_UNREADABLE,
            clock=clock,
        )
        #: Whether the last :meth:`load` found no saved layout and migrated an earlier
        #: version's one chart: its problems are then those of the indicators that version
        #: saved (``indicators/studies``), not the layout's.
        self.migrated = False

    def load(self) -> tuple[WorkspaceSpec, list[str]]:
        """The saved workspace (migrated from an earlier version's one chart when none is
        saved: see :attr:`migrated`), and what could not be read, one sentence each, the last
        saying under which key the saved text was kept."""
        self.migrated = not self._settings.store.contains(WORKSPACE_KEY)
        if self.migrated:
            return self._migrated()
        read: list[WorkspaceSpec] = []

        def take(data: object) -> list[str]:
            spec, problems = workspace_from_data(data)
            if spec is not None:
                read.append(spec)
            return problems

        problems = self._workspace.load(take)
        if read:
            return read[0], problems
        spec = WorkspaceSpec.single(self._settings.symbol, self._settings.timeframe)
        # Said before the last sentence, which says where the saved text was kept.
        problems.insert(-1, f"one chart of {spec.cells[0].key} opens instead")
        return spec, problems

    def save(self, spec: WorkspaceSpec) -> None:
        """Write the layout, every cell and the active one."""
        self._workspace.save(spec.to_data())

    def backups(self) -> list[str]:
        """The workspace's backup keys, oldest first."""
        return self._workspace.backups()

    def sizes(self, layout: LayoutKind) -> list[list[int]] | None:
        """The splitters' sizes saved for ``layout``; None when nothing fitting is saved."""
        key = f"{SIZES_KEY}/{layout.value}"
        raw = self._settings.store.value(key)
        if raw is None:
            return None
        data = None
        if isinstance(raw, str) and len(raw) <= _MAX_SIZES_CHARS:
            with contextlib.suppress(ValueError, RecursionError):
                data = json.loads(raw)
        if not _fits(data):
            log.warning("settings: %s is unreadable; the charts share the space evenly", key)
            return None
        return data

    def save_sizes(self, layout: LayoutKind, sizes: list[list[int]]) -> None:
        """Write the splitters' sizes of ``layout``: at most :data:`MAX_CELLS` lists of as many
        sizes, each 1 to :data:`MAX_SIZE`; others are not written (what was saved stays)."""
        if not _fits(sizes):
            log.warning("settings: splitter sizes %.200r not saved: out of bounds", sizes)
            return
        value = json.dumps(sizes, separators=(",", ":"))
        self._settings.store.setValue(f"{SIZES_KEY}/{layout.value}", value)

    def _migrated(self) -> tuple[WorkspaceSpec, list[str]]:
        """The one chart an earlier version saved, and what could not be read of its studies."""
        studies, problems = StudyStore(self._settings.store, clock=self._clock).load()
        settings = self._settings
        return WorkspaceSpec.single(
            settings.symbol, settings.timeframe, studies, settings.scale
        ), problems


def _fits(sizes: object) -> bool:
    """Whether ``sizes`` is a list of at most :data:`MAX_CELLS` lists of at most as many whole
    numbers from 1 to :data:`MAX_SIZE`."""
    return (
        isinstance(sizes, list)
        and len(sizes) <= MAX_CELLS
        and all(
            isinstance(row, list)
            and len(row) <= MAX_CELLS
            and all(
                isinstance(size, int) and not isinstance(size, bool) and 1 <= size <= MAX_SIZE
                for size in row
            )
            for row in sizes
        )
    )
