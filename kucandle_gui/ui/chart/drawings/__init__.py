"""Drawings on the chart's price pane: horizontal and trend lines, and the measure tool.

API (the chart creates the layer; the window arms tools and gives it the book)::

    from kucandle_gui.ui.chart.drawings import DrawingLayer, Tool

    layer = DrawingLayer(chart, scale=None)   # scale None: chart.scale (a PriceScale)
    layer.set_book(book | None)               # a model.drawings.DrawingBook
    layer.set_pair(symbol, timeframe_seconds=None)   # the pair shown (on every series change)
    layer.set_tool(Tool.HLINE | Tool.TREND | None)   # one drawing per activation
    layer.toolChanged         # Signal(object): Tool | None (placed, Escape, right click)
    layer.selectionChanged    # Signal(object): the selected drawing's id | None
    layer.failed              # Signal(str): "Drawing not added: ..." (for the status bar)
    layer.set_scale(scale)    # another PriceScale object (re-placed on its ``changed``)
    layer.set_color("#2196f3"); layer.set_theme(theme)   # lines; the measure's colours
    layer.place()             # re-place everything (it listens to the pane itself)
    layer.select(id | None); layer.selected(); layer.remove(id=None); layer.remove_all()
    layer.drawings(); layer.tool(); layer.measure_text(); layer.context_menu(id) -> QMenu

The mouse (:mod:`.tools`): with a tool armed a click places a horizontal line; a trend line
is a press-drag-release or two clicks (times snapped to the candle under the point, prices
free); Escape or a right click disarms. With no tool: a click on a line selects it, a drag
moves it (a trend line whole, by whole candles, or by an end point; never below
``MIN_PRICE`` nor above ``MAX_PRICE``), Delete/Backspace removes the selected one,
a right click on a line opens its menu; Shift+drag measures (gone at the next click or
Escape). A press on an alert line, or on no drawing, goes on to the chart as before.

Modules: :mod:`.layer` (the layer: book, items, placing), :mod:`.edits` (its edits to the book,
a drawing's menu), :mod:`.tools` (tools, mouse, keys), :mod:`.items` (what a drawing looks
like), :mod:`.measure`, :mod:`.geometry` (pixels, Qt-free).
"""

from kucandle_gui.ui.chart.drawings.layer import DrawingLayer
from kucandle_gui.ui.chart.drawings.tools import Tool

__all__ = ["DrawingLayer", "Tool"]
