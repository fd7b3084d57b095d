"""The watchlist side of the feed: pairs' 24 h statistics on the candles' own connection.

:class:`TickerFeed` belongs to :class:`.client.FeedClient` and runs on its feed thread (apart
from :meth:`TickerFeed.tickers`, for any thread): the client hands it the snapshot pushes and
the answers to its snapshot requests, and calls it at the points of a session's life where
the candle subscriptions are called. It keeps the watched pairs and their topics
(:class:`.tickers.SnapshotTopics`), loads first values over REST when pairs become watched
(:class:`.ticker_loader.TickerLoader`), and hands the latest statistics of each pair to the
consumer (:class:`.ticker_buffer.TickerBuffer`): REST values until the first push, then the
pushes in their order.

A pair is refused, reported once and no longer watched, when the exchange refuses its
snapshot topic or when its ``/market/stats`` say the exchange does not list it, whichever
comes first: KuCoin may accept the topic of a pair it does not list and stay silent on it.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable

from kucandle_gui.protocol import ErrorMessage, SnapshotPush, Ticker

from .config import FeedConfig
from .connection import ConnectionLost, WsSession
from .events import ErrorEvent, ErrorKind, FeedEvent
from .failures import rest_error_event
from .metrics import MetricsRecorder
from .rest import KucoinApiError, RestClient, RestError
from .ticker_buffer import TickerBuffer
from .ticker_loader import TickerJob, TickerLoader, is_unknown_pair
from .tickers import SnapshotTopics

log = logging.getLogger(__name__)


class TickerFeed:
    """Watched pairs, their snapshot topics, their first values, and the consumer's hand-over."""

    def __init__(
        self,
        rest: RestClient,
        post: Callable[[Callable[[], None]], None],
        emit: Callable[[FeedEvent], None],
        metrics: MetricsRecorder,
        config: FeedConfig,
    ) -> None:
        self.topics = SnapshotTopics()
        self._buffer = TickerBuffer()
        self._loader = TickerLoader(rest, post, config.reconnect_base, config.reconnect_cap)
        self._emit = emit
        self._metrics = metrics
        self._bulk = config.ticker_bulk

    def start(self) -> None:
        self._loader.start()

    def stop(self, timeout: float) -> None:
        self._buffer.close()
        self._loader.stop(timeout)

    def wait_idle(self, timeout: float) -> bool:
        """Whether the loader went idle within ``timeout`` (see ``RetryingLoader``)."""
        return self._loader.wait_idle(timeout)

    def tickers(self, timeout: float = 0.0) -> list[Ticker]:
        """Pending statistics, the latest of each pair (any thread); see ``FeedClient``."""
        return self._buffer.drain(timeout)

    # -- the feed thread ----------------------------------------------------------------------

    def watch(self, symbols: Iterable[str]) -> None:
        """Watch ``symbols`` (names already checked); their first values load over REST."""
        added = self.topics.watch(symbols)
        if len(added) >= self._bulk:
            self._load_first(added, bulk=True)
        else:
            for symbol, cancel in added.items():
                self._load_first({symbol: cancel}, bulk=False)

    def unwatch(self, symbols: Iterable[str]) -> None:
        """Stop watching ``symbols``: their pending statistics are discarded, none follow."""
        self._buffer.discard(self.topics.unwatch(symbols))

    def on_push(self, push: SnapshotPush) -> None:
        self._metrics.record_snapshot()
        # Only a served pair takes pushes: not one unwatched whose unsubscribe is on its way.
        if self.topics.serves(push.symbol):
            self._buffer.push(push.ticker)

    def on_ack(self, session: WsSession, ident: str | None) -> bool:
        """Whether the ack made a pair served (the session works)."""
        return bool(self.topics.acknowledged(session, ident))

    def on_error(self, session: WsSession, error: ErrorMessage) -> bool:
        """Whether ``error`` answered one of our requests; a refused pair is no longer
        watched and reported. Raises ``ConnectionLost`` when the error means a sick link."""
        refusal = self.topics.failed(session, error)
        if refusal is None:
            return False
        if refusal.lost is not None:
            raise ConnectionLost(refusal.lost)
        self._buffer.discard(refusal.refused)
        if refusal.retried:
            log.info(
                "%s refused (error %s %s): %d pairs asked for again",
                refusal.request.topic,
                error.code,
                error.data,
                len(refusal.retried),
            )
        for symbol in refusal.refused:
            self._refused(symbol, error.data, code=error.code)
        return True

    def _refused(self, symbol: str, reason: str, **fields: object) -> None:
        self._emit(
            ErrorEvent(
                ErrorKind.TICKER_REFUSED, reason, symbol, "", subscription_dropped=True, **fields
            )
        )

    def _load_first(self, wanted: dict[str, threading.Event], *, bulk: bool) -> None:
        """Load the first values of the ``wanted`` pairs (each with its cancel event)."""
        symbols = tuple(wanted)

        def watched(symbol: str) -> bool:
            return not wanted[symbol].is_set()

        def done(tickers: list[Ticker]) -> None:
            got = set()
            for ticker in tickers:
                if ticker.symbol in wanted and watched(ticker.symbol):
                    got.add(ticker.symbol)
                    self._buffer.first(ticker)
            # A pair missing from allTickers may be one the exchange does not list: its own
            # statistics say whether it is.
            for symbol in symbols:
                if bulk and symbol not in got and watched(symbol):
                    self._load_first({symbol: wanted[symbol]}, bulk=False)

        def failed(exc: RestError, retry_in: float | None) -> None:
            self._metrics.record_error()
            if retry_in is not None:
                return  # the loader tries again, quietly: the pushes may fill the rows first
            if not bulk and is_unknown_pair(exc):
                if watched(symbols[0]):
                    self._unknown(symbols[0], exc)
                return
            if not any(watched(s) and not self._buffer.filled(s) for s in symbols):
                log.info("%s failed, no longer needed: %s", job.name, exc)
                return
            # Said once, when no more is tried: the rows fill in with the pushes.
            self._emit(rest_error_event(ErrorKind.TICKER, exc, "" if bulk else symbols[0], ""))

        job = TickerJob(symbols, tuple(wanted.values()), bulk, done, failed)
        self._loader.submit(job)

    def _unknown(self, symbol: str, exc: RestError) -> None:
        """The exchange does not list ``symbol``: refused, unless its topic's refusal came
        first (then it is no longer watched, and was reported)."""
        if self.topics.drop_unknown(symbol):
            self._buffer.discard([symbol])
            reason = exc.msg if isinstance(exc, KucoinApiError) else str(exc)
            self._refused(symbol, reason, failure=exc.failure, host=exc.host)
