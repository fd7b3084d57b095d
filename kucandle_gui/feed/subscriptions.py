"""The series the feed wants, and its subscribe requests in flight on the current session.

Kept apart from the reconnect loop because the bookkeeping has rules of its own: every wanted
topic is subscribed again on each new session, history loads only after the first ack of a
subscribe, and an exchange error must be matched to the request it answers (else a refused
topic would be retried on every reconnect, forever).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from kucandle_gui.protocol import ErrorMessage, candle_topic

from .connection import WsSession
from .series import CandleSeries

SeriesKey = tuple[str, str]
#: What a request asked: ("subscribe" or "unsubscribe", the series).
Request = tuple[str, SeriesKey]

#: Subscribe errors that retrying cannot fix: invalid topic, login required, no such topic,
#: topic required. Anything else (500, 509 ...) is treated as a sick connection.
PERMANENT_SUBSCRIBE_ERRORS = frozenset({400, 403, 404, 406})


@dataclass(slots=True)
class Subscription:
    """One wanted topic: its series and whether this session's subscribe was acknowledged."""

    series: CandleSeries
    #: Set when the topic is dropped, so that pending history loads are thrown away.
    cancel: threading.Event = field(default_factory=threading.Event)
    acked: bool = False


class Subscriptions:
    """Wanted series and pending requests; changed on the feed thread only.

    The lock guards the set of series for the one reader on other threads
    (:meth:`candles_held`); the feed thread's own lookups go without it.
    """

    def __init__(self, max_candles: int) -> None:
        self._max_candles = max_candles
        self._wanted: dict[SeriesKey, Subscription] = {}
        self._requests: dict[str, Request] = {}
        self._lock = threading.Lock()

    def get(self, key: SeriesKey) -> Subscription | None:
        return self._wanted.get(key)

    def add(self, key: SeriesKey) -> bool:
        """Want ``key`` (with an empty series); False if it was wanted already."""
        if key in self._wanted:
            return False
        with self._lock:
            self._wanted[key] = Subscription(CandleSeries(key[0], key[1], self._max_candles))
        return True

    def drop(self, key: SeriesKey) -> bool:
        """Stop wanting ``key`` and cancel its pending history; False if it was not wanted."""
        with self._lock:
            subscription = self._wanted.pop(key, None)
        if subscription is None:
            return False
        subscription.cancel.set()
        return True

    def candles_held(self) -> int:
        """Candles held in all the series (safe from any thread)."""
        with self._lock:
            return sum(len(s.series) for s in self._wanted.values())

    # -- requests on the current session -------------------------------------------------

    def resubscribe(self, session: WsSession) -> None:
        """A new session: forget the old one's requests, subscribe every wanted series."""
        self._requests.clear()
        for key, subscription in self._wanted.items():
            subscription.acked = False
            self.request(session, "subscribe", key)

    def request(self, session: WsSession, kind: str, key: SeriesKey) -> None:
        self._requests[session.request(kind, candle_topic(*key))] = (kind, key)

    def first_ack(
        self, session: WsSession, ident: str | None
    ) -> tuple[SeriesKey, Subscription] | None:
        """The series whose subscribe this ack confirms for the first time this session."""
        if ident is None or not session.answered(ident):
            return None
        request = self._requests.pop(ident, None)
        if request is None or request[0] != "subscribe":
            return None
        subscription = self._wanted.get(request[1])
        if subscription is None or subscription.acked:
            return None
        subscription.acked = True
        return request[1], subscription

    def answered_by(self, session: WsSession, error: ErrorMessage) -> Request | None:
        """The request an error answers: by id, or, since the docs say error ids may be the
        connectId, by the topic named in its text."""
        ident = error.id
        if ident not in self._requests:
            ident = next(
                (i for i, (_, key) in self._requests.items() if candle_topic(*key) in error.data),
                None,
            )
        if ident is None or not session.answered(ident):
            return None
        return self._requests.pop(ident)


def is_permanent(error: ErrorMessage) -> bool:
    """A subscribe error that retrying cannot fix (a full session is one: 509 "exceed max
    subscription count"; 509 "too many per second" is not)."""
    return error.code in PERMANENT_SUBSCRIBE_ERRORS or (
        error.code == 509 and ("subscription" in error.data or "per session" in error.data)
    )
