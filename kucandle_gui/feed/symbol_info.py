"""The pairs the exchange lists, as ``GET /api/v2/symbols`` describes them: the fields the
app uses, each record checked before use (see :meth:`.rest.RestClient.symbols`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kucandle_gui.protocol import validate_symbol

#: Longest text field of a symbol record.
MAX_SYMBOL_FIELD = 64


@dataclass(frozen=True, slots=True)
class SymbolInfo:
    """The fields of ``/api/v2/symbols`` the app uses."""

    symbol: str
    name: str
    base_currency: str
    quote_currency: str
    market: str
    price_increment: str
    enable_trading: bool


def symbol_info(row: Any) -> SymbolInfo | None:
    """A symbol record, or ``None`` for one that is not a pair's (its symbol not a pair name,
    a text field not a short string, ``enableTrading`` not a boolean)."""
    if not isinstance(row, dict):
        return None
    symbol = row.get("symbol")
    try:
        if not isinstance(symbol, str) or validate_symbol(symbol) != symbol:
            return None
    except ValueError:
        return None
    fields = {
        key: row.get(key, default)
        for key, default in (
            ("name", symbol),
            ("baseCurrency", ""),
            ("quoteCurrency", ""),
            ("market", ""),
            ("priceIncrement", ""),
        )
    }
    enable_trading = row.get("enableTrading", True)
    if not isinstance(enable_trading, bool) or not all(
        isinstance(v, str) and len(v) <= MAX_SYMBOL_FIELD for v in fields.values()
    ):
        return None
    return SymbolInfo(
        symbol=symbol,
        name=fields["name"],
        base_currency=fields["baseCurrency"],
        quote_currency=fields["quoteCurrency"],
        market=fields["market"],
        price_increment=fields["priceIncrement"],
        enable_trading=enable_trading,
    )
