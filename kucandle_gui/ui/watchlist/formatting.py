"""How the watchlist writes its numbers: prices in each pair's own precision, the 24 h change
as a signed percentage, volumes compact.

Plain functions without Qt: the table model formats a row once when its values change, and
tests check the text without a window.
"""

from __future__ import annotations

import math
from decimal import Decimal, InvalidOperation

from kucandle_gui.protocol import format_number

#: Most decimals a price is written with: KuCoin's finest increments have 10 or fewer.
MAX_PRICE_DECIMALS = 12

_UNITS: tuple[tuple[float, str], ...] = ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "K"))


def price_decimals(increment: str) -> int | None:
    """Decimal places of a price increment as the exchange writes it (``"0.01"`` → 2,
    ``"1"`` → 0, ``"0.0005"`` → 4); None for something that is not a positive number."""
    try:
        value = Decimal(increment)
    except (InvalidOperation, TypeError, ValueError):
        return None
    if not value.is_finite() or value <= 0:
        return None
    exponent = value.normalize().as_tuple().exponent
    assert isinstance(exponent, int)
    return min(MAX_PRICE_DECIMALS, max(0, -exponent))


def format_price(value: float | None, decimals: int | None) -> str:
    """A price in the pair's precision (``67644.9``), or its shortest form while the precision
    is unknown; empty before there is a value."""
    if value is None or not math.isfinite(value):
        return ""
    if decimals is None:
        return format_number(value)
    return f"{value:.{decimals}f}"


def format_change(rate: float | None) -> str:
    """The 24 h change, a fraction as KuCoin sends it, as ``+0.47 %`` or ``-1.20 %``."""
    if rate is None or not math.isfinite(rate):
        return ""
    percent = rate * 100
    if round(percent, 2) == 0:
        percent = 0.0  # no "-0.00 %"
    return f"{percent:+.2f} %"


def format_volume(value: float | None) -> str:
    """A volume in compact form: ``532``, ``1.2K``, ``34.5M``, ``678B``; three significant
    digits below one (``0.0123``)."""
    if value is None or not math.isfinite(value):
        return ""
    if value < 1:
        return f"{value:.3g}"
    for scale, unit in _UNITS:
        if value >= scale * 0.9995:  # 999,960 is 1.0M, not 1000K
            return _compact(value / scale) + unit
    return _compact(value)


def _compact(value: float) -> str:
    """One decimal below 100 (``1.2``, ``34.5``), none above (``678``)."""
    return f"{value:.1f}" if round(value, 1) < 100 else f"{value:.0f}"
