"""The catch-up after a gap: where it starts, whether the series reaches back that far, and the
evaluation of every alert of a pair over the series in candle order.

A catch-up starts at the pair's watermark (the newest candle evaluated live; in a fresh session
the oldest ``since`` of its alerts, else the newest candle). The series may begin later than
that: after a restart the first history covers only the feed's ``history_candles``, a
reconnect's backfill is capped, and ``max_candles`` trims the oldest candles. Evaluating such a
series as it is would skip the hole silently and could name a later candle "the first that
reached it". So while the series' oldest candle is more than one period after the start, the
book asks for older 1min candles (the monitor's ``older_requested`` path, the same one a chart
scrolling left uses), one page after another, no further back than :data:`MAX_CATCH_UP` before
the newest candle (nor than the series can hold), and evaluates nothing of the pair meanwhile
(it stays in its gap). When older candles cannot be had (the request failed, the exchange has
none: the pair was not listed yet, or the bound is reached), it catches up from what is held and
reports the span it could not check (``AlertBook.unchecked``); a failed request is not repeated
until the next gap. A failure that reaches the book is not one transient error: the feed's REST
client (``feed.rest``) has already retried an overloaded or failing server (HTTP 429, 5xx, a
reply that is not JSON: 5 attempts with backoff) before the monitor's ``older_failed``; a
request that cannot reach the exchange at all fails at once, and the next gap asks anew.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from kucandle_gui.feed import CandleSeries
from kucandle_gui.protocol import Candle

from . import rules
from .alert import Alert, AlertState, Arming, Firing
from .spec import ALERT_PERIOD as PERIOD

#: How far back (seconds before the newest candle) a catch-up asks for older candles: a week of
#: 1min candles is about 20 requests of the monitor's page; older spans are reported unchecked.
MAX_CATCH_UP = 7 * 86_400


def start(watermark: int | None, alerts: Sequence[Alert], last: Candle) -> int:
    """Where the catch-up of a pair starts (see the module's docstring)."""
    if watermark is not None:
        return watermark
    sinces = [a.since for a in alerts if a.since is not None]
    return min(sinces) if sinces else last.time


def reach(series: CandleSeries, start: int) -> int:
    """The oldest candle start worth asking for: ``start``, bounded by :data:`MAX_CATCH_UP`
    and by what the series can hold (older candles would be trimmed at once)."""
    newest = series.last_time() or start
    floor = newest - MAX_CATCH_UP
    if series.max_candles is not None:
        floor = max(floor, newest - (series.max_candles - 1) * PERIOD)
    return max(start, floor)


def older_edge(series: CandleSeries, start: int, asked: int | None) -> int | None:
    """The oldest candle start to ask older candles before, or None to catch up now: the
    series reaches back far enough, or the last load (asked before ``asked``) brought nothing
    older (it would be asked again and again)."""
    oldest = series.first_time()
    if oldest is None or (asked is not None and oldest >= asked):
        return None
    return oldest if oldest > reach(series, start) + PERIOD else None


def hole(series: CandleSeries, start: int) -> tuple[int, int] | None:
    """``(start, oldest)`` when the series begins more than one period after ``start``."""
    oldest = series.first_time()
    if oldest is None or oldest <= start + PERIOD:
        return None
    return start, oldest


def evaluate(
    alerts: Sequence[Alert],
    series: CandleSeries,
    start: int,
    now: float,
    firing: Callable[[Alert, int], Firing],
) -> tuple[list[Alert], list[Firing]]:
    """Every alert of a pair over ``series`` from ``start`` on, in candle order. A PENDING
    alert arms at the series' newest candle (nothing older counts for it), or expires when
    ``now`` (the book's clock) has passed ``expires_at``. Otherwise candles starting at or
    after ``expires_at`` are not evaluated, and the alert expires when such a candle exists
    or ``now`` has passed it. Returns the alerts whose state changed and the firings
    (``firing(alert, candle_time)``), oldest first."""
    last = series.last()
    assert last is not None
    lo, n = series.first_at_or_after(start), len(series)
    cols = rules.Columns(series)
    touched: list[Alert] = []
    firings: list[Firing] = []
    for alert in alerts:
        before = rules.mark(alert)
        expires_at = alert.expires_at
        if alert.arming is Arming.PENDING:
            if expires_at is not None and now >= expires_at:
                alert.state = AlertState.EXPIRED
            else:
                rules.arm_at(alert, last.time, last.high, last.low, last.close)
        else:
            end = n if expires_at is None else series.first_at_or_after(expires_at)
            for j in rules.scan(alert, cols, lo, end):
                firings.append(firing(alert, int(cols.time[j])))
            if alert.active and expires_at is not None and (end < n or now >= expires_at):
                alert.state = AlertState.EXPIRED
        if rules.mark(alert) != before:
            touched.append(alert)
    firings.sort(key=lambda f: (f.candle_time, f.alert_id))
    return touched, firings
