"""The window's file and help actions: screenshot, CSV export, log folder, about box.

Kept apart from the window's wiring; outcomes are said where the user looks (a status-bar note,
or the banner when something failed), never in a modal dialog that would stop the charts.
The CSV export is the active chart's candles in view; the screenshot is the active chart alone,
or the whole chart area (every cell, as laid out) when there are several.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QStandardPaths, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from kucandle_gui.ui.chart import export

from .about import show_about
from .cells import ChartGrid
from .status_bar import FeedStatusBar
from .wording import BannerKind

ShowBanner = Callable[..., None]


class WindowFiles:
    """File and help actions of one window (``parent``), drawing from its charts."""

    def __init__(
        self,
        parent: QWidget,
        grid: ChartGrid,
        status_bar: FeedStatusBar,
        show_banner: ShowBanner,
        series_name: Callable[[], str],
    ) -> None:
        self._parent = parent
        self._grid = grid
        self._status_bar = status_bar
        self._show_banner = show_banner
        self._series_name = series_name

    def save_screenshot(self, path: str) -> bool:
        """Save the chart (every chart, when several are shown) as a PNG at ``path``; the
        outcome is said in the status bar."""
        if self._save_png(path):
            self._status_bar.show_note(f"screenshot saved to {path}")
            return True
        self._show_banner(f"Could not save the screenshot to {path}", kind=BannerKind.ERROR)
        return False

    def export_csv(self, path: str) -> int:
        """Write the visible candles to ``path``; returns the rows written (-1 on failure)."""
        try:
            rows = self._grid.active.chart.export_csv(path)
        except OSError as exc:
            self._show_banner(
                f"Could not export to {path}: {exc.strerror or exc}", kind=BannerKind.ERROR
            )
            return -1
        self._status_bar.show_note(f"{rows} candles exported to {path}")
        return rows

    def _save_png(self, path: str) -> bool:
        cells = self._grid.cells
        if len(cells) == 1:
            return cells[0].chart.save_png(path)
        for cell in cells:
            cell.chart.flush()  # every cell drawn as it is now
        return export.save_png(self._grid, path)

    def save_screenshot_as(self) -> None:
        path = self._ask_path("Save screenshot", ".png", "PNG images (*.png)")
        if path:
            self.save_screenshot(path)

    def export_csv_as(self) -> None:
        path = self._ask_path("Export visible candles", ".csv", "CSV files (*.csv)")
        if path:
            self.export_csv(path)

    def _ask_path(self, title: str, suffix: str, filter_text: str) -> str:
        folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.PicturesLocation)
        name = f"{self._series_name()}_{time.strftime('%Y%m%d-%H%M%S')}{suffix}"
        path, _ = QFileDialog.getSaveFileName(
            self._parent, title, str(Path(folder) / name), filter_text
        )
        return path

    def open_log_folder(self, log_dir: Path | None) -> bool:
        if log_dir is None:
            self._status_bar.show_note("this run does not write a log file")
            return False
        return QDesktopServices.openUrl(QUrl.fromLocalFile(str(log_dir)))

    def show_about(self, log_dir: Path | None) -> QMessageBox:
        return show_about(self._parent, log_dir)
