"""Fixtures of the alerts' widget tests: the book on a fake clock, what the window knows of the
pairs, the panel over them (unbound at the end), and a host widget with its toast stack."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QWidget

from kucandle_gui.model import (
    AlertBook,
)
from kucandle_gui.ui.alerts.panel import AlertsPanel
from kucandle_gui.ui.alerts.toast import ToastStack
from tests.ui.alerts.kit import T0, FakeClock, Window


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def book(clock) -> AlertBook:
    return AlertBook(clock=clock, session_start=T0 - 3600)


@pytest.fixture
def window() -> Window:
    return Window()


@pytest.fixture
def panel(qtbot, book, window, clock):
    panel = AlertsPanel(
        book,
        lambda symbol: window.decimals.get(symbol),
        window.known_pairs,
        lambda symbol: window.last.get(symbol),
        clock=clock,
    )
    qtbot.addWidget(panel)
    panel.resize(620, 760)
    panel.show()
    qtbot.waitExposed(panel)
    yield panel
    panel.unbind()


@pytest.fixture
def host(qtbot) -> QWidget:
    widget = QWidget()
    widget.resize(800, 500)
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


@pytest.fixture
def stack(host) -> ToastStack:
    return ToastStack(host)
