"""The layout's part of the window: the Layout menu, the linked crosshair, and saving the
workspace (the layout, every cell, the active one) and the splitters' sizes.

The menu's entries set the workspace's layout (the model grows or shrinks it: see
:mod:`~kucandle_gui.model.workspace`) and follow it; "2 charts side by side" chosen when
already side by side stacks the two, and chosen again puts them back side by side, so
Ctrl+Shift+2 toggles between the two. Next/Previous chart (Ctrl+Tab, Ctrl+Shift+Tab) make the
next or previous cell active, round the layout.

The workspace is saved ``SAVE_DELAY_MS`` after a change (a burst of switches is written
once) and when the window closes, with the splitters' sizes of each layout shown (those only
then: dragging a splitter is no change of the workspace; the grid keeps each layout's sizes
while the app runs). A chart whose series the exchange refused is saved showing the series it
showed before (``ChartModel.spec``): the next start must not open a refused pair.
"""

from __future__ import annotations

from PySide6.QtCore import QObject

from kucandle_gui.model import LayoutKind, Workspace

from .actions import WindowActions
from .cells import ChartGrid, CrosshairLink
from .layout_store import LayoutStore
from .settings import AppSettings
from .settings_json import save_timer


class LayoutKeeper(QObject):
    """Runs the Layout menu and the crosshair link, saves the workspace; see the module
    docstring."""

    def __init__(
        self,
        parent: QObject,
        workspace: Workspace,
        grid: ChartGrid,
        store: LayoutStore,
        settings: AppSettings,
        actions: WindowActions,
    ) -> None:
        super().__init__(parent)
        self._workspace = workspace
        self._grid = grid
        self._store = store
        self._settings = settings
        self._actions = actions
        self.crosshair_link = CrosshairLink(grid, self)
        self._save_timer = save_timer(self, self.save)

        for kind, action in actions.layouts.items():
            action.triggered.connect(lambda _c=False, k=kind: self.choose(k))
        actions.next_chart.triggered.connect(lambda: workspace.step_active(1))
        actions.previous_chart.triggered.connect(lambda: workspace.step_active(-1))
        actions.link_crosshair.setChecked(settings.link_crosshair)
        self.crosshair_link.set_enabled(settings.link_crosshair)
        actions.link_crosshair.toggled.connect(self._set_link_crosshair)
        workspace.layout_changed.connect(self._layout_changed)
        workspace.changed.connect(self.save_soon)
        self._layout_changed(workspace.layout)
        grid.set_saved_sizes(
            {kind: sizes for kind in LayoutKind if (sizes := store.sizes(kind)) is not None}
        )

    def choose(self, layout: LayoutKind) -> None:
        """A Layout menu entry: ``layout``, or stacked for side by side chosen again."""
        if layout is LayoutKind.SIDE_BY_SIDE and self._workspace.layout is layout:
            layout = LayoutKind.STACKED
        self._workspace.set_layout(layout)  # the menu follows: ``_layout_changed``

    def _set_link_crosshair(self, on: bool) -> None:
        """View → Link crosshairs: the time under the mouse shown in every chart."""
        self.crosshair_link.set_enabled(on)
        self._actions.link_crosshair.setChecked(on)
        self._settings.link_crosshair = on

    def _layout_changed(self, layout: LayoutKind) -> None:
        self._actions.check_layout(layout)
        several = layout.cells > 1
        self._actions.next_chart.setEnabled(several)
        self._actions.previous_chart.setEnabled(several)

    # -- saving --------------------------------------------------------------------------------

    def save_soon(self) -> None:
        self._save_timer.start()

    def save(self) -> None:
        """Write the workspace now."""
        self._save_timer.stop()
        self._store.save(self._workspace.spec())

    def close(self) -> None:
        """The window closes: save the workspace and the splitters' sizes, stop observing."""
        self.save()
        for kind, sizes in self._grid.sizes_by_layout().items():
            self._store.save_sizes(kind, sizes)
        self._workspace.layout_changed.disconnect(self._layout_changed)
        self._workspace.changed.disconnect(self.save_soon)
        self.crosshair_link.set_enabled(False)
