"""Fixtures of the window tests: windows on an isolated settings file, closed at the end."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings

from kucandle_gui.app import build_window
from kucandle_gui.ui.main_window import MainWindow
from kucandle_gui.ui.settings import AppSettings
from tests.helpers import fast_feed_config, fast_sim_config


@pytest.fixture
def settings_path(tmp_path) -> str:
    return str(tmp_path / "settings.ini")


@pytest.fixture
def make_window(qtbot, settings_path):
    """Build windows with the fast feed and demo configs; each is closed (feed stopped) at the
    end of the test."""
    windows: list[MainWindow] = []

    def make(
        api_url: str, symbol: str = "BTC-USDT", timeframe: str = "1min", **kwargs: object
    ) -> MainWindow:
        settings = AppSettings(QSettings(settings_path, QSettings.Format.IniFormat))
        window = build_window(
            api_url,
            symbol,
            timeframe,
            settings=settings,
            feed_config=fast_feed_config(),
            demo_config=fast_sim_config(),
            **kwargs,  # type: ignore[arg-type]
        )
        qtbot.addWidget(window)
        windows.append(window)
        window.show()
        return window

    yield make
    for window in windows:
        window.close()
