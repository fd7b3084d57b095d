"""Real parts the feed tests hold at a moment of their choosing, or listen to: a REST client
whose candle answers wait, once received, until the test lets them go; a tap that keeps every
call it is told."""

from __future__ import annotations

import functools
import threading
from typing import Any

from kucandle_gui.feed.rest import RestClient
from kucandle_gui.feed.tap import TAP_METHODS
from kucandle_gui.protocol import Candle

#: A tap call: the method's name and its arguments.
Call = tuple[str, tuple[Any, ...]]


class HeldRestClient(RestClient):
    """A real client (one attempt per call) whose candle answers, once received, wait until
    the test sets ``release``: a window in which a load is in flight."""

    def __init__(self, api_url: str) -> None:
        super().__init__(api_url, max_attempts=1)
        self.answered = threading.Event()
        self.release = threading.Event()

    def candles(self, symbol: str, timeframe: str, start: int, end: int) -> list[Candle]:
        found = super().candles(symbol, timeframe, start, end)
        self.answered.set()
        self.release.wait(10.0)
        return found


class TapLog:
    """A tap (``FeedTap``) that keeps every call, safe from any thread; a subclass's own
    method of the tap stands instead of the keeping one."""

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self._changed = threading.Condition()
        for name in TAP_METHODS:
            if not hasattr(type(self), name):
                setattr(self, name, functools.partial(self._keep, name))

    def _keep(self, name: str, *args: Any) -> None:
        with self._changed:
            self.calls.append((name, args))
            self._changed.notify_all()

    def of(self, name: str) -> list[tuple[Any, ...]]:
        with self._changed:
            return [args for n, args in self.calls if n == name]
