"""The candle feed: a KuCoin connection that reconnects, resubscribes and backfills by itself,
and carries the watched pairs' 24 h statistics too.

``FeedClient`` owns three threads. The *feed thread* runs the reconnect loop: a fresh token from
bullet-public before every connect, one :class:`WsSession` at a time, every wanted topic
subscribed after the ``welcome`` (requests merged while they wait for the uplink, see
:mod:`.subscriptions`), pushes merged into one :class:`CandleSeries` per topic by candle start
time. The *history thread* loads candles over REST each time a series becomes subscribed (the
start-up window for an empty series, else the backfill from the last candle seen; see
:mod:`.series_history`) and hands them back to the feed thread, which merges them. Merging by
start time (the series' one rule decides between two states of a candle) makes the overlap
between REST and pushes harmless: the consumer's series has no hole and no duplicate. A
series' pushes wait for its history while a load is out, and follow it (the messages are
handed out by :mod:`.dispatch`).

Reconnects back off exponentially; the backoff starts again once a session's subscribe is
acknowledged, and two connects are never closer than ``FeedConfig.min_connect_interval``.

Watched pairs (:meth:`FeedClient.watch`) are served on the same connection by their
``/market/snapshot`` topics; the *ticker thread* loads their first values over REST
(:mod:`.ticker_feed`).

What changed reaches the consumer through an :class:`UpdateBuffer` (bounded by coalescing
updates of the same candle, never dropping one silently) and :meth:`FeedClient.tickers`,
connection state and errors through an optional listener called on the feed thread, as the
events of :mod:`.events`. ``FeedConfig.tap`` hears all the traffic (:mod:`.tap`).
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
from collections.abc import Callable, Iterable, Iterator

from kucandle_gui.protocol import ProtocolError, Ticker, validate_symbol, validate_timeframe

from .backoff import Backoff, ReconnectPacer
from .buffer import CandleUpdate, UpdateBuffer
from .commands import CommandQueue
from .config import FeedConfig
from .connection import ConnectionLost, WsSession
from .dispatch import Dispatcher
from .events import (
    ConnectionState,
    ErrorEvent,
    ErrorKind,
    FeedEvent,
    StatusEvent,
    SubscriptionEvent,
)
from .failures import rest_error_event
from .metrics import FeedMetrics, MetricsRecorder
from .rest import DEFAULT_API_URL, Cancelled, RestClient, RestError
from .series_history import SeriesHistory
from .subscriptions import SeriesKey, Subscription, Subscriptions
from .tap import guarded
from .ticker_feed import TickerFeed

log = logging.getLogger(__name__)


class FeedClient:
    """KuCoin candle feed for any number of (symbol, timeframe) series, and 24 h statistics
    of any number of watched pairs, on one connection."""

    def __init__(
        self,
        api_url: str = DEFAULT_API_URL,
        subscriptions: Iterable[SeriesKey] = (),
        *,
        config: FeedConfig | None = None,
        listener: Callable[[FeedEvent], None] | None = None,
        watched: Iterable[str] = (),
    ) -> None:
        self.config = config or FeedConfig()
        self._listener = listener
        self._tap = guarded(self.config.tap)
        self._stop = threading.Event()
        self._commands = CommandQueue(self._stop)
        self._rest = self._rest_client(api_url)
        self._metrics = MetricsRecorder()
        self._buffer = UpdateBuffer(self.config.keep_updates)
        self._state = ConnectionState.STOPPED
        self._thread = threading.Thread(target=self._run, name="kucandle-feed", daemon=True)
        # Feed-thread state.
        self._subscriptions = Subscriptions(self.config.max_candles, self.config.keep_updates)
        self._history = SeriesHistory(
            lambda on_bad_rows: self._rest_client(api_url, on_bad_rows),
            self._commands.post,
            self.config,
            self._buffer,
            self._emit,
            self._metrics,
            self._drop,
        )
        self._tickers = TickerFeed(
            self._rest_client(api_url), self._commands.post, self._emit, self._metrics, self.config
        )
        self._pacer = ReconnectPacer(
            Backoff(self.config.reconnect_base, self.config.reconnect_cap),
            self.config.min_connect_interval,
        )
        self._dispatcher = Dispatcher(
            self._subscriptions,
            self._history,
            self._tickers,
            self._metrics,
            self._pacer,
            self._emit,
            self._drop,
            self._subscribed,
        )
        #: Whether the current session's welcome came.
        self._live = False
        #: The connectId of the session made last, until the tap hears that it ended.
        self._session_id: str | None = None
        for symbol, timeframe in subscriptions:
            self._subscriptions.add(_checked(symbol, timeframe))
        self._tickers.watch(map(validate_symbol, watched))

    def _rest_client(
        self, api_url: str, on_bad_rows: Callable[[str, str, int, str], None] | None = None
    ) -> RestClient:
        return RestClient(
            api_url,
            timeout=self.config.rest_timeout,
            retry_base=self.config.rest_retry_base,
            cancel=self._stop,
            on_bad_rows=on_bad_rows,
            tap=self._tap,
        )

    # -- public API (any thread) ----------------------------------------------------------

    def start(self) -> FeedClient:
        self._history.start()
        self._tickers.start()
        self._thread.start()
        return self

    def stop(self, timeout: float = 2.0) -> None:
        """Stop the feed, history and ticker threads; returns within ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        self._stop.set()
        self._commands.wake()
        # stop() may be called by the listener, i.e. on the feed thread itself.
        if self._thread.is_alive() and threading.current_thread() is not self._thread:
            self._thread.join(max(0.0, deadline - time.monotonic()))
        # Closed once the feed thread is done: a frame it was dispatching when asked to stop
        # is in the recording, so its update must reach the consumer too.
        self._buffer.close()
        self._history.stop(max(0.0, deadline - time.monotonic()))
        self._tickers.stop(max(0.0, deadline - time.monotonic()))

    def __enter__(self) -> FeedClient:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def subscribe(self, symbol: str, timeframe: str) -> None:
        """Add a series; on a live connection it is subscribed as soon as the uplink allows."""
        key = _checked(symbol, timeframe)
        self._commands.post(lambda: self._add(key))

    def unsubscribe(self, symbol: str, timeframe: str) -> None:
        """Drop a series; its pending updates are discarded, none arrive after this is done."""
        key = _checked(symbol, timeframe)
        self._commands.post(lambda: self._drop(key))

    def watch(self, symbols: Iterable[str]) -> None:
        """Follow these pairs' 24 h statistics (``ValueError`` names a bad pair name)."""
        checked = [validate_symbol(s) for s in symbols]
        self._commands.post(lambda: self._tickers.watch(checked))

    def unwatch(self, symbols: Iterable[str]) -> None:
        """Stop following these pairs; their pending statistics are discarded."""
        checked = [validate_symbol(s) for s in symbols]
        self._commands.post(lambda: self._tickers.unwatch(checked))

    def tickers(self, timeout: float = 0.0) -> list[Ticker]:
        """The watched pairs' changed statistics, the latest of each, at once (or within
        ``timeout`` seconds when none is pending; ``[]`` after that, or once stopped). A REST
        first value comes only before a pair's first push, and pushes in their order."""
        return self._tickers.tickers(timeout)

    def next(self, timeout: float | None = None) -> CandleUpdate | None:
        """The next changed candle, or ``None`` after ``timeout`` or once stopped."""
        return self._buffer.get(timeout)

    def drain(self, limit: int | None = None, through: int | None = None) -> list[CandleUpdate]:
        """Every pending update (at most ``limit``; up to the mark ``through``) without waiting."""
        return self._buffer.drain(limit, through)

    def mark(self) -> int:
        """The number of the last update queued, for ``drain(through=...)`` (see ``InOrder``)."""
        return self._buffer.mark()

    def wait_for_updates(self, timeout: float | None = None) -> bool:
        """Whether updates are pending, waiting up to ``timeout`` seconds for one (none taken)."""
        return self._buffer.wait(timeout)

    def settle(self, timeout: float) -> bool:
        """Wait up to ``timeout`` seconds until every REST answer the history and ticker
        loads have received is merged: the loaders fetch nothing and have no job due now
        (retries waiting for their time do not count), then a command posted to the feed
        thread has run. False on timeout, or when the feed is not running."""
        deadline = time.monotonic() + timeout

        def left() -> float:
            return max(0.0, deadline - time.monotonic())

        while self.running and not self._stop.is_set():
            if not (self._history.wait_idle(left()) and self._tickers.wait_idle(left())):
                return False
            merged = threading.Event()
            self._commands.post(merged.set)
            if not merged.wait(left()):
                return False
            # A merged answer may have started another load (a pair missing from allTickers).
            if self._history.wait_idle(0.0) and self._tickers.wait_idle(0.0):
                return True
        return False

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

    # -- the feed thread ----------------------------------------------------------------------

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

    def _run(self) -> None:
        self._emit(StatusEvent(ConnectionState.CONNECTING))
        while not self._stop.is_set():
            self._live = False
            try:
                reason, planned = self._connect_and_serve()
            except Exception as exc:  # a bug must not end the feed: log it, reconnect
                log.exception("feed session failed")
                reason, planned = f"internal error: {exc!r}", False
            finally:
                self._tickers.topics.session_ended()
                for key in self._subscriptions.session_ended():
                    self._emit(SubscriptionEvent(*key, False))
            if self._tap is not None and self._session_id is not None:
                self._tap.ws_end(self._session_id, reason, planned)
            self._session_id = None
            if self._stop.is_set():
                break
            self._reconnect_wait(reason, planned)
        self._emit(StatusEvent(ConnectionState.STOPPED))

    def _reconnect_wait(self, reason: str, planned: bool) -> None:
        """Count the session that ended, say why in the log and to the listener, and wait
        out the delay before the next connect (serving commands meanwhile)."""
        if self._live:
            self._metrics.record_reconnect()
        else:
            self._metrics.record_failed_attempt()
        event = StatusEvent(ConnectionState.RECONNECTING, reason, self._pacer.delay(planned))
        if planned:
            log.info("%s", event.message)
        else:  # a user's log must explain the gap in their chart
            lost = "connection lost" if self._live else "connect failed"
            log.warning("%s: %s", lost, event.message)
        self._emit(event)
        self._commands.wait(event.retry_in or 0.0)

    def _connect_and_serve(self) -> tuple[str, bool]:
        """One session from token to loss; returns (why it ended, whether that was planned)."""
        try:
            bullet = self._rest.bullet_public()
        except Cancelled:
            return "stopped", True
        except RestError as exc:
            self._metrics.record_error()
            self._emit(rest_error_event(ErrorKind.UNREACHABLE, exc, retrying=True))
            return "no token", False
        self._metrics.record_token()
        refresh_at = time.monotonic() + self.config.token_max_age - self.config.token_refresh_margin
        session = WsSession(bullet, self.config.timeouts, tap=self._tap)
        self._session_id = session.connect_id
        self._pacer.connecting()
        try:
            session.open(self._stop.is_set)
            if self._stop.is_set():
                return "stopped", True
            self._live = True
            self._emit(StatusEvent(ConnectionState.LIVE, session.server.endpoint))
            self._subscriptions.resubscribe()
            self._tickers.topics.resubscribe()
            while not self._stop.is_set():
                self._commands.run()
                self._subscriptions.flush(session)  # the chart's series first
                self._tickers.topics.flush(session)
                if time.monotonic() >= refresh_at:
                    return "connect token due for renewal", True
                try:
                    message = session.step()
                except ProtocolError as exc:
                    self._metrics.record_error()
                    self._emit(ErrorEvent(ErrorKind.BAD_FRAME, str(exc)))
                    continue
                if message is not None:
                    self._dispatcher.dispatch(session, message)
            return "stopped", True
        except ConnectionLost as exc:
            self._metrics.record_error()
            return str(exc), False
        finally:
            session.close()

    # -- subscriptions (feed thread) ---------------------------------------------------------

    def _add(self, key: SeriesKey) -> None:
        if self._subscriptions.add(key) is not None:
            served = self._subscriptions.served(key)
            if served is not None:
                self._subscribed(key, served)

    def _drop(self, key: SeriesKey) -> None:
        """Forget a series and its pending updates (its unsubscribe waits for the uplink)."""
        subscription = self._subscriptions.drop(key)
        if subscription is None:
            return
        self._buffer.discard(*key)
        if subscription.acked:
            self._emit(SubscriptionEvent(*key, False))

    def _subscribed(self, key: SeriesKey, subscription: Subscription) -> None:
        """The exchange serves ``key`` now: the session worked (the backoff starts over), and
        the series loads what it missed while it was not subscribed."""
        self._pacer.worked()
        self._emit(SubscriptionEvent(*key, True))
        self._history.load(key, subscription)


def _checked(symbol: str, timeframe: str) -> SeriesKey:
    return validate_symbol(symbol), validate_timeframe(timeframe)
