"""The charts the window opens with: the saved workspace, changed as the command line asks.

The rules, as ``--help`` says them:

- With ``--layout``: ``--symbol`` and ``--timeframe`` each give one value, which applies to
  every cell, or one value per cell, in order; any other count is refused, naming the counts.
- Without ``--layout``: a single value sets the active cell only, the saved layout kept (as the
  one-chart window did); a list of N > 1 values chooses the layout of N cells
  (:func:`~kucandle_gui.model.layout.layout_for_count`; a saved layout of N cells is kept, so
  two stacked charts stay stacked); two such lists must be as long.
- At most :data:`~kucandle_gui.model.layout.MAX_CELLS` values.
- A cell the command line changes keeps its own studies and scale, as when its pair is switched
  in the window. A cell the saved workspace does not have is made as the window makes one when
  its layout grows: the first watchlist pair not shown yet (none left: the active cell's pair),
  in the active cell's timeframe, with its studies and scale — except when only timeframes are
  given (``--timeframe 1min,5min``): that asks for the same pair on several timeframes, so a new
  cell shows the active cell's pair. Spare cells stay as they were
  (the next larger layout brings them back); the active cell stays active when it is still
  shown, else the last cell shown is.
- ``--indicator``: every cell shown opens with those indicators (missing ones added in the
  next colour, hidden ones shown).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from .indicators import IndicatorSpec, with_specs
from .keys import SeriesKey
from .layout import (
    MAX_CELLS,
    LayoutKind,
    WorkspaceSpec,
    charts_text,
    layout_for_count,
    new_cell,
)


def check_cell_lists(
    layout: LayoutKind | None, symbols: Sequence[str], timeframes: Sequence[str]
) -> LayoutKind | None:
    """The layout the command line asks for: ``layout``, else the one of the longer list's
    count (None: the saved one). ``ValueError`` naming the counts when they do not fit."""
    named = ((len(symbols), "pairs"), (len(timeframes), "timeframes"))
    for count, noun in named:
        if count > MAX_CELLS:
            raise ValueError(f"{count} {noun}: at most {MAX_CELLS} charts are shown at once")
    if layout is not None:
        for count, noun in named:
            if count > 1 and count != layout.cells:
                raise ValueError(f"{count} {noun} for {_shows(layout)}: {_fitting(layout)}")
        return layout
    lengths = {count for count, _ in named if count > 1}
    if len(lengths) > 1:
        raise ValueError(
            f"{len(symbols)} pairs and {len(timeframes)} timeframes: give one of each per "
            "chart, or a single value for every chart"
        )
    return layout_for_count(lengths.pop()) if lengths else None


def start_workspace(
    saved: WorkspaceSpec,
    *,
    layout: LayoutKind | None,
    symbols: Sequence[str],
    timeframes: Sequence[str],
    indicators: Sequence[IndicatorSpec],
    watchlist: Sequence[str] = (),
) -> WorkspaceSpec:
    """``saved`` changed by the command line's ``--layout``, ``--symbol``, ``--timeframe`` and
    ``--indicator``, as the module docstring says; ``watchlist`` gives a new cell its pair.
    ``ValueError`` when the counts do not fit (:func:`check_cell_lists`) or a name is not
    valid."""
    chosen = check_cell_lists(layout, symbols, timeframes)
    cells = list(saved.cells)
    if chosen is None:
        kind, active = saved.layout, saved.active
        changed = [active]
    else:
        if layout is None and chosen.cells == saved.layout.cells:
            chosen = saved.layout
        kind, active = chosen, min(saved.active, chosen.cells - 1)
        pairs = watchlist if symbols or not timeframes else ()
        while len(cells) < kind.cells:
            cells.append(new_cell(cells, pairs, saved.cells[saved.active]))
        changed = list(range(kind.cells))
    for index in changed:
        cell = cells[index]
        symbol = _nth(symbols, index) or cell.key.symbol
        timeframe = _nth(timeframes, index) or cell.key.timeframe
        cells[index] = replace(cell, key=SeriesKey.of(symbol, timeframe))
    for index in range(kind.cells):
        cells[index] = replace(cells[index], studies=with_specs(cells[index].studies, indicators))
    return WorkspaceSpec(kind, tuple(cells), active)


def _nth(values: Sequence[str], index: int) -> str | None:
    """The ``index``-th cell's value: one value is every cell's."""
    if len(values) == 1:
        return values[0]
    return values[index] if values else None


def _shows(layout: LayoutKind) -> str:
    return f"layout {layout.value} ({charts_text(layout.cells)})"


def _fitting(layout: LayoutKind) -> str:
    if layout.cells == 1:
        return "give one"
    return f"give one (for every chart) or {layout.cells}"
