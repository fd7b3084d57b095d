"""Which candle and snapshot subscriptions a request asks for, refused the way KuCoin
refuses them."""

from __future__ import annotations

from collections.abc import Collection

from kucandle_gui.protocol import (
    CANDLE_TOPIC_PREFIX,
    SNAPSHOT_SYMBOLS_PER_REQUEST,
    TIMEFRAME_SECONDS,
    ProtocolError,
    candle_topic,
    parse_candle_topic,
    parse_snapshot_topic,
    snapshot_topic,
)

TOPICS_PER_REQUEST = SNAPSHOT_SYMBOLS_PER_REQUEST
TOPICS_PER_SESSION = 400


class RequestError(Exception):
    """A client request refused with a KuCoin error ``code`` and text."""

    def __init__(self, code: int, data: str) -> None:
        super().__init__(data)
        self.code = code
        self.data = data


def requested_pairs(topic: str, listed: Collection[str]) -> list[tuple[str, str]]:
    """The distinct ``(symbol, timeframe)`` pairs of a (comma-list) topic.

    Raises ``RequestError``: 404 for other channels and unlisted pairs, 400 for malformed
    topics and unknown candle types, 509 for more than 100 topics in one request.
    """
    if not topic.startswith(CANDLE_TOPIC_PREFIX):
        raise RequestError(404, f"topic {topic} is not found")
    try:
        pairs = list(dict.fromkeys(parse_candle_topic(topic)))
    except ProtocolError:
        raise RequestError(400, "topic is invalid") from None
    if len(pairs) > TOPICS_PER_REQUEST:
        raise _request_too_big()
    for symbol, timeframe in pairs:
        if timeframe not in TIMEFRAME_SECONDS:
            raise RequestError(400, "topic is invalid")
        if symbol not in listed:
            raise RequestError(404, f"topic {candle_topic(symbol, timeframe)} is not found")
    return pairs


def requested_symbols(topic: str, listed: Collection[str]) -> list[str]:
    """The distinct pairs of a (comma-list) ``/market/snapshot:`` topic, each one topic.

    Raises ``RequestError``: 400 for an empty part, 509 for more than 100 pairs, 404 naming
    the first unlisted pair (whole markets, ``/market/snapshot:BTC``, are not served).
    """
    try:
        symbols = list(dict.fromkeys(parse_snapshot_topic(topic)))
    except ProtocolError:
        raise RequestError(400, "topic is invalid") from None
    if len(symbols) > TOPICS_PER_REQUEST:
        raise _request_too_big()
    for symbol in symbols:
        if symbol not in listed:
            raise RequestError(404, f"topic {snapshot_topic([symbol])} is not found")
    return symbols


def _request_too_big() -> RequestError:
    return RequestError(
        509, f"exceed max topic count limitation of {TOPICS_PER_REQUEST} per request"
    )


def session_full() -> RequestError:
    """The refusal when a subscribe would take a connection past 400 topics."""
    return RequestError(
        509, f"exceed max subscription count limitation of {TOPICS_PER_SESSION} per session"
    )
