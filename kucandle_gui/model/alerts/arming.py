"""Where an alert added, edited, moved or re-armed starts being evaluated (arming fresh).

From ``max(N, E)``: N the pair's newest candle known in this session (live, or kept through a
gap), E (:class:`MinuteFloor`) a lower bound of the exchange's current minute, measured by the
time elapsed on the book's clock since the newest candle received from the current source, of
any pair (never by the clock's absolute value: a simulated exchange may be years behind it, a
machine's clock ahead of the real exchange). ``base`` is N's extreme when that is N (only a
high moving past it counts on that candle), else None (the whole candle E counts). N is kept
for every held 1min series, a chart's too, so an alert on a pair shown arms at its open candle.
With no candle of the pair known (a pair no series held yet), it is PENDING and arms at the
newest candle of the series that fills its gap, or at its first live candle, with that candle's
extreme as its base: arming from E there would count the open candle's trades from before the
alert whole (a wick earlier in the minute would fire it at once); what PENDING may miss is a
spike and retreat between the click and the pair's first candles (a second or so; a close past
the price still fires). ARMED when the pair's last price is on the near side of the alert's,
else WAITING.

E lags the true minute by under a minute (more against a fast simulated clock, or after the
machine's clock stepped back): a candle between E and the true current minute counts whole,
trades made up to a minute before arming (more when E lags more) included: at worst early on
a price really reached. E leads the true minute, and the candles between are missed, only if
the exchange's clock runs slower than the machine's (a simulated one below speed 1) or the
machine's clock is stepped forward (until the next new candle is received).
"""

from __future__ import annotations

from collections.abc import Callable

from kucandle_gui.protocol import Candle, candle_start

from . import rules
from .alert import Alert, AlertState, Arming
from .spec import ALERT_TIMEFRAME


class MinuteFloor:
    """E: the newest candle start received and ``clock()`` when it first came."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self._clock = clock
        self._seen: tuple[int, float] | None = None

    def observe(self, candle: Candle) -> None:
        """``candle`` was received (live, or the newest of a history): a newer one is what E
        measures from (the same one again changes nothing)."""
        if self._seen is None or candle.time > self._seen[0]:
            self._seen = (candle.time, self._clock())

    def reset(self) -> None:
        """Another source: nothing received from it yet."""
        self._seen = None

    def minute(self) -> int | None:
        """E, a candle start at or before the exchange's current minute (see the module's
        docstring); None when no candle was received from this source."""
        if self._seen is None:
            return None
        time, seen_at = self._seen
        return candle_start(ALERT_TIMEFRAME, time + (self._clock() - seen_at))


def arm_fresh(alert: Alert, newest: Candle | None, floor: int | None, last: float | None) -> None:
    """Make ``alert`` active and arm it as the module's docstring says (``newest``: N,
    ``floor``: E, ``last``: the pair's price, the book's else the caller's)."""
    alert.state = AlertState.ACTIVE
    if newest is not None and (floor is None or floor <= newest.time):
        rules.arm_at(alert, newest.time, newest.high, newest.low, newest.close)
    elif newest is not None and last is not None:
        rules.arm(alert, floor, None, last)
    else:
        alert.arming = Arming.PENDING
        alert.since = alert.base = alert.cooling_until = None
