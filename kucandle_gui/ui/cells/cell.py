"""One chart of the layout: the chart, its binding to a chart model, a header and a frame.

With several cells (``set_framed``) a one-line header names the series and says when it is
not ready (the status bar speaks for the connection and the active cell only), elided when
the cell is narrow (the whole text in its tooltip), and a frame marks the active cell in the
theme's accent colour. An inactive cell's frame has the same width in the chart's background
colour, so nothing moves when another cell becomes active. The cell paints the frame itself,
and a change of cell repaints the frame alone: a palette's colour would reach every widget
inside and repaint the whole chart.

A mouse press anywhere in the cell activates it before the chart sees the press (an event
filter on every widget inside, the chart's viewport included), so whatever the window aims at
the active cell (a drawing tool, the menus) is there for that very click. Focus coming into
the cell by the keyboard activates it too; focus coming back with the window or from a closed
menu does not (the active cell may have changed meanwhile by Ctrl+Tab).
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFocusEvent,
    QPainter,
    QPaintEvent,
    QPalette,
    QRegion,
    QResizeEvent,
)
from PySide6.QtWidgets import QFrame, QLabel, QSizePolicy, QVBoxLayout, QWidget

from kucandle_gui.model import ChartModel, MonitorModel, SeriesKey, SeriesState
from kucandle_gui.ui.chart import DARK, CandleChart, ChartTheme
from kucandle_gui.ui.chart_binding import ChartBinding
from kucandle_gui.ui.wording import cell_header

#: The frame's width in pixels, active or not.
FRAME_WIDTH = 2

#: What a focus change must be to activate a cell: the user moving it there.
_ACTIVATING_FOCUS = (
    Qt.FocusReason.MouseFocusReason,
    Qt.FocusReason.TabFocusReason,
    Qt.FocusReason.BacktabFocusReason,
    Qt.FocusReason.ShortcutFocusReason,
    Qt.FocusReason.OtherFocusReason,
)


class ChartCell(QFrame):
    """A chart bound to ``model``, with a header and a frame when several are shown."""

    #: A mouse press anywhere in the cell (before the chart handles it), or focus moved in.
    activated = Signal()

    def __init__(
        self,
        model: ChartModel,
        monitor: MonitorModel,
        parent: QWidget | None = None,
        *,
        theme: ChartTheme = DARK,
    ) -> None:
        super().__init__(parent)
        self.model = model
        self._theme = theme
        self._active = False
        self._framed = False
        self._closed = False
        self.setAutoFillBackground(True)
        self._header = QLabel(self)
        self._header.setTextFormat(Qt.TextFormat.PlainText)
        self._header.setContentsMargins(6, 2, 6, 2)
        # Elided to the cell's width, never widening it: a narrow cell stays narrow.
        self._header.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        #: The header's whole text (the label shows it elided to the cell's width).
        self._header_text = ""
        self.chart = CandleChart(self, theme)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self._header)
        layout.addWidget(self.chart, 1)
        self.binding = ChartBinding(self.chart, model, monitor, self)
        self.binding.stateChanged.connect(self._show_state)
        self._show_state(model.key, model.series.state)
        self._watch(self)
        self.set_framed(False)
        self.set_theme(theme)

    # ------------------------------------------------------------------ public API

    def set_active(self, on: bool) -> None:
        """Frame the cell in the accent colour (the active one), or in the background's."""
        if on != self._active:
            self._active = on
            self.update(self._frame_region())

    def set_framed(self, on: bool) -> None:
        """Several cells shown: the header and the frame; one cell: the chart alone."""
        self._framed = on
        self._header.setVisible(on)
        width = FRAME_WIDTH if on else 0
        self.setContentsMargins(width, width, width, width)
        self._elide_header()
        self.update()

    def is_framed(self) -> bool:
        """Whether the header and the frame are shown (tests: an observation point)."""
        return self._framed

    def set_theme(self, theme: ChartTheme) -> None:
        """The chart's colours; the header reads in them, on the chart's background."""
        self._theme = theme
        self.chart.set_theme(theme)
        palette = self.palette()
        palette.setColor(QPalette.ColorRole.Window, QColor(theme.background))
        palette.setColor(QPalette.ColorRole.WindowText, QColor(theme.foreground))
        self.setPalette(palette)

    def header_text(self) -> str:
        """What the header says, whole, shown only when the cell is framed (tests: an
        observation point)."""
        return self._header_text

    def frame_color(self) -> str:
        """The frame's colour now (``#rrggbb``): the accent when active."""
        theme = self._theme
        return QColor(theme.accent if self._active else theme.background).name()

    def close(self) -> bool:
        """The model goes away: stop observing it, and close the widget."""
        if not self._closed:
            self._closed = True
            self.binding.unbind()
        return super().close()

    # ------------------------------------------------------------------ internals

    def _show_state(self, key: SeriesKey, state: SeriesState) -> None:
        self._header_text = cell_header(key, state)
        self._elide_header()

    def _elide_header(self) -> None:
        """The header's text cut to the width it has, with "…" and the whole in a tooltip."""
        header = self._header
        margins = header.contentsMargins()
        room = self.contentsRect().width() - margins.left() - margins.right()
        whole = self._header_text
        shown = header.fontMetrics().elidedText(whole, Qt.TextElideMode.ElideRight, max(room, 0))
        header.setText(shown)
        header.setToolTip(whole if shown != whole else "")

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._elide_header()

    def _frame_region(self) -> QRegion:
        """The frame's ring: the cell's edge, inside of which are the header and the chart."""
        outer = self.rect()
        inner = outer.adjusted(FRAME_WIDTH, FRAME_WIDTH, -FRAME_WIDTH, -FRAME_WIDTH)
        return QRegion(outer).subtracted(QRegion(inner))

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        if self._framed:
            painter = QPainter(self)
            painter.setClipRegion(self._frame_region())
            painter.fillRect(self.rect(), QColor(self.frame_color()))

    def _watch(self, widget: QWidget) -> None:
        """Filter the events of ``widget`` and every widget in it (later ones too:
        ``ChildAdded``)."""
        for each in (widget, *widget.findChildren(QWidget)):
            each.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind == QEvent.Type.MouseButtonPress:
            self.activated.emit()
        elif kind == QEvent.Type.FocusIn:
            if isinstance(event, QFocusEvent) and event.reason() in _ACTIVATING_FOCUS:
                self.activated.emit()
        elif kind == QEvent.Type.ChildAdded:
            child = event.child()  # type: ignore[attr-defined]
            if isinstance(child, QWidget):
                self._watch(child)
        return False  # the event goes on to the widget: the chart handles the press
