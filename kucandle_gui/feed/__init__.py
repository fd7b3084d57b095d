"""The candle feed: KuCoin protocol over REST and WebSocket, in plain Python (no Qt).

``FeedClient`` is the whole public surface for scripts and for the Qt worker; see its module
docstring for a five-line example.
"""

from .buffer import CandleUpdate
from .client import (
    ConnectionState,
    ErrorEvent,
    ErrorKind,
    FeedClient,
    FeedConfig,
    FeedEvent,
    HistoryEvent,
    StatusEvent,
)
from .metrics import FeedMetrics
from .rest import DEFAULT_API_URL

__all__ = [
    "DEFAULT_API_URL",
    "CandleUpdate",
    "ConnectionState",
    "ErrorEvent",
    "ErrorKind",
    "FeedClient",
    "FeedConfig",
    "FeedEvent",
    "FeedMetrics",
    "HistoryEvent",
    "StatusEvent",
]
