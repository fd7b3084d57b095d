"""The chart area of several cells: each layout's splitters, cells kept through layout changes,
the order of what the grid announces, the active frame following clicks and the workspace,
splitter sizes kept, theme and volume for every cell."""

from __future__ import annotations

import pytest
import shiboken6
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication, QLabel, QLineEdit, QSplitter, QVBoxLayout, QWidget

from kucandle_gui.model import LayoutKind
from kucandle_gui.ui.cells import ChartCell, ChartGrid
from kucandle_gui.ui.chart import DARK, LIGHT
from tests.ui.cell_kit import open_grid, workspace
from tests.ui.chart_kit import WAIT_MS

H, V = Qt.Orientation.Horizontal, Qt.Orientation.Vertical


def shape(widget) -> object:
    """The arrangement as nested tuples: ``("H", ...)``/``("V", ...)`` of cell indexes."""
    if isinstance(widget, QSplitter):
        kind = "H" if widget.orientation() == H else "V"
        return (kind, *(shape(widget.widget(i)) for i in range(widget.count())))
    return widget.model.key.symbol


def arrangement(grid: ChartGrid) -> object:
    splitters = grid.splitters()
    return shape(splitters[0]) if splitters else shape(grid.cells[0])


@pytest.mark.parametrize(
    ("layout", "expected"),
    [
        (LayoutKind.SINGLE, "BTC-USDT"),
        (LayoutKind.SIDE_BY_SIDE, ("H", "BTC-USDT", "ETH-USDT")),
        (LayoutKind.STACKED, ("V", "BTC-USDT", "ETH-USDT")),
        (LayoutKind.THREE, ("H", "BTC-USDT", ("V", "ETH-USDT", "SOL-USDT"))),
        (
            LayoutKind.GRID,
            ("V", ("H", "BTC-USDT", "ETH-USDT"), ("H", "SOL-USDT", "XRP-USDT")),
        ),
    ],
)
def test_each_layout_arranges_its_cells_in_splitters(qtbot, layout, expected) -> None:
    space, monitor = workspace(layout)
    grid = open_grid(qtbot, space, monitor)
    assert arrangement(grid) == expected
    assert [cell.model for cell in grid.cells] == list(space.cells)
    for splitter in grid.splitters():
        assert not splitter.childrenCollapsible()
    # Shared equally: side by side, stacked, the rows and columns of 2x2, and in 3 the large
    # cell takes half the width.
    for splitter in grid.splitters():
        sizes = splitter.sizes()
        assert max(sizes) - min(sizes) <= 1, sizes
    # Header and frame only with several cells.
    framed = layout is not LayoutKind.SINGLE
    assert all(cell.is_framed() is framed for cell in grid.cells)
    if layout is LayoutKind.SINGLE:
        assert grid.cells[0].geometry() == grid.rect()


def test_kept_cells_stay_the_same_objects_through_layout_changes(qtbot) -> None:
    space, monitor = workspace(LayoutKind.SINGLE)
    grid = open_grid(qtbot, space, monitor)
    first = grid.cells[0]
    first.chart.set_follow_live(False)  # the cell's own view state
    space.set_layout(LayoutKind.GRID)
    assert grid.cells[0] is first and len(grid.cells) == 4
    four = list(grid.cells)
    space.set_layout(LayoutKind.STACKED)
    assert grid.cells == four[:2]
    assert arrangement(grid) == ("V", four[0].model.key.symbol, four[1].model.key.symbol)
    space.set_layout(LayoutKind.SIDE_BY_SIDE)  # the same cells, other splitters
    assert grid.cells == four[:2]
    assert grid.splitters()[0].orientation() == H
    space.set_layout(LayoutKind.SINGLE)
    assert grid.cells == [first] and grid.splitters() == []
    assert first.isVisible() and not first.chart.follow_live()
    assert first.geometry() == grid.rect()
    # The old splitters are gone once the event loop ran.
    qtbot.waitUntil(lambda: not grid.findChildren(QSplitter), timeout=WAIT_MS)


def test_cells_are_announced_added_after_placing_and_removed_before_closing(qtbot) -> None:
    space, monitor = workspace(LayoutKind.SIDE_BY_SIDE, active=1)
    grid = open_grid(qtbot, space, monitor)
    said: list[tuple[str, object]] = []

    def added(cell: ChartCell) -> None:
        placed = any(s.indexOf(cell) >= 0 for s in grid.splitters())
        said.append(("added", cell.model.key.symbol, placed, cell in grid.cells))

    def removed(cell: ChartCell) -> None:
        # Still whole: its binding (and the workspace) still observe its model.
        bound = len(cell.model.series_switched) == observers[cell.model.key.symbol]
        said.append(("removed", cell.model.key.symbol, bound, cell in grid.cells))

    grid.cellAdded.connect(added)
    grid.cellRemoved.connect(removed)
    grid.activeChanged.connect(lambda cell: said.append(("active", cell.model.key.symbol)))
    space.set_layout(LayoutKind.GRID)
    assert said == [
        ("added", "SOL-USDT", True, True),
        ("added", "XRP-USDT", True, True),
    ]
    said.clear()
    gone = grid.cells[1:]
    observers = {c.model.key.symbol: len(c.model.series_switched) for c in gone}
    space.set_active(3)
    said.clear()
    space.set_layout(LayoutKind.SINGLE)
    # The active cell moves first, so nothing is retargeted to a cell about to go.
    assert said == [
        ("active", "BTC-USDT"),
        ("removed", "ETH-USDT", True, False),
        ("removed", "SOL-USDT", True, False),
        ("removed", "XRP-USDT", True, False),
    ]
    for cell in gone:
        # Unbound: nothing observes the model any more (the workspace let it go too).
        assert len(cell.model.series_switched) == 0 and len(cell.model.scale_changed) == 0
    qtbot.waitUntil(lambda: not any(shiboken6.isValid(c) for c in gone), timeout=WAIT_MS)


def test_a_click_in_a_cell_makes_it_active_and_the_workspace_moves_the_frame(qtbot) -> None:
    space, monitor = workspace(LayoutKind.GRID)
    grid = open_grid(qtbot, space, monitor)
    accent, plain = DARK.accent, DARK.background

    def frames() -> list[str]:
        return [cell.frame_color() for cell in grid.cells]

    assert frames() == [accent, plain, plain, plain]
    target = grid.cells[2]
    viewport = target.chart.graphics_view.viewport()
    with qtbot.waitSignal(grid.activeChanged, timeout=WAIT_MS) as signal:
        qtbot.mouseClick(viewport, Qt.MouseButton.LeftButton, pos=viewport.rect().center())
    assert signal.args == [target] and grid.active is target
    assert space.active_index == 2 and space.active is target.model
    assert frames() == [plain, plain, accent, plain]
    # The frame has the same width either way: the chart does not move.
    geometry = target.chart.geometry()
    space.set_active(1)
    assert grid.active is grid.cells[1]
    assert frames() == [plain, accent, plain, plain]
    assert target.chart.geometry() == geometry
    # A click in the header activates too.
    header = grid.cells[3].findChild(QLabel)
    qtbot.mouseClick(header, Qt.MouseButton.LeftButton, pos=QPoint(5, 5))
    assert space.active_index == 3


def test_splitter_sizes_round_trip_and_do_not_fit_another_shape(qtbot) -> None:
    space, monitor = workspace(LayoutKind.GRID)
    grid = open_grid(qtbot, space, monitor)
    before = grid.sizes()
    assert len(before) == 3 and all(len(s) == 2 for s in before)
    grid.restore_sizes([[300, 500], [700, 400], [700, 400]])
    saved = grid.sizes()
    assert saved != before
    assert saved[0][0] < saved[0][1] and saved[1][0] > saved[1][1] and saved[1] == saved[2]
    # Another grid of the same size takes them back exactly.
    other_space, other_monitor = workspace(LayoutKind.GRID)
    other = open_grid(qtbot, other_space, other_monitor)
    other.restore_sizes(saved)
    assert other.sizes() == saved
    # Sizes of another arrangement, or not sizes at all: ignored.
    for wrong in ([[300, 500]], [[300, 500], [1, 2, 3], [700, 400]], [[0, 500]] * 3, []):
        other.restore_sizes(wrong)
        assert other.sizes() == saved
    space.set_layout(LayoutKind.THREE)  # a new arrangement starts shared equally
    assert [max(s) - min(s) <= 1 for s in grid.sizes()] == [True, True]


def test_each_layout_comes_back_with_its_own_sizes(qtbot) -> None:
    space, monitor = workspace(LayoutKind.SIDE_BY_SIDE)
    grid = open_grid(qtbot, space, monitor)
    grid.restore_sizes([[300, 900]])
    side_by_side = grid.sizes()
    space.set_layout(LayoutKind.GRID)
    grid.restore_sizes([[300, 500], [700, 500], [700, 500]])
    two_by_two = grid.sizes()
    space.set_layout(LayoutKind.SIDE_BY_SIDE)
    assert grid.sizes() == side_by_side  # as the user left it, not shared equally again
    space.set_layout(LayoutKind.GRID)
    assert grid.sizes() == two_by_two
    assert grid.sizes_by_layout() == {
        LayoutKind.SIDE_BY_SIDE: side_by_side,
        LayoutKind.GRID: two_by_two,
    }
    # Saved sizes: the layout shown takes its own at once, another one when it is shown.
    other_space, other_monitor = workspace(LayoutKind.GRID)
    other = open_grid(qtbot, other_space, other_monitor)
    other.set_saved_sizes({LayoutKind.GRID: two_by_two, LayoutKind.SIDE_BY_SIDE: side_by_side})
    assert other.sizes() == two_by_two
    other_space.set_layout(LayoutKind.SIDE_BY_SIDE)
    assert other.sizes() == side_by_side
    other_space.set_layout(LayoutKind.STACKED)  # never arranged: shared equally
    assert [max(s) - min(s) <= 1 for s in other.sizes()] == [True]


def test_the_rows_of_2x2_move_their_columns_together(qtbot) -> None:
    space, monitor = workspace(LayoutKind.GRID)
    grid = open_grid(qtbot, space, monitor)
    _, top, bottom = grid.splitters()
    for moved, other in ((top, bottom), (bottom, top)):
        handle = moved.handle(1)
        start = handle.rect().center()
        before = moved.sizes()
        qtbot.mousePress(handle, Qt.MouseButton.LeftButton, pos=start)
        qtbot.mouseMove(handle, start + QPoint(-120, 0))
        qtbot.mouseRelease(handle, Qt.MouseButton.LeftButton, pos=start + QPoint(-120, 0))
        assert moved.sizes()[0] < before[0] - 50
        assert other.sizes() == moved.sizes()
    # A handle is no cell: dragging one activates nothing.
    assert space.active_index == 0


def test_theme_and_volume_apply_to_every_cell_made_later(qtbot) -> None:
    space, monitor = workspace(LayoutKind.SIDE_BY_SIDE)
    grid = open_grid(qtbot, space, monitor)
    grid.set_theme(LIGHT)
    grid.set_volume_visible(False)
    assert all(cell.chart.theme() is LIGHT for cell in grid.cells)
    space.set_layout(LayoutKind.GRID)
    for cell in grid.cells:
        assert cell.chart.theme() is LIGHT and not cell.chart.volume_visible()
        assert cell.frame_color() == (LIGHT.accent if cell is grid.active else LIGHT.background)


def _focus_place(grid: ChartGrid, edit: QLineEdit) -> object:
    """Where the keyboard's focus is: a cell's index, "edit", or None."""
    focus = QApplication.focusWidget()
    if focus is edit:
        return "edit"
    return next((i for i, cell in enumerate(grid.cells) if cell.isAncestorOf(focus)), None)


def test_the_keyboard_focus_stays_on_the_active_chart_through_layout_changes(qtbot) -> None:
    """Cells moving between splitters must not hand the focus on to the next widget of the
    window (the keys meant for the chart would go to the watchlist), nor take it from there."""
    window = QWidget()
    qtbot.addWidget(window)
    box = QVBoxLayout(window)
    edit = QLineEdit(window)
    box.addWidget(edit)
    space, monitor = workspace(LayoutKind.SINGLE)
    grid = ChartGrid(space, monitor)
    box.addWidget(grid)
    window.resize(900, 700)
    with qtbot.waitActive(window):
        window.show()
        window.activateWindow()
    grid.active.chart.graphics_view.setFocus(Qt.FocusReason.MouseFocusReason)
    for layout, active in [
        (LayoutKind.GRID, 3),
        (LayoutKind.SIDE_BY_SIDE, 1),
        (LayoutKind.STACKED, 1),
        (LayoutKind.THREE, 2),
        (LayoutKind.SINGLE, 0),
    ]:
        space.set_layout(layout)
        assert _focus_place(grid, edit) == space.active_index, layout
        space.set_active(active)
        assert _focus_place(grid, edit) == active
    edit.setFocus(Qt.FocusReason.MouseFocusReason)
    space.set_layout(LayoutKind.GRID)
    assert _focus_place(grid, edit) == "edit"


def test_a_follower_sees_every_cell_come_and_go_and_lets_go_of_them_when_it_stops(qtbot) -> None:
    space, monitor = workspace(LayoutKind.SIDE_BY_SIDE)
    grid = open_grid(qtbot, space, monitor)
    seen: list[tuple[str, ChartCell]] = []

    def added(cell: ChartCell) -> None:
        seen.append(("added", cell))

    def removed(cell: ChartCell) -> None:
        seen.append(("removed", cell))

    grid.follow_cells(added, removed)
    first, second = grid.cells
    assert seen == [("added", first), ("added", second)]
    space.set_layout(LayoutKind.THREE)
    third = grid.cells[2]
    space.set_layout(LayoutKind.SINGLE)
    assert seen[2:] == [("added", third), ("removed", second), ("removed", third)]
    grid.unfollow_cells(added, removed)
    assert seen[5:] == [("removed", first)]
    space.set_layout(LayoutKind.SIDE_BY_SIDE)
    assert len(seen) == 6  # no calls once it stopped
