"""The pairs the local exchange lists: trading rules as ``/api/v2/symbols`` shows them, plus
the few numbers that give each pair its character in the simulated market.

Increments are powers of ten written as KuCoin writes them (``"0.1"``, ``"0.00000001"``), so
that prices and sizes can be held as exact integer counts of increments.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from decimal import Decimal
from typing import Any


@dataclass(frozen=True)
class SymbolSpec:
    """One listed pair: its REST record fields and how it trades."""

    symbol: str
    base_price: float
    price_increment: str
    base_increment: str
    quote_increment: str
    base_min_size: str
    quote_min_size: str
    min_funds: str
    market: str
    margin_enabled: bool
    #: Chance that a trade happens in a given second of a minute that trades at all.
    trade_probability: float
    #: Share of minutes in which nothing trades (KuCoin then has no candle at all).
    dead_minute_share: float
    #: Share of 15-minute blocks in which nothing trades: long silences for quiet pairs.
    silent_block_share: float
    daily_volatility: float
    trade_size_min: str
    trade_size_max: str

    @property
    def base_currency(self) -> str:
        return self.symbol.split("-")[0]

    @property
    def quote_currency(self) -> str:
        return self.symbol.split("-")[1]

    @property
    def price_decimals(self) -> int:
        return _decimals(self.price_increment)

    @property
    def size_decimals(self) -> int:
        return _decimals(self.base_increment)

    def kucoin_record(self) -> dict[str, Any]:
        """The pair as ``GET /api/v2/symbols`` lists it (numbers as strings, as KuCoin does)."""
        return {
            "symbol": self.symbol,
            "name": self.symbol,
            "baseCurrency": self.base_currency,
            "quoteCurrency": self.quote_currency,
            "feeCurrency": self.quote_currency,
            "market": self.market,
            "baseMinSize": self.base_min_size,
            "quoteMinSize": self.quote_min_size,
            "baseMaxSize": "10000000000",
            "quoteMaxSize": "99999999",
            "baseIncrement": self.base_increment,
            "quoteIncrement": self.quote_increment,
            "priceIncrement": self.price_increment,
            "priceLimitRate": "0.1",
            "minFunds": self.min_funds,
            "isMarginEnabled": self.margin_enabled,
            "enableTrading": True,
            "feeCategory": 1,
            "makerFeeCoefficient": "1.00",
            "takerFeeCoefficient": "1.00",
            "st": False,
            "callauctionIsEnabled": False,
            "callauctionPriceFloor": None,
            "callauctionPriceCeiling": None,
            "callauctionFirstStageStartTime": None,
            "callauctionSecondStageStartTime": None,
            "callauctionThirdStageStartTime": None,
            "tradingStartTime": None,
        }


def _decimals(increment: str) -> int:
    """Decimal places of a power-of-ten increment; anything else cannot be counted exactly."""
    value = Decimal(increment)
    exponent = value.as_tuple().exponent
    assert isinstance(exponent, int)
    if value.normalize() != Decimal(1).scaleb(exponent):
        raise ValueError(f"increment must be a power of ten, got {increment!r}")
    return max(0, -exponent)


def _usdt_pair(
    symbol: str,
    base_price: float,
    price_increment: str,
    base_increment: str,
    trade_probability: float,
    size_range: tuple[str, str],
    daily_volatility: float = 0.03,
) -> SymbolSpec:
    return SymbolSpec(
        symbol=symbol,
        base_price=base_price,
        price_increment=price_increment,
        base_increment=base_increment,
        quote_increment="0.000001",
        base_min_size=size_range[0],
        quote_min_size="0.1",
        min_funds="0.1",
        market="USDS",
        margin_enabled=True,
        trade_probability=trade_probability,
        dead_minute_share=0.03,
        silent_block_share=0.0,
        daily_volatility=daily_volatility,
        trade_size_min=size_range[0],
        trade_size_max=size_range[1],
    )


CATALOG: dict[str, SymbolSpec] = {
    spec.symbol: spec
    for spec in (
        _usdt_pair("BTC-USDT", 60000.0, "0.1", "0.00000001", 0.7, ("0.00001", "0.5"), 0.025),
        _usdt_pair("ETH-USDT", 3000.0, "0.01", "0.0000001", 0.6, ("0.0001", "8")),
        _usdt_pair("SOL-USDT", 150.0, "0.01", "0.0001", 0.5, ("0.01", "200"), 0.04),
        _usdt_pair("XRP-USDT", 0.6, "0.00001", "0.0001", 0.5, ("1", "30000")),
        _usdt_pair("KCS-USDT", 10.0, "0.001", "0.0001", 0.3, ("0.01", "800")),
        _usdt_pair("DOGE-USDT", 0.15, "0.00001", "0.0001", 0.4, ("10", "200000"), 0.05),
        SymbolSpec(
            symbol="ETH-BTC",
            base_price=0.05,
            price_increment="0.00001",
            base_increment="0.0000001",
            quote_increment="0.00000001",
            base_min_size="0.0001",
            quote_min_size="0.000001",
            min_funds="0.000001",
            market="BTC",
            margin_enabled=False,
            trade_probability=0.2,
            dead_minute_share=0.03,
            silent_block_share=0.0,
            daily_volatility=0.02,
            trade_size_min="0.001",
            trade_size_max="20",
        ),
        SymbolSpec(
            symbol="QUIET-USDT",
            base_price=2.5,
            price_increment="0.0001",
            base_increment="0.01",
            quote_increment="0.000001",
            base_min_size="0.1",
            quote_min_size="0.1",
            min_funds="0.1",
            market="ALTS",
            margin_enabled=False,
            trade_probability=0.02,
            dead_minute_share=0.3,
            silent_block_share=0.6,
            daily_volatility=0.04,
            trade_size_min="1",
            trade_size_max="2000",
        ),
    )
}

DEFAULT_SYMBOLS: tuple[str, ...] = tuple(CATALOG)


def spec_for(symbol: str) -> SymbolSpec:
    """The catalog entry, or a made-up but stable USDT-style pair for any other name.

    Lets a demo or test list pairs the catalog does not know without describing them.
    """
    if symbol in CATALOG:
        return CATALOG[symbol]
    digest = hashlib.blake2b(symbol.encode(), digest_size=8).digest()
    magnitude = digest[0] % 5  # base price 1 .. 10000
    return _usdt_pair(
        symbol,
        base_price=float(10**magnitude) * (1 + digest[1] / 256),
        price_increment=f"{Decimal(1).scaleb(magnitude - 5):f}",
        base_increment="0.0001",
        trade_probability=0.3,
        size_range=("0.01", "500"),
    )
