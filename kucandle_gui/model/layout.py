"""Layouts of several charts (cells), and what a workspace of them saves.

A :class:`WorkspaceSpec` is what the window opens with and what it saves: the layout, every
cell's pair, timeframe, studies and price scale, and which cell is active. It holds more cells
than the layout shows when the user shrank the layout: those spare cells come back as they
were when it grows again (:class:`~kucandle_gui.model.workspace.Workspace`). Plain values,
checked when made, so everything past the model trusts them; :func:`workspace_from_data`
reads the saved form back, keeping what is usable of a damaged or hand-edited value.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from enum import Enum
from typing import Any

from kucandle_gui.protocol import TIMEFRAMES, InvalidSymbolError, validate_symbol

from .indicators import Study, studies_from_data, studies_to_data, unique_studies
from .keys import SeriesKey
from .price_scale import ScaleMode
from .saved_data import at_most, quote

#: The most cells a layout shows, and the most a workspace remembers (shown and spare).
MAX_CELLS = 4


class LayoutKind(Enum):
    """How the chart area is split: the value is the name the command line and the saved
    workspace use."""

    SINGLE = "1"
    SIDE_BY_SIDE = "1x2"
    STACKED = "2x1"
    THREE = "3"  # one large on the left, two stacked on the right
    GRID = "2x2"

    @property
    def cells(self) -> int:
        """How many charts the layout shows."""
        return _CELLS[self]

    @property
    def title(self) -> str:
        """The Layout menu's entry, with its mnemonic."""
        return _TITLES[self]


_CELLS = {
    LayoutKind.SINGLE: 1,
    LayoutKind.SIDE_BY_SIDE: 2,
    LayoutKind.STACKED: 2,
    LayoutKind.THREE: 3,
    LayoutKind.GRID: 4,
}
_TITLES = {
    LayoutKind.SINGLE: "&1 chart",
    LayoutKind.SIDE_BY_SIDE: "&2 charts side by side",
    LayoutKind.STACKED: "2 charts &stacked",
    LayoutKind.THREE: "&3 charts",
    LayoutKind.GRID: "&4 charts (2x2)",
}
#: Other names a user may type: a count (``parse_layout`` also takes the multiplication sign).
_ALIASES = {"2": LayoutKind.SIDE_BY_SIDE, "4": LayoutKind.GRID}

#: Every layout's name, for messages.
LAYOUT_NAMES = ", ".join(kind.value for kind in LayoutKind)


def parse_layout(text: str) -> LayoutKind:
    """The layout named ``text`` (any case, the multiplication sign for ``x``, ``2`` for 1x2,
    ``4`` for 2x2); ``ValueError`` listing the names otherwise."""
    if isinstance(text, str):
        name = text.strip().lower().replace("\u00d7", "x")
        if name in _ALIASES:
            return _ALIASES[name]
        for kind in LayoutKind:
            if kind.value == name:
                return kind
    raise ValueError(f"unknown layout {quote(text)}: one of {LAYOUT_NAMES}")


def charts_text(count: int) -> str:
    """``1 chart``, ``3 charts``: a count in a message."""
    return "1 chart" if count == 1 else f"{count} charts"


def layout_for_count(count: int) -> LayoutKind:
    """The layout showing ``count`` charts (two: side by side); ``ValueError`` past
    :data:`MAX_CELLS`."""
    for kind in (LayoutKind.SINGLE, LayoutKind.SIDE_BY_SIDE, LayoutKind.THREE, LayoutKind.GRID):
        if kind.cells == count:
            return kind
    raise ValueError(f"no layout shows {count} charts: 1 to {MAX_CELLS}")


@dataclass(frozen=True)
class CellSpec:
    """One cell: its series, its studies (each spec once) and its price scale."""

    key: SeriesKey
    studies: tuple[Study, ...] = ()
    scale: ScaleMode = ScaleMode.LINEAR

    def __post_init__(self) -> None:
        if not isinstance(self.key, SeriesKey):
            raise TypeError(f"key must be a SeriesKey, got {quote(self.key)}")
        studies = tuple(self.studies)
        for study in studies:
            if not isinstance(study, Study):
                raise TypeError(f"studies must be Study values, got {quote(study)}")
        object.__setattr__(self, "key", SeriesKey.of(*self.key))
        object.__setattr__(self, "studies", unique_studies(studies))
        object.__setattr__(self, "scale", ScaleMode(self.scale))

    def to_data(self) -> dict[str, Any]:
        return {
            "symbol": self.key.symbol,
            "timeframe": self.key.timeframe,
            "scale": self.scale.value,
            "studies": studies_to_data(self.studies),
        }


@dataclass(frozen=True)
class WorkspaceSpec:
    """A layout, its cells (those shown first, then the spare ones) and the active cell."""

    layout: LayoutKind
    #: 1 to :data:`MAX_CELLS`; the first ``layout.cells`` are shown, the rest are spare.
    cells: tuple[CellSpec, ...]
    #: Index of the active cell among those shown.
    active: int = 0

    def __post_init__(self) -> None:
        layout = LayoutKind(self.layout)
        cells = tuple(self.cells)
        for cell in cells:
            if not isinstance(cell, CellSpec):
                raise TypeError(f"cells must be CellSpec values, got {quote(cell)}")
        if not 1 <= len(cells) <= MAX_CELLS:
            raise ValueError(f"a workspace holds 1 to {MAX_CELLS} charts, got {len(cells)}")
        if len(cells) < layout.cells:
            raise ValueError(
                f"layout {layout.value} shows {layout.cells} charts, only {len(cells)} given"
            )
        active = self.active
        if isinstance(active, bool) or not isinstance(active, int):
            raise TypeError(f"active must be a whole number, got {quote(active)}")
        if not 0 <= active < layout.cells:
            raise ValueError(
                f"active chart {active} is not shown in layout {layout.value} "
                f"(0 to {layout.cells - 1})"
            )
        object.__setattr__(self, "layout", layout)
        object.__setattr__(self, "cells", cells)

    @classmethod
    def single(
        cls,
        symbol: str,
        timeframe: str,
        studies: Iterable[Study] = (),
        scale: ScaleMode = ScaleMode.LINEAR,
    ) -> WorkspaceSpec:
        """One chart of ``symbol`` ``timeframe`` (``ValueError`` names what is valid)."""
        key = SeriesKey.of(symbol, timeframe)
        return cls(LayoutKind.SINGLE, (CellSpec(key, tuple(studies), scale),))

    @property
    def shown(self) -> tuple[CellSpec, ...]:
        """The cells the layout shows, in order."""
        return self.cells[: self.layout.cells]

    @property
    def spare(self) -> tuple[CellSpec, ...]:
        """The cells a larger layout shows first, in order."""
        return self.cells[self.layout.cells :]

    def to_data(self) -> dict[str, Any]:
        """Plain JSON data, read back by :func:`workspace_from_data`."""
        return {
            "layout": self.layout.value,
            "active": self.active,
            "cells": [cell.to_data() for cell in self.cells],
        }


def new_cell(cells: Sequence[CellSpec], watchlist: Sequence[str], active: CellSpec) -> CellSpec:
    """The cell a growing layout adds when none is remembered: the first watchlist pair no
    cell shows (none left: the active cell's), in the active cell's timeframe, with its
    studies and scale (a trader's way of looking at a chart carries over)."""
    shown = {cell.key.symbol for cell in cells}
    symbol = next((pair for pair in watchlist if pair not in shown), active.key.symbol)
    return replace(active, key=SeriesKey(symbol, active.key.timeframe))


def workspace_from_data(data: object) -> tuple[WorkspaceSpec | None, list[str]]:
    """A workspace read back from :meth:`WorkspaceSpec.to_data`'s form, and what was wrong.

    Never raises, and reads at most :data:`MAX_CELLS` cells. A cell that cannot be read (not
    an object, a bad pair or timeframe) is dropped; a bad scale is linear and a bad study
    skipped, the cell kept. A layout that cannot be read, or that shows more cells than could
    be read, becomes the layout of the cells read; an active cell that was not read, the first
    one, and one past those shown, the last shown. None when no cell could be read. Each
    problem is one sentence; cells are counted from 1 in them, as a user counts. A hand edit may
    hold thousands of bad indicators: at most ``saved_data.MAX_PROBLEMS`` are said (a tooltip lists
    them), then how many more.
    """
    spec, problems = _workspace_from_data(data)
    return spec, at_most(problems)


def _workspace_from_data(data: object) -> tuple[WorkspaceSpec | None, list[str]]:
    if not isinstance(data, Mapping):
        return None, [f"expected an object, got {type(data).__name__}"]
    entries = data.get("cells")
    if not isinstance(entries, list):
        return None, [f"'cells' must be a list of charts, got {quote(entries)}"]
    problems: list[str] = []
    if len(entries) > MAX_CELLS:
        problems.append(f"{len(entries)} charts saved: only the first {MAX_CELLS} kept")
    cells: list[CellSpec] = []
    #: Saved index of each cell read -> its index in ``cells``.
    kept: dict[int, int] = {}
    for n, entry in enumerate(entries[:MAX_CELLS]):
        try:
            cell, cell_problems = _cell_from_data(entry)
        except (TypeError, ValueError) as exc:
            problems.append(f"chart {n + 1} skipped: {exc}")
            continue
        kept[n] = len(cells)
        cells.append(cell)
        problems.extend(f"chart {n + 1}: {problem}" for problem in cell_problems)
    if not cells:
        problems.append("no chart could be read")
        return None, problems
    layout = _layout_from_data(data.get("layout"), len(cells), problems)
    active = _active_from_data(data.get("active", 0), kept, layout, problems)
    return WorkspaceSpec(layout, tuple(cells), active), problems


def _cell_from_data(entry: object) -> tuple[CellSpec, list[str]]:
    if not isinstance(entry, Mapping):
        raise TypeError(f"expected an object, got {type(entry).__name__}")
    symbol, timeframe = entry.get("symbol"), entry.get("timeframe")
    if not isinstance(symbol, str):
        raise TypeError(f"'symbol' must be text, got {quote(symbol)}")
    if not isinstance(timeframe, str):
        raise TypeError(f"'timeframe' must be text, got {quote(timeframe)}")
    # Not SeriesKey.of: its messages quote the whole text, and a damaged file may hold a
    # megabyte of it.
    try:
        symbol = validate_symbol(symbol)
    except InvalidSymbolError:
        raise ValueError(
            f"invalid pair {quote(symbol)}: expected BASE-QUOTE, e.g. BTC-USDT"
        ) from None
    if timeframe not in TIMEFRAMES:
        raise ValueError(f"unknown timeframe {quote(timeframe)}: one of {', '.join(TIMEFRAMES)}")
    problems: list[str] = []
    scale = entry.get("scale", ScaleMode.LINEAR.value)
    try:
        mode = ScaleMode(scale)
    except ValueError:
        names = ", ".join(kind.value for kind in ScaleMode)
        problems.append(f"unknown scale {quote(scale)} (one of {names}): linear used")
        mode = ScaleMode.LINEAR
    studies, study_problems = studies_from_data(entry.get("studies", []))
    problems.extend(study_problems)
    return CellSpec(SeriesKey(symbol, timeframe), studies, mode), problems


def _layout_from_data(value: object, count: int, problems: list[str]) -> LayoutKind:
    """The saved layout, or the layout of the ``count`` cells read when it cannot be used."""
    fitted = layout_for_count(count)
    try:
        layout = parse_layout(value)  # type: ignore[arg-type]
    except ValueError as exc:
        problems.append(f"{exc}; layout {fitted.value} used for the {charts_text(count)} read")
        return fitted
    if layout.cells > count:
        problems.append(
            f"layout {layout.value} shows {layout.cells} charts but only {count} could be "
            f"read: layout {fitted.value} used"
        )
        return fitted
    return layout


def _active_from_data(
    value: object, kept: Mapping[int, int], layout: LayoutKind, problems: list[str]
) -> int:
    """The saved active cell's index among the cells read, if it is shown."""
    if isinstance(value, bool) or not isinstance(value, int):
        problems.append(
            f"'active' must be a chart index, got {quote(value)}: the first chart is active"
        )
        return 0
    index = kept.get(value)
    if index is None:
        problems.append(f"'active' {quote(value)} names no chart read: the first chart is active")
        return 0
    if index >= layout.cells:
        problems.append(
            f"'active' {quote(value)} is not shown in layout {layout.value}: the last chart shown "
            "is active"
        )
        return layout.cells - 1
    return index
