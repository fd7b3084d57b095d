"""The ``Candle`` type and KuCoin's row form of it.

Field order on the wire is KuCoin's, not OHLC: a candle row is
``[start, open, CLOSE, HIGH, LOW, volume, turnover]``, all strings, in REST and WebSocket
alike. ``Candle`` holds the fields by name so that nobody downstream has to remember that.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from .errors import ProtocolError


@dataclass(frozen=True, slots=True)
class Candle:
    """One candle. ``time`` is the start in Unix seconds; prices and sizes are floats.

    ``volume`` is in the base currency, ``turnover`` in the quote currency. Within one candle
    both only grow as trades arrive, which is what lets a merge tell a newer state of the
    same candle from an older one.
    """

    time: int
    open: float
    high: float
    low: float
    close: float
    volume: float
    turnover: float

    @classmethod
    def from_kucoin(cls, row: Any) -> Candle:
        """Parse KuCoin's ``[time, open, close, high, low, volume, turnover]`` row.

        Raises ``ProtocolError`` for anything but seven numeric fields (strings or numbers,
        never booleans) forming a possible candle: finite, integral start, low ≤ open, close
        ≤ high, positive prices, sizes ≥ 0. A wrong candle must never be drawn.
        """
        if type(row) is list and len(row) == 7:
            start, open_, close, high, low, volume, turnover = row
            if (
                type(start) is str
                and type(open_) is str
                and type(close) is str
                and type(high) is str
                and type(low) is str
                and type(volume) is str
                and type(turnover) is str
            ):
                # KuCoin's own form, every field a string (the live path, once per push): the
                # same conversions and checks as below, without the type tests that strings
                # cannot fail.
                try:
                    candle = cls(
                        int(start),
                        float(open_),
                        float(high),
                        float(low),
                        float(close),
                        float(volume),
                        float(turnover),
                    )
                except ValueError as exc:
                    raise ProtocolError(
                        f"candle row has a non-numeric field: {row!r:.120}"
                    ) from exc
                if not candle.is_consistent():
                    raise ProtocolError(f"candle row is not a possible candle: {row!r:.120}")
                return candle
        if not isinstance(row, list) or len(row) != 7:
            raise ProtocolError(f"candle row must be a list of 7 fields, got {row!r:.120}")
        if any(isinstance(x, bool) for x in row) or (
            isinstance(row[0], float) and not row[0].is_integer()
        ):
            raise ProtocolError(f"candle row has a field of the wrong type: {row!r:.120}")
        try:
            start = int(row[0])
            open_, close, high, low, volume, turnover = (float(x) for x in row[1:])
        except (TypeError, ValueError) as exc:
            raise ProtocolError(f"candle row has a non-numeric field: {row!r:.120}") from exc
        candle = cls(start, open_, high, low, close, volume, turnover)
        if not candle.is_consistent():
            raise ProtocolError(f"candle row is not a possible candle: {row!r:.120}")
        return candle

    def is_consistent(self) -> bool:
        """True when the fields can describe real trades: start ≥ 0, every value finite,
        low ≤ open, close ≤ high, low > 0, volume ≥ 0, turnover ≥ 0."""
        isfinite = math.isfinite
        open_, high, low, close = self.open, self.high, self.low, self.close
        return (
            self.time >= 0
            and isfinite(open_)
            and isfinite(high)
            and isfinite(low)
            and isfinite(close)
            and isfinite(self.volume)
            and isfinite(self.turnover)
            and low <= open_
            and low <= close
            and high >= open_
            and high >= close
            and low > 0
            and self.volume >= 0
            and self.turnover >= 0
        )

    def to_kucoin(self) -> list[str]:
        """The row as KuCoin writes it: strings, in the order start, open, close, high, low, …"""
        return [
            str(self.time),
            format_number(self.open),
            format_number(self.close),
            format_number(self.high),
            format_number(self.low),
            format_number(self.volume),
            format_number(self.turnover),
        ]

    def as_dict(self) -> dict[str, float | int]:
        """Named fields, for JSON output."""
        return {
            "time": self.time,
            "open": self.open,
            "high": self.high,
            "low": self.low,
            "close": self.close,
            "volume": self.volume,
            "turnover": self.turnover,
        }


def format_number(value: float) -> str:
    """Shortest plain decimal, as KuCoin writes numbers: ``67644.9``, ``0.00001``, ``67644``.

    ``repr`` already gives the shortest round-trip digits; only its exponent form (tiny or huge
    values) needs Decimal, which is kept off the common path because the simulator formats
    every field of every push it sends.
    """
    text = repr(float(value))
    if "e" in text or "E" in text:
        text = format(Decimal(text), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text
