"""Paints a watchlist cell in one Python call.

Qt's own delegate asks the model for a dozen roles per cell, each a call from C++ into Python;
with a few hundred cells on screen that is most of a repaint's cost. This one asks the table
model once (:meth:`WatchlistTableModel.cell`) and draws the selection or alternate background
with the style, the flash, and the text.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QPainter, QPalette
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from .cells import ALIGNMENT
from .table_model import WatchlistTableModel

#: Room between a cell's text and its edges, in pixels.
PADDING = 4
_PANEL = QStyle.PrimitiveElement.PE_PanelItemViewItem
_SELECTED = QStyle.StateFlag.State_Selected
_ELIDE = Qt.TextElideMode.ElideRight


class WatchlistDelegate(QStyledItemDelegate):
    """Draws the cells of a :class:`WatchlistTableModel` from its ready values."""

    def __init__(self, model: WatchlistTableModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._model = model

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        column = index.column()
        text, colour, background = self._model.cell(index.row(), column)
        widget = option.widget
        style = widget.style() if widget is not None else None
        rect = option.rect
        if style is not None:
            style.drawPrimitive(_PANEL, option, painter, widget)
        if background is not None:
            painter.fillRect(rect, background)
        if not text:
            return
        palette = option.palette
        if option.state & _SELECTED:
            painter.setPen(palette.color(QPalette.ColorRole.HighlightedText))
        else:
            painter.setPen(colour if colour is not None else palette.color(QPalette.ColorRole.Text))
        area = rect.adjusted(PADDING, 0, -PADDING, 0)
        metrics = option.fontMetrics
        if metrics.horizontalAdvance(text) > area.width():
            text = metrics.elidedText(text, _ELIDE, area.width())
        painter.drawText(area, ALIGNMENT[column], text)
