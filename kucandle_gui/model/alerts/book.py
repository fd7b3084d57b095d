"""Every alert, evaluated on its pair's 1min candles, live and across gaps.

The rules (``rules``): "rises to P" fires on the first candle whose high reaches P after the
alert was armed (on the candle open at arming: a close reaching P, or a high moving past what it
was then). A pair is in a gap from the moment its series is held, and again whenever its
subscription is lost, until a complete history load arrives while subscribed (the monitor calls
:meth:`AlertBook.gap` and :meth:`AlertBook.filled`). Candles pushed during a gap are not
evaluated: a reconnect's first push may come before a slow backfill, and the firing must name
the first candle that reached the price. The catch-up after the gap evaluates the series from
the pair's watermark (the newest candle evaluated) in candle order, once; when the series does
not reach back that far it first asks for older candles (``older_wanted``) and reports what it
could not check (``unchecked``): see ``catch_up``.

Plain Python on the UI thread (headless: its loop); the clock is injected so tests drive time.
The real exchange's alerts persist; demo mode evaluates a separate, never-saved set.

Arming (``arming``): an alert added, edited, moved or re-armed arms from the later of its
pair's newest candle known and E, a lower bound of the exchange's current minute measured by
elapsed time (:meth:`AlertBook.exchange_minute`); with no candle of the pair known (no series
of it held this session) it is PENDING and arms at its first candles, their extreme the base.

Two clocks. Candle starts are the exchange's; ``clock`` is this machine's wall time: for
``created_at``, a live firing's ``reached_at``, what the user sets, and elapsed time. Live,
expiry and the cool-down's end are compared with ``clock()``; in a catch-up, with candle
starts (``rules``; candles from ``expires_at`` on are not evaluated, then the alert expires
when such a candle exists or ``clock()`` has passed it). A simulated exchange (demo mode) may
be far from the machine's clock: that changes the cool-downs and expiries met in a catch-up.

A late firing is ``while_closed`` when found by the pair's first catch-up after a load of the
saved book (``AlertSet.closed``) on a candle starting before the minute of ``session_start``:
the saved set is always the real exchange's, whose clock is the machine's within seconds.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

from kucandle_gui.feed import CandleSeries
from kucandle_gui.protocol import Candle, candle_start

from ..events import Event
from . import arming, catch_up, persistence, rules
from .alert import Alert, AlertState, Firing
from .alert_set import AlertSet
from .arming import MinuteFloor
from .spec import ALERT_TIMEFRAME, MAX_ALERTS, MAX_LOG, AlertError, AlertSpec, Condition


class AlertBook:
    """The alerts of the current source, what they need from the feed, and their firings."""

    #: ``alert_id`` or None (many or all changed: a load, a source switch, the log cleared).
    changed = Event()
    #: ``Firing``, after the alert's state was updated.
    fired = Event()
    #: ``(added, removed)``: pairs that gained their first / lost their last active alert.
    symbols_changed = Event()
    #: ``(symbol, before)``: the pair's catch-up waits for its 1min candles older than
    #: ``before`` (the monitor asks the feed; answered by :meth:`older_loaded` or
    #: :meth:`older_missing`).
    older_wanted = Event()
    #: ``(symbol, start, end)``: candles of the pair starting in ``[start, end)`` could not be
    #: checked (no older candles to be had): an alert may have been reached then unseen.
    unchecked = Event()

    def __init__(
        self, clock: Callable[[], float] = time.time, session_start: float | None = None
    ) -> None:
        self._clock = clock
        #: When this session started, by ``clock``: a firing of the first catch-up after a
        #: load on a candle before its minute is ``while_closed`` (module docstring).
        self.session_start = clock() if session_start is None else session_start
        self.simulated = False
        #: E, from the newest candle received from the current source (any pair).
        self._floor = MinuteFloor(clock)
        self._real = AlertSet()
        self._cur = self._real
        self._next_id = 1
        self._symbols: tuple[str, ...] = ()

    # -- reading -------------------------------------------------------------------------------

    def alerts(self) -> list[Alert]:
        return list(self._cur.alerts.values())

    def get(self, alert_id: int) -> Alert | None:
        return self._cur.alerts.get(alert_id)

    def symbols(self) -> tuple[str, ...]:
        """Pairs with active alerts: the 1min series the monitor holds."""
        return tuple(self._cur.by_symbol)

    @property
    def log(self) -> list[Firing]:
        return self._cur.log

    def last_price(self, symbol: str) -> float | None:
        newest = self._cur.newest.get(symbol)
        return None if newest is None else newest.close

    def exchange_minute(self) -> int | None:
        """E, a lower bound of the exchange's current minute (``arming``), or None."""
        return self._floor.minute()

    # -- editing ---------------------------------------------------------------------------------

    def add(
        self, spec: AlertSpec, *, force: bool = False, last_price: float | None = None
    ) -> Alert:
        """A new alert, armed as the module's docstring says (``last_price``: the caller's
        price of the pair, used when the book has none).

        :class:`AlreadyCrossed` when the last price is already past the price (``force`` arms
        it anyway: it waits for the price to go back across); ``AlertError(field="limit")``."""
        if len(self._cur.alerts) >= MAX_ALERTS:
            raise AlertError("limit", f"at most {MAX_ALERTS} alerts are kept: remove some first")
        self._cur.check_room(spec.symbol)
        self._check_expiry(spec)
        last = self._last_known(spec.symbol, last_price)
        alert = Alert(self._next_id, spec, self._clock())
        self._next_id += 1
        rules.check_crossed(spec, last, force)
        self._arm_fresh(alert, last)
        self._cur.alerts[alert.id] = alert
        self._after_edit(alert, spec.symbol)
        return alert

    def update(
        self,
        alert_id: int,
        spec: AlertSpec,
        *,
        force: bool = False,
        last_price: float | None = None,
    ) -> Alert:
        """Edit: the same checks as :meth:`add`; id and firings kept. An active alert whose
        pair, condition and price stay keeps its arming (and cool-down): a new note, expiry,
        cool-down or repeat is not a new alert. Otherwise it is armed afresh."""
        alert = self._require(alert_id)
        if not alert.active or spec.symbol != alert.symbol:
            self._cur.check_room(spec.symbol)
        self._check_expiry(spec)
        old = alert.symbol
        asked = (spec.symbol, spec.condition, spec.price)
        if alert.active and asked == (alert.symbol, alert.condition, alert.price):
            alert.spec = spec
        else:
            last = self._last_known(spec.symbol, last_price)
            rules.check_crossed(spec, last, force)
            alert.spec = spec
            self._arm_fresh(alert, last)
        self._after_edit(alert, old, spec.symbol)
        return alert

    def move(self, alert_id: int, price: float, *, last_price: float | None = None) -> Alert:
        """A new price (a line dragged on the chart); the condition follows the side of the last
        price (the book's, else ``last_price``), so it never raises :class:`AlreadyCrossed`."""
        alert = self._require(alert_id)
        spec = alert.spec.replace(price=price)
        last = self._last_known(spec.symbol, last_price)
        if last is not None and last != spec.price:
            condition = Condition.ABOVE if spec.price > last else Condition.BELOW
            spec = spec.replace(condition=condition)
        if not alert.active:
            self._cur.check_room(spec.symbol)
        alert.spec = spec
        self._arm_fresh(alert, last)
        self._after_edit(alert, spec.symbol)
        return alert

    def rearm(self, alert_id: int, *, last_price: float | None = None) -> Alert:
        """A triggered or expired alert active again (armed anyway if already crossed); an
        expiry that has passed is cleared (re-arming says the user wants it watched again).
        ``last_price`` as for :meth:`add`."""
        alert = self._require(alert_id)
        if not alert.active:
            self._cur.check_room(alert.symbol)
        expires_at = alert.expires_at
        if expires_at is not None and expires_at <= self._clock():
            alert.spec = alert.spec.replace(expires_at=None)
        self._arm_fresh(alert, self._last_known(alert.symbol, last_price))
        self._after_edit(alert, alert.symbol)
        return alert

    def remove(self, alert_id: int) -> None:
        alert = self._cur.alerts.pop(alert_id, None)
        if alert is not None:
            self._after_edit(alert, alert.symbol)

    def clear_log(self) -> None:
        self._cur.log.clear()
        self.changed.emit(None)

    def _require(self, alert_id: int) -> Alert:
        alert = self._cur.alerts.get(alert_id)
        if alert is None:
            raise KeyError(f"no alert {alert_id}")
        return alert

    def _check_expiry(self, spec: AlertSpec) -> None:
        if spec.expires_at is not None and spec.expires_at <= self._clock():
            raise AlertError("expires", "the expiry time has passed: choose a later one")

    def _last_known(self, symbol: str, last_price: float | None) -> float | None:
        """The pair's last price: the book's own, else the caller's (watchlist, chart)."""
        last = self.last_price(symbol)
        return last_price if last is None else last

    def _arm_fresh(self, alert: Alert, last: float | None) -> None:
        src = self._cur
        alert.unserved = alert.symbol in src.refused
        arming.arm_fresh(alert, src.newest.get(alert.symbol), self.exchange_minute(), last)

    def _after_edit(self, alert: Alert, *symbols: str) -> None:
        self._cur.reindex(*symbols)
        self._sync_symbols()
        self.changed.emit(alert.id)

    # -- what the feed delivers --------------------------------------------------------------

    def candles(self, symbol: str, candles: Sequence[Candle]) -> None:
        """Live 1min candles of ``symbol`` (any order); evaluated unless the pair is in a gap."""
        src = self._cur
        alerts = src.by_symbol.get(symbol)
        if not candles:
            return
        ordered = sorted(candles, key=lambda c: c.time) if len(candles) > 1 else candles
        self._floor.observe(ordered[-1])
        newest = src.saw(symbol, ordered[-1])  # a chart's pair too: an alert added arms there
        if not alerts or symbol not in src.live:
            return
        now = self._clock()
        touched, firings = rules.live(
            tuple(alerts),
            ordered,
            newest.time,
            now,
            lambda alert, t: Firing.of(alert, t, now, False, False, self.simulated),
        )
        src.watermarks[symbol] = max(src.watermarks.get(symbol, 0), ordered[-1].time)
        if touched:
            self._report(symbol, touched, firings)

    def released(self, symbol: str) -> None:
        """No 1min series of the pair is held now: an alert added later waits for its candles."""
        self._cur.newest.pop(symbol, None)

    def gap(self, symbol: str) -> None:
        """The pair's subscription is lost: its candles wait for the gap to be filled."""
        self._cur.live.discard(symbol)
        self._cur.seeking.pop(symbol, None)

    def filled(self, symbol: str, series: CandleSeries) -> None:
        """The pair's history is complete again: evaluate what happened during the gap, once
        (first asking for older candles if the series does not reach back far enough)."""
        src = self._cur
        if (last := series.last()) is not None:
            self._floor.observe(last)
            src.saw(symbol, last)
        if src.by_symbol.get(symbol) and symbol not in src.live:
            self._fill(symbol, series, older=True)

    def older_loaded(self, symbol: str, series: CandleSeries) -> None:
        """Older 1min candles of the pair arrived: a catch-up waiting for them goes on."""
        if symbol in self._cur.seeking:
            self._fill(symbol, series, older=True)

    def older_missing(self, symbol: str, series: CandleSeries) -> None:
        """No older 1min candles of the pair can be had (the request failed, the exchange has
        none, nobody can ask): a catch-up waiting for them goes on from what is held."""
        if symbol in self._cur.seeking:
            self._fill(symbol, series, older=False)

    def _fill(self, symbol: str, series: CandleSeries, *, older: bool) -> None:
        """Ask for older candles while the series does not reach the catch-up's start (and
        they may come); else catch up, reporting the span no candle covers."""
        src = self._cur
        alerts, asked = src.by_symbol.get(symbol), src.seeking.pop(symbol, None)
        last = series.last()
        if not alerts:
            return
        if last is None:  # no candle at all (no trades yet): the next push arms
            src.live.add(symbol)
            src.closed.discard(symbol)
            self._expire(symbol, alerts)  # expires the overdue now (``changed``: no polling)
            return
        start = catch_up.start(src.watermarks.get(symbol), alerts, last)
        edge = catch_up.older_edge(series, start, asked) if older else None
        if edge is not None:
            src.seeking[symbol] = edge
            self.older_wanted.emit(symbol, edge)
            return
        src.live.add(symbol)
        src.newest[symbol] = last
        closed = symbol in src.closed
        src.closed.discard(symbol)
        opened = candle_start(ALERT_TIMEFRAME, self.session_start)
        touched, firings = catch_up.evaluate(
            tuple(alerts),
            series,
            start,
            self._clock(),
            lambda alert, t: Firing.of(
                alert, t, float(t), True, closed and t < opened, self.simulated
            ),
        )
        src.watermarks[symbol] = last.time
        hole = catch_up.hole(series, start)
        if hole is not None:
            self.unchecked.emit(symbol, *hole)
        if touched:
            self._report(symbol, touched, firings)

    def refused(self, symbol: str) -> None:
        """The exchange will not serve the pair: its alerts say so (and stay active)."""
        src = self._cur
        alerts = src.by_symbol.get(symbol)
        if not alerts:
            return
        src.refused.add(symbol)
        for alert in alerts:
            if not alert.unserved:
                alert.unserved = True
                self.changed.emit(alert.id)

    def tick(self) -> None:
        """Expiry by the clock, for pairs not in a gap (a gap's catch-up may still fire)."""
        src = self._cur
        for symbol, alerts in tuple(src.by_symbol.items()):
            if symbol in src.live or symbol in src.refused:
                self._expire(symbol, alerts)

    def _expire(self, symbol: str, alerts: Sequence[Alert]) -> None:
        """Expire the alerts of ``symbol`` whose ``expires_at`` the clock has passed."""
        now = self._clock()
        expired = [a for a in alerts if a.expires_at is not None and now >= a.expires_at]
        for alert in expired:
            alert.state = AlertState.EXPIRED
        if expired:
            self._report(symbol, expired, [])

    def _report(self, symbol: str, touched: list[Alert], firings: list[Firing]) -> None:
        """Alerts of ``symbol`` changed state: index, events, and the pairs the feed carries."""
        src = self._cur
        src.reindex(symbol)
        if firings:
            src.log.extend(firings)
            del src.log[:-MAX_LOG]
        for alert in touched:
            self.changed.emit(alert.id)
        for firing in firings:
            self.fired.emit(firing)
        self._sync_symbols()

    def _sync_symbols(self) -> None:
        """Tell the monitor which pairs gained or lost their active alerts; a pair let go
        forgets what the book knew of it (held again, it starts in a gap)."""
        src = self._cur
        now = self.symbols()
        old = self._symbols
        added = tuple(s for s in now if s not in old)
        removed = tuple(s for s in old if s not in src.by_symbol)
        self._symbols = now
        for symbol in removed:
            src.forget(symbol)
        if added or removed:
            self.symbols_changed.emit(added, removed)

    # -- sources and persistence ------------------------------------------------------------

    def set_simulated(self, on: bool) -> None:
        """Demo mode: a separate, empty, never-saved set; leaving it restores the real one,
        which catches up from its watermarks once its series reload."""
        if on == self.simulated:
            return
        self.simulated = on
        self._floor.reset()
        self._cur = AlertSet() if on else self._real
        self._cur.restart()
        self._sync_symbols()
        self.changed.emit(None)

    def to_dict(self) -> dict:
        """The real exchange's alerts, log and watermarks, JSON-able."""
        real = self._real
        return persistence.dump(real.alerts.values(), real.log, real.watermarks)

    def load(self, data: object) -> list[str]:
        """Replace the real set with saved data; returns what was skipped, never raises."""
        loaded = persistence.load(data)
        new = AlertSet.saved(loaded.alerts, loaded.log, loaded.watermarks, self._real)
        if loaded.alerts:
            self._next_id = max(self._next_id, max(a.id for a in loaded.alerts) + 1)
        self._real = new
        if not self.simulated:
            self._cur = new
            self._sync_symbols()
            self.changed.emit(None)
        return loaded.problems
