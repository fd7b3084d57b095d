"""The candle feed: a KuCoin connection that reconnects, resubscribes and backfills by itself.

``FeedClient`` owns two threads. The *feed thread* runs the reconnect loop: a fresh token from
bullet-public before every connect, one :class:`WsSession` at a time, every wanted topic
subscribed after the ``welcome``, pushes merged into one :class:`CandleSeries` per topic by
candle start time. The *history thread* loads candles over REST (the start-up window after a
subscription is acknowledged, and the backfill from the last candle seen after every
reconnect) and hands them back to the feed thread, which merges them. Merging by start time
with "newer volume wins" makes the overlap between REST and pushes harmless: the consumer's
series has no hole and no duplicate.

What changed reaches the consumer through an :class:`UpdateBuffer` (bounded by coalescing
updates of the same candle, never dropping one silently), and connection state and errors
through an optional listener called on the feed thread. Everything public is safe to call
from any thread.

Script use::

    from kucandle_gui.feed import FeedClient

    with FeedClient("https://api.kucoin.com", [("BTC-USDT", "1min")]) as feed:
        for update in feed:
            print(update.as_dict(), feed.metrics().messages)
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum

from kucandle_gui.protocol import (
    TIMEFRAME_SECONDS,
    Ack,
    Candle,
    CandlePush,
    ErrorMessage,
    OtherMessage,
    ProtocolError,
    ServerMessage,
    candle_topic,
    validate_symbol,
    validate_timeframe,
)

from .backoff import Backoff
from .buffer import CandleUpdate, UpdateBuffer
from .connection import TOKEN_REJECTED, ConnectionLost, SessionTimeouts, WsSession
from .history import HistoryJob, HistoryLoader
from .metrics import FeedMetrics, MetricsRecorder
from .rest import DEFAULT_API_URL, Cancelled, RestClient, RestError
from .series import CandleSeries

log = logging.getLogger(__name__)

SeriesKey = tuple[str, str]

#: Subscribe errors that retrying cannot fix: invalid topic, login required, no such topic,
#: topic required. Anything else (500, 509 ...) is treated as a sick connection.
PERMANENT_SUBSCRIBE_ERRORS = frozenset({400, 403, 404, 406})


class ConnectionState(StrEnum):
    CONNECTING = "connecting"
    LIVE = "live"
    RECONNECTING = "reconnecting"
    STOPPED = "stopped"


@dataclass(frozen=True, slots=True)
class StatusEvent:
    """The connection changed state; ``message`` says why, ``retry_in`` when reconnecting."""

    state: ConnectionState
    message: str
    retry_in: float | None = None


class ErrorKind(StrEnum):
    """What an ``ErrorEvent`` is about, so that a UI can react without parsing its text."""

    #: No token from bullet-public: the exchange cannot be reached (or refuses us).
    UNREACHABLE = "unreachable"
    #: The exchange refused a pair or topic (see ``subscription_dropped``).
    REFUSED = "refused"
    #: History or backfill over REST failed.
    HISTORY = "history"
    #: A frame that does not follow the protocol was ignored.
    BAD_FRAME = "bad-frame"
    #: An ``error`` message from the exchange not tied to a request of ours.
    EXCHANGE = "exchange"
    #: A REST question asked on the UI's behalf (pair list, older history) failed.
    REQUEST = "request"


@dataclass(frozen=True, slots=True)
class ErrorEvent:
    """Something went wrong that the user should hear about; the feed goes on."""

    message: str
    kind: ErrorKind = ErrorKind.EXCHANGE
    symbol: str | None = None
    timeframe: str | None = None
    #: True when the subscription was dropped for good (unknown pair, invalid topic).
    subscription_dropped: bool = False


@dataclass(frozen=True, slots=True)
class HistoryEvent:
    """History arrived over REST for a series: ``count`` rows, ``changed`` of them new."""

    symbol: str
    timeframe: str
    count: int
    changed: int
    backfill: bool


FeedEvent = StatusEvent | ErrorEvent | HistoryEvent


@dataclass(frozen=True, slots=True)
class FeedConfig:
    """Knobs of the feed; the defaults suit the real exchange, tests shorten them."""

    #: Candles loaded when a subscription starts.
    history_candles: int = 300
    #: Candles kept per series; the oldest go first.
    max_candles: int = 100_000
    reconnect_base: float = 1.0
    reconnect_cap: float = 60.0
    #: A session that lasted this long resets the reconnect backoff.
    stable_after: float = 30.0
    #: Tokens live 24 h; reconnect (and backfill) this long before that.
    token_max_age: float = 24 * 3600.0
    token_refresh_margin: float = 30 * 60.0
    timeouts: SessionTimeouts = field(default_factory=SessionTimeouts)
    rest_timeout: tuple[float, float] = (5.0, 10.0)
    rest_retry_base: float = 0.5


@dataclass(slots=True)
class _Subscription:
    """Feed-thread state of one wanted topic."""

    series: CandleSeries
    #: Set when the topic is dropped, so that pending history loads are thrown away.
    cancel: threading.Event = field(default_factory=threading.Event)
    acked: bool = False


class FeedClient:
    """KuCoin candle feed for any number of (symbol, timeframe) series on one connection."""

    def __init__(
        self,
        api_url: str = DEFAULT_API_URL,
        subscriptions: Iterable[SeriesKey] = (),
        *,
        config: FeedConfig | None = None,
        listener: Callable[[FeedEvent], None] | None = None,
    ) -> None:
        self.config = config or FeedConfig()
        self._listener = listener
        self._stop = threading.Event()
        self._rest = self._rest_client(api_url)
        self._history = HistoryLoader(
            self._rest_client(api_url),
            self._post,
            self.config.reconnect_base,
            self.config.reconnect_cap,
        )
        self._buffer = UpdateBuffer()
        self._metrics = MetricsRecorder()
        self._commands: deque[Callable[[], None]] = deque()
        #: Set when a command is posted, so that a waiting feed thread runs it at once.
        self._wakeup = threading.Event()
        self._state = ConnectionState.STOPPED
        self._thread = threading.Thread(target=self._run, name="kucandle-feed", daemon=True)
        # Feed-thread state.
        self._wanted: dict[SeriesKey, _Subscription] = {}
        self._requests: dict[str, tuple[str, SeriesKey]] = {}
        self._session: WsSession | None = None
        for symbol, timeframe in subscriptions:
            key = _checked(symbol, timeframe)
            self._wanted[key] = self._new_subscription(key)

    def _rest_client(self, api_url: str) -> RestClient:
        return RestClient(
            api_url,
            timeout=self.config.rest_timeout,
            retry_base=self.config.rest_retry_base,
            cancel=self._stop,
        )

    # -- public API (any thread) ----------------------------------------------------------

    def start(self) -> FeedClient:
        self._history.start()
        self._thread.start()
        return self

    def stop(self, timeout: float = 2.0) -> None:
        """Stop both threads; returns within ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        self._stop.set()
        self._wakeup.set()
        self._buffer.close()
        # stop() may be called by the listener, i.e. on the feed thread itself.
        if self._thread.is_alive() and threading.current_thread() is not self._thread:
            self._thread.join(max(0.0, deadline - time.monotonic()))
        self._history.stop(max(0.0, deadline - time.monotonic()))

    def __enter__(self) -> FeedClient:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def subscribe(self, symbol: str, timeframe: str) -> None:
        """Add a series; on a live connection it is subscribed at once."""
        key = _checked(symbol, timeframe)
        self._post(lambda: self._add(key))

    def unsubscribe(self, symbol: str, timeframe: str) -> None:
        """Drop a series; its pending updates are discarded, none arrive after this is done."""
        key = _checked(symbol, timeframe)
        self._post(lambda: self._remove(key))

    def next(self, timeout: float | None = None) -> CandleUpdate | None:
        """The next changed candle, or ``None`` after ``timeout`` or once stopped."""
        return self._buffer.get(timeout)

    def drain(self, limit: int | None = None) -> list[CandleUpdate]:
        """Every pending update (at most ``limit``) without waiting."""
        return self._buffer.drain(limit)

    def __iter__(self) -> Iterator[CandleUpdate]:
        while (update := self._buffer.get()) is not None:
            yield update

    def metrics(self) -> FeedMetrics:
        self._metrics.set_coalesced(self._buffer.coalesced)
        return self._metrics.snapshot()

    @property
    def state(self) -> ConnectionState:
        return self._state

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    # -- plumbing between threads -----------------------------------------------------------

    def _post(self, command: Callable[[], None]) -> None:
        """Run ``command`` on the feed thread (it owns the series and the socket)."""
        self._commands.append(command)
        self._wakeup.set()

    def _run_commands(self) -> None:
        while self._commands:
            self._commands.popleft()()

    def _wait(self, seconds: float) -> bool:
        """Wait out a reconnect delay, still serving commands (subscription changes, history
        results) meanwhile; True if stopped."""
        deadline = time.monotonic() + seconds
        while not self._stop.is_set():
            self._run_commands()
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            self._wakeup.wait(remaining)
            self._wakeup.clear()
        return True

    def _emit(self, event: FeedEvent) -> None:
        if self._stop.is_set() and not isinstance(event, StatusEvent):
            return  # nobody asked for news of a feed they stopped
        if isinstance(event, StatusEvent):
            self._state = event.state
        if isinstance(event, ErrorEvent):
            log.warning("%s", event.message)
        if self._listener is not None:
            try:
                self._listener(event)
            except Exception:
                log.exception("feed listener failed on %r", event)

    # -- the feed thread ----------------------------------------------------------------------

    def _run(self) -> None:
        backoff = Backoff(self.config.reconnect_base, self.config.reconnect_cap)
        self._emit(StatusEvent(ConnectionState.CONNECTING, "connecting"))
        while not self._stop.is_set():
            started = time.monotonic()
            try:
                reason, planned = self._connect_and_serve()
            except Exception as exc:  # a bug must not end the feed: log it, reconnect
                log.exception("feed session failed")
                reason, planned = f"internal error: {exc!r}", False
            if self._stop.is_set():
                break
            if time.monotonic() - started >= self.config.stable_after:
                backoff.reset()
            delay = 0.0 if planned else backoff.next_delay()
            self._metrics.record_reconnect()
            self._emit(
                StatusEvent(
                    ConnectionState.RECONNECTING,
                    f"{reason}; reconnecting in {delay:.1f} s"
                    if delay
                    else f"{reason}; reconnecting",
                    retry_in=delay,
                )
            )
            if self._wait(delay):
                break
        self._emit(StatusEvent(ConnectionState.STOPPED, "stopped"))

    def _connect_and_serve(self) -> tuple[str, bool]:
        """One session from token to loss; returns (why it ended, whether that was planned)."""
        try:
            bullet = self._rest.bullet_public()
        except Cancelled:
            return "stopped", True
        except RestError as exc:
            self._metrics.record_error()
            self._emit(ErrorEvent(f"cannot get a connect token: {exc}", ErrorKind.UNREACHABLE))
            return "no token", False
        self._metrics.record_token()
        refresh_at = time.monotonic() + self.config.token_max_age - self.config.token_refresh_margin
        session = WsSession(bullet, self.config.timeouts)
        self._session = session
        try:
            session.open(self._stop.is_set)
            if self._stop.is_set():
                return "stopped", True
            self._emit(StatusEvent(ConnectionState.LIVE, f"connected to {session.server.endpoint}"))
            self._requests.clear()
            for key, subscription in self._wanted.items():
                subscription.acked = False
                self._request(session, "subscribe", key)
            while not self._stop.is_set():
                if self._commands:
                    self._run_commands()
                if time.monotonic() >= refresh_at:
                    return "connect token due for renewal", True
                try:
                    message = session.step()
                except ProtocolError as exc:
                    self._metrics.record_error()
                    self._emit(
                        ErrorEvent(
                            f"bad frame from the exchange ignored: {exc}", ErrorKind.BAD_FRAME
                        )
                    )
                    continue
                if message is not None:
                    self._dispatch(session, message)
            return "stopped", True
        except ConnectionLost as exc:
            self._metrics.record_error()
            return str(exc), False
        finally:
            self._session = None
            session.close()

    def _dispatch(self, session: WsSession, message: ServerMessage) -> None:
        if isinstance(message, CandlePush):
            self._metrics.record_message(message.time_ns)
            subscription = self._wanted.get((message.symbol, message.timeframe))
            if subscription is not None and subscription.series.upsert(message.candle):
                self._buffer.put(
                    CandleUpdate(message.symbol, message.timeframe, message.candle, message.time_ns)
                )
        elif isinstance(message, Ack):
            if session.answered(message.id):
                self._on_ack(self._requests.pop(message.id, None))
        elif isinstance(message, ErrorMessage):
            self._on_error_message(session, message)
        elif isinstance(message, OtherMessage):
            self._metrics.record_ignored()

    def _request(self, session: WsSession, kind: str, key: SeriesKey) -> None:
        self._requests[session.request(kind, candle_topic(*key))] = (kind, key)

    def _on_ack(self, request: tuple[str, SeriesKey] | None) -> None:
        if request is None or request[0] != "subscribe":
            return
        subscription = self._wanted.get(request[1])
        if subscription is None or subscription.acked:
            return
        subscription.acked = True
        self._load_history(request[1], subscription)

    def _request_answered_by(
        self, session: WsSession, message: ErrorMessage
    ) -> tuple[str, SeriesKey] | None:
        """The request an error answers: by id, or, since the docs say error ids may be the
        connectId, by the topic named in its text (else the bad topic would be retried on
        every reconnect, forever)."""
        ident = message.id
        if ident not in self._requests:
            ident = next(
                (i for i, (_, key) in self._requests.items() if candle_topic(*key) in message.data),
                None,
            )
        if ident is None or not session.answered(ident):
            return None
        return self._requests.pop(ident)

    def _on_error_message(self, session: WsSession, message: ErrorMessage) -> None:
        self._metrics.record_error()
        request = self._request_answered_by(session, message)
        if request is None:
            if message.code == TOKEN_REJECTED:
                raise ConnectionLost(f"token refused: {message.data}", token_rejected=True)
            self._emit(ErrorEvent(f"exchange error {message.code}: {message.data}"))
            return
        kind, key = request
        if kind == "subscribe" and _is_permanent(message):
            self._drop(key)
            self._emit_refused(key, f"{message.data} (error {message.code})")
            return
        raise ConnectionLost(
            f"{kind} {key[0]} {key[1]} failed: error {message.code} {message.data}"
        )

    # -- subscriptions (feed thread) ---------------------------------------------------------

    def _new_subscription(self, key: SeriesKey) -> _Subscription:
        return _Subscription(CandleSeries(key[0], key[1], self.config.max_candles))

    def _add(self, key: SeriesKey) -> None:
        if key in self._wanted:
            return
        self._wanted[key] = self._new_subscription(key)
        if self._session is not None:
            self._request(self._session, "subscribe", key)

    def _remove(self, key: SeriesKey) -> None:
        if key not in self._wanted:
            return
        self._drop(key)
        if self._session is not None:
            self._request(self._session, "unsubscribe", key)

    def _emit_refused(self, key: SeriesKey, reason: str) -> None:
        self._emit_series_error(
            key, f"KuCoin refused {key[0]} {key[1]}: {reason}", ErrorKind.REFUSED, dropped=True
        )

    def _emit_series_error(
        self, key: SeriesKey, message: str, kind: ErrorKind, *, dropped: bool = False
    ) -> None:
        self._emit(
            ErrorEvent(message, kind, symbol=key[0], timeframe=key[1], subscription_dropped=dropped)
        )

    def _drop(self, key: SeriesKey) -> None:
        self._wanted.pop(key).cancel.set()
        self._buffer.discard(*key)

    def _load_history(self, key: SeriesKey, subscription: _Subscription) -> None:
        """After every acknowledged subscribe: the start-up window, or the backfill from one
        period before the last candle seen: that one may have been open when the link dropped,
        and the one before it may still have been owed its late final update."""
        last = subscription.series.last()

        def done(candles: list[Candle]) -> None:
            if subscription.cancel.is_set():
                return
            changed = subscription.series.merge(candles)
            self._buffer.put_many(CandleUpdate(key[0], key[1], c) for c in changed)
            self._emit(HistoryEvent(key[0], key[1], len(candles), len(changed), last is not None))

        def failed(exc: RestError, retrying: bool) -> None:
            self._metrics.record_error()
            what = "backfill" if last is not None else "history"
            if retrying:
                self._emit_series_error(
                    key, f"{what} of {key[0]} {key[1]} failed: {exc}; retrying", ErrorKind.HISTORY
                )
                return
            # The exchange refuses the pair itself (it may still have accepted the topic):
            # a series that can never be complete is dropped, not shown with holes.
            if self._wanted.get(key) is subscription:
                self._remove(key)
            self._emit_refused(key, str(exc))

        self._history.submit(
            HistoryJob(
                key[0],
                key[1],
                None if last is None else last.time - TIMEFRAME_SECONDS[key[1]],
                self.config.history_candles,
                subscription.cancel,
                done,
                failed,
            )
        )


def _is_permanent(error: ErrorMessage) -> bool:
    """A subscribe error that retrying cannot fix (a full session is one: 509 "exceed max
    subscription count"; 509 "too many per second" is not)."""
    return error.code in PERMANENT_SUBSCRIBE_ERRORS or (
        error.code == 509 and ("subscription" in error.data or "per session" in error.data)
    )


def _checked(symbol: str, timeframe: str) -> SeriesKey:
    return validate_symbol(symbol), validate_timeframe(timeframe)
