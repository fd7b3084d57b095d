"""Lines the user draws on a pair's chart, anchored in data coordinates. Qt-free.

A drawing is a value (a frozen dataclass) in time (Unix seconds) and price, never in pixels
or in a scale's view coordinates: it stays where it was put whatever the zoom, the pan, the
price scale or the timeframe shown. The :class:`DrawingBook` holds them per pair, gives each
an id (unique in the book, for this session: ids are not saved), and tells what changed with
one event (:class:`DrawingChange`); the chart's drawing layer draws the book and sends the
user's edits back to it, so the book is the one place a drawing lives.

The book is bounded (:data:`MAX_PER_PAIR` drawings a pair, :data:`MAX_PAIRS` pairs): a saved
book is read back whole at every start. :meth:`DrawingBook.load` never raises on JSON-able
data: a bad entry is skipped and described, and every good one kept.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from enum import Enum

from kucandle_gui.protocol import InvalidSymbolError, validate_symbol

from .events import Event
from .price_scale import MIN_PRICE
from .saved_data import at_most, quote

#: Drawings kept per pair, and pairs with drawings.
MAX_PER_PAIR = 200
MAX_PAIRS = 500
#: The version of :meth:`DrawingBook.to_dict`'s layout.
VERSION = 1
#: Times are whole Unix seconds in [0, MAX_TIME] (year 6325); prices finite, in
#: [MIN_PRICE, MAX_PRICE]: at or above the log scale's floor (a lower price has no place of
#: its own on the log scale: it would be drawn at the floor and dragged from there).
MAX_TIME = 2**37
MAX_PRICE = 1e15


class DrawingError(ValueError):
    """A drawing that cannot be kept (a bad value, a limit reached); the message says why."""


@dataclass(frozen=True, slots=True)
class HorizontalLine:
    """A line across the chart at ``price``. ``id`` is the book's (0: not in a book yet)."""

    price: float
    id: int = 0


@dataclass(frozen=True, slots=True)
class TrendLine:
    """A line through (``t1``, ``p1``) and (``t2``, ``p2``), ``t1 < t2`` once in a book;
    ``extend_right``: on past the right point to the chart's right edge."""

    t1: int
    p1: float
    t2: int
    p2: float
    extend_right: bool = False
    id: int = 0


Drawing = HorizontalLine | TrendLine


class ChangeKind(Enum):
    ADDED = "added"
    UPDATED = "updated"
    REMOVED = "removed"
    #: Many changed at once: one pair's drawings (``symbol``) or all (``symbol`` None).
    RESET = "reset"


@dataclass(frozen=True, slots=True)
class DrawingChange:
    """What :attr:`DrawingBook.changed` says: the kind, the pair, the drawing (as it is now;
    as it was for REMOVED; None for RESET)."""

    kind: ChangeKind
    symbol: str | None
    drawing: Drawing | None = None


def _number(value: object, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise DrawingError(f"{name} {quote(value)} is not a number")
    try:
        number = float(value)
    except OverflowError:
        raise DrawingError(f"{name} {quote(value)} is out of range") from None
    if not math.isfinite(number):
        raise DrawingError(f"{name} {quote(value)} is not a finite number")
    return number


def _price(value: object, name: str = "price") -> float:
    price = _number(value, name)
    if price <= 0:
        raise DrawingError(f"{name} {quote(value)} is not a positive price")
    if price < MIN_PRICE:
        raise DrawingError(f"{name} {quote(value)} is below the lowest price ({MIN_PRICE:g})")
    if price > MAX_PRICE:
        raise DrawingError(f"{name} {quote(value)} is above the highest price ({MAX_PRICE:g})")
    return price


def clamped_price(price: float) -> float:
    """``price`` brought into [:data:`MIN_PRICE`, :data:`MAX_PRICE`] (NaN stays NaN: refused
    by :func:`checked`)."""
    return min(max(price, MIN_PRICE), MAX_PRICE)


def _time(value: object, name: str) -> int:
    t = _number(value, name)
    if not 0 <= t <= MAX_TIME:
        raise DrawingError(f"{name} {quote(value)} is not a time")
    return round(t)


def checked(drawing: Drawing) -> Drawing:
    """``drawing`` with its values checked and normalised (times whole seconds, a trend
    line's points in time order), or :class:`DrawingError`."""
    if isinstance(drawing, HorizontalLine):
        return replace(drawing, price=_price(drawing.price))
    if isinstance(drawing, TrendLine):
        a = (_time(drawing.t1, "t1"), _price(drawing.p1, "p1"))
        b = (_time(drawing.t2, "t2"), _price(drawing.p2, "p2"))
        if a[0] == b[0]:
            raise DrawingError("a trend line's two points need different times")
        (t1, p1), (t2, p2) = sorted((a, b))
        extend = drawing.extend_right
        if not isinstance(extend, bool):
            raise DrawingError(f"extend_right {quote(extend)} is not true or false")
        return replace(drawing, t1=t1, p1=p1, t2=t2, p2=p2)
    raise DrawingError(f"{quote(drawing)} is not a drawing")


def shifted(drawing: Drawing, dt: float = 0.0, dprice: float = 0.0) -> Drawing:
    """``drawing`` moved by ``dt`` seconds and ``dprice`` (unchecked)."""
    if isinstance(drawing, HorizontalLine):
        return replace(drawing, price=drawing.price + dprice)
    return replace(
        drawing,
        t1=drawing.t1 + dt,
        p1=drawing.p1 + dprice,
        t2=drawing.t2 + dt,
        p2=drawing.p2 + dprice,
    )


def _pair(symbol: object) -> str:
    if not isinstance(symbol, str):
        raise DrawingError(f"pair {quote(symbol)} is not text")
    try:
        return validate_symbol(symbol)
    except InvalidSymbolError:
        raise DrawingError(f"invalid pair {quote(symbol)}: expected BASE-QUOTE") from None


def _entry(drawing: Drawing) -> dict:
    if isinstance(drawing, HorizontalLine):
        return {"kind": "hline", "price": drawing.price}
    return {
        "kind": "trend",
        "t1": drawing.t1,
        "p1": drawing.p1,
        "t2": drawing.t2,
        "p2": drawing.p2,
        "extend_right": drawing.extend_right,
    }


def _from_entry(entry: object) -> Drawing:
    if not isinstance(entry, Mapping):
        raise DrawingError("not an object")
    kind = entry.get("kind")
    if kind == "hline":
        return checked(HorizontalLine(entry.get("price")))  # type: ignore[arg-type]
    if kind == "trend":
        return checked(
            TrendLine(
                entry.get("t1"),  # type: ignore[arg-type]
                entry.get("p1"),  # type: ignore[arg-type]
                entry.get("t2"),  # type: ignore[arg-type]
                entry.get("p2"),  # type: ignore[arg-type]
                entry.get("extend_right", False),  # type: ignore[arg-type]
            )
        )
    raise DrawingError(f'kind {quote(kind)} is not "hline" or "trend"')


class DrawingBook:
    """The drawings of every pair; see the module docstring."""

    #: :class:`DrawingChange`, after the change.
    changed = Event()

    def __init__(self) -> None:
        self._pairs: dict[str, dict[int, Drawing]] = {}
        self._where: dict[int, str] = {}
        self._next_id = 1

    # -- reading -------------------------------------------------------------------------------

    def symbols(self) -> tuple[str, ...]:
        """Pairs with drawings."""
        return tuple(self._pairs)

    def drawings(self, symbol: str) -> tuple[Drawing, ...]:
        """The pair's drawings, oldest first (none for a pair never drawn on, or not a pair)."""
        held = self._pairs.get(symbol.strip().upper()) if isinstance(symbol, str) else None
        return tuple(held.values()) if held else ()

    def get(self, drawing_id: int) -> Drawing | None:
        symbol = self._where.get(drawing_id)
        return None if symbol is None else self._pairs[symbol][drawing_id]

    def __len__(self) -> int:
        return len(self._where)

    # -- editing -------------------------------------------------------------------------------

    def add(self, symbol: str, drawing: Drawing) -> Drawing:
        """Keep ``drawing`` on ``symbol`` under a new id (returned with it), or
        :class:`DrawingError` (a bad value, the pair or the book full)."""
        pair = _pair(symbol)
        drawing = checked(drawing)
        held = self._pairs.get(pair)
        if held is None and len(self._pairs) >= MAX_PAIRS:
            raise DrawingError(f"drawings are kept on at most {MAX_PAIRS} pairs")
        if held is not None and len(held) >= MAX_PER_PAIR:
            raise DrawingError(f"at most {MAX_PER_PAIR} drawings are kept on a pair")
        drawing = replace(drawing, id=self._next_id)
        self._next_id += 1
        self._pairs.setdefault(pair, {})[drawing.id] = drawing
        self._where[drawing.id] = pair
        self.changed.emit(DrawingChange(ChangeKind.ADDED, pair, drawing))
        return drawing

    def update(self, drawing_id: int, drawing: Drawing) -> Drawing:
        """Replace drawing ``drawing_id`` (on its pair, with its id) by ``drawing``; returns
        it as kept. ``KeyError`` for an unknown id, :class:`DrawingError` for a bad value."""
        pair = self._require(drawing_id)
        drawing = replace(checked(drawing), id=drawing_id)
        held = self._pairs[pair]
        if held[drawing_id] != drawing:
            held[drawing_id] = drawing
            self.changed.emit(DrawingChange(ChangeKind.UPDATED, pair, drawing))
        return drawing

    def move(self, drawing_id: int, dt: float = 0.0, dprice: float = 0.0) -> Drawing:
        """Shift a drawing by ``dt`` seconds and ``dprice`` (a trend line both points)."""
        pair = self._require(drawing_id)
        return self.update(drawing_id, shifted(self._pairs[pair][drawing_id], dt, dprice))

    def remove(self, drawing_id: int) -> Drawing | None:
        """Forget a drawing; returns it (None: not in the book)."""
        pair = self._where.pop(drawing_id, None)
        if pair is None:
            return None
        held = self._pairs[pair]
        drawing = held.pop(drawing_id)
        if not held:
            del self._pairs[pair]
        self.changed.emit(DrawingChange(ChangeKind.REMOVED, pair, drawing))
        return drawing

    def clear(self, symbol: str) -> int:
        """Forget every drawing of a pair; returns how many there were."""
        pair = symbol.strip().upper()
        held = self._pairs.pop(pair, None)
        if not held:
            return 0
        for drawing_id in held:
            del self._where[drawing_id]
        self.changed.emit(DrawingChange(ChangeKind.RESET, pair))
        return len(held)

    def _require(self, drawing_id: int) -> str:
        pair = self._where.get(drawing_id)
        if pair is None:
            raise KeyError(f"no drawing {drawing_id}")
        return pair

    # -- saving --------------------------------------------------------------------------------

    def to_dict(self) -> dict:
        """Everything as JSON-able data (ids are not saved: a load gives new ones)."""
        return {
            "version": VERSION,
            "pairs": {
                pair: [_entry(d) for d in held.values()] for pair, held in self._pairs.items()
            },
        }

    def load(self, data: object) -> list[str]:
        """Replace everything with what :meth:`to_dict` wrote; returns what was skipped, one
        sentence each (the first few and a count of the rest: ``saved_data.at_most``). Never
        raises."""
        problems: list[str] = []
        pairs: dict[str, dict[int, Drawing]] = {}
        if not isinstance(data, Mapping):
            problems.append("the saved drawings are not an object: nothing loaded")
        elif data.get("version") != VERSION:
            problems.append(
                f"the saved drawings have version {quote(data.get('version'))}, not {VERSION}: "
                "nothing loaded"
            )
        elif not isinstance(data.get("pairs"), Mapping):
            problems.append("the saved drawings have no object of pairs: nothing loaded")
        else:
            self._load_pairs(data["pairs"], pairs, problems)
        self._pairs = pairs
        self._where = {i: pair for pair, held in pairs.items() for i in held}
        self.changed.emit(DrawingChange(ChangeKind.RESET, None))
        return at_most(problems)

    def _load_pairs(
        self, saved: Mapping, pairs: dict[str, dict[int, Drawing]], problems: list[str]
    ) -> None:
        for symbol, entries in saved.items():
            try:
                pair = _pair(symbol)
            except DrawingError as exc:
                problems.append(f"{exc}: its drawings skipped")
                continue
            if not isinstance(entries, list):
                problems.append(f"{pair}: the drawings are not a list: skipped")
                continue
            if not entries:
                continue
            if pair not in pairs and len(pairs) >= MAX_PAIRS:
                problems.append(f"{pair}: drawings on more than {MAX_PAIRS} pairs: skipped")
                continue
            held = pairs.setdefault(pair, {})
            for n, entry in enumerate(entries, 1):
                if len(held) >= MAX_PER_PAIR:
                    rest = len(entries) - n + 1
                    problems.append(
                        f"{pair}: more than {MAX_PER_PAIR} drawings: the last {rest:,} skipped"
                    )
                    break
                try:
                    drawing = _from_entry(entry)
                except DrawingError as exc:
                    problems.append(f"{pair} drawing #{n}: {exc}: skipped")
                    continue
                drawing = replace(drawing, id=self._next_id)
                self._next_id += 1
                held[drawing.id] = drawing
            if not held:
                del pairs[pair]
