"""What the chart's study tests share: specs and ``Study`` records from SPEC texts, a chart with
candles (:func:`chart`) and the studies drawn on it (:func:`with_studies`).

A test module takes :func:`chart` by naming it (``chart = study_kit.chart``): it stands in
for the empty chart of ``conftest.py``.
"""

from __future__ import annotations

import pytest

from kucandle_gui.model.indicators import IndicatorSet, Study, default_color, parse_indicator_spec
from kucandle_gui.ui.chart import CandleChart
from tests.helpers import numpy_walk
from tests.ui.chart_kit import open_chart

#: One study of every kind on the price pane and in panes of their own.
SIX = ("ema:20", "ema:50", "bb:20:2", "vwap", "rsi:14", "macd:12:26:9")


def spec(text: str):
    return parse_indicator_spec(text)


def studies(*texts: str, hidden: tuple[str, ...] = ()) -> list[Study]:
    return [Study(spec(text), default_color(i), text not in hidden) for i, text in enumerate(texts)]


@pytest.fixture
def chart(qtbot) -> CandleChart:
    """A 1000 x 700 chart with 1000 candles of a random walk, drawn."""
    widget = open_chart(qtbot, height=700)
    widget.set_history(numpy_walk(1000))
    widget.flush()
    return widget


def with_studies(chart: CandleChart, *texts: str, hidden: tuple[str, ...] = ()) -> IndicatorSet:
    indicators = IndicatorSet(chart.store, texts)
    chart.set_indicators(indicators, studies(*texts, hidden=hidden))
    chart.flush()
    return indicators
