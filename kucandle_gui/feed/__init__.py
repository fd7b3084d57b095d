"""The candle feed, and the watched pairs' 24 h statistics: KuCoin protocol over REST and
WebSocket, in plain Python (no Qt).

``FeedClient`` is the whole public surface for scripts and for the Qt worker; see its module
docstring for a five-line example. Everything used outside this package is imported from
here, so that the modules inside can be split or merged without touching their users.
"""

from .buffer import CandleUpdate
from .client import FeedClient
from .columns import CandleColumns
from .config import FeedConfig
from .connection import SessionTimeouts, tls_options
from .events import (
    ConnectionState,
    ErrorEvent,
    ErrorKind,
    FeedEvent,
    HistoryEvent,
    NetworkFailure,
    StatusEvent,
    SubscriptionEvent,
)
from .failures import rest_error_event
from .in_order import Delivery, InOrder
from .metrics import FeedMetrics
from .rest import DEFAULT_API_URL, RestClient, RestError, SymbolInfo
from .series import CandleSeries
from .tap import FeedTap

__all__ = [
    "DEFAULT_API_URL",
    "CandleColumns",
    "CandleSeries",
    "CandleUpdate",
    "ConnectionState",
    "Delivery",
    "ErrorEvent",
    "ErrorKind",
    "FeedClient",
    "FeedConfig",
    "FeedEvent",
    "FeedMetrics",
    "FeedTap",
    "HistoryEvent",
    "InOrder",
    "NetworkFailure",
    "RestClient",
    "RestError",
    "SessionTimeouts",
    "StatusEvent",
    "SubscriptionEvent",
    "SymbolInfo",
    "rest_error_event",
    "tls_options",
]
