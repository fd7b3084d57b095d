"""The drawing book: drawings per pair with ids, edits and their events, limits, and the saved
form read back, damaged entries skipped and said."""

from __future__ import annotations

import json
import re

import pytest

from kucandle_gui.model.drawings import (
    MAX_PAIRS,
    MAX_PER_PAIR,
    MAX_PRICE,
    MIN_PRICE,
    ChangeKind,
    DrawingBook,
    DrawingChange,
    DrawingError,
    HorizontalLine,
    TrendLine,
    clamped_price,
)
from kucandle_gui.model.price_scale import MIN_PRICE as LOG_FLOOR
from kucandle_gui.model.saved_data import MAX_PROBLEMS

T0 = 1_700_000_040


@pytest.fixture
def book() -> DrawingBook:
    return DrawingBook()


def recorder(book: DrawingBook) -> list[DrawingChange]:
    seen: list[DrawingChange] = []
    book.changed.connect(seen.append)
    return seen


def test_add_gives_ids_and_keeps_drawings_per_pair(book: DrawingBook) -> None:
    seen = recorder(book)
    h = book.add("btc-usdt", HorizontalLine(70_000.5))
    t = book.add("BTC-USDT", TrendLine(T0, 100.0, T0 + 600, 110.0))
    e = book.add("ETH-USDT", HorizontalLine(3000))
    assert (h.id, t.id, e.id) == (1, 2, 3)
    assert book.drawings("BTC-USDT") == (h, t)
    assert book.drawings("btc-usdt") == (h, t)
    assert book.drawings("SOL-USDT") == ()
    assert book.symbols() == ("BTC-USDT", "ETH-USDT")
    assert book.get(t.id) == t
    assert len(book) == 3
    assert seen == [
        DrawingChange(ChangeKind.ADDED, "BTC-USDT", h),
        DrawingChange(ChangeKind.ADDED, "BTC-USDT", t),
        DrawingChange(ChangeKind.ADDED, "ETH-USDT", e),
    ]


def test_a_trend_line_is_kept_in_time_order_in_whole_seconds(book: DrawingBook) -> None:
    t = book.add("BTC-USDT", TrendLine(T0 + 600.4, 110.0, T0, 100.0, True))
    assert (t.t1, t.p1, t.t2, t.p2, t.extend_right) == (T0, 100.0, T0 + 600, 110.0, True)
    assert isinstance(t.t2, int)


@pytest.mark.parametrize(
    ("drawing", "message"),
    [
        (HorizontalLine(0.0), "price 0.0 is not a positive price"),
        (HorizontalLine(float("nan")), "price nan is not a finite number"),
        (HorizontalLine("1"), "price '1' is not a number"),  # type: ignore[arg-type]
        (TrendLine(T0, 1.0, T0, 2.0), "a trend line's two points need different times"),
        (TrendLine(-5, 1.0, T0, 2.0), "t1 -5 is not a time"),
        (TrendLine(T0, 1.0, T0 + 60, -2.0), "p2 -2.0 is not a positive price"),
        (TrendLine(T0, 1.0, T0 + 60, 2.0, 1), "extend_right 1 is not true or false"),  # type: ignore[arg-type]
        (HorizontalLine(float("inf")), "price inf is not a finite number"),
        (TrendLine(T0, float("-inf"), T0 + 60, 2.0), "p1 -inf is not a finite number"),
        (HorizontalLine(1e-13), "price 1e-13 is below the lowest price (1e-12)"),
        (TrendLine(T0, 1.0, T0 + 60, 5e-300), "p2 5e-300 is below the lowest price (1e-12)"),
        (HorizontalLine(2e15), "price 2000000000000000.0 is above the highest price (1e+15)"),
    ],
)
def test_bad_drawings_are_refused(book: DrawingBook, drawing, message: str) -> None:
    with pytest.raises(DrawingError, match=re.escape(message)):
        book.add("BTC-USDT", drawing)
    assert len(book) == 0


def test_prices_are_kept_from_the_log_scales_floor_up() -> None:
    """The lowest price a drawing may have is the log scale's floor (below it a price has
    no place of its own there), the highest MAX_PRICE; both are kept, and a dragged price is
    brought into that range by ``clamped_price``."""
    assert MIN_PRICE == LOG_FLOOR
    book = DrawingBook()
    assert book.add("BTC-USDT", HorizontalLine(MIN_PRICE)).price == MIN_PRICE
    assert book.add("BTC-USDT", HorizontalLine(MAX_PRICE)).price == MAX_PRICE
    assert [clamped_price(p) for p in (-5.0, 0.0, 1e-13, 2.5, 1e20)] == [
        MIN_PRICE,
        MIN_PRICE,
        MIN_PRICE,
        2.5,
        MAX_PRICE,
    ]
    problems = book.load({"version": 1, "pairs": {"BTC-USDT": [{"kind": "hline", "price": 1e-20}]}})
    assert problems == [
        "BTC-USDT drawing #1: price 1e-20 is below the lowest price (1e-12): skipped"
    ]
    assert len(book) == 0


def test_bad_pair_is_refused(book: DrawingBook) -> None:
    with pytest.raises(DrawingError, match="invalid pair"):
        book.add("not a pair", HorizontalLine(1.0))


def test_update_move_remove_and_their_events(book: DrawingBook) -> None:
    h = book.add("BTC-USDT", HorizontalLine(100.0))
    t = book.add("BTC-USDT", TrendLine(T0, 100.0, T0 + 600, 110.0))
    seen = recorder(book)
    moved = book.update(h.id, HorizontalLine(105.0, id=999))
    assert moved == HorizontalLine(105.0, id=h.id)
    assert book.update(h.id, HorizontalLine(105.0)) == moved  # unchanged: no event
    shifted = book.move(t.id, dt=60, dprice=-5)
    assert shifted == TrendLine(T0 + 60, 95.0, T0 + 660, 105.0, id=t.id)
    assert book.remove(h.id) == moved
    assert book.remove(h.id) is None
    assert seen == [
        DrawingChange(ChangeKind.UPDATED, "BTC-USDT", moved),
        DrawingChange(ChangeKind.UPDATED, "BTC-USDT", shifted),
        DrawingChange(ChangeKind.REMOVED, "BTC-USDT", moved),
    ]
    with pytest.raises(KeyError):
        book.update(h.id, HorizontalLine(1.0))
    with pytest.raises(DrawingError):
        book.move(t.id, dprice=-200)  # below zero
    assert book.get(t.id) == shifted  # a refused edit changes nothing
    book.remove(t.id)
    assert book.symbols() == ()  # a pair without drawings is not kept


def test_clear_forgets_one_pairs_drawings(book: DrawingBook) -> None:
    for price in (1.0, 2.0, 3.0):
        book.add("BTC-USDT", HorizontalLine(price))
    eth = book.add("ETH-USDT", HorizontalLine(4.0))
    seen = recorder(book)
    assert book.clear("btc-usdt") == 3
    assert book.clear("BTC-USDT") == 0
    assert seen == [DrawingChange(ChangeKind.RESET, "BTC-USDT")]
    assert book.drawings("BTC-USDT") == () and book.get(1) is None
    assert book.drawings("ETH-USDT") == (eth,)


def test_limits_per_pair_and_of_pairs(book: DrawingBook) -> None:
    for k in range(MAX_PER_PAIR):
        book.add("BTC-USDT", HorizontalLine(1.0 + k))
    with pytest.raises(DrawingError, match=f"at most {MAX_PER_PAIR} drawings"):
        book.add("BTC-USDT", HorizontalLine(1.0))
    for k in range(MAX_PAIRS - 1):
        book.add(f"P{k}-USDT", HorizontalLine(1.0))
    with pytest.raises(DrawingError, match=f"at most {MAX_PAIRS} pairs"):
        book.add("NEW-USDT", HorizontalLine(1.0))
    book.add("P0-USDT", HorizontalLine(2.0))  # a pair already drawn on still takes more


def test_saved_and_loaded_back(book: DrawingBook) -> None:
    h = book.add("BTC-USDT", HorizontalLine(70_000.25))
    t = book.add("BTC-USDT", TrendLine(T0, 100.0, T0 + 600, 110.5, True))
    book.add("ETH-USDT", HorizontalLine(3000.0))
    data = json.loads(json.dumps(book.to_dict()))
    assert data["version"] == 1
    assert data["pairs"]["BTC-USDT"][1] == {
        "kind": "trend",
        "t1": T0,
        "p1": 100.0,
        "t2": T0 + 600,
        "p2": 110.5,
        "extend_right": True,
    }
    other = DrawingBook()
    other.add("SOL-USDT", HorizontalLine(1.0))  # replaced by the load
    seen = recorder(other)
    assert other.load(data) == []
    assert seen == [DrawingChange(ChangeKind.RESET, None)]
    assert other.symbols() == ("BTC-USDT", "ETH-USDT")
    loaded = other.drawings("BTC-USDT")
    assert [(type(d), d) for d in loaded] == [
        (HorizontalLine, HorizontalLine(h.price, id=loaded[0].id)),
        (TrendLine, TrendLine(t.t1, t.p1, t.t2, t.p2, True, id=loaded[1].id)),
    ]
    assert len({d.id for p in other.symbols() for d in other.drawings(p)}) == 3
    # New drawings after a load get ids of their own.
    assert other.add("BTC-USDT", HorizontalLine(5.0)).id not in {d.id for d in loaded}


def test_bad_entries_are_skipped_and_said(book: DrawingBook) -> None:
    data = {
        "version": 1,
        "pairs": {
            "BTC-USDT": [
                {"kind": "hline", "price": 100.0},
                {"kind": "hline", "price": "cheap"},
                {"kind": "circle"},
                "not an object",
                {"kind": "trend", "t1": T0, "p1": 1.0, "t2": T0, "p2": 2.0},
                {"kind": "trend", "t1": T0, "p1": 1.0, "t2": T0 + 60, "p2": 2.0},
                {"kind": "hline", "price": 10**5000},
            ],
            "bad pair!": [{"kind": "hline", "price": 1.0}],
            "ETH-USDT": {"kind": "hline"},
            "SOL-USDT": [],
        },
    }
    problems = book.load(data)
    assert problems == [
        "BTC-USDT drawing #2: price 'cheap' is not a number: skipped",
        'BTC-USDT drawing #3: kind \'circle\' is not "hline" or "trend": skipped',
        "BTC-USDT drawing #4: not an object: skipped",
        "BTC-USDT drawing #5: a trend line's two points need different times: skipped",
        "BTC-USDT drawing #7: price a whole number of about 5000 digits is out of range: skipped",
        "invalid pair 'bad pair!': expected BASE-QUOTE: its drawings skipped",
        "ETH-USDT: the drawings are not a list: skipped",
    ]
    assert [type(d).__name__ for d in book.drawings("BTC-USDT")] == ["HorizontalLine", "TrendLine"]
    assert book.symbols() == ("BTC-USDT",)


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        ([1, 2], "the saved drawings are not an object: nothing loaded"),
        ({"version": 7, "pairs": {}}, "the saved drawings have version 7, not 1: nothing loaded"),
        ({"version": 1}, "the saved drawings have no object of pairs: nothing loaded"),
    ],
)
def test_unreadable_data_loads_nothing(book: DrawingBook, data, problem: str) -> None:
    book.add("BTC-USDT", HorizontalLine(1.0))
    assert book.load(data) == [problem]
    assert len(book) == 0


def test_loading_keeps_to_the_limits_and_bounds_the_problems(book: DrawingBook) -> None:
    many = [{"kind": "hline", "price": 1.0 + k} for k in range(MAX_PER_PAIR + 5)]
    pairs = {"BTC-USDT": many}
    pairs.update({f"P{k}-USDT": [{"kind": "hline", "price": 1.0}] for k in range(MAX_PAIRS)})
    problems = book.load({"version": 1, "pairs": pairs})
    assert problems == [
        f"BTC-USDT: more than {MAX_PER_PAIR} drawings: the last 5 skipped",
        f"P{MAX_PAIRS - 1}-USDT: drawings on more than {MAX_PAIRS} pairs: skipped",
    ]
    assert len(book.drawings("BTC-USDT")) == MAX_PER_PAIR
    assert len(book.symbols()) == MAX_PAIRS

    junk = {"version": 1, "pairs": {"BTC-USDT": ["x"] * 1000}}
    problems = book.load(junk)
    assert len(problems) == MAX_PROBLEMS + 1
    assert problems[-1] == f"and {1000 - MAX_PROBLEMS:,} more problems"
