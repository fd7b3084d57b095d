"""What the user's edits do to the book: :class:`~.layer.DrawingLayer`'s add, move and
remove, and a drawing's context menu.

A mixin of the layer (it shares the layer's state): the book is changed here, and the layer
redraws from the book's events.
"""

from __future__ import annotations

from dataclasses import replace
from functools import partial
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QPoint
from PySide6.QtWidgets import QMenu

from kucandle_gui.model.drawings import Drawing, DrawingError, TrendLine

if TYPE_CHECKING:
    from kucandle_gui.model.drawings import DrawingBook
    from kucandle_gui.ui.chart.drawings.items import Drawn


class DrawingEditsMixin:
    """Edits to the book and the drawing menu (a mixin of ``DrawingLayer``, whose ``failed``
    signal, ``select``, ``frame`` and ``_place_one`` they use)."""

    _chart: Any
    _book: DrawingBook | None
    _symbol: str
    _selected: int | None
    _shown: dict[int, Drawn]
    failed: Any

    def add(self, drawing: Drawing) -> Drawing | None:
        """Add ``drawing`` to the shown pair and select it (None and ``failed`` if refused)."""
        if self._book is None:
            self.failed.emit("Drawing not added: no drawing book is set to keep it")
            return None
        if not self._symbol:
            self.failed.emit("Drawing not added: no pair is shown")
            return None
        try:
            added = self._book.add(self._symbol, drawing)
        except DrawingError as exc:
            self.failed.emit(f"Drawing not added: {exc}")
            return None
        self.select(added.id)  # type: ignore[attr-defined]
        return added

    def commit(self, drawing_id: int, drawing: Drawing) -> None:
        """The user moved a drawing: to the book (refused: it goes back where it was)."""
        shown = self._shown.get(drawing_id)
        if shown is not None:
            shown.override = None
        if self._book is not None and self._book.get(drawing_id) is not None:
            try:
                self._book.update(drawing_id, drawing)
            except DrawingError as exc:
                self.failed.emit(f"Drawing not moved: {exc}")
        if shown is not None:
            self._place_one(shown, self.frame())  # type: ignore[attr-defined]

    def remove(self, drawing_id: int | None = None) -> None:
        """Remove a drawing (the selected one by default)."""
        drawing_id = self._selected if drawing_id is None else drawing_id
        if drawing_id is not None and self._book is not None:
            self._book.remove(drawing_id)

    def remove_all(self) -> None:
        """Remove every drawing of the shown pair."""
        if self._book is not None and self._symbol:
            self._book.clear(self._symbol)

    def _extend(self, drawing_id: int, on: bool) -> None:
        drawing = self._book.get(drawing_id) if self._book is not None else None
        if isinstance(drawing, TrendLine):
            self.commit(drawing_id, replace(drawing, extend_right=on))

    def context_menu(self, drawing_id: int) -> QMenu:
        """The menu of a drawing: delete it, extend a trend line, delete the pair's all."""
        menu = QMenu(self._chart)
        menu.addAction("Delete drawing").triggered.connect(partial(self.remove, drawing_id))
        drawing = self._book.get(drawing_id) if self._book is not None else None
        if isinstance(drawing, TrendLine):
            extend = menu.addAction("Extend right")
            extend.setCheckable(True)
            extend.setChecked(drawing.extend_right)
            extend.toggled.connect(partial(self._extend, drawing_id))
        menu.addSeparator()
        menu.addAction("Delete all drawings on this pair").triggered.connect(self.remove_all)
        return menu

    def popup_menu(self, drawing_id: int, where: QPoint) -> QMenu:
        menu = self.context_menu(drawing_id)
        menu.aboutToHide.connect(menu.deleteLater)
        menu.popup(where)
        return menu
