"""What the feed tells its listener: connection state, errors (of series and of watched
pairs), history loaded, and whether each series is subscribed.

Events carry fields, not sentences: a UI decides what to say (and what to show while
reconnecting) from ``state``, ``kind``, ``retrying``, ``retry_in`` and the like, never by
reading text. ``message`` is one plain line for the log and a terminal.
"""

from __future__ import annotations

from dataclasses import KW_ONLY, dataclass
from enum import StrEnum


class ConnectionState(StrEnum):
    CONNECTING = "connecting"
    LIVE = "live"
    RECONNECTING = "reconnecting"
    STOPPED = "stopped"


@dataclass(frozen=True, slots=True)
class StatusEvent:
    """The connection changed state.

    ``reason`` is the detail: why the link was lost when reconnecting (the watchdog's or the
    socket's words), the server's endpoint when live. ``retry_in`` is the wait before the
    next connect when reconnecting (0 for a planned reconnect, such as a token renewal).
    """

    state: ConnectionState
    reason: str = ""
    retry_in: float | None = None

    @property
    def message(self) -> str:
        """One plain line, e.g. ``no pong within 0.8 s; reconnecting in 2.0 s``."""
        if self.state is ConnectionState.RECONNECTING:
            when = f" in {self.retry_in:.1f} s" if self.retry_in else ""
            return f"{self.reason or 'connection lost'}; reconnecting{when}"
        if self.state is ConnectionState.LIVE and self.reason:
            return f"connected to {self.reason}"
        return self.state.value


class ErrorKind(StrEnum):
    """What an ``ErrorEvent`` is about, so that a UI can react without parsing its text."""

    #: No token from bullet-public: the exchange cannot be reached (or refuses us).
    UNREACHABLE = "unreachable"
    #: The exchange refused a series (always with ``subscription_dropped``).
    REFUSED = "refused"
    #: The start-up history of a series failed to load over REST.
    HISTORY = "history"
    #: The backfill after a reconnect failed to load over REST: the series has a hole
    #: until it succeeds.
    BACKFILL = "backfill"
    #: A frame that does not follow the protocol was ignored.
    BAD_FRAME = "bad-frame"
    #: An ``error`` message from the exchange not tied to a request of ours.
    EXCHANGE = "exchange"
    #: Older candles asked for on the UI's behalf could not be loaded (not retried: the UI
    #: asks again when it still wants them).
    REQUEST = "request"
    #: Rows of a REST candle page were dropped as malformed or out of range; the good rows of
    #: the page were kept.
    BAD_ROWS = "bad-rows"
    #: The exchange refused a pair's 24 h statistics (its snapshot topic, or its REST
    #: statistics said it does not list the pair; ``code`` is None then): the pair is no
    #: longer watched (always with ``subscription_dropped``; ``timeframe`` is ""). Said once
    #: per pair, whichever refusal comes first.
    TICKER_REFUSED = "ticker-refused"
    #: A watched pair's first statistics could not be loaded over REST (``symbol`` "" for
    #: the call that loads every pair's) and no more is tried (never ``retrying``); said only
    #: when a pair of the load has no value yet: its snapshot pushes bring them.
    TICKER = "ticker"


class NetworkFailure(StrEnum):
    """Why a request to the exchange failed, as a person would be told (``ErrorEvent.failure``);
    the library's own text stays in ``reason`` for the log."""

    #: The host name does not resolve (no internet connection, a typo in the URL).
    DNS = "dns"
    #: Nothing listens there (connection refused).
    REFUSED = "refused"
    #: No answer in time (connect, read, or the whole response).
    TIMEOUT = "timeout"
    #: The TLS handshake or the certificate check failed.
    TLS = "tls"
    #: The server answered with an error status or a reply that is not the protocol's.
    SERVER = "server"
    #: The reply was larger than any real one may be.
    TOO_LARGE = "too-large"


@dataclass(frozen=True, slots=True)
class ErrorEvent:
    """Something went wrong that the user should hear about; the feed goes on.

    ``reason`` is the detail (the exception's text, the exchange's ``msg``), ``code`` the
    exchange's error code when it gave a number. What the feed does about it is in the
    flags: ``retrying`` (it tries again by itself, after ``retry_in`` seconds when known)
    and ``subscription_dropped`` (it gave up on the series for good).
    """

    kind: ErrorKind
    reason: str
    symbol: str | None = None
    timeframe: str | None = None
    _: KW_ONLY
    retrying: bool = False
    retry_in: float | None = None
    subscription_dropped: bool = False
    code: int | None = None
    #: For a failed request: why, in terms a person understands, and the host it went to.
    failure: NetworkFailure | None = None
    host: str | None = None

    @property
    def message(self) -> str:
        """What happened, in one plain line (what the feed does next is in the flags)."""
        of = f" of {self.symbol} {self.timeframe}" if self.symbol else ""
        detail = f"{self.reason} (error {self.code})" if self.code is not None else self.reason
        match self.kind:
            case ErrorKind.UNREACHABLE:
                return f"cannot get a connect token: {detail}"
            case ErrorKind.REFUSED:
                return f"KuCoin refused {self.symbol} {self.timeframe}: {detail}"
            case ErrorKind.HISTORY | ErrorKind.BACKFILL:
                return f"{self.kind.value}{of} failed: {detail}"
            case ErrorKind.BAD_FRAME:
                return f"bad frame from the exchange ignored: {detail}"
            case ErrorKind.EXCHANGE:
                code = "" if self.code is None else f" {self.code}"
                return f"exchange error{code}: {self.reason}"
            case ErrorKind.REQUEST:
                return f"cannot load older history{of}: {detail}"
            case ErrorKind.BAD_ROWS:
                return f"malformed candle rows{of} dropped: {detail}"
            case ErrorKind.TICKER_REFUSED:
                return f"KuCoin refused the 24 h statistics of {self.symbol}: {detail}"
            case ErrorKind.TICKER:
                pairs = f"{self.symbol}'s" if self.symbol else "the pairs'"
                return f"loading {pairs} 24 h statistics failed: {detail}"


@dataclass(frozen=True, slots=True)
class HistoryEvent:
    """History arrived over REST for a series: ``count`` rows, ``changed`` of them new.

    ``complete`` is False while another load of the series is still outstanding (one of an
    earlier session, still retrying): only once every load is merged has the series no hole
    left, so only then may a consumer look at what happened during a gap.
    """

    symbol: str
    timeframe: str
    count: int
    changed: int
    backfill: bool
    complete: bool = True


@dataclass(frozen=True, slots=True)
class SubscriptionEvent:
    """A series' subscription was acknowledged (``subscribed``: its pushes flow from now on),
    or stopped being (unsubscribed, or the connection was lost): a UI shows a series as live
    only while it is subscribed, whatever the connection's state."""

    symbol: str
    timeframe: str
    subscribed: bool


FeedEvent = StatusEvent | ErrorEvent | HistoryEvent | SubscriptionEvent
