"""What the feed thread does with each message of a session, apart from the reconnect loop.

Candle pushes go to their series (:meth:`.series_history.SeriesHistory.push`: applied, or
held while the series' history loads), snapshot pushes to the watchlist side
(:class:`.ticker_feed.TickerFeed`), acks and errors to the bookkeeping that sent the request
they answer. An error that means a sick link raises :class:`.connection.ConnectionLost`, which
ends the session in the loop (:class:`.client.FeedClient`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from kucandle_gui.protocol import (
    Ack,
    CandlePush,
    ErrorMessage,
    OtherMessage,
    Pong,
    ServerMessage,
    SnapshotPush,
)

from .backoff import ReconnectPacer
from .connection import TOKEN_REJECTED, ConnectionLost, WsSession
from .events import ErrorEvent, ErrorKind, FeedEvent
from .metrics import MetricsRecorder
from .series_history import SeriesHistory
from .subscriptions import SeriesKey, Subscription, Subscriptions, is_permanent
from .ticker_feed import TickerFeed

log = logging.getLogger(__name__)


class Dispatcher:
    """Hands a session's messages to the parts of the feed they are for (feed thread)."""

    def __init__(
        self,
        subscriptions: Subscriptions,
        history: SeriesHistory,
        tickers: TickerFeed,
        metrics: MetricsRecorder,
        pacer: ReconnectPacer,
        emit: Callable[[FeedEvent], None],
        drop: Callable[[SeriesKey], None],
        subscribed: Callable[[SeriesKey, Subscription], None],
    ) -> None:
        self._subscriptions = subscriptions
        self._history = history
        self._tickers = tickers
        self._metrics = metrics
        self._pacer = pacer
        self._emit = emit
        self._drop = drop
        self._subscribed = subscribed

    def dispatch(self, session: WsSession, message: ServerMessage) -> None:
        if isinstance(message, CandlePush):
            self._metrics.record_message(message.time_ns)
            # Only a subscribed series takes pushes: those of a topic whose unsubscribe is
            # still on its way, or that a superseded subscribe started, are not its stream.
            key = (message.symbol, message.timeframe)
            subscription = self._subscriptions.get(key)
            if subscription and subscription.acked:
                self._history.push(key, subscription, message.candle, message.time_ns)
        elif isinstance(message, SnapshotPush):
            self._tickers.on_push(message)
        elif isinstance(message, Ack):
            if self._tickers.topics.owns(message.id):
                if self._tickers.on_ack(session, message.id):
                    self._pacer.worked()
            elif (acked := self._subscriptions.acknowledged(session, message.id)) is not None:
                self._subscribed(*acked)
        elif isinstance(message, ErrorMessage):
            self._on_error_message(session, message)
        elif isinstance(message, OtherMessage):
            self._metrics.record_ignored()
        elif isinstance(message, Pong) and not (self._subscriptions or self._tickers.topics):
            self._pacer.worked()  # nothing to subscribe: an answered ping shows the link works

    def _on_error_message(self, session: WsSession, message: ErrorMessage) -> None:
        self._metrics.record_error()
        answer = None
        if not self._tickers.topics.owns(message.id):
            answer = self._subscriptions.answered_by(session, message)
        if answer is None:
            if self._tickers.on_error(session, message):
                return
            if message.code == TOKEN_REJECTED:
                raise ConnectionLost(f"token refused: {message.data}", token_rejected=True)
            self._emit(ErrorEvent(ErrorKind.EXCHANGE, message.data, code=message.code))
            return
        kind, (symbol, timeframe) = answer.kind, answer.key
        if not answer.latest:  # a later request for the series stands, and gets its answer
            request = (kind, symbol, timeframe, message.code, message.data)
            log.info("%s %s %s: error %s %s ignored, a later request was sent", *request)
            return
        if kind == "subscribe" and is_permanent(message):
            self._drop(answer.key)
            self._emit(
                ErrorEvent(
                    ErrorKind.REFUSED,
                    message.data,
                    *answer.key,
                    subscription_dropped=True,
                    code=message.code,
                )
            )
            return
        raise ConnectionLost(
            f"{kind} {symbol} {timeframe} failed: error {message.code} {message.data}"
        )
