"""In-window notices of firing alerts, floating over the top right of the chart.

A notice stays until the user has seen it: it goes when its ✕ or the notice itself is clicked,
never on a timer (an alert that fired while the user was away must still be there when they
come back). It never takes the keyboard focus nor blocks the window, unlike a message box. At
most :data:`MAX_VISIBLE` notices are shown, newest on top; the older ones wait behind a
"+N more" line (with "Dismiss all"), so a burst of firings cannot cover the chart. The panel's
log keeps every firing; the notices keep at most :data:`MAX_KEPT`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QColor, QMouseEvent, QPalette
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

#: Notices shown at once; the rest are counted on the "+N more" line.
MAX_VISIBLE = 4
#: Notices kept (the oldest go first past it): the panel's log has the firings anyway.
MAX_KEPT = 200
#: Widest a notice gets, and its distance from the host's edges, in pixels.
TOAST_WIDTH = 340
MARGIN = 12
_NARROWEST = 160


@dataclass(frozen=True, eq=False)
class _Notice:
    """One notice waiting to be seen (compared by identity: two may say the same)."""

    key: int
    title: str
    detail: str


class _Toast(QFrame):
    """One notice: a title, a detail line and a ✕; a click anywhere else on it opens it."""

    clicked = Signal()
    closed = Signal()

    def __init__(self, notice: _Notice, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("alertToast")
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setToolTip("Click to open the alerts panel")
        self.title = QLabel(notice.title, self)
        self.title.setObjectName("alertToastTitle")
        self.title.setWordWrap(True)
        font = self.title.font()
        font.setBold(True)
        self.title.setFont(font)
        self.detail = QLabel(notice.detail, self)
        self.detail.setWordWrap(True)
        self.close_button = QToolButton(self)
        self.close_button.setObjectName("alertToastClose")
        self.close_button.setText("✕")
        self.close_button.setToolTip("Dismiss")
        self.close_button.setAutoRaise(True)
        self.close_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.close_button.clicked.connect(self.closed)
        texts = QVBoxLayout()
        texts.setSpacing(2)
        texts.addWidget(self.title)
        texts.addWidget(self.detail)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 8, 4, 8)
        layout.addLayout(texts, 1)
        layout.addWidget(self.close_button, 0, Qt.AlignmentFlag.AlignTop)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        # Accepted: a click on a notice is not also one on the chart under it.
        event.accept()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton and self.rect().contains(
            event.position().toPoint()
        ):
            self.clicked.emit()
        event.accept()


class ToastStack(QWidget):
    """The notices over ``host`` (the window's central widget); see the module docstring.

    ``toastClicked(key)`` is emitted when a notice is clicked (not its ✕), with the key it
    was shown with: the window opens the alerts panel.
    """

    toastClicked = Signal(int)

    def __init__(self, host: QWidget) -> None:
        super().__init__(host)
        self.setObjectName("alertToasts")
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self._host = host
        self._notices: list[_Notice] = []  # newest first
        self._shown: dict[_Notice, _Toast] = {}
        self._serial = 0
        self._colors: tuple[QColor, QColor, QColor] | None = None
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(6)
        self._more = QFrame(self)
        self._more.setObjectName("alertToastMore")
        self._more_label = QLabel(self._more)
        dismiss_all = QPushButton("Dismiss all", self._more)
        dismiss_all.setFlat(True)
        dismiss_all.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        dismiss_all.clicked.connect(self.dismiss_all)
        more_layout = QHBoxLayout(self._more)
        more_layout.setContentsMargins(10, 2, 4, 2)
        more_layout.addWidget(self._more_label, 1)
        more_layout.addWidget(dismiss_all)
        self._layout.addWidget(self._more)
        self._restyle()
        host.installEventFilter(self)
        self.hide()

    # -- what the notifier and the window call ----------------------------------------------

    def show_toasts(self, items: Sequence[tuple[str, str, int | None]]) -> None:
        """Show ``(title, detail, key)`` notices, oldest first (the last on top), laid out
        once however many there are: a burst of firings costs the notices shown, not a
        layout each; only the newest :data:`MAX_KEPT` are kept. ``key`` comes back with
        ``toastClicked`` (None: a running number)."""
        if not items:
            return
        added: list[_Notice] = []
        for title, detail, key in items[-MAX_KEPT:]:
            self._serial += 1
            added.append(_Notice(self._serial if key is None else key, title, detail))
        added.reverse()
        self._notices[:0] = added
        del self._notices[MAX_KEPT:]
        self._render()

    def dismiss_all(self) -> None:
        self._notices.clear()
        self._render()

    def count(self) -> int:
        """Notices not dismissed yet, the hidden ones included."""
        return len(self._notices)

    def texts(self) -> list[str]:
        """What is shown, top to bottom: ``"title\\ndetail"`` per notice, then the
        ``"+N more"`` line if there is one."""
        lines = [f"{n.title}\n{n.detail}" for n in self._notices[:MAX_VISIBLE]]
        if len(self._notices) > MAX_VISIBLE:
            lines.append(self._more_label.text())
        return lines

    def toasts(self) -> list[QFrame]:
        """The notice widgets shown, top to bottom (for tests and the window's tour)."""
        return [self._shown[n] for n in self._notices[:MAX_VISIBLE]]

    def set_colors(
        self, background: QColor | str, foreground: QColor | str, accent: QColor | str
    ) -> None:
        """Colour the notices to match the chart's theme (default: the palette's tooltip
        colours, with its highlight as the accent)."""
        self._colors = (QColor(background), QColor(foreground), QColor(accent))
        self._restyle()

    # -- Qt --------------------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._host and event.type() == QEvent.Type.Resize and self._notices:
            self._place()
        return False

    def changeEvent(self, event: QEvent) -> None:
        # The theme changed: the default colours come from the palette.
        if event.type() == QEvent.Type.PaletteChange and self._colors is None:
            self._restyle()
        super().changeEvent(event)

    # -- inside ----------------------------------------------------------------------------

    def _dismiss(self, notice: _Notice) -> None:
        if notice in self._notices:
            self._notices.remove(notice)
            self._render()

    def _open(self, notice: _Notice) -> None:
        self._dismiss(notice)
        self.toastClicked.emit(notice.key)

    def _render(self) -> None:
        visible = self._notices[:MAX_VISIBLE]
        for notice in [n for n in self._shown if n not in visible]:
            toast = self._shown.pop(notice)
            self._layout.removeWidget(toast)
            toast.hide()
            toast.deleteLater()
        for index, notice in enumerate(visible):
            toast = self._shown.get(notice)
            if toast is None:
                toast = self._shown[notice] = _Toast(notice, self)
                toast.clicked.connect(lambda n=notice: self._open(n))
                toast.closed.connect(lambda n=notice: self._dismiss(n))
            else:
                self._layout.removeWidget(toast)
            self._layout.insertWidget(index, toast)
            toast.show()
        hidden = len(self._notices) - len(visible)
        self._more_label.setText(f"+{hidden} more")
        self._more.setVisible(hidden > 0)
        if not self._notices:
            self.hide()
            return
        self._place()
        self.show()
        self.raise_()

    def _place(self) -> None:
        """Top right of the host, as wide as fits."""
        host = self._host.size()
        width = max(_NARROWEST, min(TOAST_WIDTH, host.width() - 2 * MARGIN))
        self._layout.activate()
        height = self._layout.totalHeightForWidth(width)
        self.setGeometry(max(0, host.width() - width - MARGIN), MARGIN, width, height)

    def _restyle(self) -> None:
        if self._colors is not None:
            background, foreground, accent = self._colors
        else:
            palette = self.palette()
            background = palette.color(QPalette.ColorRole.ToolTipBase)
            foreground = palette.color(QPalette.ColorRole.ToolTipText)
            accent = palette.color(QPalette.ColorRole.Highlight)
        bg, fg, ac = background.name(), foreground.name(), accent.name()
        sheet = (
            f"#alertToast, #alertToastMore {{ background: {bg}; border: 1px solid {ac};"
            f" border-left: 4px solid {ac}; border-radius: 4px; }}"
            f" #alertToast QLabel, #alertToastMore QLabel {{ color: {fg}; background: {bg};"
            " border: none; }"
            f" #alertToastTitle {{ color: {fg}; }}"
            f" #alertToast QToolButton, #alertToastMore QPushButton {{ color: {fg};"
            " border: none; background: transparent; padding: 2px 6px; }"
        )
        if sheet != self.styleSheet():  # restyling changes the palette: no loop
            self.setStyleSheet(sheet)
