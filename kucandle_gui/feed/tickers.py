"""The pairs whose 24 h statistics the feed follows, and the snapshot requests that make the
exchange's ``/market/snapshot:{symbols}`` topics follow them.

The rules are those of the candle topics (:mod:`.subscriptions`), with comma lists:

- Only the last wish for a pair counts; wishes wait here until the uplink has room, and then
  go out as comma lists of at most ``SNAPSHOT_SYMBOLS_PER_REQUEST`` pairs of one kind
  (unsubscribes first: they free topics of the 400 a connection may hold). The candle
  requests share the same budget (the session's ``request_room``) and go first.
- Only the answer to the latest request sent for a pair counts for that pair, and a pair's
  pushes are applied only once the exchange acknowledged it on this session.
- An error is matched to its request by id or, when it carries the connectId, by the topic
  it names. KuCoin refuses a whole list for one bad pair: a refusal that cannot be fixed by
  retrying (:func:`.subscriptions.is_permanent`) drops the pair it names and the others are
  asked for again; when it names none, the list is split in halves, asked for again, and so
  on until the pair that the exchange refuses is alone (a bisection: a few requests, not one
  per pair). Other errors mean a sick connection, as for candles.
- A pair the exchange does not list, as its REST statistics tell (:meth:`drop_unknown`), is
  no longer watched either. KuCoin may accept its topic silently: an acknowledged one is
  unsubscribed, but no unsubscribe goes while the subscribe is unanswered, since an exchange
  that refuses the subscribe refuses the unsubscribe too, as a sick connection would.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass

from kucandle_gui.protocol import (
    SNAPSHOT_SYMBOLS_PER_REQUEST,
    SNAPSHOT_TOPIC_PREFIX,
    ErrorMessage,
    snapshot_topic,
)

from .connection import WsSession
from .subscriptions import is_permanent
from .wishes import Wishes

log = logging.getLogger(__name__)

#: The symbols after a snapshot topic's prefix in an error's text.
_NAMED = re.compile(re.escape(SNAPSHOT_TOPIC_PREFIX) + r"([A-Za-z0-9,\-]+)")


@dataclass(frozen=True, slots=True)
class SnapshotRequest:
    """A subscribe or unsubscribe sent for a comma list of pairs."""

    kind: str
    symbols: tuple[str, ...]

    @property
    def topic(self) -> str:
        return snapshot_topic(self.symbols)


@dataclass(frozen=True, slots=True)
class Refusal:
    """What an error answering one of our requests did to the watched pairs: ``refused``
    are no longer watched, ``retried`` wait to be asked for again; ``lost`` is the reason to
    drop the connection when the error is not the refusal of a pair."""

    request: SnapshotRequest
    refused: tuple[str, ...] = ()
    retried: tuple[str, ...] = ()
    lost: str | None = None


class SnapshotTopics:
    """Watched pairs, wishes waiting for the uplink, and snapshot requests in flight; used on
    the feed thread only."""

    def __init__(self) -> None:
        #: Watched pairs in the order they were added, each with the event set when it is
        #: no longer watched (its first values over REST are then thrown away).
        self._watched: dict[str, threading.Event] = {}
        #: Watched pairs the exchange serves on this session: their pushes are applied.
        self._served: set[str] = set()
        # The current session's wishes and requests; empty between sessions.
        self._wishes: Wishes[str] = Wishes()
        #: Largest list a pair may be asked for in, after a refusal of a list that named no
        #: pair (absent: ``SNAPSHOT_SYMBOLS_PER_REQUEST``).
        self._caps: dict[str, int] = {}
        #: The latest request sent for each pair, until it is answered.
        self._latest: dict[str, str] = {}
        #: Every request sent and not answered yet, by id, oldest first.
        self._requests: dict[str, SnapshotRequest] = {}

    def __len__(self) -> int:
        return len(self._watched)

    @property
    def watched(self) -> tuple[str, ...]:
        return tuple(self._watched)

    def serves(self, symbol: str) -> bool:
        """Whether ``symbol``'s pushes are applied: watched, and acknowledged on this session."""
        return symbol in self._served

    # -- wishes ----------------------------------------------------------------------------

    def watch(self, symbols: Iterable[str]) -> dict[str, threading.Event]:
        """Watch ``symbols``; returns those that were not watched yet, in order, each with
        the event set once it stops being watched."""
        added = {}
        for symbol in dict.fromkeys(symbols):
            if symbol in self._watched:
                continue
            added[symbol] = self._watched[symbol] = threading.Event()
            self._wishes.wish(symbol, True)
            if self._wishes.sent_on.get(symbol, False) and symbol not in self._latest:
                self._served.add(symbol)  # its topic still stands: no request was needed
        return added

    def unwatch(self, symbols: Iterable[str]) -> list[str]:
        """Stop watching ``symbols``; returns those that were watched."""
        removed = []
        for symbol in dict.fromkeys(symbols):
            if self._forget(symbol):
                removed.append(symbol)
                self._wishes.wish(symbol, False)
        return removed

    def drop_unknown(self, symbol: str) -> bool:
        """Stop watching ``symbol``, which the exchange does not list; returns whether it was
        watched. Its topic is unsubscribed unless its subscribe is unanswered: then the
        answer decides (an ack, see :meth:`acknowledged`; a refusal, nothing to undo)."""
        if self._wishes.sent_on.get(symbol, False) and symbol in self._latest:
            return self._forget(symbol)
        return bool(self.unwatch([symbol]))

    def _forget(self, symbol: str) -> bool:
        """Drop ``symbol`` from the watched pairs (no request); whether it was watched."""
        cancel = self._watched.pop(symbol, None)
        if cancel is None:
            return False
        cancel.set()
        self._served.discard(symbol)
        self._caps.pop(symbol, None)
        return True

    # -- the session -----------------------------------------------------------------------

    def resubscribe(self) -> None:
        """A new session: every watched pair waits to be subscribed on it."""
        self._wishes.start(self._watched)

    def session_ended(self) -> None:
        """Forget the session's requests: no pair is served until subscribed again."""
        self._wishes.end()
        for state in (self._caps, self._latest, self._requests):
            state.clear()
        self._served.clear()

    def flush(self, session: WsSession) -> None:
        """Hand the waiting wishes to the session as lists, while its uplink has room."""
        while self._wishes.waiting and session.request_room():
            on, batch = self._next_batch()
            request = SnapshotRequest("subscribe" if on else "unsubscribe", tuple(batch))
            ident = session.request(request.kind, request.topic)
            self._requests[ident] = request
            for symbol in batch:
                del self._wishes.waiting[symbol]
                self._latest[symbol] = ident
                self._wishes.sent_on[symbol] = on

    def _next_batch(self) -> tuple[bool, list[str]]:
        """The next list to ask for: unsubscribes first, oldest wishes first, as many as the
        caps of the pairs in it allow."""
        on = False not in self._wishes.waiting.values()
        cap = SNAPSHOT_SYMBOLS_PER_REQUEST
        batch: list[str] = []
        for symbol, wish in self._wishes.waiting.items():
            if wish != on:
                continue
            fits = min(cap, self._caps.get(symbol, SNAPSHOT_SYMBOLS_PER_REQUEST))
            if len(batch) < fits:
                batch.append(symbol)
                cap = fits
            if len(batch) >= cap:
                break
        return on, batch

    # -- answers ----------------------------------------------------------------------------

    def owns(self, ident: str | None) -> bool:
        """Whether ``ident`` is the id of one of our requests still unanswered."""
        return ident in self._requests

    def acknowledged(self, session: WsSession, ident: str | None) -> list[str]:
        """The pairs this ack makes served (now marked so): those of a subscribe that is the
        latest request for them, still watched. Those no longer watched are unsubscribed."""
        taken = self._take(session, ident)
        if taken is None:
            return []
        request, current = taken
        if request.kind != "subscribe":
            return []
        for symbol in current:
            if symbol not in self._watched:
                self._wishes.wish(symbol, False)
        served = [s for s in current if s in self._watched and s not in self._served]
        self._served.update(served)
        return served

    def failed(self, session: WsSession, error: ErrorMessage) -> Refusal | None:
        """What the error does, if it answers one of our requests (by id, else by the topic
        its text names: the oldest such request, the exchange answers in order)."""
        ident = error.id if error.id in self._requests else self._by_text(error.data)
        taken = self._take(session, ident)
        if taken is None:
            return None
        request, current = taken
        if request.kind == "subscribe":
            for symbol in current:
                self._wishes.sent_on[symbol] = False
                if symbol not in self._watched:
                    self._wishes.waiting.pop(symbol, None)  # its unsubscribe is not needed
        if not current:  # later requests for its pairs stand, and get their answers
            log.info(
                "%s: error %s %s ignored, later requests were sent",
                request.topic,
                error.code,
                error.data,
            )
            return Refusal(request)
        if request.kind != "subscribe" or not is_permanent(error):
            return Refusal(
                request,
                lost=f"{request.kind} {request.topic} failed: error {error.code} {error.data}",
            )
        return self._refused(request, [s for s in current if s in self._watched], error)

    def _refused(self, request: SnapshotRequest, mine: list[str], error: ErrorMessage) -> Refusal:
        """Drop the pair the refusal is about, and ask again for the others of its list."""
        named = _named(error.data) & set(request.symbols)
        if len(request.symbols) == 1 or len(named) == 1:
            refused = [s for s in mine if s in named or len(request.symbols) == 1]
        else:  # which pair it is cannot be told: ask for each half of the list on its own
            refused = []
            half = (len(request.symbols) + 1) // 2
            for symbol in mine:
                self._caps[symbol] = min(half, self._caps.get(symbol, half))
        self.unwatch(refused)
        retried = [s for s in mine if s not in refused]
        for symbol in retried:
            self._wishes.wish(symbol, True)
        return Refusal(request, tuple(refused), tuple(retried))

    def _by_text(self, text: str) -> str | None:
        """The oldest request for exactly the pairs the text names, else the oldest for one
        of them."""
        named = _named(text)
        exact = (i for i, r in self._requests.items() if set(r.symbols) == named)
        some = (i for i, r in self._requests.items() if named & set(r.symbols))
        return next(exact, None) or next(some, None)

    def _take(
        self, session: WsSession, ident: str | None
    ) -> tuple[SnapshotRequest, list[str]] | None:
        """The request ``ident`` answers, now forgotten, and its pairs for which it was the
        latest request sent."""
        if ident is None or ident not in self._requests or not session.answered(ident):
            return None
        request = self._requests.pop(ident)
        current = [s for s in request.symbols if self._latest.get(s) == ident]
        for symbol in current:
            del self._latest[symbol]
        return request, current


def _named(text: str) -> set[str]:
    """The pairs of the snapshot topics an error's text names."""
    return {s for names in _NAMED.findall(text) for s in names.split(",") if s}
