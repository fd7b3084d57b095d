"""Every indicator equals talipp's (the oracle, see ``oracle.py``) over whole histories:
random walks and the local exchange's real market series."""

from __future__ import annotations

import numpy as np
import pytest

from kucandle_gui.feed import CandleSeries
from kucandle_gui.model.indicators import IndicatorSet
from kucandle_gui.protocol import Candle
from kucandle_gui.sim.market import Market
from kucandle_gui.sim.symbols import CATALOG
from tests.helpers import numpy_walk

from .oracle import SPECS, check_set

NOW = 1_750_000_020.5


def series_of(candles: list[Candle], max_candles: int | None = None) -> CandleSeries:
    series = CandleSeries("TEST-USDT", "1min", max_candles)
    series.set_history(candles)
    return series


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_random_walks_of_5k_candles_match_talipp(seed: int) -> None:
    candles = numpy_walk(5000, seed=seed)
    indicators = IndicatorSet(series_of(candles), SPECS)
    assert indicators.sync() is None  # computed when made
    check_set(indicators, candles)


def test_a_walk_far_from_zero_and_a_walk_of_tiny_prices_match_talipp() -> None:
    """Precision is relative: prices of 60,000 and of 0.0001 alike."""
    base = numpy_walk(3000, seed=5)
    for scale in (600.0, 1e-6):
        candles = [
            Candle(
                c.time,
                c.open * scale,
                c.high * scale,
                c.low * scale,
                c.close * scale,
                c.volume,
                c.turnover,
            )
            for c in base
        ]
        check_set(IndicatorSet(series_of(candles), SPECS), candles)


def test_flat_prices_give_exact_bands_and_an_rsi_of_100() -> None:
    """Equal prices: a standard deviation of exactly 0, no loss (RSI 100), VWAP the price."""
    candles = [Candle(1_700_000_040 + 60 * i, 5.0, 5.0, 5.0, 5.0, 1.0, 5.0) for i in range(60)]
    indicators = IndicatorSet(series_of(candles), ["bb:20:2", "rsi:14", "vwap"])
    lower, _, upper = indicators.values("bb:20:2")
    assert np.all(lower[19:] == 5.0) and np.all(upper[19:] == 5.0)
    assert np.all(indicators.values("rsi:14")[0][14:] == 100.0)
    assert np.all(indicators.values("vwap")[0] == 5.0)
    check_set(indicators, candles)


@pytest.fixture(scope="module")
def market() -> Market:
    return Market(1, list(CATALOG.values()), NOW - 4 * 86400)


@pytest.mark.parametrize(
    ("symbol", "timeframe"),
    [("BTC-USDT", "1min"), ("XRP-USDT", "5min"), ("QUIET-USDT", "1min"), ("ETH-BTC", "15min")],
)
def test_the_local_exchanges_series_match_talipp(
    market: Market, symbol: str, timeframe: str
) -> None:
    """Real candles of the simulated market: gaps without trades, flat stretches, prices on
    the tick, several UTC days (VWAP restarts at each)."""
    candles = market.candles(symbol, timeframe, int(NOW) - 3 * 86400, int(NOW), NOW)
    assert len({c.time // 86400 for c in candles}) >= 3
    indicators = IndicatorSet(series_of(candles), SPECS)
    check_set(indicators, candles)
