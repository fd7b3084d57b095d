"""One series the app holds: its candles (the copy the screen draws), its state, its requests.

Plain Python with events (``model.events``), so the model is tested without a QApplication and
the Qt layer only observes it (napari's viewer model is the example). Runs on the UI thread: the
worker hands it what the feed delivered, views read it when they repaint.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import Enum

from kucandle_gui.feed import CandleSeries
from kucandle_gui.protocol import Candle

from .events import Event
from .keys import SeriesKey

#: Above this many candles a delivery is merged in one pass (new start times inserted with
#: one sort); below, each candle is upserted, which is O(1) at the live end.
_MERGE_ABOVE = 32


class SeriesState(Enum):
    """Whether a series can be drawn yet."""

    LOADING = "loading"  # subscribed, history not in yet
    READY = "ready"  # history in (possibly empty: a pair without recent trades)
    REFUSED = "refused"  # the exchange will not serve it


class SeriesModel:
    """Candles of one (symbol, timeframe) merged by the feed's rule, with events for views."""

    #: The candles changed (views coalesce redraws to the screen's frame rate).
    changed = Event()
    #: ``SeriesState``: loading, ready or refused.
    state_changed = Event()
    #: ``(key, before)``: older candles than ``before`` are wanted (asked once per edge).
    older_wanted = Event()
    #: ``key``: the exchange has no candles older than those held.
    no_older = Event()
    #: ``bool``: whether the feed's subscription is acknowledged (pushes flow) or not.
    subscription_changed = Event()

    def __init__(self, key: SeriesKey, max_candles: int | None) -> None:
        self.key = key
        self.candles = CandleSeries(key.symbol, key.timeframe, max_candles)
        self.state = SeriesState.LOADING
        #: Whether the exchange acknowledged the subscription on the current connection: a
        #: series shown as "live" must be.
        self.subscribed = False
        #: Oldest start time older history was asked before; None when no request is open.
        self._older_asked: int | None = None
        #: Whether the exchange answered that edge with nothing older.
        self._exhausted = False

    @property
    def refused(self) -> bool:
        """Whether the exchange will not serve this series (views say so; it is not saved)."""
        return self.state is SeriesState.REFUSED

    def apply(self, candles: Sequence[Candle]) -> bool:
        """Merge delivered candles; True (and ``changed`` emitted) when the series changed."""
        if len(candles) > _MERGE_ABOVE:
            changed = bool(self.candles.merge(candles))
        else:
            changed = False
            for candle in candles:
                if self.candles.upsert(candle):
                    changed = True
        if changed:
            self.changed.emit()
        return changed

    def restart(self) -> None:
        """Forget every candle and wait for history again (the source changed)."""
        self.candles.clear()
        self._older_asked = None
        self._exhausted = False
        self.set_state(SeriesState.LOADING)
        self.changed.emit()

    def set_subscribed(self, on: bool) -> None:
        if on != self.subscribed:
            self.subscribed = on
            self.subscription_changed.emit(on)

    def set_state(self, state: SeriesState) -> None:
        if state is not self.state:
            self.state = state
            self.state_changed.emit(state)

    def want_older(self, oldest: int) -> bool:
        """A view (or an alert catch-up) nears ``oldest``, the oldest candle held: ask once
        per edge, not per repaint, and never again for an edge the exchange has nothing
        before. True while an answer for the edge is to come (asked now or already); False
        when none will (refused, or nothing older exists)."""
        if self.state is SeriesState.REFUSED:
            return False
        if oldest == self._older_asked:
            return not self._exhausted
        self._older_asked = oldest
        self._exhausted = False
        self.older_wanted.emit(self.key, oldest)
        return True

    def older_loaded(self, candles: Sequence[Candle]) -> None:
        """Older candles arrived; none means the edge stays asked (nothing older exists)."""
        if candles:
            self._older_asked = None
            self.apply(candles)
        else:
            self._exhausted = self._older_asked is not None
            self.no_older.emit(self.key)

    def older_failed(self) -> None:
        """The request failed: the same edge may be asked again."""
        self._older_asked = None
