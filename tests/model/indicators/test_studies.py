"""Studies (spec, colour, shown), their saved form, and the chart model's indicators."""

from __future__ import annotations

import json

import pytest

from kucandle_gui.model import MonitorModel
from kucandle_gui.model.indicators import (
    DEFAULT_COLORS,
    MAX_STUDIES,
    Study,
    default_color,
    next_color,
    parse_indicator_spec,
    studies_from_data,
    studies_to_data,
    with_specs,
)
from kucandle_gui.protocol import Candle
from tests.helpers import numpy_walk

EMA20 = parse_indicator_spec("ema:20")
BB = parse_indicator_spec("bb:20:2.5")


def test_a_study_checks_its_colour() -> None:
    study = Study(EMA20, "#A1B2C3")
    assert study.color == "#a1b2c3" and study.visible
    for bad in ("red", "#12345", "#1234567", "#gggggg", 7):
        with pytest.raises(ValueError):
            Study(EMA20, bad)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        Study("ema:20", "#000000")  # type: ignore[arg-type]


def test_default_colours_cycle() -> None:
    assert default_color(0) == DEFAULT_COLORS[0]
    assert default_color(len(DEFAULT_COLORS) + 1) == DEFAULT_COLORS[1]
    assert len(set(DEFAULT_COLORS)) == len(DEFAULT_COLORS)
    for color in DEFAULT_COLORS:
        Study(EMA20, color)


def test_studies_round_trip_through_json() -> None:
    studies = (Study(EMA20, "#112233"), Study(BB, "#445566", False))
    data = json.loads(json.dumps(studies_to_data(studies)))
    assert data == [
        {"spec": "ema:20", "color": "#112233", "visible": True},
        {"spec": "bb:20:2.5", "color": "#445566", "visible": False},
    ]
    assert studies_from_data(data) == (studies, [])


def test_bad_entries_are_skipped_and_described_never_raised() -> None:
    data = [
        {"spec": "ema:20", "color": "#112233", "visible": True},
        "ema:50",
        {"spec": "ema:1", "color": "#112233"},
        {"spec": "sma:10", "color": "blue"},
        {"spec": "sma:10", "visible": "yes"},
        {"color": "#112233"},
        {"spec": "EMA:20", "color": "#000000"},
        {"spec": "rsi:14"},
    ]
    studies, problems = studies_from_data(data)
    assert studies == (
        Study(EMA20, "#112233"),
        Study(parse_indicator_spec("rsi:14"), default_color(1)),
    )
    assert len(problems) == 6
    assert problems[0].startswith("indicator 2 skipped: expected an object")
    assert "from 2 to 1000" in problems[1] and "valid forms" in problems[1]
    assert "#rrggbb" in problems[2]
    assert "'visible' must be true or false" in problems[3]
    assert "'spec' must be text" in problems[4]
    assert "ema:20 is already listed" in problems[5]
    for junk in (None, {"spec": "ema:20"}, "[]", 3):
        assert studies_from_data(junk)[0] == ()
        assert studies_from_data(junk)[1]


def candles(n: int, seed: int = 0) -> list[Candle]:
    return numpy_walk(n, seed=seed)


def test_the_chart_models_indicators_follow_its_studies_and_its_series() -> None:
    monitor = MonitorModel()
    chart = monitor.add_chart("BTC-USDT", "1min")
    changes: list[tuple] = []
    chart.studies_changed.connect(lambda *args: changes.append(args))
    assert chart.studies == () and chart.indicators.specs == ()
    hidden = Study(BB, "#445566", False)
    assert chart.set_studies([Study(EMA20, "#112233"), hidden, Study(EMA20, "#000000")])
    assert chart.studies == (Study(EMA20, "#112233"), hidden)  # a spec twice: the first kept
    assert chart.indicators.specs == (EMA20, BB)  # hidden ones are computed too
    assert changes == [(chart.studies,)]
    assert not chart.set_studies(list(chart.studies))
    assert len(changes) == 1

    monitor.apply("BTC-USDT", "1min", candles(300))
    chart.indicators.sync()
    assert len(chart.indicators.values(EMA20)[0]) == 300

    switched: list = []
    chart.series_switched.connect(switched.append)
    monitor.show(chart, "ETH-USDT", "5min")
    assert chart.indicators.columns is chart.series.candles
    assert switched and len(chart.indicators.values(EMA20)[0]) == 0
    monitor.apply("ETH-USDT", "5min", candles(120, seed=3))
    assert chart.indicators.sync() == 0
    assert len(chart.indicators.values(BB)[1]) == 120
    assert chart.studies == (Study(EMA20, "#112233"), hidden)  # studies stay with the chart

    chart.set_studies([hidden])
    assert chart.indicators.specs == (BB,)
    assert changes[-1] == ((hidden,),)


def test_the_next_colour_is_the_first_one_no_study_uses() -> None:
    assert next_color(()) == DEFAULT_COLORS[0]
    used = [Study(EMA20, DEFAULT_COLORS[0]), Study(BB, DEFAULT_COLORS[2].upper())]
    assert next_color(used) == DEFAULT_COLORS[1]
    assert next_color([*used, Study(EMA20, DEFAULT_COLORS[1])]) == DEFAULT_COLORS[3]


def test_with_every_colour_used_the_next_one_goes_round_the_palette_again() -> None:
    specs = [parse_indicator_spec(f"ema:{n}") for n in range(2, 2 + len(DEFAULT_COLORS) + 1)]
    studies = [Study(spec, color) for spec, color in zip(specs, DEFAULT_COLORS, strict=False)]
    assert next_color(studies) == DEFAULT_COLORS[0]
    assert next_color([*studies, Study(specs[-1], "#000000")]) == DEFAULT_COLORS[1]


def test_with_specs_adds_the_missing_ones_in_the_next_colours_and_shows_hidden_ones() -> None:
    rsi = parse_indicator_spec("rsi:14")
    hidden = Study(BB, "#445566", False)
    studies = (Study(EMA20, DEFAULT_COLORS[0]), hidden)
    out = with_specs(studies, [BB, rsi, EMA20, parse_indicator_spec("vwap")])
    assert out == (
        Study(EMA20, DEFAULT_COLORS[0]),
        Study(BB, "#445566", True),  # shown, in its own colour
        Study(rsi, DEFAULT_COLORS[1]),
        Study(parse_indicator_spec("vwap"), DEFAULT_COLORS[2]),
    )
    assert studies == (Study(EMA20, DEFAULT_COLORS[0]), hidden)  # the input is not changed
    assert with_specs(out, [rsi, EMA20]) == out
    assert with_specs((), ()) == ()


def test_a_hand_edited_list_is_read_within_bounds() -> None:
    """Thousands of entries, a megabyte SPEC, a huge colour: at most MAX_STUDIES read, each
    problem short."""
    many = [{"spec": f"sma:{period}"} for period in range(2, 2 + MAX_STUDIES + 30)]
    studies, problems = studies_from_data(many)
    assert len(studies) == MAX_STUDIES
    assert problems == [f"30 indicators past the first {MAX_STUDIES} skipped"]
    junk = [{"spec": "x" * 1_000_000}, {"spec": "ema:20", "color": "#" * 1_000_000}] * 30
    studies, problems = studies_from_data(junk)
    assert studies == ()
    assert len(problems) == MAX_STUDIES + 1
    assert max(len(problem) for problem in problems) < 200
