"""Help → About: the versions a bug report needs, and where the log is."""

from __future__ import annotations

import html
import platform
from pathlib import Path

import pyqtgraph
import PySide6
from PySide6.QtCore import Qt, qVersion
from PySide6.QtWidgets import QMessageBox, QWidget

from kucandle_gui import __version__


def versions() -> dict[str, str]:
    """Name → version of everything that shapes how the app behaves."""
    return {
        "kucandle-gui": __version__,
        "Python": platform.python_version(),
        "Qt": qVersion(),
        "PySide6": PySide6.__version__,
        "pyqtgraph": pyqtgraph.__version__,
        "Platform": platform.platform(terse=True),
    }


def about_html(log_dir: Path | None) -> str:
    rows = "".join(
        f"<tr><td>{html.escape(name)}</td><td>&nbsp;{html.escape(value)}</td></tr>"
        for name, value in versions().items()
    )
    log = f"<p>Log folder: {html.escape(str(log_dir))}</p>" if log_dir else ""
    return (
        "<h3>kucandle-gui</h3><p>Live KuCoin spot candlesticks.</p>"
        f"<table>{rows}</table>{log}"
        "<p>Prices marked SIMULATED come from the built-in demo exchange, "
        "not from KuCoin.</p>"
    )


def show_about(parent: QWidget, log_dir: Path | None) -> QMessageBox:
    """Open the About box without blocking the window (the feed keeps drawing behind it)."""
    box = QMessageBox(parent)
    box.setWindowTitle("About kucandle-gui")
    box.setTextFormat(Qt.TextFormat.RichText)
    box.setText(about_html(log_dir))
    box.setStandardButtons(QMessageBox.StandardButton.Close)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()
    return box
