"""Which series: a pair at a timeframe, validated and normalised once, where it enters."""

from __future__ import annotations

from typing import NamedTuple

from kucandle_gui.protocol import TIMEFRAME_SECONDS, validate_symbol, validate_timeframe


class SeriesKey(NamedTuple):
    """A (symbol, timeframe) known to be well formed (``btc-usdt`` is held as ``BTC-USDT``).

    Build one with :meth:`of` from user input; everything past the model trusts it, so nothing
    downstream validates again or compares an un-normalised name with a normalised one.
    """

    symbol: str
    timeframe: str

    @classmethod
    def of(cls, symbol: str, timeframe: str) -> SeriesKey:
        """Validate and normalise; ``ValueError`` names what is valid."""
        return cls(validate_symbol(symbol), validate_timeframe(timeframe))

    @property
    def seconds(self) -> int:
        """Length of one candle, in seconds."""
        return TIMEFRAME_SECONDS[self.timeframe]

    def __str__(self) -> str:
        return f"{self.symbol} {self.timeframe}"
