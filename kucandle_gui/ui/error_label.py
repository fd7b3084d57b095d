"""The red line under a form's field that says what is wrong with it (the alert form's, the
indicator dialog's): hidden until there is something to say."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QWidget

ERROR_STYLE = "color: #e01b24;"


def error_label(parent: QWidget) -> QLabel:
    """A hidden, word-wrapped label in :data:`ERROR_STYLE`."""
    label = QLabel(parent)
    label.setWordWrap(True)
    label.setStyleSheet(ERROR_STYLE)
    label.hide()
    return label
