"""One cell: its header (the series and its state), its frame in both themes, its activation
by a press (before the chart's own handling) or by the keyboard's focus, and the binding's
price scale following the model."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QEvent, QObject, QPoint, Qt
from PySide6.QtGui import QRegion
from PySide6.QtWidgets import QLabel, QLineEdit, QVBoxLayout, QWidget

from kucandle_gui.model import ChartModel, MonitorModel
from kucandle_gui.model.price_scale import ScaleMode
from kucandle_gui.ui.cells import ChartCell
from kucandle_gui.ui.chart import DARK, LIGHT
from kucandle_gui.ui.chart_binding import ChartBinding
from tests.ui.cell_kit import feed, view_point
from tests.ui.chart_kit import WAIT_MS, open_chart, rgb, rgb_pixels


@pytest.fixture
def monitor() -> MonitorModel:
    return MonitorModel(max_candles=None)


@pytest.fixture
def cell(qtbot, monitor: MonitorModel) -> ChartCell:
    """A cell of BTC-USDT 5min, 700 x 500, on screen (offscreen)."""
    cell = ChartCell(monitor.add_chart("BTC-USDT", "5min"), monitor)
    qtbot.addWidget(cell)
    cell.resize(700, 500)
    cell.show()
    qtbot.waitExposed(cell)
    return cell


def test_the_header_names_the_series_and_says_its_state(
    cell: ChartCell, monitor: MonitorModel
) -> None:
    assert cell.header_text() == "BTC-USDT · 5min · loading…"
    feed(monitor, cell.model.key)
    assert cell.header_text() == "BTC-USDT · 5min"
    monitor.show(cell.model, "eth-usdt", "1hour")
    assert cell.header_text() == "ETH-USDT · 1hour · loading…"
    monitor.refused("ETH-USDT", "1hour")
    assert cell.header_text() == "ETH-USDT · 1hour · refused by the exchange"
    # The chart's own note says it too, as with one chart.
    assert cell.chart.loading_text() == "ETH-USDT 1hour is not available"


def test_the_header_and_frame_show_only_when_framed(cell: ChartCell) -> None:
    chart_height = cell.chart.height()
    assert not cell.is_framed() and cell.chart.geometry() == cell.rect()
    cell.set_framed(True)
    header_height = cell.height() - 4 - cell.chart.height()
    assert cell.is_framed() and header_height > 10
    assert cell.chart.geometry().topLeft() == QPoint(2, 2 + header_height)
    cell.set_framed(False)
    assert cell.chart.height() == chart_height


@pytest.mark.parametrize("theme", [DARK, LIGHT])
def test_the_active_frame_is_the_accent_and_the_inactive_one_the_background(
    cell: ChartCell, theme
) -> None:
    cell.set_theme(theme)
    cell.set_framed(True)

    def ring() -> set[int]:
        """The colours of the cell's outer 2 px (halfway down each side, and the corners)."""
        pixels = rgb_pixels(cell.grab().toImage())
        height, width = pixels.shape
        spots = [(0, 0), (1, 1), (height // 2, 0), (height // 2, 1), (height - 1, width - 1)]
        spots += [(height // 2, width - 1), (height // 2, width - 2), (height - 2, width // 2)]
        return {int(pixels[y, x]) for y, x in spots}

    cell.set_active(True)
    assert ring() == {rgb(theme.accent)}
    geometry = cell.chart.geometry()
    cell.set_active(False)
    assert ring() == {rgb(theme.background)}
    assert cell.chart.geometry() == geometry
    # The header reads in the chart's colours.
    header = cell.grab(cell.rect().adjusted(2, 2, -2, -(cell.height() - geometry.top())))
    colours = set(rgb_pixels(header.toImage()).ravel().tolist())
    assert rgb(theme.background) in colours
    assert any(_close_to(c, rgb(theme.foreground)) for c in colours)


def _close_to(colour: int, target: int, within: int = 40) -> bool:
    """Antialiased text: some pixels within ``within`` of ``target`` in every channel."""
    return all(abs((colour >> s & 255) - (target >> s & 255)) <= within for s in (0, 8, 16))


def test_a_press_activates_the_cell_before_the_chart_handles_it(
    cell: ChartCell, monitor: MonitorModel, qtbot
) -> None:
    feed(monitor, cell.model.key)
    cell.chart.flush()
    said: list[str] = []
    cell.activated.connect(lambda: said.append("activated"))
    cell.chart.priceMenuRequested.connect(lambda *_: said.append("menu"))
    candle = cell.chart.candles()[-20]
    point = view_point(cell.chart, candle.time, candle.close)
    viewport = cell.chart.graphics_view.viewport()
    with qtbot.waitSignal(cell.chart.priceMenuRequested, timeout=WAIT_MS):
        qtbot.mouseClick(viewport, Qt.MouseButton.RightButton, pos=point)
    assert said[0] == "activated" and said[-1] == "menu"


def test_focus_moved_in_by_the_user_activates_and_focus_coming_back_does_not(
    qtbot, monitor: MonitorModel
) -> None:
    window = QWidget()
    qtbot.addWidget(window)
    layout = QVBoxLayout(window)
    edit = QLineEdit(window)
    layout.addWidget(edit)
    cell = ChartCell(monitor.add_chart("BTC-USDT", "1min"), monitor, window)
    layout.addWidget(cell)
    window.resize(600, 500)
    with qtbot.waitActive(window):
        window.show()
        window.activateWindow()
    view = cell.chart.graphics_view
    said: list[bool] = []
    cell.activated.connect(lambda: said.append(True))
    for reason in (Qt.FocusReason.PopupFocusReason, Qt.FocusReason.ActiveWindowFocusReason):
        edit.setFocus()
        view.setFocus(reason)
        assert view.hasFocus() and said == []
    edit.setFocus()
    view.setFocus(Qt.FocusReason.TabFocusReason)
    assert said == [True]


def test_the_binding_applies_the_models_scale_and_follows_it(qtbot, monitor: MonitorModel) -> None:
    chart = open_chart(qtbot)
    model: ChartModel = monitor.add_chart("BTC-USDT", "1min", scale=ScaleMode.PERCENT)
    binding = ChartBinding(chart, model, monitor)
    assert chart.scale_mode() is ScaleMode.PERCENT
    model.set_scale(ScaleMode.LOG)
    assert chart.scale_mode() is ScaleMode.LOG
    binding.unbind()
    model.set_scale(ScaleMode.LINEAR)
    assert chart.scale_mode() is ScaleMode.LOG  # no longer observed


def test_a_closed_cell_no_longer_observes_its_model(cell: ChartCell) -> None:
    model, series = cell.model, cell.model.series
    observers = len(series.changed), len(series.state_changed)
    cell.close()
    cell.close()  # twice: nothing to undo again
    assert len(model.series_switched) == len(model.studies_changed) == 0
    assert len(model.scale_changed) == 0
    # Nor its series (which another cell on the same series may still show).
    assert (len(series.changed), len(series.state_changed)) == (observers[0] - 1, observers[1] - 1)


class _Paints(QObject):
    """The regions painted on the widgets it watches, by widget."""

    def __init__(self, *widgets: QWidget) -> None:
        super().__init__()
        self.regions: dict[QWidget, list[QRegion]] = {widget: [] for widget in widgets}
        self._count: list[int] = []
        for widget in widgets:
            widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint and watched in self.regions:
            self.regions[watched].append(QRegion(event.region()))
        return False

    def settled(self) -> bool:
        """Every widget painted, and nothing more since the last time this was asked."""
        count = [len(regions) for regions in self.regions.values()]
        quiet = all(count) and count == self._count
        self._count = count
        return quiet

    def area(self, widget: QWidget) -> int:
        return sum(r.width() * r.height() for region in self.regions[widget] for r in region)


def test_a_change_of_active_cell_repaints_the_frame_not_the_chart(
    cell: ChartCell, monitor: MonitorModel, qtbot
) -> None:
    feed(monitor, cell.model.key)
    viewport = cell.chart.graphics_view.viewport()
    shown = _Paints(cell, viewport)
    cell.set_framed(True)
    cell.chart.flush()
    qtbot.waitUntil(shown.settled, timeout=WAIT_MS)  # the header laid out and painted
    for on in (True, False):
        paints = _Paints(cell, viewport)
        cell.set_active(on)
        qtbot.waitUntil(lambda p=paints: bool(p.regions[cell]), timeout=WAIT_MS)
        # Nothing of the chart (a countdown tick may repaint its tag alone), nor the header.
        assert paints.area(viewport) < viewport.width() * viewport.height() // 20
        assert paints.area(cell) <= 2 * 2 * (cell.width() + cell.height())


def test_a_narrow_cell_elides_its_header_and_tells_the_whole_in_a_tooltip(
    cell: ChartCell, monitor: MonitorModel
) -> None:
    cell.set_framed(True)
    monitor.refused("BTC-USDT", "5min")
    whole = "BTC-USDT · 5min · refused by the exchange"
    label = cell.findChild(QLabel)
    assert label.text() == cell.header_text() == whole and label.toolTip() == ""
    cell.resize(150, 300)
    assert cell.header_text() == whole
    assert label.text().endswith("…") and whole.startswith(label.text()[:-1])
    assert label.fontMetrics().horizontalAdvance(label.text()) <= label.contentsRect().width()
    assert label.toolTip() == whole
    cell.resize(700, 300)
    assert label.text() == whole and label.toolTip() == ""
