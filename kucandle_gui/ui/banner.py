"""The message banner above the chart: what went wrong, what the app does about it, and,
when there is one, a button for what the user can do (use the demo exchange, go back to the
previous pair). It never blocks the window, unlike a modal dialog that would stop the chart
behind it.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

from .wording import BannerKind


class MessageBanner(QFrame):
    """A dismissable message above the chart, with an optional action button.

    ``kind`` says what the message is about (a :class:`BannerKind`, None while down), so
    that the window can take it down when that problem is over without hiding a different
    one that arrived since.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("messageBanner")
        self.kind: BannerKind | None = None
        self._on_action: Callable[[], None] | None = None
        self.label = QLabel(self)
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.action_button = QPushButton(self)
        self.action_button.clicked.connect(self._act)
        self.close_button = QPushButton("✕", self)
        self.close_button.setToolTip("Dismiss")
        self.close_button.setFlat(True)
        self.close_button.clicked.connect(lambda: self.clear())
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 4, 4)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.action_button)
        layout.addWidget(self.close_button)
        self._hide_timer = QTimer(self, singleShot=True)
        self._hide_timer.timeout.connect(lambda: self.clear())
        self.hide()

    def show_message(
        self,
        text: str,
        *,
        kind: BannerKind,
        error: bool = True,
        action: tuple[str, Callable[[], None]] | None = None,
        timeout_ms: int | None = None,
    ) -> None:
        """Show ``text`` (replacing what was there); ``action`` is (button text, callback)."""
        self.kind = kind
        self.label.setText(text)
        background = "#7a1f1f" if error else "#1f4e7a"
        self.setStyleSheet(
            f"#messageBanner {{ background: {background}; }}"
            " #messageBanner QLabel { color: #ffffff; }"
        )
        self._on_action = action[1] if action else None
        self.action_button.setText(action[0] if action else "")
        self.action_button.setVisible(action is not None)
        if timeout_ms is None:
            self._hide_timer.stop()
        else:
            self._hide_timer.start(timeout_ms)
        self.show()

    def text(self) -> str:
        """The message shown, or ``""`` when the banner is down."""
        return self.label.text() if self.kind is not None else ""

    def clear(self, kind: BannerKind | None = None) -> None:
        """Take the banner down, or only if it is about ``kind``."""
        if kind is not None and kind != self.kind:
            return
        self.kind = None
        self._on_action = None
        self._hide_timer.stop()
        self.hide()

    def _act(self) -> None:
        callback = self._on_action
        self.clear()
        if callback is not None:
            callback()
