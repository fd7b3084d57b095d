"""The Workspace: cells of a layout, one active, growing and shrinking as a user expects."""

from __future__ import annotations

import pytest

from kucandle_gui import DEFAULT_SYMBOL
from kucandle_gui.model import (
    MAX_CELLS,
    CellSpec,
    ChartModel,
    LayoutKind,
    MonitorModel,
    SeriesKey,
    Workspace,
    WorkspaceSpec,
)
from kucandle_gui.model.indicators import Study, parse_indicator_spec
from kucandle_gui.model.price_scale import ScaleMode

BTC = SeriesKey("BTC-USDT", "1min")
ETH = SeriesKey("ETH-USDT", "5min")
SOL = SeriesKey("SOL-USDT", "1hour")
XRP = SeriesKey("XRP-USDT", "1day")
EMA = Study(parse_indicator_spec("ema:20"), "#4a90e2")
RSI = Study(parse_indicator_spec("rsi:14"), "#f5a623", visible=False)


class Recorder:
    """Every event of a workspace (and the monitor's subscriptions), in the order emitted."""

    def __init__(self, workspace: Workspace, monitor: MonitorModel) -> None:
        self.events: list[tuple] = []
        #: The charts the monitor had while ``cells_changed`` was heard.
        self.charts_at_cells_changed: list[list[ChartModel]] = []
        workspace.cells_changed.connect(self._cells)
        workspace.layout_changed.connect(lambda layout: self.events.append(("layout", layout)))
        workspace.active_changed.connect(lambda chart: self.events.append(("active", chart)))
        workspace.changed.connect(lambda: self.events.append(("changed",)))
        monitor.subscriptions_changed.connect(
            lambda added, removed: self.events.append(("subscriptions", added, removed))
        )
        self._monitor = monitor

    def _cells(self, cells: tuple[ChartModel, ...]) -> None:
        self.events.append(("cells", cells))
        self.charts_at_cells_changed.append(list(self._monitor.charts))

    def names(self) -> list[str]:
        return [event[0] for event in self.events]


def workspace(
    layout: LayoutKind, *cells: CellSpec, active: int = 0, watch: tuple[str, ...] = ()
) -> tuple[Workspace, MonitorModel]:
    monitor = MonitorModel()
    for symbol in watch:
        monitor.watchlist.add(symbol)
    return Workspace(monitor, WorkspaceSpec(layout, cells, active)), monitor


def keys(space: Workspace) -> list[SeriesKey]:
    return [chart.key for chart in space.cells]


# -- opening ---------------------------------------------------------------------------------


def test_the_cells_shown_are_charts_of_the_monitor_and_spare_cells_are_not() -> None:
    cells = (CellSpec(BTC, (EMA,), ScaleMode.LOG), CellSpec(ETH), CellSpec(SOL))
    space, monitor = workspace(LayoutKind.SIDE_BY_SIDE, *cells, active=1)
    assert space.layout is LayoutKind.SIDE_BY_SIDE
    assert keys(space) == [BTC, ETH]
    assert monitor.charts == list(space.cells)
    assert monitor.wanted() == (BTC, ETH)  # the spare cell's series is not subscribed
    assert space.cells[0].studies == (EMA,) and space.cells[0].scale is ScaleMode.LOG
    assert space.active is space.cells[1] and space.active_index == 1
    assert space.spec() == WorkspaceSpec(LayoutKind.SIDE_BY_SIDE, cells, 1)


def test_two_cells_on_one_series_share_it() -> None:
    subscriptions: list[tuple] = []
    monitor = MonitorModel()
    monitor.subscriptions_changed.connect(lambda *args: subscriptions.append(args))
    space = Workspace(monitor, WorkspaceSpec(LayoutKind.STACKED, (CellSpec(BTC), CellSpec(BTC))))
    first, second = space.cells
    assert first is not second and first.series is second.series
    assert subscriptions == [((BTC,), ())]


def test_a_workspace_opens_from_a_spec_only() -> None:
    with pytest.raises(TypeError, match="WorkspaceSpec"):
        Workspace(MonitorModel(), CellSpec(BTC))  # type: ignore[arg-type]


# -- growing -------------------------------------------------------------------------------


def test_spare_cells_come_back_first_in_order_as_they_were() -> None:
    spare = (CellSpec(ETH, (RSI,), ScaleMode.PERCENT), CellSpec(SOL))
    space, _ = workspace(LayoutKind.SINGLE, CellSpec(BTC), *spare, watch=("XRP-USDT",))
    assert space.set_layout(LayoutKind.SIDE_BY_SIDE)
    assert keys(space) == [BTC, ETH]
    assert space.cells[1].studies == (RSI,) and space.cells[1].scale is ScaleMode.PERCENT
    assert space.set_layout(LayoutKind.GRID)
    assert keys(space) == [BTC, ETH, SOL, SeriesKey("XRP-USDT", "1min")]
    assert space.spec().spare == ()


def test_a_new_cell_shows_the_first_watched_pair_not_on_screen_like_the_active_cell() -> None:
    active = CellSpec(ETH, (EMA, RSI), ScaleMode.LOG)
    space, _ = workspace(
        LayoutKind.SIDE_BY_SIDE,
        CellSpec(SeriesKey("SOL-USDT", "1min")),
        active,
        active=1,
        watch=("ETH-USDT", "SOL-USDT", "XRP-USDT", "ADA-USDT"),
    )
    space.set_layout(LayoutKind.GRID)  # two new cells: each its own pair, in watchlist order
    assert [chart.key.symbol for chart in space.cells] == [
        "SOL-USDT",
        "ETH-USDT",
        "XRP-USDT",
        "ADA-USDT",
    ]
    for chart in space.cells[2:]:
        assert chart.spec() == CellSpec(
            SeriesKey(chart.key.symbol, "5min"), (EMA, RSI), ScaleMode.LOG
        )
    assert space.active_index == 1  # growing keeps the active cell


def test_with_every_watched_pair_on_screen_a_new_cell_shows_the_active_pair() -> None:
    space, monitor = workspace(LayoutKind.SINGLE, CellSpec(BTC), watch=("BTC-USDT",))
    space.set_layout(LayoutKind.THREE)
    assert keys(space) == [BTC, BTC, BTC]
    assert monitor.wanted() == (BTC,)  # one series for the three


def test_without_a_watchlist_new_cells_show_the_active_pair() -> None:
    space, _ = workspace(LayoutKind.SINGLE, CellSpec(ETH))
    space.set_layout(LayoutKind.STACKED)
    assert keys(space) == [ETH, ETH]


# -- shrinking -----------------------------------------------------------------------------


def test_shrinking_removes_the_last_cells_and_releases_their_series() -> None:
    space, monitor = workspace(
        LayoutKind.GRID, CellSpec(BTC), CellSpec(ETH), CellSpec(SOL), CellSpec(XRP)
    )
    kept = space.cells[:2]
    record = Recorder(space, monitor)
    assert space.set_layout(LayoutKind.SIDE_BY_SIDE)
    assert space.cells == kept and monitor.charts == list(kept)
    assert monitor.wanted() == (BTC, ETH)
    assert ("subscriptions", (), (SOL,)) in record.events
    assert ("subscriptions", (), (XRP,)) in record.events


def test_a_removed_cells_series_another_cell_shows_stays_subscribed() -> None:
    space, monitor = workspace(LayoutKind.THREE, CellSpec(BTC), CellSpec(ETH), CellSpec(BTC))
    record = Recorder(space, monitor)
    space.set_layout(LayoutKind.SIDE_BY_SIDE)
    assert not [event for event in record.events if event[0] == "subscriptions"]
    assert monitor.wanted() == (BTC, ETH)
    space.set_layout(LayoutKind.SINGLE)
    assert [event for event in record.events if event[0] == "subscriptions"] == [
        ("subscriptions", (), (ETH,))
    ]
    assert monitor.wanted() == (BTC,)


def test_removed_cells_are_remembered_and_come_back_as_they_were() -> None:
    space, monitor = workspace(LayoutKind.THREE, CellSpec(BTC), CellSpec(ETH), CellSpec(SOL))
    second, third = space.cells[1:]
    monitor.show(third, "XRP-USDT", "1day")  # changed during the run
    third.set_studies([EMA])
    third.set_scale(ScaleMode.LOG)
    space.set_layout(LayoutKind.SINGLE)
    assert space.spec().spare == (CellSpec(ETH), CellSpec(XRP, (EMA,), ScaleMode.LOG))
    space.set_layout(LayoutKind.STACKED)
    assert keys(space) == [BTC, ETH]
    space.set_layout(LayoutKind.THREE)
    assert space.cells[2].spec() == CellSpec(XRP, (EMA,), ScaleMode.LOG)
    assert second not in space.cells and third not in space.cells  # new charts, same cells


def test_a_refused_series_is_neither_saved_nor_brought_back() -> None:
    """A chart on a series the exchange refused is kept on the series it showed before (else
    the default pair): saved so, put aside so, back so when the layout grows again."""
    space, monitor = workspace(LayoutKind.THREE, CellSpec(BTC), CellSpec(ETH), CellSpec(SOL))
    third = space.cells[2]
    monitor.show(third, "NOPE-USDT", "1hour")
    monitor.refused("NOPE-USDT", "1hour")
    monitor.refused(*ETH)  # refused from the start: nothing before it
    assert [cell.key for cell in space.spec().cells] == [
        BTC,
        SeriesKey(DEFAULT_SYMBOL, ETH.timeframe),
        SOL,
    ]
    space.set_layout(LayoutKind.SINGLE)
    space.set_layout(LayoutKind.THREE)
    assert keys(space) == [BTC, SeriesKey(DEFAULT_SYMBOL, ETH.timeframe), SOL]
    assert not any(chart.series.refused for chart in space.cells)


def test_cells_dropped_by_a_shrink_come_back_before_those_remembered_from_before() -> None:
    space, _ = workspace(LayoutKind.SIDE_BY_SIDE, CellSpec(BTC), CellSpec(ETH), CellSpec(SOL))
    space.set_layout(LayoutKind.SINGLE)
    assert space.spec().spare == (CellSpec(ETH), CellSpec(SOL))
    space.set_layout(LayoutKind.THREE)
    assert keys(space) == [BTC, ETH, SOL]


def test_at_most_four_cells_are_remembered_whatever_the_changes() -> None:
    space, _ = workspace(
        LayoutKind.GRID,
        CellSpec(BTC),
        CellSpec(ETH),
        CellSpec(SOL),
        CellSpec(XRP),
        watch=("ADA-USDT", "DOT-USDT"),
    )
    for layout in (
        LayoutKind.SINGLE,
        LayoutKind.THREE,
        LayoutKind.STACKED,
        LayoutKind.GRID,
        LayoutKind.SINGLE,
        LayoutKind.SIDE_BY_SIDE,
    ):
        space.set_layout(layout)
        spec = space.spec()
        assert len(spec.cells) == MAX_CELLS
        assert [cell.key for cell in spec.cells] == [BTC, ETH, SOL, XRP]


def test_the_active_cell_stays_active_when_kept() -> None:
    space, monitor = workspace(
        LayoutKind.THREE, CellSpec(BTC), CellSpec(ETH), CellSpec(SOL), active=1
    )
    active = space.active
    record = Recorder(space, monitor)
    space.set_layout(LayoutKind.SIDE_BY_SIDE)
    assert space.active is active and space.active_index == 1
    assert "active" not in record.names()


def test_when_the_active_cell_goes_the_last_kept_one_becomes_active() -> None:
    space, monitor = workspace(
        LayoutKind.GRID, CellSpec(BTC), CellSpec(ETH), CellSpec(SOL), CellSpec(XRP), active=3
    )
    record = Recorder(space, monitor)
    space.set_layout(LayoutKind.SIDE_BY_SIDE)
    assert space.active_index == 1 and space.active.key == ETH
    assert ("active", space.active) in record.events
    assert space.spec().active == 1


# -- events --------------------------------------------------------------------------------


def test_a_shrink_tells_the_cells_then_the_layout_then_the_active_cell_then_releases() -> None:
    space, monitor = workspace(
        LayoutKind.THREE, CellSpec(BTC), CellSpec(ETH), CellSpec(SOL), active=2
    )
    before = list(space.cells)
    record = Recorder(space, monitor)
    space.set_layout(LayoutKind.SINGLE)
    assert record.events == [
        ("cells", (before[0],)),
        ("layout", LayoutKind.SINGLE),
        ("active", before[0]),
        ("subscriptions", (), (ETH,)),
        ("subscriptions", (), (SOL,)),
        ("changed",),
    ]
    # views of the removed cells heard of it while their charts were still whole
    assert record.charts_at_cells_changed == [before]
    assert monitor.charts == [before[0]]


def test_a_growth_subscribes_the_new_cells_then_tells_the_cells_then_the_layout() -> None:
    space, monitor = workspace(LayoutKind.SINGLE, CellSpec(BTC), watch=("ETH-USDT",))
    record = Recorder(space, monitor)
    space.set_layout(LayoutKind.SIDE_BY_SIDE)
    new_key = SeriesKey("ETH-USDT", "1min")
    assert record.events == [
        ("subscriptions", (new_key,), ()),
        ("cells", space.cells),
        ("layout", LayoutKind.SIDE_BY_SIDE),
        ("changed",),
    ]


def test_the_same_count_of_cells_changes_the_layout_only() -> None:
    space, monitor = workspace(LayoutKind.SIDE_BY_SIDE, CellSpec(BTC), CellSpec(ETH), active=1)
    cells = space.cells
    record = Recorder(space, monitor)
    assert space.set_layout(LayoutKind.STACKED)
    assert space.cells == cells and space.active_index == 1
    assert record.events == [("layout", LayoutKind.STACKED), ("changed",)]


def test_the_layout_shown_already_changes_nothing() -> None:
    space, monitor = workspace(LayoutKind.SIDE_BY_SIDE, CellSpec(BTC), CellSpec(ETH))
    record = Recorder(space, monitor)
    assert not space.set_layout(LayoutKind.SIDE_BY_SIDE)
    assert record.events == []


def test_a_cells_series_studies_or_scale_changing_is_a_change_to_save() -> None:
    space, monitor = workspace(LayoutKind.SIDE_BY_SIDE, CellSpec(BTC), CellSpec(ETH))
    record = Recorder(space, monitor)
    second = space.cells[1]
    monitor.show(second, "SOL-USDT", "1hour")
    assert record.names().count("changed") == 1
    second.set_studies([EMA])
    assert record.names().count("changed") == 2
    second.set_scale(ScaleMode.PERCENT)
    assert record.names().count("changed") == 3
    assert not second.set_scale(ScaleMode.PERCENT)
    assert record.names().count("changed") == 3
    assert space.spec().cells[1] == CellSpec(SOL, (EMA,), ScaleMode.PERCENT)


def test_a_removed_cell_is_no_longer_observed() -> None:
    space, monitor = workspace(LayoutKind.SIDE_BY_SIDE, CellSpec(BTC), CellSpec(ETH))
    removed = space.cells[1]
    space.set_layout(LayoutKind.SINGLE)
    assert (
        len(removed.series_switched),
        len(removed.studies_changed),
        len(removed.scale_changed),
    ) == (
        0,
        0,
        0,
    )
    record = Recorder(space, monitor)
    removed.set_scale(ScaleMode.LOG)
    removed.set_studies([EMA])
    assert record.events == []
    assert space.spec().spare == (CellSpec(ETH),)  # what it was when it went


# -- the active cell -----------------------------------------------------------------------


def test_activating_a_cell_says_so_once() -> None:
    space, monitor = workspace(LayoutKind.THREE, CellSpec(BTC), CellSpec(ETH), CellSpec(SOL))
    record = Recorder(space, monitor)
    assert space.set_active(2)
    assert not space.set_active(2)
    assert space.active is space.cells[2]
    assert record.events == [("active", space.cells[2]), ("changed",)]
    assert space.spec().active == 2


@pytest.mark.parametrize("index", [3, -1, 10])
def test_only_a_cell_shown_can_be_active(index: int) -> None:
    space, _ = workspace(
        LayoutKind.THREE, CellSpec(BTC), CellSpec(ETH), CellSpec(SOL), CellSpec(XRP)
    )
    with pytest.raises(IndexError, match=f"chart {index} is not shown: 0 to 2"):
        space.set_active(index)
    assert space.active_index == 0


def test_stepping_the_active_cell_wraps_both_ways() -> None:
    space, _ = workspace(LayoutKind.THREE, CellSpec(BTC), CellSpec(ETH), CellSpec(SOL))
    seen = []
    for step in (1, 1, 1, -1, -1, -1):
        space.step_active(step)
        seen.append(space.active_index)
    assert seen == [1, 2, 0, 2, 1, 0]


def test_stepping_with_one_cell_changes_nothing() -> None:
    space, monitor = workspace(LayoutKind.SINGLE, CellSpec(BTC))
    record = Recorder(space, monitor)
    space.step_active(1)
    space.step_active(-1)
    assert record.events == [] and space.active_index == 0


# -- closing -------------------------------------------------------------------------------


def test_closing_removes_every_cell_and_keeps_what_to_save() -> None:
    space, monitor = workspace(
        LayoutKind.SIDE_BY_SIDE, CellSpec(BTC), CellSpec(ETH, (EMA,)), CellSpec(SOL), active=1
    )
    spec = space.spec()
    cells = space.cells
    record = Recorder(space, monitor)
    space.close()
    assert monitor.charts == [] and monitor.wanted() == ()
    assert record.events == [("subscriptions", (), (BTC,)), ("subscriptions", (), (ETH,))]
    assert space.spec() == spec
    cells[0].set_scale(ScaleMode.LOG)  # no longer observed
    space.close()  # twice: nothing more
    assert "changed" not in record.names()
    assert all(chart.indicators.columns is None for chart in cells)
