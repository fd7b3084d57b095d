"""What ``--self-test`` watches: the model shown on charts drawn offscreen, and waits on them.

The probe shows the model as the window does: one chart through a ``ChartBinding``, then the
window's own :class:`~kucandle_gui.ui.cells.ChartGrid` of four cells over a
:class:`~kucandle_gui.model.Workspace` of the same monitor, fed by the same link (one
connection for every series; a series a cell shares with the chart is held once). It waits by
running Qt's event loop until a condition holds or the step's deadline passes: every delivery
(candles, a history load, an error) checks the condition again, nothing sleeps. A drawing is
checked by counting the pixels of the candle colours in a fresh grab of the chart.

Qt and the app are imported inside functions, as in :mod:`kucandle_gui.selftest`: whatever a
broken installation lacks becomes a "self-test FAILED" line, not a traceback.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from PySide6.QtCore import QEventLoop

    from kucandle_gui.app import MonitorParts
    from kucandle_gui.feed import ErrorEvent, StatusEvent
    from kucandle_gui.model import Workspace
    from kucandle_gui.ui.cells import ChartCell, ChartGrid
    from kucandle_gui.ui.chart import CandleChart

#: The size of the four-cell layout, as a window's chart area on a common screen.
GRID_SIZE = (1400, 800)


class SelfTestError(Exception):
    """A check failed; the message is the reason printed after ``self-test FAILED:``."""


def candle_pixels(chart: CandleChart) -> int:
    """Pixels of the up or down candle colour in a fresh drawing of the chart."""
    import numpy as np
    from PySide6.QtGui import QColor, QImage

    image = chart.grab().toImage().convertToFormat(QImage.Format.Format_RGB32)
    width, height, stride = image.width(), image.height(), image.bytesPerLine()
    if not width or not height:
        return 0
    rows = np.frombuffer(image.constBits(), dtype=np.uint32, count=height * stride // 4)
    pixels = rows.reshape(height, stride // 4)[:, :width] & 0x00FFFFFF
    theme = chart.theme()
    colours = [QColor(theme.up).rgb() & 0x00FFFFFF, QColor(theme.down).rgb() & 0x00FFFFFF]
    return int(np.isin(pixels, colours).sum())


def check_drawn(chart: CandleChart, name: str) -> int:
    """The candles drawn on ``chart`` now (its pending redraw run); ``SelfTestError`` naming
    ``name`` when none are, or when the drawing is blank."""
    chart.flush()
    pixels = candle_pixels(chart)  # the drawing also sets drawn_count()
    drawn = chart.drawn_count()
    if drawn <= 0:
        raise SelfTestError(f"{name}: {chart.candle_count()} candles, none drawn")
    if pixels < drawn:
        raise SelfTestError(
            f"{name}: the drawing is blank ({pixels} candle pixels for {drawn} candles)"
        )
    return drawn


def offscreen(widget: Any, size: tuple[int, int]) -> None:
    """Lay ``widget`` out and paint it like a shown window, never on a real screen."""
    from PySide6.QtCore import Qt

    widget.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen, True)
    widget.resize(*size)
    widget.show()


@functools.cache
def probe_class() -> Any:
    """``Probe``, a QObject (its slots run on the UI thread), defined once Qt is imported."""
    from PySide6.QtCore import QEventLoop, QObject, QTimer, Slot

    from kucandle_gui.model import SeriesState

    class Probe(QObject):
        """Shows the model on the chart (and in a four-cell grid) as the window does; waits
        (event loop, deadline) on what shows."""

        def __init__(
            self, parts: MonitorParts, chart: CandleChart, started: float, step_timeout: float
        ) -> None:
            from kucandle_gui.ui.chart_binding import ChartBinding

            super().__init__()
            self._parts = parts
            self._chart = chart
            self._binding = ChartBinding(chart, parts.chart, parts.monitor)
            self._started = started
            self._timeout = step_timeout
            self._history: dict[tuple[str, str], int] = {}
            self._status = ""
            self._error = ""
            #: Why the exchange refused a series (the whole feed: ``(None, None)``).
            self._refused: dict[tuple[str | None, str | None], str] = {}
            self._loop: QEventLoop | None = None
            self._until: Callable[[], bool] | None = None
            self._grid: tuple[Workspace, ChartGrid] | None = None
            #: (seconds after start, time.monotonic()) when candles were first on the chart.
            self.first_drawn: tuple[float, float] | None = None
            link = parts.link
            link.historyLoaded.connect(self._on_history)
            link.statusChanged.connect(self._on_status)
            link.errorOccurred.connect(self._on_error)
            parts.monitor.candles_applied.connect(self._on_candles)

        @property
        def _series(self) -> tuple[str, str]:
            return tuple(self._parts.chart.key)

        def show(self, symbol: str, timeframe: str) -> None:
            self._parts.monitor.show(self._parts.chart, symbol, timeframe)

        def complete_series(self) -> tuple[int, int]:
            """Wait for the history, then a live candle; check the drawing; (candles, drawn)."""
            symbol, timeframe = self._series
            name = f"{symbol} {timeframe}"
            chart = self._chart
            self._wait(lambda: self._series in self._history, f"{name} history")
            rows = self._history[self._series]
            if rows <= 0:
                raise SelfTestError(f"{name} history is empty")
            self._wait(lambda: chart.candle_count() >= rows, f"{rows} {name} history candles")
            newest = chart.store.last_time()
            self._wait(
                lambda: (chart.store.last_time() or 0) > (newest or 0),
                f"a live {name} candle over the WebSocket",
            )
            drawn = check_drawn(chart, name)
            if self.first_drawn is None:
                self._mark_first_drawn()
            return chart.candle_count(), drawn

        def complete_grid(self, series: Sequence[tuple[str, str]]) -> list[int]:
            """Open a 2x2 layout of ``series`` on the same monitor, wait until every cell's
            history is on its chart, check each drawing; the candles drawn, cell by cell."""
            from kucandle_gui.model import (
                CellSpec,
                LayoutKind,
                SeriesKey,
                Workspace,
                WorkspaceSpec,
            )
            from kucandle_gui.ui.cells import ChartGrid

            cells = tuple(CellSpec(SeriesKey.of(*each)) for each in series)
            monitor = self._parts.monitor
            workspace = Workspace(monitor, WorkspaceSpec(LayoutKind.GRID, cells))
            grid = ChartGrid(workspace, monitor)
            self._grid = (workspace, grid)
            offscreen(grid, GRID_SIZE)
            if len(grid.cells) != len(cells):
                raise SelfTestError(f"4-cell layout: {len(grid.cells)} cells shown")
            drawn = []
            for number, cell in enumerate(grid.cells, 1):
                name = f"4-cell layout, cell {number} ({cell.model.key})"
                self._wait(lambda cell=cell: _settled(cell), f"{name} history", cell.chart)
                if cell.model.series.refused:
                    raise SelfTestError(f"{name} refused: {self._refused.get(cell.model.key)}")
                drawn.append(check_drawn(cell.chart, name))
            return drawn

        def close(self) -> None:
            if self._grid is not None:
                workspace, grid = self._grid
                self._grid = None
                grid.close()  # the cells unbind first: their models leave with the workspace
                workspace.close()
                grid.deleteLater()
            self._binding.unbind()
            self._parts.monitor.candles_applied.disconnect(self._on_candles)
            self._chart.close()
            self._chart.deleteLater()

        # -- waiting -----------------------------------------------------------------------------

        def _wait(
            self, until: Callable[[], bool], what: str, chart: CandleChart | None = None
        ) -> None:
            self._raise_if_dropped()
            if until():
                return
            loop = QEventLoop()
            deadline = QTimer()
            deadline.setSingleShot(True)
            deadline.timeout.connect(loop.quit)
            self._loop, self._until = loop, until
            deadline.start(int(self._timeout * 1000))
            try:
                loop.exec()
            finally:
                deadline.stop()
                self._loop = self._until = None
            self._raise_if_dropped()
            if not until():
                chart = chart if chart is not None else self._chart
                detail = "; ".join(
                    part
                    for part in (
                        f"{chart.candle_count()} candles on the chart",
                        f"last status: {self._status}" if self._status else "",
                        f"last error: {self._error}" if self._error else "",
                    )
                    if part
                )
                raise SelfTestError(
                    f"timed out after {self._timeout:g} s waiting for {what} ({detail})"
                )

        def _dropped(self) -> str | None:
            """Why the chart's series (or the whole feed) was refused; None: it was not."""
            refused = self._refused
            return refused.get(self._series, refused.get((None, None)))

        def _raise_if_dropped(self) -> None:
            reason = self._dropped()
            if reason is not None:
                raise SelfTestError(f"{self._series[0]} {self._series[1]} refused: {reason}")

        def _changed(self) -> None:
            loop, until = self._loop, self._until
            if loop is not None and until is not None and (self._dropped() is not None or until()):
                loop.quit()

        # -- the controller's signals --------------------------------------------------------------

        def _on_candles(self, key: tuple[str, str]) -> None:
            if key == self._series and self.first_drawn is None:
                self._chart.flush()
                if candle_pixels(self._chart) > 0 and self._chart.drawn_count() > 0:
                    self._mark_first_drawn()
            self._changed()

        def _mark_first_drawn(self) -> None:
            now = time.monotonic()
            self.first_drawn = (now - self._started, now)

        @Slot(str, str, int, bool)
        def _on_history(self, symbol: str, timeframe: str, rows: int, backfill: bool) -> None:
            if not backfill:
                self._history[(symbol, timeframe)] = rows
            self._changed()

        @Slot(object)
        def _on_status(self, event: StatusEvent) -> None:
            self._status = f"{event.state.value}: {event.message}"

        @Slot(object)
        def _on_error(self, event: ErrorEvent) -> None:
            self._error = event.message
            if event.subscription_dropped:
                self._refused[(event.symbol, event.timeframe)] = event.message
            self._changed()

    def _settled(cell: ChartCell) -> bool:
        """The cell's history is on its chart, or the exchange refused the series."""
        state = cell.model.series.state
        ready = state is SeriesState.READY and cell.chart.candle_count() > 0
        return ready or state is SeriesState.REFUSED

    return Probe
