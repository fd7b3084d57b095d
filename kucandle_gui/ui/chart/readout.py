"""Text the chart shows and writes: prices, the OHLCV readout, CSV rows. Qt-free."""

from __future__ import annotations

import math
import time
from datetime import datetime
from functools import lru_cache

from kucandle_gui.protocol import Candle

CSV_HEADER: tuple[str, ...] = (
    "time",
    "unix",
    "open",
    "high",
    "low",
    "close",
    "volume",
    "turnover",
)


def price_decimals(reference: float) -> int:
    """Decimals that show a price near ``reference`` to about five significant digits."""
    magnitude = abs(reference)
    if not math.isfinite(magnitude) or magnitude == 0:
        return 2
    if magnitude >= 1000:
        return 2
    if magnitude >= 1:
        return 4
    return min(12, 3 - math.floor(math.log10(magnitude)))


def format_price(value: float, decimals: int) -> str:
    return f"{value:.{decimals}f}"


def format_volume(value: float) -> str:
    """Up to four decimals, trailing zeros dropped, thousands grouped: ``12,345.5``."""
    text = f"{value:,.4f}".rstrip("0").rstrip(".")
    return text or "0"


def local_time_text(start: int, timeframe_seconds: int) -> str:
    """The candle's start in local time; seconds only for sub-minute timeframes."""
    zone = (time.timezone, time.altzone, time.daylight, time.tzname)
    return _local_time_text(start, timeframe_seconds, zone)


@lru_cache(maxsize=256)
def _local_time_text(start: int, timeframe_seconds: int, _zone: object) -> str:
    # ``_zone`` keys the cache to the local time zone (tests and users may change it).
    fmt = "%Y-%m-%d %H:%M:%S" if timeframe_seconds % 60 else "%Y-%m-%d %H:%M"
    if timeframe_seconds >= 86400:
        fmt = "%Y-%m-%d"
    return time.strftime(fmt, time.localtime(start))


def readout(candle: Candle, decimals: int, timeframe_seconds: int, prefix: str = "") -> str:
    """``BTC-USDT 1min  2024-01-02 13:45  O … H … L … C … V …  +1.50 (+0.12%)``."""
    change = candle.close - candle.open
    pct = change / candle.open * 100 if candle.open else 0.0
    p = lambda v: format_price(v, decimals)  # noqa: E731
    parts = [
        f"{prefix}{local_time_text(candle.time, timeframe_seconds)}",
        f"O {p(candle.open)}",
        f"H {p(candle.high)}",
        f"L {p(candle.low)}",
        f"C {p(candle.close)}",
        f"V {format_volume(candle.volume)}",
        f"{change:+.{decimals}f} ({pct:+.2f}%)",
    ]
    return "  ".join(parts)


def csv_row(candle: Candle) -> list[str]:
    """One CSV row: ISO local time with offset, Unix seconds, then the values (``repr``)."""
    iso = datetime.fromtimestamp(candle.time).astimezone().isoformat()
    return [
        iso,
        str(candle.time),
        repr(candle.open),
        repr(candle.high),
        repr(candle.low),
        repr(candle.close),
        repr(candle.volume),
        repr(candle.turnover),
    ]
