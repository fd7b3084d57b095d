"""Technical indicators over a candle series, exact and live, without Qt.

``IndicatorSet(columns, ["ema:20", "bb:20:2"])`` computes its indicators over any
:class:`~kucandle_gui.feed.CandleColumns` (a chart's series, a script's ``CandleSeries``);
``sync()`` after the candles changed recomputes only what the change touched.

Conventions are talipp's (the test oracle, 1e-9 relative): SMA; EMA seeded with the SMA of its
first N values, alpha 2/(N+1); Bollinger bands around the SMA at k population standard
deviations; VWAP of the typical price (h+l+c)/3, restarting at each UTC day, undefined until
the day has volume; RSI Wilder's original (seeded with N changes, where talipp's RSI takes
N-1); MACD the fast EMA minus the slow one, its signal an EMA of it, the histogram their
difference; volsma the SMA of the volume. NaN wherever talipp gives None.
"""

from .indicator_set import STEP_LIMIT, IndicatorSet
from .spec import (
    MAX_PERIOD,
    MIN_PERIOD,
    VALID_FORMS,
    IndicatorSpec,
    IndicatorSpecError,
    Kind,
    Pane,
    parse_indicator_spec,
)
from .studies import (
    DEFAULT_COLORS,
    MAX_STUDIES,
    Study,
    default_color,
    next_color,
    studies_from_data,
    studies_to_data,
    unique_studies,
    with_specs,
)

__all__ = [
    "DEFAULT_COLORS",
    "MAX_PERIOD",
    "MAX_STUDIES",
    "MIN_PERIOD",
    "STEP_LIMIT",
    "VALID_FORMS",
    "IndicatorSet",
    "IndicatorSpec",
    "IndicatorSpecError",
    "Kind",
    "Pane",
    "Study",
    "default_color",
    "next_color",
    "parse_indicator_spec",
    "studies_from_data",
    "studies_to_data",
    "unique_studies",
    "with_specs",
]
