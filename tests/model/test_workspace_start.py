"""The charts the window opens with: the saved workspace, changed as the command line asks."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from kucandle_gui.model import SeriesKey, Study, parse_indicator_spec
from kucandle_gui.model.indicators import next_color
from kucandle_gui.model.layout import CellSpec, LayoutKind, WorkspaceSpec
from kucandle_gui.model.price_scale import ScaleMode
from kucandle_gui.model.workspace_start import check_cell_lists, start_workspace

EMA = parse_indicator_spec("ema:20")
RSI = parse_indicator_spec("rsi:14")
HIDDEN_EMA = Study(EMA, "#123456", visible=False)
WATCHLIST = ("BTC-USDT", "ETH-USDT", "SOL-USDT", "XRP-USDT")


def cell(symbol: str, timeframe: str = "1min", *studies: Study, scale=ScaleMode.LINEAR):
    return CellSpec(SeriesKey(symbol, timeframe), studies, scale)


def start(saved: WorkspaceSpec, layout=None, symbols=(), timeframes=(), indicators=()):
    return start_workspace(
        saved,
        layout=layout,
        symbols=symbols,
        timeframes=timeframes,
        indicators=indicators,
        watchlist=WATCHLIST,
    )


def keys(spec: WorkspaceSpec) -> list[str]:
    return [str(c.key) for c in spec.cells]


#: Two cells shown, the second active, and a spare one a larger layout brings back.
SAVED = WorkspaceSpec(
    LayoutKind.SIDE_BY_SIDE,
    (
        cell("ETH-BTC", "1hour"),
        cell("KCS-USDT", "5min", HIDDEN_EMA, scale=ScaleMode.LOG),
        cell("DOGE-USDT", "1day"),
    ),
    active=1,
)


def test_the_module_imports_no_qt() -> None:
    code = (
        "import sys, kucandle_gui.model.workspace_start; "
        "print(sorted(m for m in sys.modules if 'Qt' in m))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_nothing_asked_opens_as_saved() -> None:
    assert start(SAVED) == SAVED


def test_without_layout_one_value_sets_the_active_cell_only() -> None:
    spec = start(SAVED, symbols=("sol-usdt",), timeframes=("15min",))
    assert spec.layout is LayoutKind.SIDE_BY_SIDE and spec.active == 1
    assert keys(spec) == ["ETH-BTC 1hour", "SOL-USDT 15min", "DOGE-USDT 1day"]
    # The cell keeps its own studies and scale, as when its pair is switched in the window.
    assert spec.cells[1].studies == (HIDDEN_EMA,) and spec.cells[1].scale is ScaleMode.LOG
    assert keys(start(SAVED, timeframes=("1week",)))[1] == "KCS-USDT 1week"


def test_with_layout_one_value_applies_to_every_cell() -> None:
    spec = start(SAVED, layout=LayoutKind.SIDE_BY_SIDE, symbols=("SOL-USDT",))
    assert keys(spec) == ["SOL-USDT 1hour", "SOL-USDT 5min", "DOGE-USDT 1day"]  # spare kept
    spec = start(SAVED, layout=LayoutKind.SIDE_BY_SIDE, timeframes=("4hour",))
    assert keys(spec) == ["ETH-BTC 4hour", "KCS-USDT 4hour", "DOGE-USDT 1day"]


def test_with_layout_the_lists_give_every_cell_in_order() -> None:
    spec = start(
        SAVED,
        layout=LayoutKind.GRID,
        symbols=("BTC-USDT", "ETH-USDT", "SOL-USDT", "XRP-USDT"),
        timeframes=("1min", "5min", "1hour", "1day"),
    )
    assert spec.layout is LayoutKind.GRID and spec.active == 1
    assert keys(spec) == ["BTC-USDT 1min", "ETH-USDT 5min", "SOL-USDT 1hour", "XRP-USDT 1day"]
    assert spec.cells[2] == cell("SOL-USDT", "1hour")  # the spare cell, its series changed
    # The new fourth cell takes the active cell's studies and scale.
    assert spec.cells[3] == cell("XRP-USDT", "1day", HIDDEN_EMA, scale=ScaleMode.LOG)


def test_without_layout_a_list_of_n_chooses_the_layout_of_n() -> None:
    saved = WorkspaceSpec.single("ETH-BTC", "1hour")
    cases = {
        2: LayoutKind.SIDE_BY_SIDE,
        3: LayoutKind.THREE,
        4: LayoutKind.GRID,
    }
    for count, layout in cases.items():
        spec = start(saved, symbols=WATCHLIST[:count])
        assert spec.layout is layout
        assert keys(spec) == [f"{pair} 1hour" for pair in WATCHLIST[:count]]
    spec = start(saved, symbols=("XRP-USDT",), timeframes=("1min", "1day"))
    assert keys(spec) == ["XRP-USDT 1min", "XRP-USDT 1day"]


def test_a_list_of_n_keeps_a_saved_layout_of_n_cells() -> None:
    stacked = WorkspaceSpec(LayoutKind.STACKED, (cell("ETH-BTC"), cell("KCS-USDT")))
    spec = start(stacked, symbols=("SOL-USDT", "XRP-USDT"))
    assert spec.layout is LayoutKind.STACKED
    assert keys(spec) == ["SOL-USDT 1min", "XRP-USDT 1min"]
    # ``--layout`` says which arrangement, whatever was saved.
    assert start(stacked, layout=LayoutKind.SIDE_BY_SIDE).layout is LayoutKind.SIDE_BY_SIDE


def test_timeframes_alone_show_the_active_pair_in_the_new_cells() -> None:
    """``--timeframe 1min,5min,1hour``: the same pair on several timeframes (the issue's first
    example), not the watchlist's next pairs; saved cells keep their own pairs."""
    saved = WorkspaceSpec.single("ETH-BTC", "1hour")
    spec = start(saved, timeframes=("1min", "5min", "1hour"))
    assert keys(spec) == ["ETH-BTC 1min", "ETH-BTC 5min", "ETH-BTC 1hour"]
    spec = start(SAVED, timeframes=("1min", "5min", "1hour", "1day"))
    assert keys(spec) == ["ETH-BTC 1min", "KCS-USDT 5min", "DOGE-USDT 1hour", "KCS-USDT 1day"]


def test_a_grown_layout_brings_spare_cells_back_then_new_cells_from_the_watchlist() -> None:
    spec = start(SAVED, layout=LayoutKind.GRID)
    assert spec.active == 1
    # The spare cell comes back as it was; the new one shows the first watched pair not shown,
    # in the active cell's timeframe, with its studies and scale.
    assert spec.cells[:3] == SAVED.cells
    assert spec.cells[3] == cell("BTC-USDT", "5min", HIDDEN_EMA, scale=ScaleMode.LOG)


def test_a_new_cell_shows_the_active_pair_when_every_watched_one_is_shown() -> None:
    saved = WorkspaceSpec.single("ETH-BTC", "1hour")
    spec = start_workspace(
        saved,
        layout=LayoutKind.SIDE_BY_SIDE,
        symbols=(),
        timeframes=(),
        indicators=(),
        watchlist=("ETH-BTC",),
    )
    assert keys(spec) == ["ETH-BTC 1hour", "ETH-BTC 1hour"]


def test_a_shrunk_layout_keeps_the_other_cells_spare_and_an_active_cell_shown() -> None:
    spec = start(SAVED, layout=LayoutKind.SINGLE)
    assert (spec.layout, spec.active, spec.cells) == (LayoutKind.SINGLE, 0, SAVED.cells)
    kept = start(SAVED, layout=LayoutKind.STACKED)
    assert (kept.layout, kept.active, kept.cells) == (LayoutKind.STACKED, 1, SAVED.cells)


def test_indicators_open_on_every_cell_shown_in_the_next_colour() -> None:
    saved = WorkspaceSpec(
        LayoutKind.SIDE_BY_SIDE,
        (cell("ETH-BTC"), cell("KCS-USDT", "5min", HIDDEN_EMA), cell("DOGE-USDT")),
    )
    spec = start(saved, indicators=(EMA, RSI))
    assert spec.cells[0].studies == (
        Study(EMA, next_color(()), True),
        Study(RSI, next_color([Study(EMA, next_color(()))]), True),
    )
    # A hidden one is shown in its own colour; the spare cell is left as it was.
    assert spec.cells[1].studies[0] == Study(EMA, "#123456", True)
    assert spec.cells[1].studies[1].spec == RSI
    assert spec.cells[2].studies == ()


@pytest.mark.parametrize(
    ("layout", "symbols", "timeframes", "said"),
    [
        (None, (*WATCHLIST, "KCS-USDT"), (), "5 pairs: at most 4 charts are shown at once"),
        (None, (), ("1min",) * 5, "5 timeframes: at most 4 charts are shown at once"),
        (LayoutKind.GRID, WATCHLIST[:3], (), "3 pairs for layout 2x2 (4 charts): give one (for"),
        (LayoutKind.SIDE_BY_SIDE, (), ("1min",) * 3, "3 timeframes for layout 1x2 (2 charts)"),
        (LayoutKind.SINGLE, WATCHLIST[:2], (), "2 pairs for layout 1 (1 chart): give one"),
        (None, WATCHLIST[:2], ("1min",) * 3, "2 pairs and 3 timeframes: give one of each per"),
    ],
)
def test_counts_that_do_not_fit_are_refused_naming_them(layout, symbols, timeframes, said):
    with pytest.raises(ValueError, match="^" + re.escape(said)):
        check_cell_lists(layout, symbols, timeframes)
    with pytest.raises(ValueError, match=r"at most|for layout|pairs and"):
        start(SAVED, layout=layout, symbols=symbols, timeframes=timeframes)


def test_the_layout_asked_for_is_the_given_one_else_that_of_the_lists() -> None:
    assert check_cell_lists(None, (), ()) is None
    assert check_cell_lists(None, ("BTC-USDT",), ("1min",)) is None
    assert check_cell_lists(LayoutKind.STACKED, (), ()) is LayoutKind.STACKED
    assert check_cell_lists(LayoutKind.STACKED, ("A-B", "C-D"), ("1min",)) is LayoutKind.STACKED
    assert check_cell_lists(None, ("A-B",), ("1min",) * 3) is LayoutKind.THREE
    assert check_cell_lists(None, ("A-B",) * 4, ("1min",) * 4) is LayoutKind.GRID
