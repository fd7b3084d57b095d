"""The mouse over the chart's panes, said in the panes' own terms: a time and a price.

The scene reports pixels in scene coordinates; which pane they fall in, and what time and
price that is there, is decided here once. The chart acts on the result (the crosshair, the
readout, the owner's price menu) without knowing the scene.
"""

from __future__ import annotations

from pyqtgraph.GraphicsScene.mouseEvents import MouseClickEvent
from PySide6.QtCore import QObject, QPoint, QPointF, Qt, Signal

from kucandle_gui.ui.chart.panes import Panes


class PanePointer(QObject):
    """Emits ``moved(time, price)`` over a pane (price None over the volume pane), ``left()``
    when over neither, and ``priceMenuRequested(global position, price)`` on a right click
    in the price pane."""

    moved = Signal(float, object)
    left = Signal()
    priceMenuRequested = Signal(QPoint, float)

    def __init__(self, panes: Panes, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._panes = panes
        scene = panes.view.scene()
        scene.sigMouseMoved.connect(self._mouse_moved)
        scene.sigMouseClicked.connect(self._clicked)

    def _mouse_moved(self, pos: QPointF) -> None:
        panes = self._panes
        if panes.price_box.sceneBoundingRect().contains(pos):
            point = panes.price_box.mapSceneToView(pos)
            self.moved.emit(point.x(), point.y())
        elif panes.volume_visible and panes.volume_box.sceneBoundingRect().contains(pos):
            self.moved.emit(panes.volume_box.mapSceneToView(pos).x(), None)
        else:
            self.left.emit()

    def _clicked(self, event: MouseClickEvent) -> None:
        box, pos = self._panes.price_box, event.scenePos()
        if event.button() == Qt.MouseButton.RightButton and box.sceneBoundingRect().contains(pos):
            self.priceMenuRequested.emit(event.screenPos().toPoint(), box.mapSceneToView(pos).y())
