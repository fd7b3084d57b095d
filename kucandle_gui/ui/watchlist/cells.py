"""A watchlist row as the table shows it: the columns, and each cell's text and sort key,
made once from a :class:`WatchRow` when it changes (no Qt widget needed to test them).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import IntEnum

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from kucandle_gui.model import WatchRow

from .formatting import format_change, format_price, format_volume


class Column(IntEnum):
    SIGN = 0
    PAIR = 1
    LAST = 2
    CHANGE = 3
    HIGH = 4
    LOW = 5
    VOLUME = 6


HEADERS = ("", "Pair", "Last", "Chg %", "24h High", "24h Low", "Vol")
HEADER_TIPS = (
    "⚠ stale (no update for 6 s, or the connection is down) · ✕ not served",
    "The pair",
    "Last traded price",
    "Change over 24 h",
    "Highest price in 24 h",
    "Lowest price in 24 h",
    "Volume traded in 24 h, in the quote currency",
)

STALE_SIGN = "⚠"
REFUSED_SIGN = "✕"

_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
_LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
_CENTRE = Qt.AlignmentFlag.AlignCenter
ALIGNMENT = (_CENTRE, _LEFT, *([_RIGHT] * 5))
#: Headers of numbers centred: the style draws the sort arrow over a right-aligned one's end.
HEADER_ALIGNMENT = (_CENTRE, _LEFT, *([_CENTRE] * 5))


@dataclass(slots=True)
class Cells:
    """One row as shown: a text and a sort key (None: no value) per column, its state."""

    texts: tuple[str, ...]
    keys: tuple[object, ...]
    #: +1 / -1 / 0: the sign of the 24 h change (its colour).
    direction: int
    stale: bool
    refused: bool


@dataclass(frozen=True, slots=True)
class Colours:
    """Colours of rising and falling prices, and of values that may be out of date."""

    up: str = "#26a69a"
    down: str = "#ef5350"
    dim: str = "#808690"
    #: The stale sign's (a refused pair's sign takes ``down``).
    warn: str = "#d9a400"


def text_colours(colours: Colours) -> tuple[QColor, QColor, QColor, QColor]:
    """Text colours, made once: indexed by direction + 1 falling, dimmed (out of date),
    rising; then the stale sign's."""
    c = colours
    return QColor(c.down), QColor(c.dim), QColor(c.up), QColor(c.warn)


def make_cells(row: WatchRow, stale: bool, decimals: int | None) -> Cells:
    """``row`` as shown, its prices with ``decimals`` places (None: the shortest form)."""
    sign = REFUSED_SIGN if row.refused else STALE_SIGN if stale else ""
    change = row.change_rate
    return Cells(
        texts=(
            sign,
            row.symbol,
            format_price(row.last, decimals),
            format_change(change),
            format_price(row.high, decimals),
            format_price(row.low, decimals),
            format_volume(row.turnover),
        ),
        keys=(
            2 if row.refused else 1 if stale else 0,
            row.symbol,
            row.last,
            change,
            row.high,
            row.low,
            row.turnover,
        ),
        direction=0 if not change else 1 if change > 0 else -1,
        stale=stale,
        refused=row.refused,
    )


def runs(numbers: Iterable[int]) -> list[tuple[int, int]]:
    """Neighbouring ``numbers`` as (first, last) runs, in order: one signal per run."""
    found: list[tuple[int, int]] = []
    for number in sorted(numbers):
        if found and number == found[-1][1] + 1:
            found[-1] = (found[-1][0], number)
        else:
            found.append((number, number))
    return found


def changed_columns(old: Cells | None, new: Cells) -> list[tuple[int, int]]:
    """The runs of neighbouring columns (first, last) that look different in ``new``, so that
    a view repaints those cells only (a snapshot changes the price, the change and the volume;
    the pair and the 24 h high and low mostly stay). A change of the row's state changes its
    colours: the whole row."""
    if old is None or (old.direction, old.stale, old.refused) != (
        new.direction,
        new.stale,
        new.refused,
    ):
        return [(0, len(Column) - 1)]
    pairs = enumerate(zip(old.texts, new.texts, strict=True))
    return runs(column for column, (before, after) in pairs if before != after)
