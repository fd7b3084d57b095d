"""Price alerts in headless mode: the window's own evaluation code, fed by the headless loop.

A :class:`MonitorModel` holds the printed series and, through its :class:`AlertBook`, the
1min series of every pair with an active alert; what it holds is exactly what the feed is
subscribed to. The feed hands candles over through its buffer and series events (subscribed,
history loaded) through its listener, on its own thread: :class:`InOrder` keeps each event
with the feed's mark and puts it exactly between the candles the feed produced before and
after it, so a backfill's candles reach the book before the event saying the gap is filled,
and the next session's pushes after the event saying the gap began. Everything else runs on
the loop's thread.
"""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from kucandle_gui.feed import (
    Delivery,
    ErrorEvent,
    FeedClient,
    HistoryEvent,
    InOrder,
    SubscriptionEvent,
)
from kucandle_gui.model import AlertSpec, Arming, Firing, MonitorModel, SeriesKey
from kucandle_gui.protocol import Candle, format_number


class HeadlessAlerts:
    """The monitor behind ``--alert``: candles and series events in, firings out.

    Built with more alerts (or pairs) than the book keeps, it raises :class:`AlertError`. An
    alert whose price is already crossed is armed anyway (headless has nobody to ask) and said
    once through ``say``.
    """

    def __init__(
        self, main: SeriesKey, specs: Sequence[AlertSpec], say: Callable[[str], None]
    ) -> None:
        self.main = main
        self._say = say
        self.monitor = MonitorModel()
        # Held for the whole run: an alert on the same series letting it go keeps it subscribed.
        self.monitor.hold(main)
        self._in_order = InOrder()
        #: Alert pairs' series the exchange refused (appended on the feed thread).
        self._refused: deque[SeriesKey] = deque()
        self._fired: list[Firing] = []
        book = self.monitor.alerts
        book.fired.connect(self._fired.append)
        book.unchecked.connect(self._unchecked)
        #: Alerts not armed yet: once armed, one whose price was already past is said once.
        self._unarmed = [book.add(spec, force=True).id for spec in specs]

    def wanted(self) -> tuple[SeriesKey, ...]:
        """The series the feed starts with: the printed one and the alert pairs' 1min."""
        return self.monitor.wanted()

    def drive(self, feed: FeedClient) -> None:
        """From now on the feed follows what the monitor holds (an alert that fired once lets
        its pair's series go)."""

        def follow(added: tuple[SeriesKey, ...], removed: tuple[SeriesKey, ...]) -> None:
            for key in added:
                feed.subscribe(*key)
            for key in removed:
                feed.unsubscribe(*key)

        self.monitor.subscriptions_changed.connect(follow)

    # -- the feed thread ---------------------------------------------------------------------

    def hold(self, event: SubscriptionEvent | HistoryEvent, mark: int) -> None:
        """A series event, with the feed's mark read right after its candles were put."""
        self._in_order.hold(event, mark)

    def refused(self, event: ErrorEvent) -> None:
        """The exchange will not serve an alert pair's series: its alerts stay, unserved."""
        if event.symbol and event.timeframe:
            self._refused.append(SeriesKey(event.symbol, event.timeframe))

    # -- the loop's thread ---------------------------------------------------------------------

    def turn(self, feed: FeedClient) -> list[Delivery]:
        """The feed's pending candles and the series events held, in the feed's order."""
        return self._in_order.turn(feed)

    def apply(self, deliveries: Sequence[Delivery]) -> list[Firing]:
        """A turn's candles and events, in their order; the firings they caused (and the
        clock's expiries), oldest first."""
        for updates, event in deliveries:
            by_series: defaultdict[tuple[str, str], list[Candle]] = defaultdict(list)
            for update in updates:
                by_series[update.symbol, update.timeframe].append(update.candle)
            for (symbol, timeframe), candles in by_series.items():
                self.monitor.apply(symbol, timeframe, candles)
            if isinstance(event, SubscriptionEvent):
                self.monitor.subscribed(event.symbol, event.timeframe, event.subscribed)
            elif isinstance(event, HistoryEvent):
                self.monitor.history_loaded(event.symbol, event.timeframe, event.complete)
        while self._refused:
            self.monitor.refused(*self._refused.popleft())
        self.monitor.alerts.tick()
        self._tell_armed_past()
        fired = self._fired.copy()
        self._fired.clear()  # the list the book's ``fired`` appends to
        return fired

    def _unchecked(self, symbol: str, start: int, end: int) -> None:
        """Candles of a gap that could not be loaded: its alerts could not be checked there."""
        span = " to ".join(
            datetime.fromtimestamp(t, UTC).strftime("%Y-%m-%d %H:%M UTC") for t in (start, end)
        )
        self._say(f"alert: {symbol}: alerts could not be checked from {span} (no candles)")

    def _tell_armed_past(self) -> None:
        """Say once of each alert armed while its price was already past that it waits for
        the price to go back first (a repeating alert waiting after a firing is not news)."""
        book = self.monitor.alerts
        still: list[int] = []
        for alert_id in self._unarmed:
            alert = book.get(alert_id)
            if alert is not None and alert.arming is Arming.PENDING:
                still.append(alert_id)
            elif alert is not None and alert.arming is Arming.WAITING and not alert.fire_count:
                last = book.last_price(alert.symbol)
                now = "" if last is None else f" (last price {format_number(last)})"
                price = format_number(alert.price)
                self._say(
                    f"alert: {alert.symbol} {alert.condition.verb} {price}: the price is already "
                    f"past it{now}; it fires once the price has gone back and reaches it again"
                )
        self._unarmed = still
