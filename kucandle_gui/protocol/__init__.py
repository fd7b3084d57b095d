"""KuCoin spot candle protocol: the ``Candle`` type, timeframes, topics and messages.

This module does no I/O and imports nothing of the feed or the simulator: both sides of the
wire (the client in :mod:`kucandle_gui.feed`, the local exchange in :mod:`kucandle_gui.sim`)
share it, so that what one writes the other reads by the same rules.

Field order on the wire is KuCoin's, not OHLC: a candle row is
``[start, open, CLOSE, HIGH, LOW, volume, turnover]``, all strings, in REST and WebSocket
alike. ``Candle`` holds the fields by name so that nobody downstream has to remember that.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

# --------------------------------------------------------------------------------------
# Timeframes
# --------------------------------------------------------------------------------------

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


class InvalidTimeframeError(ValueError):
    """A candle type KuCoin does not offer; the message lists the valid ones."""


class InvalidSymbolError(ValueError):
    """A pair name that cannot be a KuCoin symbol (or that the exchange does not list)."""


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


# --------------------------------------------------------------------------------------
# Candles
# --------------------------------------------------------------------------------------


class ProtocolError(ValueError):
    """A frame or row that does not follow the protocol (garbage, truncated, wrong types)."""


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
                # KuCoin's own form, every field a string (the live path, tens of thousands a
                # second): the same conversions and checks as below, without the type tests
                # that strings cannot fail.
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
    values) needs Decimal, which is ten times slower and on the simulator's hot path.
    """
    text = repr(float(value))
    if "e" in text or "E" in text:
        text = format(Decimal(text), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


# --------------------------------------------------------------------------------------
# Topics
# --------------------------------------------------------------------------------------

CANDLE_TOPIC_PREFIX = "/market/candles:"


def candle_topic(symbol: str, timeframe: str) -> str:
    """``/market/candles:BTC-USDT_1min``."""
    return f"{CANDLE_TOPIC_PREFIX}{symbol}_{timeframe}"


def parse_candle_topic(topic: str) -> list[tuple[str, str]]:
    """``(symbol, timeframe)`` pairs of a candle topic, comma lists included.

    Raises ``ProtocolError`` when the topic is not a candle topic or a part is malformed.
    Timeframes are not checked against the list here: the caller decides what it serves.
    """
    if not topic.startswith(CANDLE_TOPIC_PREFIX):
        raise ProtocolError(f"not a candle topic: {topic!r}")
    pairs = []
    for part in topic[len(CANDLE_TOPIC_PREFIX) :].split(","):
        symbol, sep, timeframe = part.strip().rpartition("_")
        if not sep or not symbol or not timeframe:
            raise ProtocolError(f"candle topic part must be SYMBOL_TYPE: {part!r}")
        pairs.append((symbol, timeframe))
    return pairs


# --------------------------------------------------------------------------------------
# Server → client messages
# --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Welcome:
    """First frame of a session; ``id`` echoes the client's connectId."""

    id: str


@dataclass(frozen=True, slots=True)
class Pong:
    """Answer to a JSON ping; ``id`` echoes the ping's id."""

    id: str


@dataclass(frozen=True, slots=True)
class Ack:
    """Answer to a subscribe/unsubscribe sent with ``response: true``; ``id`` is a string."""

    id: str


@dataclass(frozen=True, slots=True)
class ErrorMessage:
    """``{"type": "error", "code": 404, "data": "topic ... is not found"}``.

    ``id`` is the failed request's id, the connectId, or absent.
    """

    id: str | None
    code: int | None
    data: str


@dataclass(frozen=True, slots=True)
class CandlePush:
    """A ``message`` on a candle topic: the whole candle so far."""

    topic: str
    subject: str
    symbol: str
    timeframe: str
    candle: Candle
    #: Exchange time of the event in nanoseconds (19 digits), kept as an exact int.
    time_ns: int


@dataclass(frozen=True, slots=True)
class OtherMessage:
    """A well-formed frame this client has no use for (``notice``, ``command``, other topics).

    Kept apart from data so that it is never counted as a candle.
    """

    type: str
    raw: dict[str, Any]


ServerMessage = Welcome | Pong | Ack | ErrorMessage | CandlePush | OtherMessage


def _loads_object(text: str | bytes) -> dict[str, Any]:
    try:
        obj = json.loads(text)
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise ProtocolError(f"frame is not JSON: {text[:120]!r}") from exc
    if not isinstance(obj, dict):
        raise ProtocolError(f"frame is not a JSON object: {text[:120]!r}")
    return obj


def _id_of(obj: dict[str, Any]) -> str | None:
    """Ids may come as numbers or strings (acks always as strings): compare them as strings."""
    value = obj.get("id")
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise ProtocolError(f"id is neither a string nor a number: {value!r:.60}")
    return str(value)


def parse_server_message(text: str | bytes) -> ServerMessage:
    """Parse one frame from the exchange.

    Raises ``ProtocolError`` for garbage, truncated JSON and frames whose fields have the
    wrong types; well-formed frames of unknown types come back as ``OtherMessage``.
    """
    obj = _loads_object(text)
    kind = obj.get("type")
    if kind == "message":
        return _parse_message(obj)
    if kind in ("welcome", "pong", "ack"):
        ident = _id_of(obj)
        if ident is None:
            raise ProtocolError(f"{kind} without id")
        return {"welcome": Welcome, "pong": Pong, "ack": Ack}[kind](ident)
    if kind == "error":
        code = obj.get("code")
        if code is not None:
            if isinstance(code, bool):
                raise ProtocolError(f"error code is not a number: {code!r}")
            try:
                code = int(code)
            except (TypeError, ValueError) as exc:
                raise ProtocolError(f"error code is not a number: {code!r}") from exc
        data = obj.get("data")
        return ErrorMessage(_id_of(obj), code, "" if data is None else str(data))
    if not isinstance(kind, str):
        raise ProtocolError(f"frame without a type: {str(obj)[:120]}")
    return OtherMessage(kind, obj)


#: ``(symbol, timeframe)`` of the single-pair candle topics seen so far: a feed pushes on a
#: handful of topics, tens of thousands of times a second.
_PUSH_TOPICS: dict[str, tuple[str, str]] = {}
_PUSH_TOPICS_MAX = 4096


def _push_topic_pair(topic: str) -> tuple[str, str]:
    pair = _PUSH_TOPICS.get(topic)
    if pair is None:
        pairs = parse_candle_topic(topic)
        if len(pairs) != 1:
            raise ProtocolError(f"candle push on a multi-symbol topic: {topic}")
        pair = pairs[0]
        if len(_PUSH_TOPICS) < _PUSH_TOPICS_MAX:
            _PUSH_TOPICS[topic] = pair
    return pair


def _parse_message(obj: dict[str, Any]) -> ServerMessage:
    topic = obj.get("topic")
    subject = obj.get("subject")
    if not isinstance(topic, str) or not isinstance(subject, str):
        raise ProtocolError("message without topic or subject")
    if not subject.startswith("trade.candles.") or not topic.startswith(CANDLE_TOPIC_PREFIX):
        return OtherMessage("message", obj)
    data = obj.get("data")
    if not isinstance(data, dict):
        raise ProtocolError(f"candle message without data object on {topic}")
    symbol, timeframe = _push_topic_pair(topic)
    if data.get("symbol", symbol) != symbol:
        raise ProtocolError(f"push for {data.get('symbol')!r} on topic {topic}")
    time_ns = data.get("time")
    if not isinstance(time_ns, int) or isinstance(time_ns, bool):
        raise ProtocolError(f"candle message time is not an integer: {time_ns!r}")
    candle = Candle.from_kucoin(data.get("candles"))
    return CandlePush(topic, subject, symbol, timeframe, candle, time_ns)


def welcome_message(connect_id: str) -> str:
    """Server side: the welcome frame."""
    return json.dumps({"id": connect_id, "type": "welcome"})


def pong_message(ping_id: str) -> str:
    """Server side: the pong echoing a ping id."""
    return json.dumps({"id": ping_id, "type": "pong"})


def ack_message(request_id: str) -> str:
    """Server side: the ack; the id always goes back as a string."""
    return json.dumps({"id": str(request_id), "type": "ack"})


def error_message(ident: str | None, code: int, data: str) -> str:
    """Server side: an error frame (``code`` a number, ``data`` a text)."""
    obj: dict[str, Any] = {"type": "error", "code": code, "data": data}
    if ident is not None:
        obj = {"id": ident, **obj}
    return json.dumps(obj)


CANDLE_SUBJECT = "trade.candles.update"
#: What follows ``data.time``'s digits in a push: the ends of ``data`` and of the frame.
CANDLE_PUSH_END = "}}"


def candle_push_message(
    symbol: str, timeframe: str, candle: Candle, time_ns: int, subject: str = CANDLE_SUBJECT
) -> str:
    """Server side: a candle push, shaped as KuCoin's documented example.

    The text is what ``json.dumps`` writes for ``{"topic", "type", "subject", "data":
    {"symbol", "candles", "time"}}``, built from :func:`candle_push_prefix` so that a sender
    that prepares frames ahead (the simulator's flood mode) writes the same bytes.
    """
    head = candle_push_head(symbol, timeframe, subject)
    return f"{candle_push_prefix(head, candle.to_kucoin())}{time_ns}{CANDLE_PUSH_END}"


def candle_push_head(symbol: str, timeframe: str, subject: str = CANDLE_SUBJECT) -> str:
    """Server side: the text every push on this topic starts with, up to its candle row."""
    topic = json.dumps(candle_topic(symbol, timeframe))
    return (
        f'{{"topic": {topic}, "type": "message", "subject": {json.dumps(subject)}, '
        f'"data": {{"symbol": {json.dumps(symbol)}, "candles": '
    )


def candle_push_prefix(head: str, row: list[str]) -> str:
    """Server side: a push up to its ``data.time`` value, to be finished by the sender with
    ``f"{time_ns}{CANDLE_PUSH_END}"``.

    ``head`` comes from :func:`candle_push_head`; ``row`` is ``Candle.to_kucoin()``'s seven
    numeric strings (digits, ``.``, ``-``: nothing that JSON would escape).
    """
    start, open_, close, high, low, volume, turnover = row
    return (
        f'{head}["{start}", "{open_}", "{close}", "{high}", "{low}", "{volume}", '
        f'"{turnover}"], "time": '
    )


# --------------------------------------------------------------------------------------
# Client → server messages
# --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Ping:
    id: str


@dataclass(frozen=True, slots=True)
class Subscribe:
    id: str
    topic: str
    private_channel: bool
    response: bool


@dataclass(frozen=True, slots=True)
class Unsubscribe:
    id: str
    topic: str
    private_channel: bool
    response: bool


@dataclass(frozen=True, slots=True)
class UnknownRequest:
    """A JSON object of a type the server does not know (answered with error 415)."""

    id: str | None
    type: object


ClientMessage = Ping | Subscribe | Unsubscribe | UnknownRequest


def ping_message(ping_id: str) -> str:
    """Client side: KuCoin's JSON ping (a WebSocket ping frame does not count)."""
    return json.dumps({"id": ping_id, "type": "ping"})


def subscribe_message(request_id: str, topic: str, response: bool = True) -> str:
    """Client side: subscribe; ``response`` true asks for an ack."""
    return json.dumps(
        {
            "id": request_id,
            "type": "subscribe",
            "topic": topic,
            "privateChannel": False,
            "response": response,
        }
    )


def unsubscribe_message(request_id: str, topic: str, response: bool = True) -> str:
    """Client side: unsubscribe; ``response`` true asks for an ack."""
    return json.dumps(
        {
            "id": request_id,
            "type": "unsubscribe",
            "topic": topic,
            "privateChannel": False,
            "response": response,
        }
    )


def parse_client_message(text: str | bytes) -> ClientMessage:
    """Server side: parse one frame from a client; ``ProtocolError`` for malformed ones."""
    obj = _loads_object(text)
    kind = obj.get("type")
    ident = _id_of(obj)
    if kind == "ping":
        return Ping(ident or "")
    if kind in ("subscribe", "unsubscribe"):
        topic = obj.get("topic")
        if not isinstance(topic, str) or not topic:
            raise ProtocolError(f"{kind} without topic")
        cls = Subscribe if kind == "subscribe" else Unsubscribe
        return cls(
            ident or "",
            topic,
            bool(obj.get("privateChannel", False)),
            bool(obj.get("response", False)),
        )
    return UnknownRequest(ident, kind)


# --------------------------------------------------------------------------------------
# REST envelope
# --------------------------------------------------------------------------------------

#: ``code`` of every successful REST reply; errors are ``{"code": ..., "msg": ...}``.
REST_OK = "200000"
REST_TOO_MANY_REQUESTS = "429000"
REST_INVALID_PARAMETER = "400100"

#: Most rows ``GET /api/v1/market/candles`` returns per call.
MAX_CANDLES_PER_REQUEST = 1500
