"""The candle feed: a KuCoin connection that reconnects, resubscribes and backfills by itself.

``FeedClient`` owns two threads. The *feed thread* runs the reconnect loop: a fresh token from
bullet-public before every connect, one :class:`WsSession` at a time, every wanted topic
subscribed after the ``welcome``, pushes merged into one :class:`CandleSeries` per topic by
candle start time. The *history thread* loads candles over REST (the start-up window after a
subscription is acknowledged, and the backfill from the last candle seen after every
reconnect) and hands them back to the feed thread, which merges them. Merging by start time
(the series' one rule decides between two states of a candle) makes the overlap between REST
and pushes harmless: the consumer's series has no hole and no duplicate.

What changed reaches the consumer through an :class:`UpdateBuffer` (bounded by coalescing
updates of the same candle, never dropping one silently), and connection state and errors
through an optional listener called on the feed thread, as the events of :mod:`.events`.
Everything public is safe to call from any thread.

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

from kucandle_gui.protocol import (
    TIMEFRAME_SECONDS,
    Ack,
    Candle,
    CandlePush,
    ErrorMessage,
    OtherMessage,
    ProtocolError,
    ServerMessage,
    validate_symbol,
    validate_timeframe,
)

from .backoff import Backoff
from .buffer import CandleUpdate, UpdateBuffer
from .connection import TOKEN_REJECTED, ConnectionLost, SessionTimeouts, WsSession
from .events import ConnectionState, ErrorEvent, ErrorKind, FeedEvent, HistoryEvent, StatusEvent
from .history import HistoryJob, HistoryLoader
from .metrics import FeedMetrics, MetricsRecorder
from .rest import DEFAULT_API_URL, Cancelled, KucoinApiError, RestClient, RestError
from .subscriptions import SeriesKey, Subscription, Subscriptions, is_permanent

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class FeedConfig:
    """Knobs of the feed; the defaults suit the real exchange, tests shorten them."""

    #: Candles loaded when a subscription starts.
    history_candles: int = 300
    #: Candles kept per series; the oldest go first.
    max_candles: int = 100_000
    reconnect_base: float = 1.0
    reconnect_cap: float = 60.0
    #: When a session ends after lasting at least this long (counted from its token request),
    #: the reconnect backoff starts again from ``reconnect_base``; a shorter session lets the
    #: delay keep growing, so that a server that accepts and then drops us is backed off.
    stable_after: float = 30.0
    #: Tokens live 24 h; reconnect (and backfill) this long before that.
    token_max_age: float = 24 * 3600.0
    token_refresh_margin: float = 30 * 60.0
    timeouts: SessionTimeouts = field(default_factory=SessionTimeouts)
    rest_timeout: tuple[float, float] = (5.0, 10.0)
    rest_retry_base: float = 0.5


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
        self._subscriptions = Subscriptions(self.config.max_candles)
        self._session: WsSession | None = None
        for symbol, timeframe in subscriptions:
            self._subscriptions.add(_checked(symbol, timeframe))

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

    def candles_held(self) -> int:
        """Candles kept in all the feed's series now (what ``max_candles`` bounds)."""
        return self._subscriptions.candles_held()

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
        self._emit(StatusEvent(ConnectionState.CONNECTING))
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
            self._emit(StatusEvent(ConnectionState.RECONNECTING, reason, delay))
            if self._wait(delay):
                break
        self._emit(StatusEvent(ConnectionState.STOPPED))

    def _connect_and_serve(self) -> tuple[str, bool]:
        """One session from token to loss; returns (why it ended, whether that was planned)."""
        try:
            bullet = self._rest.bullet_public()
        except Cancelled:
            return "stopped", True
        except RestError as exc:
            self._metrics.record_error()
            self._emit(ErrorEvent(ErrorKind.UNREACHABLE, str(exc), retrying=True))
            return "no token", False
        self._metrics.record_token()
        refresh_at = time.monotonic() + self.config.token_max_age - self.config.token_refresh_margin
        session = WsSession(bullet, self.config.timeouts)
        self._session = session
        try:
            session.open(self._stop.is_set)
            if self._stop.is_set():
                return "stopped", True
            self._emit(StatusEvent(ConnectionState.LIVE, session.server.endpoint))
            self._subscriptions.resubscribe(session)
            while not self._stop.is_set():
                if self._commands:
                    self._run_commands()
                if time.monotonic() >= refresh_at:
                    return "connect token due for renewal", True
                try:
                    message = session.step()
                except ProtocolError as exc:
                    self._metrics.record_error()
                    self._emit(ErrorEvent(ErrorKind.BAD_FRAME, str(exc)))
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
            subscription = self._subscriptions.get((message.symbol, message.timeframe))
            if subscription is not None and subscription.series.upsert(message.candle):
                self._buffer.put(
                    CandleUpdate(message.symbol, message.timeframe, message.candle, message.time_ns)
                )
        elif isinstance(message, Ack):
            acked = self._subscriptions.first_ack(session, message.id)
            if acked is not None:
                self._load_history(*acked)
        elif isinstance(message, ErrorMessage):
            self._on_error_message(session, message)
        elif isinstance(message, OtherMessage):
            self._metrics.record_ignored()

    def _on_error_message(self, session: WsSession, message: ErrorMessage) -> None:
        self._metrics.record_error()
        request = self._subscriptions.answered_by(session, message)
        if request is None:
            if message.code == TOKEN_REJECTED:
                raise ConnectionLost(f"token refused: {message.data}", token_rejected=True)
            self._emit(ErrorEvent(ErrorKind.EXCHANGE, message.data, code=message.code))
            return
        kind, key = request
        if kind == "subscribe" and is_permanent(message):
            self._drop(key)
            self._emit_refused(key, message.data, message.code)
            return
        raise ConnectionLost(
            f"{kind} {key[0]} {key[1]} failed: error {message.code} {message.data}"
        )

    # -- subscriptions (feed thread) ---------------------------------------------------------

    def _add(self, key: SeriesKey) -> None:
        if self._subscriptions.add(key) and self._session is not None:
            self._subscriptions.request(self._session, "subscribe", key)

    def _remove(self, key: SeriesKey) -> None:
        if self._drop(key) and self._session is not None:
            self._subscriptions.request(self._session, "unsubscribe", key)

    def _drop(self, key: SeriesKey) -> bool:
        """Forget a series and its pending updates; False if it was not wanted."""
        if not self._subscriptions.drop(key):
            return False
        self._buffer.discard(*key)
        return True

    def _emit_refused(self, key: SeriesKey, reason: str, code: int | None) -> None:
        self._emit(
            ErrorEvent(ErrorKind.REFUSED, reason, *key, subscription_dropped=True, code=code)
        )

    def _load_history(self, key: SeriesKey, subscription: Subscription) -> None:
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

        def failed(exc: RestError, retry_in: float | None) -> None:
            self._metrics.record_error()
            reason, code = _rest_detail(exc)
            if retry_in is not None:
                kind = ErrorKind.HISTORY if last is None else ErrorKind.BACKFILL
                self._emit(
                    ErrorEvent(kind, reason, *key, retrying=True, retry_in=retry_in, code=code)
                )
                return
            # The exchange refuses the pair itself (it may still have accepted the topic):
            # a series that can never be complete is dropped, not shown with holes.
            if self._subscriptions.get(key) is subscription:
                self._remove(key)
            self._emit_refused(key, reason, code)

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


def _rest_detail(exc: RestError) -> tuple[str, int | None]:
    """The exchange's own ``msg`` and numeric code when it gave them, else the whole text."""
    if isinstance(exc, KucoinApiError) and exc.code.isdigit():
        return exc.msg, int(exc.code)
    return str(exc), None


def _checked(symbol: str, timeframe: str) -> SeriesKey:
    return validate_symbol(symbol), validate_timeframe(timeframe)
