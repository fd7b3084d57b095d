"""What the chart writes to files: the candles in view as CSV, the widget as a PNG image.

Both write a temporary file in the target's folder and rename it over the target only once it
is complete: a failed export (a full disk, an image that cannot be encoded) leaves the previous
file as it was and no partial file behind.
"""

from __future__ import annotations

import contextlib
import csv
import os
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice
from PySide6.QtWidgets import QWidget

from kucandle_gui.protocol import Candle
from kucandle_gui.ui.chart.readout import CSV_HEADER, csv_row


def write_csv(path: str | os.PathLike, candles: Sequence[Candle]) -> int:
    """Write ``candles`` under a header row; returns the number of candle rows."""

    def write(temporary: Path) -> None:
        with temporary.open("w", newline="", encoding="utf-8") as f:
            writer = csv.writer(f)
            writer.writerow(CSV_HEADER)
            writer.writerows(csv_row(c) for c in candles)

    _replace_with(Path(path), write)
    return len(candles)


def save_png(widget: QWidget, path: str | os.PathLike) -> bool:
    """Grab ``widget`` as it is on screen and save it; False when the file was not written."""
    # Encoded in memory, written by Python: Qt's image writer can report success on a file
    # it could not write in full, Python's file writes raise.
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    if not widget.grab().save(buffer, "PNG"):
        return False
    try:
        _replace_with(Path(path), lambda temporary: temporary.write_bytes(data.data()))
    except OSError:
        return False
    return True


def _replace_with(target: Path, write: Callable[[Path], object]) -> None:
    """Have ``write`` fill a new file beside ``target``, then put it in the target's place;
    when ``write`` raises, the new file is removed and the target left as it was."""
    temporary = target.with_name(f".{target.name}.{uuid.uuid4().hex[:12]}.part")
    # Created here, exclusively, with the permissions any new file gets (the umask's).
    os.close(os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
    try:
        write(temporary)
        os.replace(temporary, target)
    finally:
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()
