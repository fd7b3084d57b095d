"""How the watchlist writes prices, changes and volumes (plain functions, no window)."""

from __future__ import annotations

import math

import pytest

from kucandle_gui.ui.watchlist.formatting import (
    format_change,
    format_price,
    format_volume,
    price_decimals,
)


@pytest.mark.parametrize(
    ("increment", "decimals"),
    [("0.1", 1), ("0.00001", 5), ("1", 0), ("10", 0), ("0.0005", 4), ("0.010", 2)],
)
def test_price_decimals_from_the_exchanges_increment(increment, decimals):
    assert price_decimals(increment) == decimals


@pytest.mark.parametrize("increment", ["", "abc", "0", "-0.1", "NaN", "inf"])
def test_a_price_increment_that_is_no_positive_number_gives_no_precision(increment):
    assert price_decimals(increment) is None


def test_prices_in_the_pairs_precision_else_shortest():
    assert format_price(67644.9, 2) == "67644.90"
    assert format_price(0.00001234, 8) == "0.00001234"
    assert format_price(3000.0, 0) == "3000"
    assert format_price(67644.9, None) == "67644.9"
    assert format_price(0.00001, None) == "0.00001"
    assert format_price(None, 2) == ""
    assert format_price(math.nan, 2) == ""


def test_change_is_a_signed_percentage():
    assert format_change(0.0047) == "+0.47 %"
    assert format_change(-0.012) == "-1.20 %"
    assert format_change(0.0) == "+0.00 %"
    assert format_change(-0.00001) == "+0.00 %"  # never "-0.00 %"
    assert format_change(None) == ""


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (0.01234, "0.0123"),
        (5.0, "5.0"),
        (532.4, "532"),
        (999.4, "999"),
        (999.96, "1.0K"),
        (1234.0, "1.2K"),
        (12_345.0, "12.3K"),
        (99_960.0, "100K"),
        (678_000.0, "678K"),
        (999_960.0, "1.0M"),
        (3_400_000.0, "3.4M"),
        (5.6e9, "5.6B"),
        (7.1e12, "7.1T"),
    ],
)
def test_volumes_are_compact(value, text):
    assert format_volume(value) == text


def test_no_volume_no_text():
    assert format_volume(None) == ""
