"""Series events delivered exactly between the candles that came before and after them.

Candles reach a consumer through the :class:`.buffer.UpdateBuffer`, which it drains at its own
pace; events through the listener, called at once on the feed thread. Forwarded as they come,
an event overtakes the candles still waiting in the buffer: a ``HistoryEvent`` would say
"loaded" before the loaded candles are there, a ``SubscriptionEvent`` "no longer subscribed"
before the last pushes of the session it ends. Delivered after a whole drain, it comes after
candles the feed put later: the next session's first pushes before the "no longer subscribed"
that precedes them. A consumer that acts on the events (price alerts stop evaluating a pair
at its gap, and catch up from where they stopped once it is filled) must see both in the
feed's order.

A series' pushes taken while its history loads are held by the feed and put after the merged
history *and* its complete ``HistoryEvent`` (:mod:`.series_history`), so a consumer takes them
as live, after its catch-up. That is right for alerts: a held push is put only if it changes
the series after the merge, i.e. is newer than the REST answers merged, among them one fetched
after the subscription came back; so what it adds was traded after the gap (barring an answer
that lags behind the pushes), and whatever it carried of the gap is in the answer, caught up.
"""

from __future__ import annotations

import threading
from typing import NamedTuple, Protocol

from .buffer import CandleUpdate
from .events import FeedEvent


class Marked(Protocol):
    """Where the candles come from: :class:`.client.FeedClient` or an ``UpdateBuffer``."""

    def mark(self) -> int: ...

    def drain(self, limit: int | None = None, through: int | None = None) -> list[CandleUpdate]: ...


class Delivery(NamedTuple):
    """Candles to deliver, then the event that followed them (None: the turn's last ones)."""

    candles: list[CandleUpdate]
    event: FeedEvent | None


class InOrder:
    """Series events (``SubscriptionEvent``, ``HistoryEvent``) held with the buffer's mark,
    and delivered between the candles queued before and after them.

    The feed thread, in its listener, calls ``hold(event, feed.mark())``: the feed puts a
    change's candles into the buffer before it emits the change's event (the merged history,
    then its ``HistoryEvent``; a session's pushes applied, then the ``SubscriptionEvent`` that
    ends it), and only the feed thread puts, so the mark read in the listener counts exactly the
    candles queued before the event. The consumer calls :meth:`turn` and delivers what it
    returns in order.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._held: list[tuple[FeedEvent, int]] = []

    def hold(self, event: FeedEvent, mark: int) -> None:
        """Keep ``event`` until the consumer takes it (the feed's thread); ``mark``: the
        buffer's mark read right after the event's candles were put."""
        with self._lock:
            self._held.append((event, mark))

    def turn(self, source: Marked) -> list[Delivery]:
        """One turn of the consumer: the pending candles and held events, in the feed's order.

        ``end = source.mark()`` is read *before* the held events are taken, and the turn
        takes candles only up to it (or up to a taken event's mark). That is exact: an event
        not taken now was held after the take, its mark read just before that hold with no
        put in between (only the feed thread puts, and it reads the mark in its listener), so
        its mark is the buffer's number at a moment after ``end`` was read: ``>= end``. Every
        candle delivered now is therefore before it, and each taken event comes after the
        candles up to its mark and before the rest.
        """
        end = source.mark()
        with self._lock:
            held, self._held = self._held, []
        deliveries = [Delivery(source.drain(through=mark), event) for event, mark in held]
        last = source.drain(through=end)
        if last:
            deliveries.append(Delivery(last, None))
        return deliveries
