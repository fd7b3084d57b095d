"""When one alert fires: the arming rules, for one live candle and for a caught-up series.

An ARMED alert (``since``, ``base``) and a candle ``c``, for "rises to P" (BELOW mirrors it):
before ``since`` nothing counts; after it, a high reaching P fires. On the candle ``since``
itself: with ``base`` (the candle was the pair's newest known at arming, its high then), a
close at or past P fires (at arming the price was below P, so that is a trade after arming),
and so does a high reaching P that moved beyond ``base``; a wick that was already past P at
arming does not. With ``base`` None (armed at the floor minute, below; or saved by an older
version) the whole candle ``since`` counts, like every later one.

Where an alert added or edited arms (``arming``): at the pair's newest candle known, ``base``
its extreme then, or at a lower bound E of the exchange's current minute, ``base`` None; ARMED
when the pair's last price is on the near side of P, else WAITING for it to go back. Known
trade-offs, both firing on a price really reached: E lags the true minute (by under a minute,
more against a fast simulated clock), so a candle between E and the true current minute counts
whole, trades made up to a minute before arming included; and the newest candle known may be
the previous minute's (no trade of the current one pushed yet), whose late final update may
carry a trade made just before arming past ``base``. What would make E lead the true minute,
and miss the candles between, is in ``arming``.

A firing of a repeating alert makes it WAIT from the next candle on, for its cool-down and for
a close back on the near side; the first candle that has both re-arms it (``base``: its
extreme). So a repeating alert fires at most once per candle, live and in a catch-up alike
(hence a cool-down of at least a minute: ``spec.MIN_COOLDOWN``).

The live path (:func:`live`, per candle update delivered) and the catch-up (:func:`scan`, over
numpy columns, jumping from one candidate index to the next with binary searches instead of
visiting every candle, so a 100k-candle backfill costs one vectorised comparison per alert and
a search per firing) apply these rules to what each can see, and differ where the catch-up
sees less:

- The catch-up sees each candle only in its final state. It re-arms at a candle whose final
  close is on the near side, with its final extreme as ``base``: that candle cannot fire the
  alert again (live, an update of it reaching P after the re-arm does). Only the live path
  arms on the newest candle alone (an older candle's late update says nothing of the price
  now); the catch-up arms on each candle in order.
- Times: live, expiry and the cool-down's end are compared with the book's clock (the machine's
  wall time) and a live firing's ``reached_at`` is that clock; in a catch-up, ``reached_at`` is
  the candle's start, the cool-down ends ``cooldown`` after it and is compared with candle
  starts, and candles starting at or after ``expires_at`` are not evaluated (see ``book``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from kucandle_gui.feed import CandleSeries
from kucandle_gui.protocol import Candle

from .alert import Alert, AlertState, Arming, Firing
from .spec import ALERT_PERIOD, AlertSpec, AlreadyCrossed, Condition


def extreme(condition: Condition, high: float, low: float) -> float:
    """The side of a candle an alert watches: a wick counts, not only the close."""
    return high if condition is Condition.ABOVE else low


def reaches(condition: Condition, price: float, value: float) -> bool:
    return value >= price if condition is Condition.ABOVE else value <= price


def near_side(condition: Condition, price: float, close: float) -> bool:
    """Whether ``close`` has not crossed ``price`` yet (the side an alert arms from)."""
    return close < price if condition is Condition.ABOVE else close > price


def beyond(condition: Condition, value: float, base: float) -> bool:
    return value > base if condition is Condition.ABOVE else value < base


def crossed(condition: Condition, price: float, last: float) -> bool:
    return not near_side(condition, price, last)


def check_crossed(spec: AlertSpec, last: float | None, force: bool) -> None:
    """:class:`AlreadyCrossed` when the last price is already past ``spec``'s, unless ``force``
    (the alert then waits for the price to go back across)."""
    if last is not None and crossed(spec.condition, spec.price, last) and not force:
        raise AlreadyCrossed(spec, last)


def arm(alert: Alert, since: int, base: float | None, last: float) -> None:
    """Arm from the candle starting at ``since`` (``base``: its extreme now, None: the whole
    candle counts); WAITING instead when ``last``, the pair's price now, is already crossed."""
    alert.since = since
    alert.base = base
    alert.cooling_until = None
    alert.arming = Arming.ARMED if near_side(alert.condition, alert.price, last) else Arming.WAITING


def arm_at(alert: Alert, time: int, high: float, low: float, close: float) -> None:
    """Arm at the candle starting at ``time`` in its state now (its extreme the ``base``)."""
    arm(alert, time, extreme(alert.condition, high, low), close)


def fires_at_since(
    condition: Condition, price: float, value: float, close: float, base: float | None
) -> bool:
    """The candle open at arming: its close reached the price, or its extreme did and moved
    beyond ``base`` (see the module's docstring)."""
    if not reaches(condition, price, value):
        return False
    return base is None or reaches(condition, price, close) or beyond(condition, value, base)


def fire(alert: Alert, candle_time: int, reached_at: float) -> None:
    """Record a firing: a once alert is done; a repeating one waits out its cool-down, from
    the next candle on (at most one firing per candle: the catch-up cannot tell more)."""
    alert.fire_count += 1
    alert.last_fired_at = reached_at
    alert.last_fired_candle = candle_time
    if alert.repeat:
        alert.arming = Arming.WAITING
        alert.since = candle_time + ALERT_PERIOD
        alert.base = None
        alert.cooling_until = reached_at + alert.cooldown
    else:
        alert.state = AlertState.TRIGGERED


def step(alert: Alert, candle: Candle, now: float, newest: bool) -> bool:
    """Live: evaluate ``candle`` (``newest``: the pair's newest one); True when it fires (the
    caller records it). Only the newest candle arms or re-arms: an older candle's late update
    says nothing about where the price is now; a pushed newest candle is the exchange's
    current minute, so it arms at its own start (no wall clock)."""
    arming = alert.arming
    if arming is Arming.ARMED:
        since = alert.since
        if since is None or candle.time < since:
            return False
        value = extreme(alert.condition, candle.high, candle.low)
        if candle.time > since:
            return reaches(alert.condition, alert.price, value)
        return fires_at_since(alert.condition, alert.price, value, candle.close, alert.base)
    if not newest:
        return False
    if arming is Arming.PENDING or (
        (alert.since is None or candle.time >= alert.since)
        and (alert.cooling_until is None or now >= alert.cooling_until)
        and near_side(alert.condition, alert.price, candle.close)
    ):
        arm_at(alert, candle.time, candle.high, candle.low, candle.close)
    return False


def live(
    alerts: Sequence[Alert],
    ordered: Sequence[Candle],
    newest: int,
    now: float,
    firing: Callable[[Alert, int], Firing],
) -> tuple[list[Alert], list[Firing]]:
    """Live candles of one pair (in time order; ``newest``: the newest candle start seen) for
    each of its alerts at wall time ``now``: expiry by the clock, then :func:`step`. Returns
    the alerts whose state changed and the firings (``firing(alert, candle_time)``), oldest
    first."""
    touched: list[Alert] = []
    firings: list[Firing] = []
    for alert in alerts:
        before = mark(alert)
        expires_at = alert.expires_at
        if expires_at is not None and now >= expires_at:
            alert.state = AlertState.EXPIRED
        else:
            for candle in ordered:
                if step(alert, candle, now, candle.time >= newest):
                    fire(alert, candle.time, now)
                    firings.append(firing(alert, candle.time))
                if not alert.active:
                    break
        if mark(alert) != before:
            touched.append(alert)
    firings.sort(key=lambda f: f.candle_time)
    return touched, firings


def mark(alert: Alert) -> tuple:
    """What a view shows of an alert's state: compared to tell whether it changed."""
    return (alert.state, alert.arming, alert.since, alert.cooling_until, alert.fire_count)


class Columns:
    """One series' columns and each alert's candidate indices, computed once per catch-up."""

    def __init__(self, series: CandleSeries) -> None:
        self.series = series
        self.time = series.time
        self.high = series.high
        self.low = series.low
        self.close = series.close

    def extremes(self, condition: Condition) -> np.ndarray:
        return self.high if condition is Condition.ABOVE else self.low

    def index(self, t: float | None) -> int:
        return 0 if t is None else self.series.first_at_or_after(t)


def scan(alert: Alert, cols: Columns, lo: int, end: int) -> list[int]:
    """Catch-up: evaluate candles ``[lo, end)`` in order (each in its final state); returns the
    indices of the candles that fired, the alert's state updated as after each (the cool-down
    measured in candle time)."""
    condition, price = alert.condition, alert.price
    ext = cols.extremes(condition)
    reach: np.ndarray | None = None
    near: np.ndarray | None = None
    fired: list[int] = []
    pos = lo
    while pos < end and alert.state is AlertState.ACTIVE:
        if alert.arming is Arming.ARMED:
            i = max(pos, cols.index(alert.since))
            j = -1
            if i < end and cols.time[i] == alert.since:
                value, close = float(ext[i]), float(cols.close[i])
                if fires_at_since(condition, price, value, close, alert.base):
                    j = i
                i += 1
            if j < 0:
                if reach is None:
                    window = ext[lo:end]
                    mask = window >= price if condition is Condition.ABOVE else window <= price
                    reach = np.flatnonzero(mask) + lo
                k = int(np.searchsorted(reach, i))
                if k >= len(reach):
                    break
                j = int(reach[k])
            t = int(cols.time[j])
            fire(alert, t, float(t))
            fired.append(j)
            pos = j + 1
        elif alert.arming is Arming.WAITING:
            i = max(pos, cols.index(alert.since), cols.index(alert.cooling_until))
            if near is None:
                close = cols.close[lo:end]
                mask = close < price if condition is Condition.ABOVE else close > price
                near = np.flatnonzero(mask) + lo
            k = int(np.searchsorted(near, i))
            if k >= len(near):
                break
            m = int(near[k])
            arm_at(
                alert,
                int(cols.time[m]),
                float(cols.high[m]),
                float(cols.low[m]),
                float(cols.close[m]),
            )
            pos = m + 1
        else:
            break
    return fired
