"""Fixtures of the window tests (windows on an isolated settings file, closed at the end) and
of the chart tests (a shown chart, empty or with candles: ``tests/ui/chart_kit.py``)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings

from kucandle_gui.app import build_window
from kucandle_gui.ui.chart import CandleChart
from kucandle_gui.ui.main_window import MainWindow
from kucandle_gui.ui.settings import AppSettings
from tests.helpers import fast_feed_config, fast_sim_config, numpy_walk
from tests.ui.chart_kit import open_chart


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


@pytest.fixture
def chart(qtbot) -> CandleChart:
    """A 1000 x 600 chart of BTC-USDT 1min without candles."""
    return open_chart(qtbot)


@pytest.fixture
def loaded(chart: CandleChart) -> CandleChart:
    """``chart`` with 1000 candles of a random walk, drawn."""
    chart.set_history(numpy_walk(1000))
    chart.flush()
    return chart
