"""KuCoin's candle types and pair names: which exist, and where each candle starts."""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime

from .errors import InvalidSymbolError, InvalidTimeframeError

#: Every KuCoin candle type with its length in seconds. ``1month`` is a calendar month;
#: its entry is a nominal 31 days, used only to size REST pages.
TIMEFRAME_SECONDS: dict[str, int] = {
    "1min": 60,
    "3min": 180,
    "5min": 300,
    "15min": 900,
    "30min": 1800,
    "1hour": 3600,
    "2hour": 7200,
    "4hour": 14400,
    "6hour": 21600,
    "8hour": 28800,
    "12hour": 43200,
    "1day": 86400,
    "1week": 604800,
    "1month": 31 * 86400,
}
TIMEFRAMES: tuple[str, ...] = tuple(TIMEFRAME_SECONDS)

#: KuCoin weeks start on Monday 00:00 UTC; the Unix epoch fell on a Thursday.
_FIRST_MONDAY = 4 * 86400


def validate_timeframe(timeframe: str) -> str:
    """Return ``timeframe`` if KuCoin offers it, else raise with the list of valid ones."""
    if timeframe in TIMEFRAME_SECONDS:
        return timeframe
    raise InvalidTimeframeError(
        f"unknown timeframe {timeframe!r}; valid timeframes: {', '.join(TIMEFRAMES)}"
    )


_SYMBOL_RE = re.compile(r"^[A-Z0-9]{1,20}-[A-Z0-9]{1,20}$")


def validate_symbol(symbol: str) -> str:
    """Normalise a pair name (``btc-usdt`` → ``BTC-USDT``) or raise with the expected form.

    Only the form is checked here; whether the exchange lists the pair is the REST client's
    question (see ``RestClient.symbols``).
    """
    normalised = symbol.strip().upper()
    if _SYMBOL_RE.match(normalised):
        return normalised
    raise InvalidSymbolError(
        f"invalid pair {symbol!r}: expected BASE-QUOTE in letters and digits, e.g. BTC-USDT"
    )


def candle_start(timeframe: str, timestamp: float) -> int:
    """Start (Unix seconds, UTC) of the ``timeframe`` candle that contains ``timestamp``."""
    t = math.floor(timestamp)
    if timeframe == "1month":
        moment = datetime.fromtimestamp(t, tz=UTC)
        return int(datetime(moment.year, moment.month, 1, tzinfo=UTC).timestamp())
    seconds = TIMEFRAME_SECONDS[timeframe]
    if timeframe == "1week":
        return (t - _FIRST_MONDAY) // seconds * seconds + _FIRST_MONDAY
    return t // seconds * seconds


def next_candle_start(timeframe: str, start: int) -> int:
    """Start of the candle after the one starting at ``start``."""
    if timeframe == "1month":
        moment = datetime.fromtimestamp(start, tz=UTC)
        year, month = (
            (moment.year + 1, 1) if moment.month == 12 else (moment.year, moment.month + 1)
        )
        return int(datetime(year, month, 1, tzinfo=UTC).timestamp())
    return start + TIMEFRAME_SECONDS[timeframe]
