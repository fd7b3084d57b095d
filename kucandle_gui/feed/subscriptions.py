"""The series the feed wants, and the requests that make the exchange's topics follow them.

Kept apart from the reconnect loop because the bookkeeping has rules of its own:

- Only the last wish counts (:class:`.wishes.Wishes`): a subscribe or unsubscribe waits
  until the uplink has room for it (:meth:`Subscriptions.flush`), and one that undoes a
  waiting one removes it. A burst of pair switches thus sends what its end needs, not every
  step of the way at the uplink's pace.
- Only the answer to the latest request sent for a series counts: the ack of a subscribe
  that a later unsubscribe overtook says nothing about what the exchange does now.
- A series is *subscribed* (its pushes taken) once the exchange serves it on this session,
  and every time it becomes subscribed its history is loaded again (the owner's part), so a
  time it was not subscribed, after a reconnect or a re-subscribe, leaves no hole; its
  pushes wait for that history (:class:`.held.HeldPushes`), and go with the series when it
  is dropped.
- An exchange error must be matched to the request it answers (else a refused topic would be
  retried on every reconnect, forever).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from kucandle_gui.protocol import ErrorMessage, candle_topic

from .connection import WsSession
from .held import HeldPushes
from .series import CandleSeries
from .wishes import Wishes

SeriesKey = tuple[str, str]
#: What a request asked: ("subscribe" or "unsubscribe", the series).
Request = tuple[str, SeriesKey]

#: Subscribe errors that retrying cannot fix: invalid topic, login required, no such topic,
#: topic required. Anything else (500, 509 ...) is treated as a sick connection.
PERMANENT_SUBSCRIBE_ERRORS = frozenset({400, 403, 404, 406})


@dataclass(slots=True)
class Subscription:
    """One wanted series: its candles and whether the exchange serves it on this session."""

    series: CandleSeries
    #: Set when the series is dropped, so that pending history loads are thrown away.
    cancel: threading.Event = field(default_factory=threading.Event)
    #: The exchange acknowledged it on this session: its pushes are taken.
    acked: bool = False
    #: History loads submitted and not merged yet (feed thread only). A load is not
    #: cancelled when its session ends (it retries until it succeeds), so one of an earlier
    #: session may still be out when the next session's finishes.
    loads: int = 0
    #: Pushes taken while a load is out, applied once the last one is merged.
    held: HeldPushes = field(default_factory=HeldPushes)


@dataclass(frozen=True, slots=True)
class Answer:
    """An ack or error matched to its request; ``latest`` when no later request for the same
    series was sent since (only then does it tell what the exchange does now)."""

    kind: str
    key: SeriesKey
    latest: bool


class Subscriptions:
    """Wanted series, wishes waiting for the uplink, and requests in flight; changed on the
    feed thread only.

    The lock guards the set of series for the one reader on other threads
    (:meth:`candles_held`); the feed thread's own lookups go without it.
    """

    def __init__(self, max_candles: int, keep_pushes: int = 0) -> None:
        self._max_candles = max_candles
        #: Held pushes of a series keep their own entries up to this many (``HeldPushes``).
        self._keep_pushes = keep_pushes
        self._wanted: dict[SeriesKey, Subscription] = {}
        self._lock = threading.Lock()
        # The current session's wishes and requests; empty between sessions.
        self._wishes: Wishes[SeriesKey] = Wishes()
        #: The latest request sent for each series, until it is answered.
        self._latest: dict[SeriesKey, str] = {}
        #: Every request sent and not answered yet, by id.
        self._requests: dict[str, Request] = {}

    def get(self, key: SeriesKey) -> Subscription | None:
        return self._wanted.get(key)

    def __len__(self) -> int:
        return len(self._wanted)

    def candles_held(self) -> int:
        """Candles held in all the series (safe from any thread)."""
        with self._lock:
            return sum(len(s.series) for s in self._wanted.values())

    # -- wishes ----------------------------------------------------------------------------

    def add(self, key: SeriesKey) -> Subscription | None:
        """Want ``key`` (with an empty series); None if it was wanted already. The new
        series may be served at once (see :meth:`served`)."""
        if key in self._wanted:
            return None
        subscription = Subscription(
            CandleSeries(key[0], key[1], self._max_candles),
            held=HeldPushes(self._keep_pushes, self._max_candles),
        )
        with self._lock:
            self._wanted[key] = subscription
        self._wishes.wish(key, True)
        return subscription

    def drop(self, key: SeriesKey) -> Subscription | None:
        """Stop wanting ``key``, cancel its pending history and discard its held pushes;
        None if it was not wanted."""
        with self._lock:
            subscription = self._wanted.pop(key, None)
        if subscription is None:
            return None
        subscription.cancel.set()
        subscription.held.clear()
        self._wishes.wish(key, False)
        return subscription

    def served(self, key: SeriesKey) -> Subscription | None:
        """The wanted series ``key`` when the exchange serves it now and it was not marked
        subscribed yet (a re-subscribe that its still-standing topic made unnecessary), now
        marked; else None."""
        subscription = self._wanted.get(key)
        if (
            subscription is None
            or subscription.acked
            or not self._wishes.sent_on.get(key, False)
            or key in self._latest
        ):
            return None
        subscription.acked = True
        return subscription

    # -- the session -----------------------------------------------------------------------

    def resubscribe(self) -> None:
        """A new session: every wanted series waits to be subscribed on it."""
        self._wishes.start(self._wanted)

    def session_ended(self) -> list[SeriesKey]:
        """Forget the session's requests; returns the series that were subscribed on it."""
        self._wishes.end()
        self._latest.clear()
        self._requests.clear()
        subscribed = [key for key, s in self._wanted.items() if s.acked]
        for key in subscribed:
            self._wanted[key].acked = False
        return subscribed

    def flush(self, session: WsSession) -> None:
        """Hand the waiting wishes to the session while its uplink has room, oldest first."""
        while self._wishes.waiting and session.request_room():
            key = next(iter(self._wishes.waiting))
            on = self._wishes.waiting.pop(key)
            kind = "subscribe" if on else "unsubscribe"
            ident = session.request(kind, candle_topic(*key))
            self._requests[ident] = (kind, key)
            self._latest[key] = ident
            self._wishes.sent_on[key] = on

    # -- answers ----------------------------------------------------------------------------

    def acknowledged(
        self, session: WsSession, ident: str | None
    ) -> tuple[SeriesKey, Subscription] | None:
        """The series that this ack makes subscribed (now marked so), if any: the ack must
        answer the latest request for a wanted series, a subscribe."""
        answer = self._answer(session, ident)
        if answer is None or not answer.latest or answer.kind != "subscribe":
            return None
        subscription = self.served(answer.key)
        return None if subscription is None else (answer.key, subscription)

    def answered_by(self, session: WsSession, error: ErrorMessage) -> Answer | None:
        """The request an error answers: by id, or, since the docs say error ids may be the
        connectId, by the topic named in its text (the oldest such request: the exchange
        answers in order). A failed subscribe leaves its series not served."""
        ident = error.id
        if ident not in self._requests:
            ident = next(
                (i for i, (_, key) in self._requests.items() if candle_topic(*key) in error.data),
                None,
            )
        answer = self._answer(session, ident)
        if answer is not None and answer.latest and answer.kind == "subscribe":
            self._wishes.sent_on[answer.key] = False
        return answer

    def _answer(self, session: WsSession, ident: str | None) -> Answer | None:
        if ident is None or not session.answered(ident):
            return None
        request = self._requests.pop(ident, None)
        if request is None:
            return None
        kind, key = request
        latest = self._latest.get(key) == ident
        if latest:
            del self._latest[key]
        return Answer(kind, key, latest)


def is_permanent(error: ErrorMessage) -> bool:
    """A subscribe error that retrying cannot fix (a full session is one: 509 "exceed max
    subscription count"; 509 "too many per second" is not)."""
    return error.code in PERMANENT_SUBSCRIBE_ERRORS or (
        error.code == 509 and ("subscription" in error.data or "per session" in error.data)
    )
