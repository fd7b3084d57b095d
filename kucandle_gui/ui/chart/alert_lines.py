"""Alert lines on the price pane: a dashed line per price, its tag on the price axis.

The chart side of alerts knows prices, not alerts: its owner hands it ``AlertLine`` records
(a key, a price, a label), all at once (``set_lines``) or one changed at a time (``put``,
``discard``: one alert's change costs one line, however many there are), and hears back what
the user did with them — a line dragged to a new price (``lineMoved``), a selected line to
remove (``removeRequested``). Whether a move is allowed is the owner's call: a line it does not
move (by ``put`` or ``set_lines``) goes back where it was.

Each line is a ``pg.InfiniteLine`` (dragging, hovering and the pixel-exact hit area come with
it, and it lives in data coordinates, so the view places it); its tag is an
:class:`~.overlays.AxisTag` placed like the last price's, again on every view change
(:meth:`AlertLines.place`), and live while the line is dragged.

The records and the signals speak prices; the lines sit at the price's view y on the chart's
:class:`~kucandle_gui.model.price_scale.PriceScale` (``set_scale``; linear by default), and a
dragged line's price is read back through it. A scale change moves every line (except one
being dragged) to its price on the new scale. On a percent scale (with a base) the tags write
the price's change from the base with the axis' decimals, like the axis
(:func:`~.markers.axis_text`); the records, signals and tooltips keep prices.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from typing import NamedTuple

import pyqtgraph as pg
from pyqtgraph.GraphicsScene.mouseEvents import MouseClickEvent
from PySide6.QtCore import QEvent, QObject, QPointF, Qt, Signal
from PySide6.QtGui import QColor, QKeyEvent
from PySide6.QtWidgets import QGraphicsView

from kucandle_gui.protocol import format_number
from kucandle_gui.ui.chart.axes import ValueAxis
from kucandle_gui.ui.chart.keys import CHORD, KEY_EVENTS, REMOVE_KEYS
from kucandle_gui.ui.chart.markers import axis_text, y_pixel
from kucandle_gui.ui.chart.overlays import AxisTag
from kucandle_gui.ui.chart.scaled import Scaled

#: How far from a line (in pixels) a click still picks it.
PICK_PIXELS = 5.0


class AlertLine(NamedTuple):
    """One line to draw: ``key`` comes back in the signals, ``label`` is the hover tooltip."""

    key: int
    price: float
    label: str


def _key(spec: AlertLine) -> int:
    return spec.key


class _Drawn:
    """A line and its tag, and the record they show."""

    __slots__ = ("line", "spec", "tag")

    def __init__(self, line: pg.InfiniteLine, tag: AxisTag, spec: AlertLine) -> None:
        self.line = line
        self.tag = tag
        self.spec = spec


class AlertLines(Scaled, QObject):
    """The alert lines of one price pane; see the module docstring."""

    #: ``(key, price)``: a line was dragged and let go at ``price``.
    lineMoved = Signal(int, float)
    #: ``key``: Delete or Backspace with the line selected and the chart focused.
    removeRequested = Signal(int)

    def __init__(
        self, box: pg.ViewBox, axis: ValueAxis, view: QGraphicsView, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._box = box
        self._axis = axis
        self._drawn: dict[int, _Drawn] = {}
        self._selected: int | None = None
        self._format: Callable[[float], str] = format_number
        self._fill = QColor("#ff9800")
        self._ink = QColor("#000000")
        self._follow_scale()
        view.installEventFilter(self)
        view.scene().sigMouseClicked.connect(self._clicked)

    # -- what the owner says -------------------------------------------------------------------

    def set_lines(self, lines: Sequence[AlertLine]) -> None:
        """Draw exactly ``lines`` (a line being dragged keeps its place until let go); the
        lines whose record did not change are not touched."""
        wanted = {spec.key: spec for spec in lines}
        for key in [key for key in self._drawn if key not in wanted]:
            self.discard(key)
        for spec in wanted.values():
            self.put(spec)

    def put(self, spec: AlertLine) -> None:
        """Draw ``spec``, a new line or the new record of line ``spec.key`` (one alert
        changed: its line alone, whatever the number of the others)."""
        drawn = self._drawn.get(spec.key)
        if drawn is None:
            drawn = self._drawn[spec.key] = self._new(spec)
        elif drawn.spec == spec:
            return
        drawn.spec = spec
        drawn.line.setToolTip(spec.label)
        drawn.tag.setToolTip(spec.label)
        if not drawn.line.moving:
            drawn.line.setValue(self._scale.to_view(spec.price))
        self._place_one(drawn)

    def discard(self, key: int) -> None:
        """No line for ``key`` (none drawn: nothing to do)."""
        drawn = self._drawn.pop(key, None)
        if drawn is None:
            return
        self._drop(drawn)
        if self._selected == key:
            self.select(None)

    def _rescaled(self) -> None:
        to_view = self._scale.to_view
        for drawn in self._drawn.values():
            if not drawn.line.moving:
                drawn.line.setValue(to_view(drawn.spec.price))
        self.place()  # the same view y (linear, percent) moves no line, but the text changes

    def set_price_format(self, price_format: Callable[[float], str]) -> None:
        """How the tags write a price (the pair's precision)."""
        self._format = price_format
        self.place()

    def set_colors(self, fill: str) -> None:
        """The lines' colour; the tags are filled with it, their text in black or white."""
        self._fill = QColor(fill)
        self._ink = QColor("#000000" if self._fill.lightnessF() > 0.55 else "#ffffff")
        for drawn in self._drawn.values():
            self._style(drawn)

    def select(self, key: int | None) -> None:
        """Highlight the line ``key`` (None: no line), the one Delete removes."""
        if key is not None and key not in self._drawn:
            key = None
        if key == self._selected:
            return
        old, self._selected = self._selected, key
        for changed in (old, key):
            if changed in self._drawn:
                self._style(self._drawn[changed])

    def place(self) -> None:
        """Put the tags at their lines' prices for the pane's current y range, and write them
        again (a percent tag's decimals follow the axis' step)."""
        for drawn in self._drawn.values():
            self._place_one(drawn)

    # -- what it shows ---------------------------------------------------------------------------

    def lines(self) -> tuple[AlertLine, ...]:
        """The records drawn, by key."""
        return tuple(sorted((drawn.spec for drawn in self._drawn.values()), key=_key))

    def selected(self) -> int | None:
        return self._selected

    def line_near(self, price: float, pixels: float = PICK_PIXELS) -> int | None:
        """The key of the line nearest ``price`` within ``pixels`` on screen, or None."""
        return self._near_view(self._scale.to_view(price), pixels)

    def _near_view(self, y: float, pixels: float = PICK_PIXELS) -> int | None:
        """:meth:`line_near` for view y ``y``."""
        _, (y0, y1) = self._box.viewRange()
        height = self._box.height()
        if y1 <= y0 or height <= 0 or not self._drawn:
            return None
        per_pixel = (y1 - y0) / height
        key, drawn = min(self._drawn.items(), key=lambda kv: abs(kv[1].line.value() - y))
        return key if abs(drawn.line.value() - y) <= pixels * per_pixel else None

    def line_item(self, key: int) -> pg.InfiniteLine | None:
        """The line drawn for ``key`` (tests drive it as the mouse would)."""
        drawn = self._drawn.get(key)
        return drawn.line if drawn is not None else None

    def tag_item(self, key: int) -> AxisTag | None:
        """The price tag drawn for ``key`` (tests: an observation point)."""
        drawn = self._drawn.get(key)
        return drawn.tag if drawn is not None else None

    def tag_text(self, key: int) -> str:
        """The price tag's text of ``key`` ("" when not drawn or out of view) (tests: an
        observation point)."""
        drawn = self._drawn.get(key)
        return drawn.tag.text() if drawn is not None and drawn.tag.isVisible() else ""

    # -- internals -------------------------------------------------------------------------------

    def _new(self, spec: AlertLine) -> _Drawn:
        line = pg.InfiniteLine(pos=self._scale.to_view(spec.price), angle=0, movable=True)
        line.setZValue(35)  # over the candles, under the last price (30 is its line, 100 tag)
        tag = AxisTag(self._axis)
        tag.setZValue(95)
        drawn = _Drawn(line, tag, spec)
        self._style(drawn)
        self._box.addItem(line, ignoreBounds=True)
        line.sigPositionChanged.connect(partial(self._place_one, drawn))
        line.sigDragged.connect(partial(self._dragged, drawn))
        line.sigPositionChangeFinished.connect(partial(self._released, drawn))
        return drawn

    def _drop(self, drawn: _Drawn) -> None:
        self._box.removeItem(drawn.line)
        scene = drawn.tag.scene()
        if scene is not None:
            scene.removeItem(drawn.tag)

    def _style(self, drawn: _Drawn) -> None:
        selected = drawn.spec.key == self._selected
        style = Qt.PenStyle.SolidLine if selected else Qt.PenStyle.DashLine
        drawn.line.setPen(pg.mkPen(self._fill, width=2 if selected else 1, style=style))
        drawn.line.setHoverPen(pg.mkPen(self._fill, width=2, style=style))
        drawn.tag.set_colors(self._fill.name(), self._ink.name())

    def _place_one(self, drawn: _Drawn, *_: object) -> None:
        y = drawn.line.value()
        price = self._scale.from_view(y)
        drawn.tag.set_text(axis_text(self._scale, self._axis, price, self._format(price)))
        y_px = y_pixel(self._box, y)
        if y_px is None:
            return
        point = self._axis.mapFromItem(self._box, QPointF(0.0, y_px))
        drawn.tag.setPos(0.0, point.y())
        drawn.tag.setVisible(0.0 <= y_px <= self._box.height())

    def _dragged(self, drawn: _Drawn, *_: object) -> None:
        self.select(drawn.spec.key)

    def _released(self, drawn: _Drawn, *_: object) -> None:
        """Let go: tell the owner, then put the line back unless the owner moved it.

        Compared in view coordinates, where the line was put: a price read back through a
        log scale may differ from the record's in the last digit without a move.
        """
        key, y = drawn.spec.key, drawn.line.value()
        to_view = self._scale.to_view
        if y != to_view(drawn.spec.price):
            self.lineMoved.emit(key, self._scale.from_view(y))
        if self._drawn.get(key) is drawn and drawn.line.value() != to_view(drawn.spec.price):
            drawn.line.setValue(to_view(drawn.spec.price))

    def _clicked(self, event: MouseClickEvent) -> None:
        """A left click picks the line under it, or none (elsewhere)."""
        if event.button() != Qt.MouseButton.LeftButton:
            return
        pos = event.scenePos()
        if self._box.sceneBoundingRect().contains(pos):
            self.select(self._near_view(self._box.mapSceneToView(pos).y()))
        else:
            self.select(None)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Delete/Backspace asks to remove the selected line, Escape lets go of it; with no
        line selected the keys go on (to the window's shortcuts, the view box)."""
        kind = event.type()
        if self._selected is None or kind not in KEY_EVENTS:
            return False
        assert isinstance(event, QKeyEvent)
        key = event.key()
        if event.modifiers() & CHORD or (key not in REMOVE_KEYS and key != Qt.Key.Key_Escape):
            return False
        event.accept()
        if kind == QEvent.Type.KeyPress:
            if key == Qt.Key.Key_Escape:
                self.select(None)
            else:
                self.removeRequested.emit(self._selected)
        return True
