"""24 h statistics of a pair: the ``/market/snapshot:{symbol}`` topic and its REST twins.

One :class:`Ticker` type for what the watchlist shows, whichever way it came: a snapshot push
(numbers are JSON numbers, some written with 20 decimals), ``GET /api/v1/market/stats`` or
``GET /api/v1/market/allTickers`` (numbers are strings). Floats hold them, and a float keeps
15 significant digits exactly: prices (at most 15 significant digits) come back as the exchange
wrote them, while a long 24 h turnover such as ``117321982.415978333`` is rounded at its 17th
digit (``117321982.41597833``), which the watchlist's compact volume and the headless line
accept.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from .candle import format_number
from .errors import InvalidSymbolError, ProtocolError
from .timeframes import validate_symbol

SNAPSHOT_TOPIC_PREFIX = "/market/snapshot:"
SNAPSHOT_SUBJECT = "trade.snapshot"
#: Symbols in one subscribe or unsubscribe (KuCoin: at most 100 topics per request).
SNAPSHOT_SYMBOLS_PER_REQUEST = 100


@dataclass(frozen=True, slots=True)
class Ticker:
    """A pair's 24 h statistics at ``time`` (the exchange's ms)."""

    symbol: str
    #: Last traded price.
    last: float
    #: (last - open 24 h ago) / open, a fraction as KuCoin sends it: 0.0047 = +0.47 %.
    change_rate: float
    change_price: float
    high: float
    low: float
    #: Base currency traded in 24 h.
    volume: float
    #: Quote currency traded in 24 h (``volValue``).
    turnover: float
    time: int

    @property
    def open(self) -> float:
        """The price 24 h ago."""
        return self.last - self.change_price

    def as_dict(self) -> dict[str, object]:
        """The headless output line's fields."""
        return {
            "type": "ticker",
            "symbol": self.symbol,
            "last": self.last,
            "change_rate": self.change_rate,
            "high": self.high,
            "low": self.low,
            "volume": self.volume,
            "turnover": self.turnover,
            "time": self.time,
        }


def snapshot_topic(symbols: Sequence[str]) -> str:
    """``/market/snapshot:BTC-USDT,ETH-USDT``."""
    if not symbols:
        raise ValueError("a snapshot topic needs at least one symbol")
    return SNAPSHOT_TOPIC_PREFIX + ",".join(symbols)


def parse_snapshot_topic(topic: str) -> list[str]:
    """The symbols of a snapshot topic (comma lists included); ``ProtocolError`` else."""
    if not topic.startswith(SNAPSHOT_TOPIC_PREFIX):
        raise ProtocolError(f"not a snapshot topic: {topic[:120]!r}")
    symbols = [part.strip() for part in topic[len(SNAPSHOT_TOPIC_PREFIX) :].split(",")]
    if not all(symbols):
        raise ProtocolError(f"empty symbol in snapshot topic: {topic[:120]!r}")
    return symbols


class UnknownPairError(ProtocolError):
    """``/market/stats`` of a pair the exchange does not list (code 200000, null fields)."""

    def __init__(self, symbol: str) -> None:
        super().__init__(f"no 24 h statistics for {symbol}: the exchange does not list it")
        self.symbol = symbol


@dataclass(frozen=True, slots=True)
class SnapshotPush:
    """A ``message`` on a single pair's snapshot topic: that pair's 24 h statistics."""

    topic: str
    symbol: str
    ticker: Ticker
    #: KuCoin's ``data.sequence``, a string of digits; it only grows on one topic.
    sequence: str


#: Exchange times (ms) a ticker may carry: 2000-01-01 to 2100-01-01 UTC. Anything else is not
#: a time in ms (seconds, ns, garbage) and would put the row's age nowhere near the truth.
MIN_TIME_MS = 946_684_800_000
MAX_TIME_MS = 4_102_444_800_000
#: A decimal as KuCoin writes one (REST strings); no signs other than a leading ``-``, no
#: ``inf``/``nan``/``_``/spaces, which ``float`` would take.
_DECIMAL_RE = re.compile(r"-?[0-9]{1,40}(?:\.[0-9]{0,40})?(?:[eE][-+]?[0-9]{1,3})?")
_DIGITS_RE = re.compile(r"[0-9]{1,40}")
_MAX_MARKET_CHARS = 40
#: The statistics of a REST record that a ``Ticker`` holds.
_STATS_KEYS = ("last", "changeRate", "changePrice", "high", "low", "vol", "volValue")


def _number(fields: dict[str, Any], key: str, *, signed: bool = False) -> float:
    """``fields[key]`` as a finite float; a JSON number or a decimal string. Only ``signed``
    values may be negative (a change); prices and volumes may not."""
    value = fields.get(key)
    if type(value) is float or type(value) is int:
        try:
            number = float(value)
        except OverflowError as exc:
            raise ProtocolError(f"{key} is out of range: {value!r:.60}") from exc
    elif type(value) is str and _DECIMAL_RE.fullmatch(value):
        number = float(value)
    else:
        raise ProtocolError(f"{key} is not a number: {value!r:.60}")
    if not math.isfinite(number) or (number < 0 and not signed):
        raise ProtocolError(f"{key} is not a possible value: {value!r:.60}")
    return number


def _time_ms(value: Any, key: str) -> int:
    """An exchange time in ms: an int (or a string of digits) in the sane range."""
    if type(value) is str and _DIGITS_RE.fullmatch(value):
        value = int(value)
    if type(value) is not int or not MIN_TIME_MS <= value < MAX_TIME_MS:
        raise ProtocolError(f"{key} is not a time in ms: {value!r:.60}")
    return value


def _symbol(value: Any) -> str:
    """A pair name exactly as the exchange spells them (upper case, ``BASE-QUOTE``)."""
    if type(value) is not str or len(value) > 41:
        raise ProtocolError(f"symbol is not a pair name: {value!r:.60}")
    try:
        symbol = validate_symbol(value)
    except InvalidSymbolError as exc:
        raise ProtocolError(f"symbol is not a pair name: {value!r:.60}") from exc
    if symbol != value:
        raise ProtocolError(f"symbol is not a pair name: {value!r:.60}")
    return symbol


def _ticker(fields: dict[str, Any], symbol: str, last_key: str, time: int) -> Ticker:
    """The checked :class:`Ticker` of one record (push ``data.data``, stats, allTickers row)."""
    ticker = Ticker(
        symbol,
        _number(fields, last_key),
        _number(fields, "changeRate", signed=True),
        _number(fields, "changePrice", signed=True),
        _number(fields, "high"),
        _number(fields, "low"),
        _number(fields, "vol"),
        _number(fields, "volValue"),
        time,
    )
    # A fall of more than 100 % or a low above the high is no market's statistics.
    if ticker.change_rate < -1 or ticker.low > ticker.high:
        raise ProtocolError(f"impossible 24 h statistics for {symbol}: {ticker!r:.200}")
    return ticker


def is_market_snapshot_topic(topic: str) -> bool:
    """``/market/snapshot:BTC``: a whole market (one push per pair of it), not a pair."""
    name = topic[len(SNAPSHOT_TOPIC_PREFIX) :]
    return 0 < len(name) <= _MAX_MARKET_CHARS and "-" not in name and "," not in name


def parse_snapshot_push(obj: dict[str, Any], topic: str) -> SnapshotPush:
    """The push ``obj`` (a ``message`` frame on the single pair topic ``topic``), checked.

    Raises ``ProtocolError`` unless ``data`` is ``{"sequence", "data": {...}}`` holding that
    pair's statistics: finite numbers, prices and volumes ≥ 0, ``datetime`` an int in ms.
    """
    topic_symbol = topic[len(SNAPSHOT_TOPIC_PREFIX) :]
    outer = obj.get("data")
    fields = outer.get("data") if type(outer) is dict else None
    if type(fields) is not dict:
        raise ProtocolError(f"snapshot message without a data.data object on {topic[:120]}")
    sequence = outer.get("sequence")
    if type(sequence) is int and sequence >= 0:
        sequence = str(sequence)
    if type(sequence) is not str or not _DIGITS_RE.fullmatch(sequence):
        raise ProtocolError(f"snapshot sequence is not a number: {sequence!r:.60}")
    symbol = _symbol(fields.get("symbol"))
    if symbol != topic_symbol:
        raise ProtocolError(f"snapshot of {symbol} on topic {topic[:120]}")
    time = _time_ms(fields.get("datetime"), "datetime")
    return SnapshotPush(topic, symbol, _ticker(fields, symbol, "lastTradedPrice", time), sequence)


def parse_ticker_stats(data: object) -> Ticker:
    """``data`` of ``GET /api/v1/market/stats``, checked.

    KuCoin answers an unlisted pair with code 200000 and null statistics: that raises
    :class:`UnknownPairError` (a ``ProtocolError``); anything else malformed ``ProtocolError``.
    Only when every statistic is null: a record with some (a listed pair without a trade in
    24 h might look so) is malformed, since refusing a listed pair would cost the user more
    than a row that waits for its first push.
    """
    if type(data) is not dict:
        raise ProtocolError(f"market stats are not an object: {data!r:.120}")
    symbol = _symbol(data.get("symbol"))
    if all(data.get(key) is None for key in _STATS_KEYS):
        raise UnknownPairError(symbol)
    return _ticker(data, symbol, "last", _time_ms(data.get("time"), "time"))


def parse_all_tickers(data: object, max_rows: int) -> tuple[list[Ticker], int]:
    """``data`` of ``GET /api/v1/market/allTickers``: the good rows and how many were dropped.

    A bad row costs only itself (a pair without trades has null fields); rows past
    ``max_rows`` are dropped unread, and so are all rows of a pair listed twice with other
    values (which is right cannot be told). Every ticker's time is ``data.time``.
    Raises ``ProtocolError`` when ``data`` itself is malformed.
    """
    if type(data) is not dict or type(data.get("ticker")) is not list:
        raise ProtocolError(f"allTickers data is not {{time, ticker: [...]}}: {data!r:.120}")
    time = _time_ms(data.get("time"), "time")
    rows: list[Any] = data["ticker"]
    dropped = max(0, len(rows) - max_rows)
    by_symbol: dict[str, Ticker] = {}
    conflicting: set[str] = set()
    for row in rows[:max_rows]:
        try:
            if type(row) is not dict:
                raise ProtocolError("row is not an object")
            symbol = _symbol(row.get("symbol"))
            ticker = _ticker(row, symbol, "last", time)
        except ProtocolError:
            dropped += 1
            continue
        if symbol not in by_symbol:
            by_symbol[symbol] = ticker
        elif by_symbol[symbol] != ticker:
            conflicting.add(symbol)
            dropped += 1
    for symbol in conflicting:
        del by_symbol[symbol]
        dropped += 1
    return list(by_symbol.values()), dropped


def _decimals20(value: float | str) -> str:
    """KuCoin's spelling of the statistics in a push, ``315.20000000000000000000``; more
    digits only when 20 decimals could not hold the value exactly."""
    text = value if isinstance(value, str) else format_number(value)
    whole, _, fraction = text.partition(".")
    if len(fraction) > 20:
        return text
    return f"{whole}.{fraction:0<20}"


def _rate(value: float) -> str:
    """``changeRate`` as KuCoin writes it, four decimals (``0.0200``), unless it has more."""
    return f"{value:.4f}" if round(value, 4) == value else format_number(value)


def snapshot_push_message(ticker: Ticker, sequence: int) -> str:
    """Server side: a snapshot push shaped as KuCoin's (nested ``data.data``, JSON numbers,
    the 24 h figures with 20 decimals); the fields a ticker has, and the pair's names."""
    symbol = ticker.symbol
    base, _, quote = symbol.partition("-")
    last = format_number(ticker.last)
    change = format_number(ticker.change_price)
    # The open in decimal arithmetic: last - change in floats could add a stray last digit.
    open_ = format(Decimal(last) - Decimal(change), "f")
    return (
        f'{{"topic":"{SNAPSHOT_TOPIC_PREFIX}{symbol}","type":"message",'
        f'"subject":"{SNAPSHOT_SUBJECT}","data":{{"sequence":"{sequence}","data":{{'
        f'"baseCurrency":"{base}","changePrice":{_decimals20(change)},'
        f'"changeRate":{_rate(ticker.change_rate)},"close":{last},'
        f'"datetime":{ticker.time},"high":{_decimals20(ticker.high)},'
        f'"lastTradedPrice":{last},"low":{_decimals20(ticker.low)},'
        f'"open":{_decimals20(open_)},"quoteCurrency":"{quote}",'
        f'"symbol":"{symbol}","symbolCode":"{symbol}","trading":true,'
        f'"vol":{_decimals20(ticker.volume)},"volValue":{_decimals20(ticker.turnover)}}}}}}}'
    )


def ticker_stats_record(ticker: Ticker) -> dict[str, Any]:
    """Server side: ``data`` of ``GET /api/v1/market/stats`` for ``ticker`` (strings, as
    KuCoin's; ``time`` a number). An allTickers row is the same without ``time``."""
    return {
        "time": ticker.time,
        "symbol": ticker.symbol,
        "changeRate": _rate(ticker.change_rate),
        "changePrice": format_number(ticker.change_price),
        "high": format_number(ticker.high),
        "low": format_number(ticker.low),
        "vol": format_number(ticker.volume),
        "volValue": format_number(ticker.turnover),
        "last": format_number(ticker.last),
    }
