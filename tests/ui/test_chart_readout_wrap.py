"""The readout over a narrow price pane: a long line (many indicators) wraps between its fields."""

from __future__ import annotations

from kucandle_gui.model.indicators import IndicatorSet
from kucandle_gui.ui.chart import CandleChart
from tests.helpers import numpy_walk
from tests.ui.chart_kit import open_chart
from tests.ui.study_kit import SIX, studies


def chart_of_width(qtbot, width: int) -> CandleChart:
    chart = open_chart(qtbot, width)
    chart.set_history(numpy_walk(300))
    chart.set_indicators(IndicatorSet(chart.store, SIX), studies(*SIX))
    chart.flush()
    return chart


def test_a_long_readout_wraps_inside_a_narrow_pane_and_keeps_its_text(qtbot) -> None:
    chart = chart_of_width(qtbot, 520)
    readout = chart._texts.readout
    pane_width = chart.price_view.rect().width()
    text = chart.readout_text()
    assert "MACD 12 26 9" in text and len(text.split("\n")) == 2
    assert readout.boundingRect().width() <= pane_width
    shown = readout._shown.split("\n")
    assert len(shown) > 2
    # Nothing lost or reordered: the wrapped lines are the fields of the readout.
    assert "  ".join(shown).split("  ") == "  ".join(text.split("\n")).split("  ")


def test_a_readout_that_fits_is_not_wrapped(qtbot) -> None:
    chart = chart_of_width(qtbot, 1900)
    readout = chart._texts.readout
    assert readout._shown == chart.readout_text()
    assert readout.boundingRect().width() <= chart.price_view.rect().width()
