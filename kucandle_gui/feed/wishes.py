"""Subscribe and unsubscribe wishes of one session, waiting for the uplink.

The rule the candle series (:mod:`.subscriptions`) and the watched pairs' snapshot topics
(:mod:`.tickers`) share: only the last wish for a topic counts. A wish waits here, not in the
session, until the uplink has room; a wish that undoes a waiting one (a subscribe, then an
unsubscribe before either was sent, or the reverse) removes it, and a wish for what the
exchange already does once every request sent has arrived is no wish at all. Between sessions
nothing waits: the next session starts from what is wanted then.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Generic, TypeVar

Key = TypeVar("Key")


class Wishes(Generic[Key]):
    """What waits to be sent on the current session, and what was sent (feed thread only)."""

    def __init__(self) -> None:
        #: Whether a session is open: only then do wishes wait to be sent.
        self.live = False
        #: Wishes not sent yet, oldest first: True for subscribe.
        self.waiting: dict[Key, bool] = {}
        #: Whether the exchange serves each topic once every request sent has arrived.
        self.sent_on: dict[Key, bool] = {}

    def wish(self, key: Key, on: bool) -> None:
        """Want ``key``'s topic subscribed (``on``) or not."""
        if not self.live:
            return  # the next session subscribes to what is wanted then
        if on == self.sent_on.get(key, False):
            self.waiting.pop(key, None)  # undoes the waiting wish, or there was none
        else:
            self.waiting[key] = on

    def start(self, wanted: Iterable[Key]) -> None:
        """A new session: everything ``wanted`` waits to be subscribed on it."""
        self.live = True
        self.waiting = dict.fromkeys(wanted, True)

    def end(self) -> None:
        """The session ended: nothing waits, nothing was sent."""
        self.live = False
        self.waiting.clear()
        self.sent_on.clear()
