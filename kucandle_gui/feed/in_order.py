"""Series events delivered after the candles that came before them.

Candles reach a consumer through the :class:`.buffer.UpdateBuffer`, which it drains at its own
pace; events through the listener, called at once on the feed thread. Forwarded as they come,
an event overtakes the candles still waiting in the buffer: a ``HistoryEvent`` would say
"loaded" before the loaded candles are there, a ``SubscriptionEvent`` "no longer subscribed"
before the last pushes of the session it ends. A consumer that acts on the events (price
alerts look at a series' candles once its gap is filled) must see them in the feed's order.
"""

from __future__ import annotations

import threading

from .events import FeedEvent


class InOrder:
    """Series events (``SubscriptionEvent``, ``HistoryEvent``) held until the candles the feed
    produced before them were taken.

    The feed thread calls :meth:`hold` from its listener; the consumer, each turn, calls
    :meth:`take` *before* draining the update buffer, delivers the drained candles first and
    the taken events after them. That is sound because the feed puts a change's candles into
    the buffer before it emits the change's event (the merged history, then its
    ``HistoryEvent``; a session's pushes, then the ``SubscriptionEvent`` that ends it): every
    event taken was held after its candles were put, so they were put before the take, and
    the drain that follows finds them (or an earlier drain took them). Coalescing cannot move
    them later: a replaced update keeps its place in the queue.

    The guarantee goes one way: no event comes before the candles that preceded it. Candles
    put after an event but before the drain may come in the same batch, before it.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._held: list[FeedEvent] = []

    def hold(self, event: FeedEvent) -> None:
        """Keep ``event`` until the next :meth:`take` (the feed's thread)."""
        with self._lock:
            self._held.append(event)

    def take(self) -> list[FeedEvent]:
        """The events held so far, oldest first, now the consumer's: call before draining the
        buffer, and deliver them after what that drain returns."""
        with self._lock:
            taken, self._held = self._held, []
        return taken
