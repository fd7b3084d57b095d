"""What frames in both directions share: JSON objects with an ``id``, and candle topics."""

from __future__ import annotations

import json
from typing import Any

from .errors import ProtocolError

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


def load_object(text: str | bytes) -> dict[str, Any]:
    """The JSON object a frame holds; ``ProtocolError`` for anything else."""
    try:
        obj = json.loads(text)
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise ProtocolError(f"frame is not JSON: {text[:120]!r}") from exc
    if not isinstance(obj, dict):
        raise ProtocolError(f"frame is not a JSON object: {text[:120]!r}")
    return obj


def frame_id(obj: dict[str, Any]) -> str | None:
    """Ids may come as numbers or strings (acks always as strings): compare them as strings."""
    value = obj.get("id")
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise ProtocolError(f"id is neither a string nor a number: {value!r:.60}")
    return str(value)
