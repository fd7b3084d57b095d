"""Server → client frames: their types, the client's parser, and the server's writers.

The writers live beside the parser so that what the local exchange sends is, by construction,
what the feed reads.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from .candle import Candle
from .errors import ProtocolError
from .frames import CANDLE_TOPIC_PREFIX, candle_topic, frame_id, load_object, parse_candle_topic
from .snapshot import (
    SNAPSHOT_SUBJECT,
    SNAPSHOT_TOPIC_PREFIX,
    SnapshotPush,
    is_market_snapshot_topic,
    parse_snapshot_push,
)


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
    """A well-formed frame this client has no use for (``notice``, ``command``, other topics,
    whole-market snapshot topics such as ``/market/snapshot:BTC``).

    Kept apart from data so that it is never counted as a candle or a ticker.
    """

    type: str
    raw: dict[str, Any]


ServerMessage = Welcome | Pong | Ack | ErrorMessage | CandlePush | SnapshotPush | OtherMessage


def parse_server_message(text: str | bytes) -> ServerMessage:
    """Parse one frame from the exchange.

    Raises ``ProtocolError`` for garbage, truncated JSON and frames whose fields have the
    wrong types or impossible values (a candle or a ticker that cannot be); well-formed
    frames of unknown types come back as ``OtherMessage``.
    """
    obj = load_object(text)
    kind = obj.get("type")
    if kind == "message":
        return _parse_message(obj)
    if kind in ("welcome", "pong", "ack"):
        ident = frame_id(obj)
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
        return ErrorMessage(frame_id(obj), code, "" if data is None else str(data))
    if not isinstance(kind, str):
        raise ProtocolError(f"frame without a type: {str(obj)[:120]}")
    return OtherMessage(kind, obj)


#: ``(symbol, timeframe)`` of the single-pair candle topics seen so far: a feed receives every
#: push on one of a handful of topics, so each is parsed once. Bounded, since a server could
#: invent topics.
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
        if subject == SNAPSHOT_SUBJECT and topic.startswith(SNAPSHOT_TOPIC_PREFIX):
            if is_market_snapshot_topic(topic):
                return OtherMessage("message", obj)
            return parse_snapshot_push(obj, topic)
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
