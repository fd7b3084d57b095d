"""``DrawingLayer``: the drawings of the pair shown, on a chart's price pane.

The book (:class:`~kucandle_gui.model.drawings.DrawingBook`) holds the drawings; the layer
draws the shown pair's and follows the book's events (one drawing changed: its items alone).
What the user does goes to the book: a line placed is added, a line dragged is updated when
let go (while dragging it is drawn where the mouse has it, the book untouched), a line
deleted is removed (:mod:`.edits`). The mouse and keys are read by :class:`~.tools.Pointer`.

Items are placed in the pane's pixels from data coordinates (time, ``scale.to_view(price)``)
on every view change (the box's transform signal), on a scale change, and when the book
changes; never on a live candle.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QColor

from kucandle_gui.model.drawings import (
    ChangeKind,
    Drawing,
    DrawingBook,
    DrawingChange,
    HorizontalLine,
)
from kucandle_gui.ui.chart.drawings.edits import DrawingEditsMixin
from kucandle_gui.ui.chart.drawings.geometry import (
    Frame,
    candle_seconds,
    pick,
    snap_time,
)
from kucandle_gui.ui.chart.drawings.items import Drawn
from kucandle_gui.ui.chart.drawings.measure import Measure
from kucandle_gui.ui.chart.drawings.tools import Pointer, Tool
from kucandle_gui.ui.chart.markers import axis_text
from kucandle_gui.ui.chart.readout import price_decimals
from kucandle_gui.ui.chart.theme import DARK, ChartTheme

if TYPE_CHECKING:
    from kucandle_gui.model.price_scale import PriceScale

#: How far from a line, and from a trend line's end point, a click still picks it (pixels).
PICK_PIXELS = 5.0
HANDLE_PIXELS = 7.0


class DrawingLayer(DrawingEditsMixin, QObject):
    """The drawings of one chart; see the module and the package docstrings."""

    #: ``Tool | None``: the tool armed (None: placed, cancelled or switched off).
    toolChanged = Signal(object)
    #: ``int | None``: the id of the selected drawing.
    selectionChanged = Signal(object)
    #: A sentence: what could not be done (a pair full of drawings, no pair shown, no book).
    failed = Signal(str)

    def __init__(self, chart: Any, scale: PriceScale | None = None) -> None:
        super().__init__(chart)
        self._chart = chart
        self._box = chart.price_view
        self._axis = chart.price_axis
        self._scale: PriceScale | None = None
        self._book: DrawingBook | None = None
        self._symbol = ""
        self._tf: int | None = None
        self._tool: Tool | None = None
        self._selected: int | None = None
        self._shown: dict[int, Drawn] = {}
        self._color = QColor(DARK.drawing)  # until the chart gives its theme
        self._preview = Drawn(HorizontalLine(1.0), self._box, None)
        self._preview_drawing: Drawing | None = None
        self.measure = Measure(self._box)
        #: What disconnects from the book and the scale ("book", "scale"): run when replaced,
        #: and when the chart goes (the model's events must not call into a deleted chart).
        self._links: dict[str, Callable[[], None]] = {}
        chart.destroyed.connect(partial(_unlink_all, self._links))
        self.set_scale(scale if scale is not None else chart.scale)
        self._box.sigTransformChanged.connect(self.place)
        self._box.sigResized.connect(self.place)
        self.pointer = Pointer(self, chart.graphics_view)
        if hasattr(chart, "theme"):
            self.set_theme(chart.theme())

    # -- what the chart and the window say ------------------------------------------------------

    def set_scale(self, scale: PriceScale) -> None:
        """Map prices through ``scale`` (re-placed whenever it changes)."""
        _unlink(self._links, "scale")
        self._scale = scale
        scale.changed.connect(self._scale_changed)
        self._links["scale"] = partial(scale.changed.disconnect, self._scale_changed)
        self.place()

    def set_book(self, book: DrawingBook | None) -> None:
        """Draw ``book``'s drawings and send edits to it (None: no drawings, tools do nothing)."""
        _unlink(self._links, "book")
        self._book = book
        if book is not None:
            book.changed.connect(self._book_changed)
            self._links["book"] = partial(book.changed.disconnect, self._book_changed)
        self._rebuild()

    def set_pair(self, symbol: str, timeframe_seconds: int | None = None) -> None:
        """Show ``symbol``'s drawings (``timeframe_seconds``: the candles', for snapping and
        counting; inferred from the store when not given).

        The gesture under way is dropped (a trend line's first point placed goes, a dragged
        line goes back unchanged) and the measure is hidden; the selection goes with the
        previous pair's lines. An armed tool stays armed (no ``toolChanged``): its line is
        placed on the new pair."""
        self.pointer.cancel()
        self.measure.hide()
        self._symbol = symbol.strip().upper()
        self._tf = timeframe_seconds
        self._rebuild()

    def set_tool(self, tool: Tool | None) -> None:
        """Arm ``tool`` for one drawing (it ends once placed, on Escape, or with None)."""
        if tool == self._tool:
            return
        self.pointer.cancel()
        self._tool = tool
        if tool is not None:
            self.select(None)
            self.measure.hide()
        self.pointer.update_cursor()
        self.toolChanged.emit(tool)

    def set_color(self, color: str) -> None:
        """The drawings' colour (the selected one is drawn thicker, with handles)."""
        self._color = QColor(color)
        for shown in self._all_shown():
            shown.set_colors(self._color, shown.drawing.id == self._selected)

    def set_theme(self, theme: ChartTheme) -> None:
        """The drawings' colour, and the measure's (rising, falling; label text on the
        background)."""
        self.set_color(theme.drawing)
        self.measure.set_colors(theme.up, theme.down, theme.foreground, theme.background)

    def select(self, drawing_id: int | None) -> None:
        """Highlight a drawing of the shown pair (None: none), the one Delete removes."""
        if drawing_id is not None and drawing_id not in self._shown:
            drawing_id = None
        if drawing_id == self._selected:
            return
        old, self._selected = self._selected, drawing_id
        for changed in (old, drawing_id):
            shown = self._shown.get(changed) if changed is not None else None
            if shown is not None:
                shown.set_colors(self._color, changed == drawing_id)
                self._place_one(shown, self.frame())
        if drawing_id is not None:
            alert_lines = getattr(self._chart, "alert_lines", None)
            if alert_lines is not None:
                alert_lines.select(None)  # one selection on the chart: one thing Delete removes
        self.selectionChanged.emit(drawing_id)

    def place(self, *_: object) -> None:
        """Put everything at its data coordinates for the pane's current view."""
        frame = self.frame()
        for shown in self._shown.values():
            self._place_one(shown, frame)
        self._place_preview(frame)
        self.measure.place(frame, self.to_view)

    # -- what it shows --------------------------------------------------------------------------

    @property
    def book(self) -> DrawingBook | None:
        return self._book

    @property
    def scale(self) -> PriceScale | None:
        return self._scale

    @property
    def box(self) -> Any:
        """The price pane's view box (``pg.ViewBox``)."""
        return self._box

    @property
    def store(self) -> Any:
        """The chart's candles (``CandleColumns``), read for snapping and counting."""
        return self._chart.store

    @property
    def symbol(self) -> str:
        return self._symbol

    def tool(self) -> Tool | None:
        return self._tool

    def selected(self) -> int | None:
        return self._selected

    def drawings(self) -> tuple[Drawing, ...]:
        """The drawings shown (the shown pair's in the book), oldest first."""
        return tuple(shown.drawing for shown in self._shown.values())

    def drawn(self, drawing_id: int) -> Drawn | None:
        """A drawing's items and where they are on screen (tests look at them)."""
        return self._shown.get(drawing_id)

    def measure_text(self) -> str:
        return self.measure.text()

    # -- for the pointer: coordinates, picking, previews ---------------------------------------

    def frame(self) -> Frame:
        (x0, x1), (y0, y1) = self._box.viewRange()
        return Frame(x0, x1, y0, y1, self._box.width(), self._box.height())

    def to_view(self, price: float) -> float:
        return self._scale.to_view(price) if self._scale is not None else price

    def from_view(self, y: float) -> float:
        return self._scale.from_view(y) if self._scale is not None else y

    def timeframe(self) -> int | None:
        return candle_seconds(self.store, self._tf)

    def snap(self, x: float) -> int:
        return snap_time(x, self.store, self.timeframe())

    def hit(self, px: float, py: float) -> tuple[int, int] | None:
        """``(id, part)`` of the drawing under pixel (``px``, ``py``): part 1 or 2 for a trend
        line's end point, 0 for the line itself; None when nothing is near."""
        candidates = ((i, d.segment, d.ends) for i, d in self._shown.items())
        return pick(candidates, (px, py), PICK_PIXELS, HANDLE_PIXELS)

    def alert_line_near(self, py: float) -> bool:
        """An alert line within picking distance of pixel row ``py``: the click is its."""
        lines = getattr(self._chart, "alert_lines", None)
        if lines is None:
            return False
        frame = self.frame()
        if not frame.valid:
            return False
        for spec in lines.lines():
            item = lines.line_item(spec.key)
            if item is not None and abs(frame.to_px(frame.x0, item.value())[1] - py) <= PICK_PIXELS:
                return True
        return False

    def show_dragged(self, drawing_id: int, drawing: Drawing | None) -> None:
        """Draw ``drawing`` in place of the book's while it is dragged (None: the book's)."""
        shown = self._shown.get(drawing_id)
        if shown is not None:
            shown.override = drawing
            self._place_one(shown, self.frame())

    def show_preview(self, drawing: Drawing | None) -> None:
        """A drawing being placed, not in the book yet (None: none)."""
        self._preview_drawing = drawing
        self._place_preview(self.frame())

    # -- internals ------------------------------------------------------------------------------

    def _all_shown(self) -> list[Drawn]:
        return [*self._shown.values(), self._preview]

    def _scale_changed(self, *_: object) -> None:
        self.place()

    def _book_changed(self, change: DrawingChange) -> None:
        if change.kind is ChangeKind.RESET:
            if change.symbol is None or change.symbol == self._symbol:
                self._rebuild()
            return
        if change.symbol != self._symbol or change.drawing is None:
            return
        drawing = change.drawing
        if change.kind is ChangeKind.REMOVED:
            self._drop(drawing.id)
            return
        shown = self._shown.get(drawing.id)
        if shown is None:
            shown = self._shown[drawing.id] = self._new(drawing)
        shown.drawing = drawing
        self._place_one(shown, self.frame())

    def _rebuild(self) -> None:
        self.pointer.cancel()
        for drawing_id in list(self._shown):
            self._drop(drawing_id)
        if self._book is not None and self._symbol:
            for drawing in self._book.drawings(self._symbol):
                self._shown[drawing.id] = self._new(drawing)
        self.place()

    def _new(self, drawing: Drawing) -> Drawn:
        axis = self._axis if isinstance(drawing, HorizontalLine) else None
        shown = Drawn(drawing, self._box, axis)
        shown.set_colors(self._color, False)
        return shown

    def _drop(self, drawing_id: int) -> None:
        shown = self._shown.pop(drawing_id, None)
        if shown is None:
            return
        self.pointer.forget(drawing_id)
        shown.remove()
        if self._selected == drawing_id:
            self.select(None)

    def _place_preview(self, frame: Frame) -> None:
        preview = self._preview
        if self._preview_drawing is None:
            preview.line.set_geometry(None)
            preview.line.hide()
            return
        preview.drawing = self._preview_drawing
        self._place_one(preview, frame)

    def _place_one(self, shown: Drawn, frame: Frame) -> None:
        preview = shown is self._preview
        handles = preview or shown.drawing.id == self._selected
        shown.place(frame, self.to_view, self._tag_text, handles=handles)

    def _tag_text(self, price: float) -> str:
        last = self.store.last()
        decimals = price_decimals(last.close if last is not None else price)
        text = f"{price:.{decimals}f}"
        if self._scale is None:
            return text
        return axis_text(self._scale, self._chart.price_axis, price, text)


def _unlink(links: dict[str, Callable[[], None]], name: str) -> None:
    unlink = links.pop(name, None)
    if unlink is not None:
        unlink()


def _unlink_all(links: dict[str, Callable[[], None]], *_: object) -> None:
    for name in list(links):
        _unlink(links, name)
