"""Text the chart shows and writes: prices, the OHLCV and indicator readouts, CSV rows.
Qt-free."""

from __future__ import annotations

import math
import time
from collections.abc import Iterable, Sequence
from datetime import datetime
from functools import lru_cache

from kucandle_gui.protocol import Candle

#: Shown for a value not defined yet at that candle (an indicator's warm-up).
UNDEFINED = "—"
#: Indicators whose values are not prices: RSI (0..100) and the volume SMA (volumes).
_RSI, _VOLUME = "RSI", "VOLSMA"

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


def study_value_text(kind: str, value: float | None, decimals: int) -> str:
    """One indicator value: prices (and MACD, a difference of prices) with the price's
    ``decimals``, RSI with two, a volume SMA like a volume; undefined as ``UNDEFINED``."""
    if value is None or not math.isfinite(value):
        return UNDEFINED
    if kind == _RSI:
        return f"{value:.2f}"
    if kind == _VOLUME:
        return format_volume(value)
    return format_price(value, decimals)


def studies_readout(
    entries: Iterable[tuple[str, str, Sequence[float | None]]], decimals: int
) -> str:
    """``EMA 20 67012.50  BB 20 2 66800.10/67000.00/67200.30  RSI 14 55.20``: per study its
    label, kind name (``Kind.name``) and outputs' values at one candle (NaN or None: not
    defined there)."""
    parts = []
    for label, kind, values in entries:
        text = "/".join([study_value_text(kind, v, decimals) for v in values])
        parts.append(f"{label} {text}")
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
