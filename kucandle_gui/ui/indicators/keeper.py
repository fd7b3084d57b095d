"""The indicators' part of the window: the Indicators menu and the dialog, for the active chart.

The studies (indicator, colour, shown or not) live in each chart model
(``ChartModel.studies``); the chart binding draws them. This keeper turns the menu and the
dialog into new study lists for the ACTIVE cell's model (``set_studies``) and keeps the menu's
entries in step with that model: when another cell becomes active, the menu shows its studies.
Each chart keeps its own: one cell may show RSI, its neighbour MACD. They are saved with the
layout (the workspace saves every cell's studies), and the command line's (``--indicator``)
are added by :func:`~kucandle_gui.model.workspace_start.start_workspace` before the window
opens.

The studies stay when a chart switches pair or timeframe: they are display settings, and a
trader keeps the same indicators when switching pairs.

Quick entries add a common indicator at once, in the next colour of the palette: one click for
the usual case, and Edit… is one step away for another period or colour (a dialog opened
prefilled would make the quick entry no quicker than "Add indicator…"). One already on the
chart is not added twice; one hidden is shown again, and the status bar says so.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QColor, QIcon, QPixmap
from PySide6.QtWidgets import QMenu, QWidget

from kucandle_gui.model import ChartModel
from kucandle_gui.model.indicators import (
    MAX_STUDIES,
    IndicatorSpec,
    Study,
    next_color,
    parse_indicator_spec,
)

from ..cells import ChartCell, ChartGrid
from ..status_bar import FeedStatusBar
from .dialog import IndicatorDialog

#: The Indicators menu's quick entries, in order.
QUICK_SPECS: tuple[str, ...] = (
    "sma:50",
    "ema:20",
    "ema:50",
    "bb:20:2",
    "vwap",
    "rsi:14",
    "macd:12:26:9",
    "volsma:20",
)


def _swatch(color: str) -> QIcon:
    pixmap = QPixmap(12, 12)
    pixmap.fill(QColor(color))
    return QIcon(pixmap)


class IndicatorsKeeper(QObject):
    """Fills the Indicators menu and opens the dialog for the active cell's chart; see the
    module docstring."""

    def __init__(
        self,
        window: QWidget,
        menu: QMenu,
        grid: ChartGrid,
        status_bar: FeedStatusBar,
        *,
        add_action: QAction,
        remove_all_action: QAction,
    ) -> None:
        """``menu`` holds ``add_action`` ("Add indicator…") and ``remove_all_action``: the
        quick entries go above the first, the studies' entries above the second."""
        super().__init__(window)
        self._window = window
        self._menu = menu
        self._grid = grid
        self._model = grid.active.model
        self._status_bar = status_bar
        self._remove_all = remove_all_action
        #: The dialog while it is open.
        self.dialog: IndicatorDialog | None = None

        self.quick_actions: dict[str, QAction] = {}
        for text in QUICK_SPECS:
            spec = parse_indicator_spec(text)
            action = QAction(spec.label, window)
            action.setStatusTip(f"Add {spec.label} to the chart ({spec.text})")
            action.triggered.connect(lambda _c=False, s=spec: self.add(s))
            self.quick_actions[text] = action
        menu.insertActions(add_action, list(self.quick_actions.values()))
        menu.insertSeparator(add_action)
        add_action.triggered.connect(lambda: self.open_dialog())
        remove_all_action.triggered.connect(self.remove_all)
        self.edit_menu = QMenu("&Edit", menu)
        self.remove_menu = QMenu("Re&move", menu)
        menu.insertMenu(remove_all_action, self.edit_menu)
        menu.insertMenu(remove_all_action, self.remove_menu)
        #: One checkable entry per study (shown or hidden), in the studies' order.
        self.study_actions: dict[IndicatorSpec, QAction] = {}

        self._model.studies_changed.connect(self._studies_changed)
        grid.activeChanged.connect(self._active_changed)
        self._rebuild_menu()

    @property
    def studies(self) -> tuple[Study, ...]:
        return tuple(self._model.studies)

    def _find(self, spec: IndicatorSpec) -> int | None:
        for n, study in enumerate(self.studies):
            if study.spec == spec:
                return n
        return None

    # -- what the menu and the dialog do ---------------------------------------------------

    def add(self, spec: IndicatorSpec) -> None:
        """A quick entry: ``spec`` in the next colour; one on the chart already hidden is shown
        again (the status bar says which)."""
        n = self._find(spec)
        if n is None and self._full(self.studies):
            return
        if n is None:
            self._set([*self.studies, Study(spec, next_color(self.studies), True)])
            self._status_bar.show_note(f"{spec.label} added to the chart")
        elif not self.studies[n].visible:
            self.set_visible(spec, True)
            self._status_bar.show_note(f"{spec.label} shown again")
        else:
            self._status_bar.show_note(f"{spec.label} is already on the chart")

    def open_dialog(self, spec: IndicatorSpec | None = None) -> IndicatorDialog:
        """The dialog, to add an indicator (no ``spec``) or edit the study of ``spec``."""
        if self.dialog is not None:
            self.dialog.close()
        n = self._find(spec) if spec is not None else None
        study = self.studies[n] if n is not None else None
        dialog = IndicatorDialog(
            self._window,
            color=next_color(self.studies),
            study=study,
            taken=[s.spec for s in self.studies],
        )
        model = self._model  # the chart it was opened for, even if another becomes active
        dialog.submitted.connect(lambda new: self._submitted(model, study, new))
        dialog.finished.connect(lambda _r: self._dialog_closed(dialog))
        self.dialog = dialog
        dialog.open()
        return dialog

    def _dialog_closed(self, dialog: IndicatorDialog) -> None:
        if self.dialog is dialog:
            self.dialog = None
        dialog.deleteLater()

    def _submitted(self, model: ChartModel, old: Study | None, new: Study) -> None:
        studies = list(model.studies)
        specs = [study.spec for study in studies]
        if old is None or old.spec not in specs:
            if self._full(studies):
                return
            studies.append(new)
            self._status_bar.show_note(f"{new.spec.label} added to the chart")
        else:
            studies[specs.index(old.spec)] = new
            self._status_bar.show_note(f"{new.spec.label} saved")
        model.set_studies(tuple(studies))

    def set_visible(self, spec: IndicatorSpec, on: bool) -> None:
        studies = list(self.studies)
        n = self._find(spec)
        if n is not None and studies[n].visible != on:
            old = studies[n]
            studies[n] = Study(old.spec, old.color, on)
            self._set(studies)

    def remove(self, spec: IndicatorSpec) -> bool:
        """Take ``spec`` off the chart; False (and said) when it was not on it."""
        if self._find(spec) is None:
            self._status_bar.show_note(f"{spec.label} is not on the chart")
            return False
        self._set([study for study in self.studies if study.spec != spec])
        self._status_bar.show_note(f"{spec.label} removed from the chart")
        return True

    def remove_all(self) -> None:
        count = len(self.studies)
        self._set([])
        if count:
            self._status_bar.show_note(
                f"{count} indicator{'s' if count > 1 else ''} removed from the chart"
            )

    def _full(self, studies: Sequence[Study]) -> bool:
        """Whether the chart holds as many studies as are kept (more would be lost at the
        next start: ``MAX_STUDIES``); the status bar says so."""
        if len(studies) < MAX_STUDIES:
            return False
        self._status_bar.show_note(
            f"No indicator added: a chart holds at most {MAX_STUDIES}; remove one first"
        )
        return True

    def _set(self, studies: Sequence[Study]) -> None:
        self._model.set_studies(tuple(studies))

    # -- the active model's list, shown -------------------------------------------------------

    def _active_changed(self, cell: ChartCell) -> None:
        """Another cell is active: the menu shows and edits its chart's studies."""
        if cell.model is self._model:
            return
        self._model.studies_changed.disconnect(self._studies_changed)
        self._model = cell.model
        self._model.studies_changed.connect(self._studies_changed)
        self._rebuild_menu()

    def _studies_changed(self, *_: object) -> None:
        self._rebuild_menu()

    def _rebuild_menu(self) -> None:
        for action in self.study_actions.values():
            self._menu.removeAction(action)
            action.deleteLater()
        self.edit_menu.clear()
        self.remove_menu.clear()
        self.study_actions = {}
        for study in self.studies:
            spec, label = study.spec, study.spec.label
            # No colour swatch here: an icon takes the check mark's place in a menu.
            shown = QAction(label, self._window)
            shown.setCheckable(True)
            shown.setChecked(study.visible)
            shown.setStatusTip(f"Show or hide {label}")
            shown.toggled.connect(lambda on, s=spec: self.set_visible(s, on))
            self.study_actions[spec] = shown
            edit = self.edit_menu.addAction(_swatch(study.color), f"{label}…")
            edit.triggered.connect(lambda _c=False, s=spec: self.open_dialog(s))
            remove = self.remove_menu.addAction(_swatch(study.color), label)
            remove.triggered.connect(lambda _c=False, s=spec: self.remove(s))
        self._menu.insertActions(self.edit_menu.menuAction(), list(self.study_actions.values()))
        some = bool(self.studies)
        for action in (self.edit_menu.menuAction(), self.remove_menu.menuAction()):
            action.setEnabled(some)
        self._remove_all.setEnabled(some)

    def close(self) -> None:
        """The window closes: stop observing the model."""
        if self.dialog is not None:
            self.dialog.close()
        self._grid.activeChanged.disconnect(self._active_changed)
        self._model.studies_changed.disconnect(self._studies_changed)
