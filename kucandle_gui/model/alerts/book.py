"""Every alert, evaluated on its pair's 1min candles, live and across gaps.

The rules (``rules``): "rises to P" fires on the first candle whose high reaches P after the
alert was armed; for the candle open at arming, only a high that moves past what it was then
counts. A pair is in a gap from the moment its series is held, and again whenever its
subscription is lost, until a complete history load arrives while subscribed (the monitor calls
:meth:`AlertBook.gap` and :meth:`AlertBook.filled`). Candles pushed during a gap are not
evaluated: a reconnect's first push may come before a slow backfill, and the firing must name
the first candle that reached the price. The catch-up after the gap evaluates the series from
the pair's watermark (the newest candle evaluated) in candle order, once.

Plain Python on the UI thread (headless: its loop); the clock is injected so tests drive time.
The real exchange's alerts persist; demo mode evaluates a separate, never-saved set.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

from kucandle_gui.feed import CandleSeries
from kucandle_gui.protocol import Candle, candle_start

from ..events import Event
from . import persistence, rules
from .alert import Alert, AlertState, Arming, Firing
from .alert_set import AlertSet
from .spec import (
    ALERT_TIMEFRAME,
    MAX_ALERT_PAIRS,
    MAX_ALERTS,
    MAX_LOG,
    AlertError,
    AlertSpec,
    AlreadyCrossed,
    Condition,
)


def _mark(alert: Alert) -> tuple:
    """What a view shows of an alert's state: compared to tell whether it changed."""
    return (alert.state, alert.arming, alert.since, alert.cooling_until, alert.fire_count)


class AlertBook:
    """The alerts of the current source, what they need from the feed, and their firings."""

    #: ``alert_id`` or None (many or all changed: a load, a source switch, the log cleared).
    changed = Event()
    #: ``Firing``, after the alert's state was updated.
    fired = Event()
    #: ``(added, removed)``: pairs that gained their first / lost their last active alert.
    symbols_changed = Event()

    def __init__(
        self, clock: Callable[[], float] = time.time, session_start: float | None = None
    ) -> None:
        self._clock = clock
        #: Firings of candles older than this were reached while the app was not running.
        self.session_start = clock() if session_start is None else session_start
        self.simulated = False
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

    # -- editing ---------------------------------------------------------------------------------

    def add(
        self, spec: AlertSpec, *, force: bool = False, last_price: float | None = None
    ) -> Alert:
        """A new alert, armed at the pair's newest candle when it is live, else PENDING.

        :class:`AlreadyCrossed` when the last price is already past the price (``force`` arms
        it anyway: it waits for the price to go back across); ``AlertError(field="limit")``."""
        if len(self._cur.alerts) >= MAX_ALERTS:
            raise AlertError("limit", f"at most {MAX_ALERTS} alerts are kept: remove some first")
        self._check_room(spec.symbol)
        self._check_expiry(spec)
        crossed = self._crossed(spec, force, last_price)
        alert = Alert(self._next_id, spec, self._clock())
        self._next_id += 1
        self._arm_fresh(alert, crossed)
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
        """Edit: the same checks as :meth:`add`; re-armed fresh, id and firings kept."""
        alert = self._require(alert_id)
        if not alert.active or spec.symbol != alert.symbol:
            self._check_room(spec.symbol)
        self._check_expiry(spec)
        crossed = self._crossed(spec, force, last_price)
        old = alert.symbol
        alert.spec = spec
        self._arm_fresh(alert, crossed)
        self._after_edit(alert, old, spec.symbol)
        return alert

    def move(self, alert_id: int, price: float) -> Alert:
        """A new price (a line dragged on the chart); the condition follows the side of the last
        price, so it never raises :class:`AlreadyCrossed`."""
        alert = self._require(alert_id)
        spec = alert.spec.replace(price=price)
        last = self.last_price(spec.symbol)
        if last is not None and last != spec.price:
            condition = Condition.ABOVE if spec.price > last else Condition.BELOW
            spec = spec.replace(condition=condition)
        if not alert.active:
            self._check_room(spec.symbol)
        alert.spec = spec
        self._arm_fresh(alert, self._crossed(spec, True, None))
        self._after_edit(alert, spec.symbol)
        return alert

    def rearm(self, alert_id: int) -> Alert:
        """A triggered or expired alert active again (armed anyway if already crossed)."""
        alert = self._require(alert_id)
        if not alert.active:
            self._check_room(alert.symbol)
        self._check_expiry(alert.spec)
        self._arm_fresh(alert, self._crossed(alert.spec, True, None))
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

    def _check_room(self, symbol: str) -> None:
        by_symbol = self._cur.by_symbol
        if symbol not in by_symbol and len(by_symbol) >= MAX_ALERT_PAIRS:
            raise AlertError(
                "limit",
                f"alerts can watch at most {MAX_ALERT_PAIRS} pairs at once (each needs a live "
                f"subscription): remove the alerts of another pair first",
            )

    def _check_expiry(self, spec: AlertSpec) -> None:
        if spec.expires_at is not None and spec.expires_at <= self._clock():
            raise AlertError("expires", "the expiry time has passed: choose a later one")

    def _crossed(self, spec: AlertSpec, force: bool, last_price: float | None) -> bool:
        """Whether the last price known is already past ``spec``'s (raises unless ``force``)."""
        last = self.last_price(spec.symbol)
        if last is None:
            last = last_price
        if last is None or not rules.crossed(spec.condition, spec.price, last):
            return False
        if not force:
            raise AlreadyCrossed(spec, last)
        return True

    def _arm_fresh(self, alert: Alert, crossed: bool) -> None:
        src = self._cur
        alert.state = AlertState.ACTIVE
        alert.unserved = alert.symbol in src.refused
        newest = src.newest.get(alert.symbol) if alert.symbol in src.live else None
        if newest is not None:
            rules.arm(alert, newest.time, newest.high, newest.low, newest.close)
        elif crossed:
            rules.wait(alert, candle_start(ALERT_TIMEFRAME, self._clock()))
        else:
            alert.arming = Arming.PENDING
            alert.since = alert.base = alert.cooling_until = None

    def _after_edit(self, alert: Alert, *symbols: str) -> None:
        self._cur.reindex(*symbols)
        self._sync_symbols()
        self.changed.emit(alert.id)

    # -- what the feed delivers --------------------------------------------------------------

    def candles(self, symbol: str, candles: Sequence[Candle]) -> None:
        """Live 1min candles of ``symbol`` (any order); evaluated unless the pair is in a gap."""
        src = self._cur
        alerts = src.by_symbol.get(symbol)
        if not alerts or not candles:
            return
        ordered = sorted(candles, key=lambda c: c.time) if len(candles) > 1 else candles
        newest = src.newest.get(symbol)
        if newest is None or ordered[-1].time >= newest.time:
            newest = src.newest[symbol] = ordered[-1]
        if symbol not in src.live:
            return
        now = self._clock()
        touched: list[Alert] = []
        firings: list[Firing] = []
        for alert in tuple(alerts):
            before = _mark(alert)
            expires_at = alert.expires_at
            if expires_at is not None and now >= expires_at:
                alert.state = AlertState.EXPIRED
            else:
                for candle in ordered:
                    if rules.step(alert, candle, now, candle.time >= newest.time):
                        rules.fire(alert, candle.time, now)
                        firings.append(self._firing(alert, candle.time, now, late=False))
                    if not alert.active:
                        break
            if _mark(alert) != before:
                touched.append(alert)
        src.watermarks[symbol] = max(src.watermarks.get(symbol, 0), ordered[-1].time)
        if touched:
            self._report(symbol, touched, sorted(firings, key=lambda f: f.candle_time))

    def gap(self, symbol: str) -> None:
        """The pair's subscription is lost: its candles wait for the gap to be filled."""
        self._cur.live.discard(symbol)

    def filled(self, symbol: str, series: CandleSeries) -> None:
        """The pair's history is complete again: evaluate what happened during the gap, once."""
        src = self._cur
        alerts = src.by_symbol.get(symbol)
        if not alerts or symbol in src.live:
            return
        src.live.add(symbol)
        last = series.last()
        if last is None:
            return
        src.newest[symbol] = last
        watermark = src.watermarks.get(symbol)
        if watermark is None:
            sinces = [a.since for a in alerts if a.since is not None]
            watermark = min(sinces) if sinces else last.time
        lo, n = series.first_at_or_after(watermark), len(series)
        cols = rules.Columns(series)
        now = self._clock()
        touched: list[Alert] = []
        firings: list[Firing] = []
        for alert in tuple(alerts):
            before = _mark(alert)
            if alert.arming is Arming.PENDING:
                rules.arm(alert, last.time, last.high, last.low, last.close)
            else:
                expires_at = alert.expires_at
                end = n if expires_at is None else series.first_at_or_after(expires_at)
                for j in rules.scan(alert, cols, lo, end):
                    t = int(cols.time[j])
                    firings.append(self._firing(alert, t, float(t), late=True))
                if alert.active and expires_at is not None and (end < n or now >= expires_at):
                    alert.state = AlertState.EXPIRED
            if _mark(alert) != before:
                touched.append(alert)
        src.watermarks[symbol] = last.time
        if touched:
            firings.sort(key=lambda f: (f.candle_time, f.alert_id))
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
        now = self._clock()
        for symbol, alerts in tuple(src.by_symbol.items()):
            if symbol not in src.live and symbol not in src.refused:
                continue
            expired = [a for a in alerts if a.expires_at is not None and now >= a.expires_at]
            for alert in expired:
                alert.state = AlertState.EXPIRED
            if expired:
                self._report(symbol, expired, [])

    def _firing(self, alert: Alert, candle_time: int, reached_at: float, *, late: bool) -> Firing:
        return Firing(
            alert.id,
            alert.symbol,
            alert.condition,
            alert.price,
            candle_time,
            reached_at,
            late,
            alert.note,
            while_closed=late and candle_time < self.session_start,
            simulated=self.simulated,
        )

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
            src.live.discard(symbol)
            src.watermarks.pop(symbol, None)
            src.newest.pop(symbol, None)
            src.refused.discard(symbol)
        if added or removed:
            self.symbols_changed.emit(added, removed)

    # -- sources and persistence ------------------------------------------------------------

    def set_simulated(self, on: bool) -> None:
        """Demo mode: a separate, empty, never-saved set; leaving it restores the real one,
        which catches up from its watermarks once its series reload."""
        if on == self.simulated:
            return
        self.simulated = on
        self._cur = AlertSet() if on else self._real
        src = self._cur
        src.live.clear()
        src.newest.clear()
        src.refused.clear()
        for alert in src.alerts.values():
            alert.unserved = False
        src.reindex_all()
        self._sync_symbols()
        self.changed.emit(None)

    def to_dict(self) -> dict:
        """The real exchange's alerts, log and watermarks, JSON-able."""
        real = self._real
        return persistence.dump(real.alerts.values(), real.log, real.watermarks)

    def load(self, data: object) -> list[str]:
        """Replace the real set with saved data; returns what was skipped, never raises."""
        loaded = persistence.load(data)
        old = self._real
        new = AlertSet(
            alerts={a.id: a for a in loaded.alerts},
            log=loaded.log[-MAX_LOG:],
            watermarks=loaded.watermarks,
        )
        new.reindex_all()
        for symbol in old.live & new.by_symbol.keys():  # already live: stays so
            new.live.add(symbol)
            new.watermarks[symbol] = old.watermarks.get(symbol, 0)
            if symbol in old.newest:
                new.newest[symbol] = old.newest[symbol]
        new.refused = old.refused & new.by_symbol.keys()
        if loaded.alerts:
            self._next_id = max(self._next_id, max(a.id for a in loaded.alerts) + 1)
        self._real = new
        if not self.simulated:
            self._cur = new
            self._sync_symbols()
            self.changed.emit(None)
        return loaded.problems
