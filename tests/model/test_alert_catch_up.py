"""A catch-up whose series does not reach back to where it starts: older candles are asked
for (bounded), and what cannot be had is reported unchecked, never skipped in silence."""

from __future__ import annotations

from kucandle_gui.feed import CandleSeries
from kucandle_gui.model import AlertBook, AlertSpec, AlertState, Arming, MonitorModel, SeriesKey
from kucandle_gui.model.alerts.catch_up import MAX_CATCH_UP
from kucandle_gui.protocol import Candle

from .test_alert_rules import PAIR, T0, Clock, Record, bar, series_of

KEY = SeriesKey(PAIR, "1min")
#: Saved while an alert "rises to 100" was armed at minute 0 (the watermark).
SAVED = {
    "version": 1,
    "alerts": [
        {
            "id": 1,
            "symbol": PAIR,
            "condition": "above",
            "price": 100,
            "created_at": T0,
            "state": "active",
            "arming": "armed",
            "since": T0,
            "base": 99,
        }
    ],
    "log": [],
    "watermarks": {PAIR: T0},
}


class Loader:
    """What the link does with ``older_requested``: records the requests."""

    def __init__(self, monitor: MonitorModel) -> None:
        self.requests: list[tuple[SeriesKey, int, int]] = []
        monitor.older_requested.connect(lambda *args: self.requests.append(args))


def restarted(minutes: int, **monitor_args: object) -> tuple[MonitorModel, Record, list[tuple]]:
    """The app started ``minutes`` after the save; the alert's series is subscribed."""
    book = AlertBook(Clock(T0 + 60 * minutes + 5))
    assert book.load(SAVED) == []
    monitor = MonitorModel(alerts=book, **monitor_args)  # type: ignore[arg-type]
    unchecked: list[tuple] = []
    book.unchecked.connect(lambda *span: unchecked.append(span))
    monitor.subscribed(PAIR, "1min", True)
    return monitor, Record(book), unchecked


def quiet(first: int, end: int) -> list[Candle]:
    """Minutes ``[first, end)`` below the price."""
    return [bar(m, 96, 94, 95) for m in range(first, end)]


def history(monitor: MonitorModel, candles: list[Candle]) -> None:
    monitor.apply(PAIR, "1min", candles)
    monitor.history_loaded(PAIR, "1min", True)


def test_a_history_not_reaching_the_watermark_waits_for_older_candles_then_names_the_first() -> (
    None
):
    monitor, record, unchecked = restarted(1000, older_page=500)
    loader = Loader(monitor)
    # Closed 1000 minutes; the start-up history covers the last 300. The price was at 105 in
    # minutes 10..20, back below since.
    history(monitor, quiet(700, 1000))
    assert loader.requests == [(KEY, T0 + 60 * 700, 500)]
    monitor.apply(PAIR, "1min", [bar(1000, 120, 95, 96)])  # live, still waiting: not evaluated
    assert record.fired == [] and PAIR not in monitor.alerts._cur.live
    older = quiet(200, 700)
    monitor.older_loaded(PAIR, "1min", older)
    assert loader.requests[-1] == (KEY, T0 + 60 * 200, 500)
    older = quiet(1, 200)
    older[9:20] = [bar(m, 106, 104, 105) for m in range(10, 21)]
    monitor.older_loaded(PAIR, "1min", older)
    assert len(loader.requests) == 2
    assert [(f.candle_time, f.late, f.while_closed) for f in record.fired] == [
        (T0 + 600, True, True)
    ]
    assert unchecked == []
    assert monitor.alerts.get(1).state is AlertState.TRIGGERED


def test_older_candles_that_cannot_be_had_leave_the_span_unchecked_and_do_not_loop() -> None:
    monitor, record, unchecked = restarted(1000)
    loader = Loader(monitor)
    candles = quiet(700, 1000)
    candles[50] = bar(750, 101, 95, 96)
    history(monitor, candles)
    monitor.older_failed(PAIR, "1min")
    assert len(loader.requests) == 1  # not asked again until the next gap
    assert unchecked == [(PAIR, T0, T0 + 60 * 700)]
    # Caught up from what is held: the crossing there fires, after the span said unchecked.
    assert [f.candle_time for f in record.fired] == [T0 + 60 * 750]
    # The next gap tries again (from the new watermark: nothing missing now).
    monitor.subscribed(PAIR, "1min", False)
    monitor.subscribed(PAIR, "1min", True)
    monitor.history_loaded(PAIR, "1min", True)
    assert len(loader.requests) == 1


def test_nothing_older_at_the_exchange_catches_up_from_what_is_held() -> None:
    monitor, record, unchecked = restarted(1000)
    loader = Loader(monitor)
    history(monitor, quiet(700, 1000))
    monitor.older_loaded(PAIR, "1min", [])  # e.g. the pair was not listed yet
    assert unchecked == [(PAIR, T0, T0 + 60 * 700)]
    assert len(loader.requests) == 1 and record.fired == []
    assert PAIR in monitor.alerts._cur.live


def test_older_candles_are_asked_no_further_back_than_a_week() -> None:
    days = 30
    monitor, _record, unchecked = restarted(days * 1440)
    loader = Loader(monitor)
    newest = days * 1440
    week = MAX_CATCH_UP // 60
    history(monitor, quiet(newest - 300, newest + 1))
    assert len(loader.requests) == 1
    monitor.older_loaded(PAIR, "1min", quiet(newest - week + 10, newest - 300))
    assert len(loader.requests) == 1 + 1  # still 10 minutes short of the bound
    monitor.older_loaded(PAIR, "1min", quiet(newest - week - 5, newest - week + 10))
    assert len(loader.requests) == 2  # the bound is reached: caught up
    assert unchecked == [(PAIR, T0, T0 + 60 * (newest - week - 5))]


def test_a_series_too_small_to_reach_back_stops_asking() -> None:
    monitor, _record, unchecked = restarted(1000, max_candles=400)
    loader = Loader(monitor)
    history(monitor, quiet(700, 1000))
    monitor.older_loaded(PAIR, "1min", quiet(200, 700))  # only 100 of them are kept
    assert len(loader.requests) == 1
    assert unchecked == [(PAIR, T0, T0 + 60 * 600)]


def test_without_anybody_to_load_older_candles_the_catch_up_goes_on_at_once() -> None:
    monitor, _record, unchecked = restarted(1000)  # no link connected (a bare monitor)
    history(monitor, quiet(700, 1000))
    assert unchecked == [(PAIR, T0, T0 + 60 * 700)]


def test_a_gap_filled_without_candles_expires_overdue_alerts_and_says_so() -> None:
    clock = Clock(T0 + 5)
    book = AlertBook(clock)
    alert = book.add(AlertSpec.of(PAIR, "above", 100, expires_at=T0 + 60))
    record = Record(book)
    clock.now = T0 + 61
    book.tick()  # in its gap: a catch-up might still fire
    assert alert.active
    book.filled(PAIR, CandleSeries(PAIR, "1min"))  # the pair has no candle at all
    assert alert.state is AlertState.EXPIRED
    assert record.changed == [alert.id] and record.symbols == [((), (PAIR,))]


def test_a_pending_alert_past_its_expiry_expires_when_its_gap_is_filled() -> None:
    clock = Clock(T0 + 5)
    book = AlertBook(clock)
    alert = book.add(AlertSpec.of(PAIR, "above", 100, expires_at=T0 + 60))
    assert alert.arming is Arming.PENDING
    clock.now = T0 + 61
    book.filled(PAIR, series_of(bar(1, 99, 97, 98)))
    assert alert.state is AlertState.EXPIRED
