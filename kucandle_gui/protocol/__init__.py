"""KuCoin spot candle protocol: the ``Candle`` type, timeframes, topics and messages.

This package does no I/O and imports nothing of the feed or the simulator: both sides of the
wire (the client in :mod:`kucandle_gui.feed`, the local exchange in :mod:`kucandle_gui.sim`)
share it, so that what one writes the other reads by the same rules. Import from here, not
from the submodules, which only keep each part small:

- ``timeframes``: candle types, pair names, where a candle starts;
- ``candle``: ``Candle`` and KuCoin's row form of it;
- ``frames``: JSON frames and candle topics, for both directions;
- ``downlink``: server → client frames; ``uplink``: client → server frames;
- ``snapshot``: a pair's 24 h statistics (``Ticker``), its push topic and its REST twins;
- ``rest``: the REST envelope's codes, page size and the check of a candle page;
- ``bullet``: the connect token's reply, checked and clamped;
- ``errors``: what all of them raise.
"""

from __future__ import annotations

from .bullet import (
    MAX_ENDPOINT_CHARS,
    MAX_INSTANCE_SERVERS,
    MAX_PING_INTERVAL,
    MAX_PING_TIMEOUT,
    MAX_TOKEN_CHARS,
    MIN_PING_INTERVAL,
    MIN_PING_TIMEOUT,
    BulletToken,
    InstanceServer,
    parse_bullet,
)
from .candle import Candle, format_number
from .downlink import (
    CANDLE_PUSH_END,
    CANDLE_SUBJECT,
    Ack,
    CandlePush,
    ErrorMessage,
    OtherMessage,
    Pong,
    ServerMessage,
    Welcome,
    ack_message,
    candle_push_head,
    candle_push_message,
    candle_push_prefix,
    error_message,
    parse_server_message,
    pong_message,
    welcome_message,
)
from .errors import InvalidSymbolError, InvalidTimeframeError, ProtocolError
from .frames import CANDLE_TOPIC_PREFIX, candle_topic, parse_candle_topic
from .rest import (
    MAX_CANDLES_PER_REQUEST,
    REST_INVALID_PARAMETER,
    REST_OK,
    REST_TOO_MANY_REQUESTS,
    CandlePage,
    parse_candle_page,
)
from .snapshot import (
    SNAPSHOT_SUBJECT,
    SNAPSHOT_SYMBOLS_PER_REQUEST,
    SNAPSHOT_TOPIC_PREFIX,
    SnapshotPush,
    Ticker,
    UnknownPairError,
    is_market_snapshot_topic,
    parse_all_tickers,
    parse_snapshot_topic,
    parse_ticker_stats,
    snapshot_push_message,
    snapshot_topic,
    ticker_stats_record,
)
from .timeframes import (
    TIMEFRAME_SECONDS,
    TIMEFRAMES,
    candle_start,
    next_candle_start,
    validate_symbol,
    validate_timeframe,
)
from .uplink import (
    ClientMessage,
    Ping,
    Subscribe,
    UnknownRequest,
    Unsubscribe,
    parse_client_message,
    ping_message,
    subscribe_message,
    unsubscribe_message,
)

__all__ = [
    "CANDLE_PUSH_END",
    "CANDLE_SUBJECT",
    "CANDLE_TOPIC_PREFIX",
    "MAX_CANDLES_PER_REQUEST",
    "MAX_ENDPOINT_CHARS",
    "MAX_INSTANCE_SERVERS",
    "MAX_PING_INTERVAL",
    "MAX_PING_TIMEOUT",
    "MAX_TOKEN_CHARS",
    "MIN_PING_INTERVAL",
    "MIN_PING_TIMEOUT",
    "REST_INVALID_PARAMETER",
    "REST_OK",
    "REST_TOO_MANY_REQUESTS",
    "SNAPSHOT_SUBJECT",
    "SNAPSHOT_SYMBOLS_PER_REQUEST",
    "SNAPSHOT_TOPIC_PREFIX",
    "TIMEFRAMES",
    "TIMEFRAME_SECONDS",
    "Ack",
    "BulletToken",
    "Candle",
    "CandlePage",
    "CandlePush",
    "ClientMessage",
    "ErrorMessage",
    "InstanceServer",
    "InvalidSymbolError",
    "InvalidTimeframeError",
    "OtherMessage",
    "Ping",
    "Pong",
    "ProtocolError",
    "ServerMessage",
    "SnapshotPush",
    "Subscribe",
    "Ticker",
    "UnknownPairError",
    "UnknownRequest",
    "Unsubscribe",
    "Welcome",
    "ack_message",
    "candle_push_head",
    "candle_push_message",
    "candle_push_prefix",
    "candle_start",
    "candle_topic",
    "error_message",
    "format_number",
    "is_market_snapshot_topic",
    "next_candle_start",
    "parse_all_tickers",
    "parse_bullet",
    "parse_candle_page",
    "parse_candle_topic",
    "parse_client_message",
    "parse_server_message",
    "parse_snapshot_topic",
    "parse_ticker_stats",
    "ping_message",
    "pong_message",
    "snapshot_push_message",
    "snapshot_topic",
    "subscribe_message",
    "ticker_stats_record",
    "unsubscribe_message",
    "validate_symbol",
    "validate_timeframe",
    "welcome_message",
]
