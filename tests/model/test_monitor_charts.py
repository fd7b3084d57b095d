"""Charts coming and going in the MonitorModel: their studies, scale, spec, and what a removed
chart lets go."""

from __future__ import annotations

import pytest

from kucandle_gui.model import AlertBook, CellSpec, MonitorModel, SeriesKey, parse_alert_spec
from kucandle_gui.model.indicators import Study, parse_indicator_spec
from kucandle_gui.model.price_scale import ScaleMode

from .test_monitor import BTC, ETH, Log, candle

EMA = Study(parse_indicator_spec("ema:3"), "#4a90e2")
RSI = Study(parse_indicator_spec("rsi:14"), "#f5a623", visible=False)


def test_a_chart_opens_with_the_studies_and_scale_asked_for() -> None:
    monitor = MonitorModel()
    chart = monitor.add_chart("btc-usdt", "1min", (EMA, RSI, EMA), ScaleMode.LOG)
    assert chart.studies == (EMA, RSI)  # each spec once
    assert chart.indicators.specs == (EMA.spec, RSI.spec)
    assert chart.scale is ScaleMode.LOG
    assert chart.spec() == CellSpec(BTC, (EMA, RSI), ScaleMode.LOG)


def test_a_chart_opens_linear_without_studies_by_default() -> None:
    chart = MonitorModel().add_chart("BTC-USDT", "1min")
    assert chart.scale is ScaleMode.LINEAR and chart.studies == ()
    assert chart.spec() == CellSpec(BTC)


def test_the_scale_changes_once_and_says_so() -> None:
    chart = MonitorModel().add_chart("BTC-USDT", "1min")
    changes = Log()
    chart.scale_changed.connect(changes)
    assert chart.set_scale(ScaleMode.PERCENT)
    assert not chart.set_scale(ScaleMode.PERCENT)
    assert chart.set_scale(ScaleMode("log"))
    assert changes.calls == [(ScaleMode.PERCENT,), (ScaleMode.LOG,)]
    assert chart.spec().scale is ScaleMode.LOG
    with pytest.raises(ValueError):
        chart.set_scale("sideways")  # type: ignore[arg-type]
    assert chart.scale is ScaleMode.LOG


def test_the_spec_follows_the_charts_series_and_studies() -> None:
    monitor = MonitorModel()
    chart = monitor.add_chart("BTC-USDT", "1min")
    monitor.show(chart, "ETH-USDT", "5min")
    chart.set_studies([RSI])
    assert chart.spec() == CellSpec(ETH, (RSI,))


def test_a_removed_chart_releases_its_series_and_leaves_the_charts() -> None:
    monitor = MonitorModel()
    chart = monitor.add_chart("BTC-USDT", "1min")
    subscriptions = Log()
    monitor.subscriptions_changed.connect(subscriptions)
    monitor.remove_chart(chart)
    assert monitor.charts == []
    assert subscriptions.calls == [((), (BTC,))]
    assert monitor.wanted() == ()


def test_two_charts_on_one_series_keep_it_until_both_are_removed() -> None:
    monitor = MonitorModel()
    first = monitor.add_chart("BTC-USDT", "1min")
    second = monitor.add_chart("BTC-USDT", "1min")
    subscriptions = Log()
    monitor.subscriptions_changed.connect(subscriptions)
    monitor.remove_chart(first)
    assert subscriptions.calls == []
    assert monitor.wanted() == (BTC,) and monitor.charts == [second]
    monitor.apply("BTC-USDT", "1min", [candle(60)])
    assert second.series.candles.candles() == [candle(60)]
    monitor.remove_chart(second)
    assert subscriptions.calls == [((), (BTC,))]
    assert monitor.series(BTC) is None


def test_a_series_an_alert_holds_stays_subscribed_when_its_chart_goes() -> None:
    monitor = MonitorModel(alerts=AlertBook())
    chart = monitor.add_chart("BTC-USDT", "1min")
    monitor.alerts.add(parse_alert_spec("BTC-USDT above 100"))
    subscriptions = Log()
    monitor.subscriptions_changed.connect(subscriptions)
    monitor.remove_chart(chart)
    assert subscriptions.calls == []
    assert monitor.wanted() == (BTC,)


def test_a_removed_charts_indicators_stop_following_the_series() -> None:
    monitor = MonitorModel()
    kept = monitor.add_chart("BTC-USDT", "1min", (EMA,))
    gone = monitor.add_chart("BTC-USDT", "1min", (EMA,))
    monitor.apply("BTC-USDT", "1min", [candle(60 * n, 100.0 + n) for n in range(100)])
    kept.indicators.sync()
    gone.indicators.sync()
    assert gone.indicators.capacity >= 100
    monitor.remove_chart(gone)
    assert gone.indicators.columns is None
    assert gone.indicators.capacity < 100  # the values' memory is given back
    assert gone.indicators.sync() == 0  # every value went
    version = gone.indicators.version
    monitor.apply("BTC-USDT", "1min", [candle(6000, 200.0)])
    assert gone.indicators.sync() is None and gone.indicators.version == version
    assert kept.indicators.sync() == 100  # the other chart's indicators go on
    assert kept.indicators.values(EMA.spec)[0][-1] > 100.0


def test_removing_a_chart_twice_or_anothers_is_refused() -> None:
    monitor, other = MonitorModel(), MonitorModel()
    chart = monitor.add_chart("BTC-USDT", "1min")
    foreign = other.add_chart("BTC-USDT", "1min")
    with pytest.raises(ValueError, match="BTC-USDT 1min is not one of this monitor's"):
        monitor.remove_chart(foreign)
    assert monitor.wanted() == (BTC,)
    monitor.remove_chart(chart)
    with pytest.raises(ValueError):
        monitor.remove_chart(chart)
    assert monitor.wanted() == ()


def test_a_removed_chart_keeps_what_it_showed_for_saving() -> None:
    monitor = MonitorModel()
    chart = monitor.add_chart("ETH-USDT", "5min", (EMA,), ScaleMode.PERCENT)
    monitor.remove_chart(chart)
    assert chart.spec() == CellSpec(SeriesKey("ETH-USDT", "5min"), (EMA,), ScaleMode.PERCENT)


def test_a_removed_chart_cannot_be_switched_nor_take_a_shared_series_away() -> None:
    # Two charts share BTC; the second goes. Pointing it elsewhere afterwards would release
    # BTC a second time (the first chart's hold) and hold ETH for no chart.
    monitor = MonitorModel()
    kept = monitor.add_chart("BTC-USDT", "1min")
    gone = monitor.add_chart("BTC-USDT", "1min")
    monitor.remove_chart(gone)
    subscriptions = Log()
    monitor.subscriptions_changed.connect(subscriptions)
    with pytest.raises(ValueError, match="BTC-USDT 1min is not one of this monitor's"):
        monitor.show(gone, "ETH-USDT", "5min")
    assert monitor.wanted() == (BTC,) and subscriptions.calls == []
    assert gone.key == BTC and kept.key == BTC
    monitor.remove_chart(kept)
    assert monitor.wanted() == ()


def test_a_chart_that_cannot_open_holds_no_series() -> None:
    monitor = MonitorModel()
    subscriptions = Log()
    monitor.subscriptions_changed.connect(subscriptions)
    with pytest.raises(ValueError, match="'upside-down'"):
        monitor.add_chart("BTC-USDT", "1min", scale="upside-down")  # type: ignore[arg-type]
    assert monitor.wanted() == () and monitor.charts == [] and subscriptions.calls == []
