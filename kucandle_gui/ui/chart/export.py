"""What the chart writes to files: the candles in view as CSV, the widget as a PNG image."""

from __future__ import annotations

import csv
import os
from collections.abc import Sequence

from PySide6.QtWidgets import QWidget

from kucandle_gui.protocol import Candle
from kucandle_gui.ui.chart.readout import CSV_HEADER, csv_row


def write_csv(path: str | os.PathLike, candles: Sequence[Candle]) -> int:
    """Write ``candles`` under a header row; returns the number of candle rows."""
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(CSV_HEADER)
        writer.writerows(csv_row(c) for c in candles)
    return len(candles)


def save_png(widget: QWidget, path: str | os.PathLike) -> bool:
    """Grab ``widget`` as it is on screen and save it; False when the file was not written."""
    return widget.grab().save(os.fspath(path), "PNG")
