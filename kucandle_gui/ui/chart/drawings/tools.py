"""The drawing tools and the mouse and keys on the price pane, for the drawing layer.

:class:`Pointer` filters the graphics view's viewport (mouse) and the view (keys) and takes a
gesture only when it is the layer's: a tool is armed, Shift+drag measures, or the press is on a
drawing (and not on an alert line, whose own drag and menu come first). A gesture taken is
taken whole, press to release, so pyqtgraph's scene never sees half of one; everything else
goes on untouched to the scene (pan, zoom, the alert lines, the right-click price menu).

Gestures are in data coordinates (time, price): a view that moves under a gesture (wheel
zoom while placing) keeps it on its candles, and a drag keeps where it was grabbed as a time
and a price, so a scale switched under it (Alt+L while the mouse is held) only changes the
view units each move is measured in: the drag goes on from the same place.

A drag moves a line by whole candles in time (by month on the monthly timeframe, so a point
on a candle's start stays on one) and never out of the prices a drawing may have
(``MIN_PRICE`` to ``MAX_PRICE``): the line stops at the limit, a trend line keeping its slope.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from enum import Enum
from functools import partial
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent, QMouseEvent
from PySide6.QtWidgets import QGraphicsView

from kucandle_gui.model.drawings import (
    MAX_PRICE,
    MIN_PRICE,
    Drawing,
    HorizontalLine,
    TrendLine,
    clamped_price,
)
from kucandle_gui.ui.chart.drawings.geometry import (
    candle_steps,
    candles_between,
    step_candles,
)
from kucandle_gui.ui.chart.drawings.measure import measure_text
from kucandle_gui.ui.chart.keys import CHORD, KEY_EVENTS, REMOVE_KEYS
from kucandle_gui.ui.chart.readout import price_decimals

if TYPE_CHECKING:
    from kucandle_gui.ui.chart.drawings.layer import DrawingLayer


class Tool(Enum):
    """What the next click on the price pane draws."""

    HLINE = "hline"
    TREND = "trend"


#: A press moved less than this (pixels) is a click, not a drag.
DRAG_PIXELS = 4.0
_PRESSES = (QEvent.Type.MouseButtonPress, QEvent.Type.MouseButtonDblClick)
_LEFT, _RIGHT = Qt.MouseButton.LeftButton, Qt.MouseButton.RightButton


@dataclass
class _Placing:
    """A trend line's first point is down; the second is where the drag ends, or the next
    click (``waiting``) when the first press was a click."""

    start: tuple[int, float]
    press: tuple[float, float]
    waiting: bool = False


@dataclass
class _Dragging:
    """A drawing (``part`` 0) or a trend line's end point (1, 2) follows the mouse."""

    drawing_id: int
    original: Drawing
    part: int
    #: Where the press was, in the pane's pixels (a click or a drag?).
    press: tuple[float, float]
    #: Where the press was in data units (time, price): the view units of the price depend
    #: on the scale, which may change under the drag.
    grab: tuple[float, float]
    moved: Drawing | None = None


@dataclass
class _Measuring:
    start: tuple[int, float]


class Pointer(QObject):
    """The layer's mouse and keys; see the module docstring."""

    def __init__(self, layer: DrawingLayer, view: QGraphicsView) -> None:
        super().__init__(layer)
        self._layer = layer
        self._view = view
        self._viewport = view.viewport()
        self._gesture: _Placing | _Dragging | _Measuring | None = None
        #: Buttons whose press was taken: their release is taken too.
        self._taken: set[Qt.MouseButton] = set()
        self._menu_for: int | None = None
        self._cursor: Qt.CursorShape | None = None
        view.installEventFilter(self)
        self._viewport.installEventFilter(self)

    # -- for the layer ----------------------------------------------------------------------

    def cancel(self) -> None:
        """Drop the gesture under way (a drag goes back, a line being placed goes)."""
        gesture, self._gesture = self._gesture, None
        if isinstance(gesture, _Dragging):
            self._layer.show_dragged(gesture.drawing_id, None)
        elif isinstance(gesture, _Placing):
            self._layer.show_preview(None)
        elif isinstance(gesture, _Measuring):
            self._layer.measure.hide()

    def forget(self, drawing_id: int) -> None:
        """The drawing is gone: a drag of it ends."""
        if isinstance(self._gesture, _Dragging) and self._gesture.drawing_id == drawing_id:
            self._gesture = None
        if self._menu_for == drawing_id:
            self._menu_for = None

    def update_cursor(self, hovering: int | None = None) -> None:
        """A cross while a tool is armed, a hand over a drawing, else the view's own."""
        if self._layer.tool() is not None:
            shape: Qt.CursorShape | None = Qt.CursorShape.CrossCursor
        elif hovering is not None:
            shape = Qt.CursorShape.SizeAllCursor if hovering else Qt.CursorShape.PointingHandCursor
        else:
            shape = None
        if shape == self._cursor:
            return
        self._cursor = shape
        if shape is None:
            self._viewport.unsetCursor()
        else:
            self._viewport.setCursor(shape)

    # -- events -----------------------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if watched is self._viewport:
            if kind in _PRESSES:
                return self._pressed(event)  # type: ignore[arg-type]
            if kind == QEvent.Type.MouseMove:
                return self._moved(event)  # type: ignore[arg-type]
            if kind == QEvent.Type.MouseButtonRelease:
                return self._released(event)  # type: ignore[arg-type]
        elif watched is self._view and kind in KEY_EVENTS:
            return self._key(event)  # type: ignore[arg-type]
        return False

    def _where(self, event: QMouseEvent) -> tuple[float, float, bool]:
        """The event's position in the price pane's pixels, and whether it is in the pane."""
        box = self._layer.box
        local = box.mapFromScene(self._view.mapToScene(event.position().toPoint()))
        inside = box.isVisible() and box.rect().contains(local)
        return local.x(), local.y(), inside

    def _data(self, px: float, py: float) -> tuple[int, float]:
        """(time, price) at a pixel, the time snapped to a candle's start when on one."""
        x, y = self._layer.frame().from_px(px, py)
        return self._layer.snap(x), self._layer.from_view(y)

    def _pressed(self, event: QMouseEvent) -> bool:
        layer, button = self._layer, event.button()
        self._taken.discard(button)
        self._menu_for = None
        px, py, inside = self._where(event)
        if not layer.frame().valid:
            return False
        gesture = self._gesture
        if isinstance(gesture, _Placing) and gesture.waiting:
            if button == _LEFT and inside:
                self._taken.add(button)
                self._place_trend(gesture, px, py)
            elif button == _RIGHT:
                self._taken.add(button)
                layer.set_tool(None)
            else:
                return False
            return True
        layer.measure.hide()  # a measure goes at the next click
        if button == _RIGHT and layer.tool() is not None:
            self._taken.add(button)
            layer.set_tool(None)
            return True
        if not inside or button not in (_LEFT, _RIGHT):
            return False
        if button == _LEFT and layer.tool() is not None:
            self._taken.add(button)
            self._start_placing(px, py)
            return True
        if button == _LEFT and event.modifiers() & Qt.KeyboardModifier.ShiftModifier:
            self._taken.add(button)
            start = self._data(px, py)
            self._gesture = _Measuring(start)
            self._show_measure(start, start)
            return True
        hit = layer.hit(px, py)
        if hit is None or layer.alert_line_near(py):
            if button == _LEFT:
                layer.select(None)
            return False
        drawing_id, part = hit
        layer.select(drawing_id)
        self._taken.add(button)
        if button == _RIGHT:
            self._menu_for = drawing_id
        elif layer.book is not None and (drawing := layer.book.get(drawing_id)) is not None:
            x, y = layer.frame().from_px(px, py)
            grab = (x, layer.from_view(y))
            self._gesture = _Dragging(drawing_id, drawing, part, (px, py), grab)
        return True

    def _moved(self, event: QMouseEvent) -> bool:
        gesture = self._gesture
        px, py, inside = self._where(event)
        if gesture is None:
            if not event.buttons():
                self.update_cursor(self._hover(px, py) if inside else None)
            return False
        held = not (isinstance(gesture, _Placing) and gesture.waiting)
        if held and not event.buttons() & _LEFT:  # its release went elsewhere (a popup)
            self._taken.discard(_LEFT)
            self.cancel()
            return False
        if isinstance(gesture, _Placing):
            end = self._data(px, py)
            self._layer.show_preview(TrendLine(*gesture.start, *end))
            return not gesture.waiting  # between two clicks the crosshair follows the mouse
        if isinstance(gesture, _Measuring):
            self._show_measure(gesture.start, self._data(px, py))
            return True
        if gesture.moved is None and _distance(gesture.press, (px, py)) < DRAG_PIXELS:
            return True
        gesture.moved = self._dragged(gesture, px, py)
        self._layer.show_dragged(gesture.drawing_id, gesture.moved)
        return True

    def _released(self, event: QMouseEvent) -> bool:
        button = event.button()
        if button not in self._taken:
            return False
        self._taken.discard(button)
        layer, gesture = self._layer, self._gesture
        if button == _RIGHT:
            if self._menu_for is not None:
                layer.popup_menu(self._menu_for, event.globalPosition().toPoint())
                self._menu_for = None
            return True
        px, py, _ = self._where(event)
        if isinstance(gesture, _Placing) and not gesture.waiting:
            if _distance(gesture.press, (px, py)) < DRAG_PIXELS:
                gesture.waiting = True  # a click: the next click gives the second point
            else:
                self._place_trend(gesture, px, py)
        elif isinstance(gesture, _Measuring):
            self._gesture = None  # the measure stays until the next click or Escape
        elif isinstance(gesture, _Dragging):
            self._gesture = None
            if gesture.moved is not None:
                layer.commit(gesture.drawing_id, gesture.moved)
        return True

    def _key(self, event: QKeyEvent) -> bool:
        """Escape lets go of what is under way (a drag or a measure, the tool with a line
        being placed, the measure shown, the selection, in that order); Delete/Backspace
        removes the selected drawing. Otherwise the key goes on (the alert lines, the
        window's shortcuts)."""
        layer, key = self._layer, event.key()
        if event.modifiers() & CHORD:
            return False
        if key == Qt.Key.Key_Escape:
            if self._gesture is not None and not isinstance(self._gesture, _Placing):
                action = self.cancel
            elif layer.tool() is not None:  # a line being placed goes with its tool
                action = partial(layer.set_tool, None)
            elif layer.measure.shown:
                action = layer.measure.hide
            elif layer.selected() is not None:
                action = partial(layer.select, None)
            else:
                return False
        elif key in REMOVE_KEYS and layer.selected() is not None and self._gesture is None:
            action = layer.remove
        else:
            return False
        event.accept()
        if event.type() == QEvent.Type.KeyPress:
            action()
        return True

    # -- gestures ---------------------------------------------------------------------------------

    def _start_placing(self, px: float, py: float) -> None:
        layer = self._layer
        point = self._data(px, py)
        if layer.tool() is Tool.HLINE:
            layer.set_tool(None)
            layer.add(HorizontalLine(point[1]))
            return
        self._gesture = _Placing(point, (px, py))
        layer.show_preview(TrendLine(*point, *point))

    def _place_trend(self, gesture: _Placing, px: float, py: float) -> None:
        """The second point: placed, unless it is on the first one's candle (then the next
        click gives it)."""
        end = self._data(px, py)
        if end[0] == gesture.start[0]:
            gesture.waiting = True
            return
        self._gesture = None
        layer = self._layer
        layer.show_preview(None)
        layer.set_tool(None)
        layer.add(TrendLine(*gesture.start, *end))

    def _dragged(self, gesture: _Dragging, px: float, py: float) -> Drawing:
        """Where the drag puts the drawing: moved in view coordinates (a trend line keeps its
        look on a log scale) from where it was grabbed, mapped with the scale of now; whole
        candles in time; an end point on the candle under it. Prices stay in the limits."""
        layer, d = self._layer, gesture.original
        x, y = layer.frame().from_px(px, py)
        if gesture.part:
            t, price = layer.snap(x), clamped_price(layer.from_view(y))
            if gesture.part == 1:
                return replace(d, t1=t, p1=price)
            return replace(d, t2=t, p2=price)
        prices = (d.price,) if isinstance(d, HorizontalLine) else (d.p1, d.p2)
        views = [layer.to_view(p) for p in prices]
        dv = y - layer.to_view(gesture.grab[1])
        # Not past the limits: the lowest price stops at MIN_PRICE, the highest at MAX_PRICE.
        dv = max(dv, layer.to_view(MIN_PRICE) - min(views))
        dv = min(dv, layer.to_view(MAX_PRICE) - max(views))
        moved = [clamped_price(layer.from_view(v + dv)) for v in views]  # rounding: clamped
        if isinstance(d, HorizontalLine):
            return replace(d, price=moved[0])
        tf = layer.timeframe()
        if tf:  # by candle index: both points by the same number of candles
            steps = candle_steps(gesture.grab[0], x, tf)
            t1, t2 = step_candles(d.t1, steps, tf), step_candles(d.t2, steps, tf)
        else:  # no timeframe known: by seconds
            dt = round(x - gesture.grab[0])
            t1, t2 = d.t1 + dt, d.t2 + dt
        return replace(d, t1=t1, p1=moved[0], t2=t2, p2=moved[1])

    def _show_measure(self, start: tuple[int, float], end: tuple[int, float]) -> None:
        layer = self._layer
        tf = layer.timeframe()
        candles = candles_between(layer.store, start[0], end[0], tf)
        text = measure_text(start[1], end[1], candles, end[0] - start[0], price_decimals(start[1]))
        layer.measure.show(start, end, text)
        layer.measure.place(layer.frame(), layer.to_view)

    def _hover(self, px: float, py: float) -> int | None:
        """The part under the mouse (0 line, 1/2 end point), None over no drawing."""
        hit = self._layer.hit(px, py)
        return None if hit is None or self._layer.alert_line_near(py) else hit[1]


def _distance(a: tuple[float, float], b: tuple[float, float]) -> float:
    return math.hypot(a[0] - b[0], a[1] - b[1])
