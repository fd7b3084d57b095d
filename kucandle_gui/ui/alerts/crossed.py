"""The alert form's "already crossed" question, asked in place rather than in a dialog.

A price the market is already past is not an error: the user may want the alert anyway (it
then waits for the price to come back first). The question keeps the spec it is about, so
the answer arms exactly what was asked, and a changed field can take it away.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from kucandle_gui.model import AlertSpec

QUESTION_STYLE = "QFrame#crossedQuestion { border: 1px solid #c88a04; border-radius: 3px; }"


class CrossedQuestion(QFrame):
    """Hidden until :meth:`ask`; the buttons emit ``armRequested`` or ``changeRequested``."""

    armRequested = Signal()
    changeRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        #: The spec asked about (None: nothing asked).
        self.spec: AlertSpec | None = None
        self.setObjectName("crossedQuestion")
        self.setStyleSheet(QUESTION_STYLE)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 4)
        self.label = QLabel(self)
        self.label.setWordWrap(True)
        self.arm_button = QPushButton("Arm anyway", self)
        self.change_button = QPushButton("Change price", self)
        buttons = QHBoxLayout()
        buttons.setContentsMargins(0, 0, 0, 0)
        buttons.addWidget(self.arm_button)
        buttons.addWidget(self.change_button)
        buttons.addStretch(1)
        layout.addWidget(self.label)
        layout.addLayout(buttons)
        self.arm_button.clicked.connect(self.armRequested)
        self.change_button.clicked.connect(self.changeRequested)
        self.hide()

    def ask(self, spec: AlertSpec, text: str) -> None:
        """Show ``text`` about ``spec``, "Arm anyway" focused."""
        self.spec = spec
        self.label.setText(text)
        self.show()
        self.arm_button.setFocus()

    def dismiss(self) -> AlertSpec | None:
        """Hide the question; returns the spec it was about (None if nothing was asked)."""
        spec, self.spec = self.spec, None
        self.hide()
        return spec
