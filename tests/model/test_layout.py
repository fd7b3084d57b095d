"""Layouts, cell and workspace specs, and reading a saved workspace back with care."""

from __future__ import annotations

import json

import pytest

from kucandle_gui.model import (
    LAYOUT_NAMES,
    MAX_CELLS,
    CellSpec,
    LayoutKind,
    SeriesKey,
    WorkspaceSpec,
    layout_for_count,
    parse_layout,
    workspace_from_data,
)
from kucandle_gui.model.indicators import MAX_STUDIES, Study, parse_indicator_spec
from kucandle_gui.model.price_scale import ScaleMode
from kucandle_gui.model.saved_data import MAX_PROBLEMS

BTC = SeriesKey("BTC-USDT", "1min")
ETH = SeriesKey("ETH-USDT", "5min")
SOL = SeriesKey("SOL-USDT", "1hour")
XRP = SeriesKey("XRP-USDT", "1day")
EMA = Study(parse_indicator_spec("ema:20"), "#4a90e2")
RSI = Study(parse_indicator_spec("rsi:14"), "#f5a623", visible=False)


def cells(*keys: SeriesKey) -> tuple[CellSpec, ...]:
    return tuple(CellSpec(key) for key in keys)


def entry(symbol: object = "BTC-USDT", timeframe: object = "1min", **more: object) -> dict:
    return {"symbol": symbol, "timeframe": timeframe, **more}


# -- layouts -------------------------------------------------------------------------------


def test_each_layout_shows_its_cells_under_its_menu_title() -> None:
    shown = {kind: (kind.value, kind.cells, kind.title) for kind in LayoutKind}
    assert shown == {
        LayoutKind.SINGLE: ("1", 1, "&1 chart"),
        LayoutKind.SIDE_BY_SIDE: ("1x2", 2, "&2 charts side by side"),
        LayoutKind.STACKED: ("2x1", 2, "2 charts &stacked"),
        LayoutKind.THREE: ("3", 3, "&3 charts"),
        LayoutKind.GRID: ("2x2", 4, "&4 charts (2x2)"),
    }
    assert max(kind.cells for kind in LayoutKind) == MAX_CELLS == 4
    assert LAYOUT_NAMES == "1, 1x2, 2x1, 3, 2x2"


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("1", LayoutKind.SINGLE),
        ("1x2", LayoutKind.SIDE_BY_SIDE),
        ("2", LayoutKind.SIDE_BY_SIDE),
        ("2x1", LayoutKind.STACKED),
        ("2X1", LayoutKind.STACKED),
        ("3", LayoutKind.THREE),
        ("2x2", LayoutKind.GRID),
        (" 2X2 ", LayoutKind.GRID),
        ("2\u00d72", LayoutKind.GRID),
        ("4", LayoutKind.GRID),
    ],
)
def test_a_layout_is_read_by_its_name_a_count_or_with_a_times_sign(
    text: str, kind: LayoutKind
) -> None:
    assert parse_layout(text) is kind


@pytest.mark.parametrize("text", ["", "5", "3x3", "grid", "x" * 10_000, 4, None])
def test_an_unknown_layout_is_refused_with_the_names(text: object) -> None:
    with pytest.raises(ValueError, match=r"unknown layout .*: one of 1, 1x2, 2x1, 3, 2x2$") as err:
        parse_layout(text)  # type: ignore[arg-type]
    assert len(str(err.value)) < 120  # a huge value is quoted in part


def test_the_layout_for_a_count_puts_two_side_by_side() -> None:
    assert [layout_for_count(n) for n in (1, 2, 3, 4)] == [
        LayoutKind.SINGLE,
        LayoutKind.SIDE_BY_SIDE,
        LayoutKind.THREE,
        LayoutKind.GRID,
    ]
    for count in (0, 5, -1):
        with pytest.raises(ValueError, match=f"no layout shows {count} charts: 1 to 4"):
            layout_for_count(count)


# -- specs ---------------------------------------------------------------------------------


def test_a_cell_spec_is_normalised_and_lists_each_study_once() -> None:
    cell = CellSpec(SeriesKey("btc-usdt", "1min"), [EMA, RSI, EMA], "log")  # type: ignore[arg-type]
    assert cell.key == BTC and cell.studies == (EMA, RSI) and cell.scale is ScaleMode.LOG
    assert CellSpec(BTC) == CellSpec(BTC, (), ScaleMode.LINEAR)


def test_a_malformed_cell_spec_is_refused() -> None:
    with pytest.raises(TypeError, match="SeriesKey"):
        CellSpec(("BTC-USDT", "1min"))  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="valid timeframes"):
        CellSpec(SeriesKey("BTC-USDT", "2min"))
    with pytest.raises(ValueError, match="BASE-QUOTE"):
        CellSpec(SeriesKey("BTC/USDT", "1min"))
    with pytest.raises(TypeError, match="Study"):
        CellSpec(BTC, ("ema:20",))  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        CellSpec(BTC, (), "sideways")  # type: ignore[arg-type]


def test_a_workspace_spec_shows_its_first_cells_and_keeps_the_rest_spare() -> None:
    spec = WorkspaceSpec(LayoutKind.SIDE_BY_SIDE, cells(BTC, ETH, SOL), active=1)
    assert spec.shown == cells(BTC, ETH)
    assert spec.spare == cells(SOL)
    assert WorkspaceSpec("2x2", list(cells(BTC, ETH, SOL, XRP))).layout is LayoutKind.GRID  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("layout", "keys", "active", "error", "message"),
    [
        (LayoutKind.SINGLE, (), 0, ValueError, "1 to 4 charts, got 0"),
        (LayoutKind.SINGLE, (BTC,) * 5, 0, ValueError, "1 to 4 charts, got 5"),
        (LayoutKind.GRID, (BTC, ETH), 0, ValueError, "layout 2x2 shows 4 charts, only 2 given"),
        (LayoutKind.THREE, (BTC, ETH, SOL, XRP), 3, ValueError, "active chart 3 is not shown"),
        (LayoutKind.SINGLE, (BTC,), -1, ValueError, "active chart -1 is not shown"),
        (LayoutKind.SINGLE, (BTC,), True, TypeError, "whole number"),
        (LayoutKind.SINGLE, (BTC,), 0.0, TypeError, "whole number"),
        ("3x3", (BTC,), 0, ValueError, "3x3"),
    ],
)
def test_a_malformed_workspace_spec_is_refused(
    layout: object, keys: tuple, active: object, error: type, message: str
) -> None:
    with pytest.raises(error, match=message):
        WorkspaceSpec(layout, cells(*keys), active)  # type: ignore[arg-type]


def test_a_workspace_spec_holds_cell_specs_only() -> None:
    with pytest.raises(TypeError, match="CellSpec"):
        WorkspaceSpec(LayoutKind.SINGLE, (BTC,))  # type: ignore[arg-type]


def test_a_single_chart_workspace_validates_its_series() -> None:
    spec = WorkspaceSpec.single(" eth-usdt", "5min", [EMA], ScaleMode.PERCENT)
    assert spec == WorkspaceSpec(LayoutKind.SINGLE, (CellSpec(ETH, (EMA,), ScaleMode.PERCENT),))
    assert spec.active == 0
    with pytest.raises(ValueError, match="valid timeframes"):
        WorkspaceSpec.single("ETH-USDT", "7min")


def test_the_saved_form_is_plain_json_and_reads_back_the_same() -> None:
    spec = WorkspaceSpec(
        LayoutKind.THREE,
        (CellSpec(BTC, (EMA, RSI), ScaleMode.LOG), CellSpec(ETH), CellSpec(SOL), CellSpec(XRP)),
        active=2,
    )
    data = spec.to_data()
    assert data == {
        "layout": "3",
        "active": 2,
        "cells": [
            {
                "symbol": "BTC-USDT",
                "timeframe": "1min",
                "scale": "log",
                "studies": [
                    {"spec": "ema:20", "color": "#4a90e2", "visible": True},
                    {"spec": "rsi:14", "color": "#f5a623", "visible": False},
                ],
            },
            {"symbol": "ETH-USDT", "timeframe": "5min", "scale": "linear", "studies": []},
            {"symbol": "SOL-USDT", "timeframe": "1hour", "scale": "linear", "studies": []},
            {"symbol": "XRP-USDT", "timeframe": "1day", "scale": "linear", "studies": []},
        ],
    }
    assert workspace_from_data(json.loads(json.dumps(data))) == (spec, [])


# -- reading a saved workspace back ---------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (None, "expected an object, got NoneType"),
        ([entry()], "expected an object, got list"),
        ({"layout": "1"}, "'cells' must be a list of charts, got None"),
        ({"layout": "1", "cells": "BTC-USDT"}, "'cells' must be a list of charts, got 'BTC-USDT'"),
    ],
)
def test_a_saved_workspace_that_is_not_one_gives_nothing_and_says_why(
    data: object, problem: str
) -> None:
    assert workspace_from_data(data) == (None, [problem])


def test_without_a_readable_cell_nothing_is_usable() -> None:
    spec, problems = workspace_from_data({"layout": "1x2", "cells": [7, entry(timeframe="2min")]})
    assert spec is None
    assert problems[0] == "chart 1 skipped: expected an object, got int"
    assert problems[1].startswith("chart 2 skipped: unknown timeframe '2min': one of 1min, ")
    assert problems[2] == "no chart could be read"


@pytest.mark.parametrize(
    ("cell", "problem"),
    [
        ("BTC-USDT", "expected an object, got str"),
        ({"timeframe": "1min"}, "'symbol' must be text, got None"),
        (entry(symbol=["BTC-USDT"]), "'symbol' must be text, got ['BTC-USDT']"),
        (entry(timeframe=1), "'timeframe' must be text, got 1"),
        (entry(symbol="BTC/USDT"), "invalid pair 'BTC/USDT': expected BASE-QUOTE, e.g. BTC-USDT"),
        (entry(timeframe="1MIN"), "unknown timeframe '1MIN': one of 1min, 3min"),
    ],
)
def test_an_unreadable_cell_is_dropped_and_the_rest_kept(cell: object, problem: str) -> None:
    data = {"layout": "1x2", "active": 0, "cells": [cell, entry("eth-usdt", "5min")]}
    spec, problems = workspace_from_data(data)
    assert spec == WorkspaceSpec(LayoutKind.SINGLE, cells(ETH))
    assert problems[0].startswith(f"chart 1 skipped: {problem}")
    assert problems[1:] == [
        "layout 1x2 shows 2 charts but only 1 could be read: layout 1 used",
        "'active' 0 names no chart read: the first chart is active",
    ]


def test_a_huge_value_is_quoted_in_part() -> None:
    spec, problems = workspace_from_data(
        {"cells": [entry(symbol="A" * 100_000), entry(timeframe=10**5000)], "layout": "1"}
    )
    assert spec is None
    assert len(problems) == 3 and all(len(problem) < 200 for problem in problems)


def test_a_bad_scale_is_linear_and_a_bad_study_skipped_the_cell_kept() -> None:
    data = {
        "layout": "1",
        "cells": [
            entry(
                scale="sideways",
                studies=[{"spec": "ema:20", "color": "#4a90e2"}, {"spec": "zz:1"}],
            ),
            entry("ETH-USDT", "5min", scale=["log"], studies="ema:20"),
        ],
    }
    spec, problems = workspace_from_data(data)
    assert spec == WorkspaceSpec(LayoutKind.SINGLE, (CellSpec(BTC, (EMA,)), CellSpec(ETH)))
    assert (
        problems[0]
        == "chart 1: unknown scale 'sideways' (one of linear, log, percent): linear used"
    )
    assert problems[1].startswith("chart 1: indicator 2 skipped: ")
    assert problems[2:] == [
        "chart 2: unknown scale ['log'] (one of linear, log, percent): linear used",
        "chart 2: expected a list of indicators, got str",
    ]


def test_a_cell_without_scale_or_studies_is_linear_and_bare() -> None:
    spec, problems = workspace_from_data({"layout": "1", "cells": [entry("btc-usdt")]})
    assert spec == WorkspaceSpec.single("BTC-USDT", "1min") and problems == []


def test_at_most_four_cells_are_read() -> None:
    keys = [entry(f"P{n}-USDT") for n in range(10_000)]
    spec, problems = workspace_from_data({"layout": "2x2", "active": 3, "cells": keys})
    assert spec is not None
    assert [cell.key.symbol for cell in spec.cells] == ["P0-USDT", "P1-USDT", "P2-USDT", "P3-USDT"]
    assert spec.layout is LayoutKind.GRID and spec.active == 3
    assert problems == ["10000 charts saved: only the first 4 kept"]


@pytest.mark.parametrize(
    ("layout", "problem"),
    [
        (
            "3x3",
            "unknown layout '3x3': one of 1, 1x2, 2x1, 3, 2x2; layout 3 used for the 3 charts read",
        ),
        (4, "unknown layout 4: one of 1, 1x2, 2x1, 3, 2x2; layout 3 used for the 3 charts read"),
        (
            None,
            "unknown layout None: one of 1, 1x2, 2x1, 3, 2x2; layout 3 used for the 3 charts read",
        ),
    ],
)
def test_an_unreadable_layout_becomes_the_layout_of_the_cells_read(
    layout: object, problem: str
) -> None:
    data = {"layout": layout, "active": 1, "cells": [entry(), entry("ETH-USDT"), entry("SOL-USDT")]}
    spec, problems = workspace_from_data(data)
    assert spec is not None and spec.layout is LayoutKind.THREE and spec.active == 1
    assert problems == [problem]


def test_a_missing_layout_is_said_too() -> None:
    spec, problems = workspace_from_data({"cells": [entry()]})
    assert spec == WorkspaceSpec.single("BTC-USDT", "1min")
    assert problems == [
        "unknown layout None: one of 1, 1x2, 2x1, 3, 2x2; layout 1 used for the 1 chart read"
    ]


def test_a_layout_larger_than_the_cells_read_is_reduced_to_one_that_fits() -> None:
    data = {"layout": "2x2", "active": 3, "cells": [entry(), entry(symbol=5), entry("ETH-USDT"), 0]}
    spec, problems = workspace_from_data(data)
    assert spec == WorkspaceSpec(
        LayoutKind.SIDE_BY_SIDE, (CellSpec(BTC), CellSpec(SeriesKey("ETH-USDT", "1min")))
    )
    assert problems == [
        "chart 2 skipped: 'symbol' must be text, got 5",
        "chart 4 skipped: expected an object, got int",
        "layout 2x2 shows 4 charts but only 2 could be read: layout 1x2 used",
        "'active' 3 names no chart read: the first chart is active",
    ]


def test_the_active_cell_follows_its_cell_when_one_before_it_is_dropped() -> None:
    data = {"layout": "1x2", "active": 2, "cells": [entry(symbol=""), entry(), entry("ETH-USDT")]}
    spec, problems = workspace_from_data(data)
    assert spec is not None and spec.active == 1 and spec.shown[1].key.symbol == "ETH-USDT"
    assert len(problems) == 1 and problems[0].startswith("chart 1 skipped: invalid pair ''")


@pytest.mark.parametrize(
    ("active", "expected", "problem"),
    [
        ("1", 0, "'active' must be a chart index, got '1': the first chart is active"),
        (True, 0, "'active' must be a chart index, got True: the first chart is active"),
        (1.0, 0, "'active' must be a chart index, got 1.0: the first chart is active"),
        (-1, 0, "'active' -1 names no chart read: the first chart is active"),
        (9, 0, "'active' 9 names no chart read: the first chart is active"),
        (2, 1, "'active' 2 is not shown in layout 1x2: the last chart shown is active"),
        (3, 1, "'active' 3 is not shown in layout 1x2: the last chart shown is active"),
        (1, 1, None),
    ],
)
def test_an_active_cell_not_shown_is_clamped(
    active: object, expected: int, problem: str | None
) -> None:
    data = {
        "layout": "1x2",
        "active": active,
        "cells": [entry(), entry("ETH-USDT"), entry("SOL-USDT"), entry("XRP-USDT")],
    }
    spec, problems = workspace_from_data(data)
    assert spec is not None and spec.active == expected and len(spec.cells) == 4
    assert problems == ([problem] if problem else [])


def test_a_missing_active_is_the_first_cell() -> None:
    spec, problems = workspace_from_data({"layout": "1x2", "cells": [entry(), entry("ETH-USDT")]})
    assert spec is not None and spec.active == 0 and problems == []


def test_the_problems_of_a_hand_edited_workspace_are_bounded() -> None:
    # A hand edit may hold thousands of bad indicators: they are said in a tooltip, so only
    # the first few, then how many more.
    bad = [entry(studies=[1] * 5_000) for _ in range(MAX_CELLS)]
    spec, problems = workspace_from_data({"layout": "2x2", "cells": bad})
    assert spec is not None and len(spec.cells) == MAX_CELLS
    assert len(problems) == MAX_PROBLEMS + 1
    read = MAX_STUDIES + 1  # a cell reads its first MAX_STUDIES, and says how many more
    assert problems[:2] == [
        f"chart 1: {5_000 - MAX_STUDIES:,} indicators past the first {MAX_STUDIES} skipped",
        "chart 1: indicator 1 skipped: expected an object, got int",
    ]
    assert problems[-1] == f"and {MAX_CELLS * read - MAX_PROBLEMS:,} more problems"
