"""The status bar, the message banner and the words they show, with clocks the tests move by
hand."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QLabel, QMainWindow, QWidget

from kucandle_gui.feed import ConnectionState, ErrorEvent, ErrorKind, FeedMetrics, StatusEvent
from kucandle_gui.model import SeriesKey, SeriesState
from kucandle_gui.ui.banner import MessageBanner
from kucandle_gui.ui.status_bar import FeedStatusBar
from kucandle_gui.ui.status_fields import LEAST_ELIDED, Claim, ElidedLabel, share_out
from kucandle_gui.ui.wording import (
    STALE_AFTER,
    BannerKind,
    banner_kind,
    banner_text,
    counted,
    error_line,
    format_age,
    format_duration,
    format_latency,
    series_note,
)


class FakeClock:
    """A clock that moves only when told to."""

    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def metrics(**overrides: object) -> FeedMetrics:
    values: dict[str, object] = {
        "messages": 12345,
        "errors": 2,
        "reconnects": 1,
        "coalesced": 0,
        "ignored": 0,
        "last_message_at": 1000.0,
        "token_age": 3723.9,
        "latency": 0.0123,
        "latency_avg": 0.0151,
    }
    values.update(overrides)
    return FeedMetrics(**values)  # type: ignore[arg-type]


@pytest.fixture
def clocks():
    return FakeClock(1000.0), FakeClock(50.0)


@pytest.fixture
def bar(qtbot, clocks):
    wall, mono = clocks
    bar = FeedStatusBar(wall=wall, clock=mono)
    qtbot.addWidget(bar)
    return bar


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(None, "—"), (0, "0:00:00"), (59.9, "0:00:59"), (3723.9, "1:02:03"), (90000, "25:00:00")],
)
def test_format_duration(seconds, text):
    assert format_duration(seconds) == text


@pytest.mark.parametrize(
    ("seconds", "text"), [(None, "—"), (0.04, "0.0 s"), (12.34, "12.3 s"), (75, "0:01:15")]
)
def test_format_age(seconds, text):
    assert format_age(seconds) == text


@pytest.mark.parametrize(
    ("seconds", "text"), [(None, "—"), (0.0151, "15 ms"), (-0.002, "-2 ms"), (1.5, "1500 ms")]
)
def test_format_latency(seconds, text):
    assert format_latency(seconds) == text


def test_metrics_fields(bar, clocks):
    wall, _ = clocks
    wall.now = 1000.4
    bar.set_metrics(metrics())
    assert bar.messages_label.text() == "12,345 msgs"
    assert bar.errors_label.text() == "2 errors"
    assert bar.reconnects_label.text() == "1 reconnect"
    assert bar.token_label.text() == "token 1:02:03"
    assert bar.last_message_label.text() == "last msg 0.4 s ago"
    assert bar.latency_label.text() == "latency 15 ms"


def test_ages_move_on_without_new_metrics(bar, clocks):
    wall, _ = clocks
    bar.set_metrics(metrics())
    wall.now = 1075.0
    bar.refresh()  # what the 1 s timer calls
    assert bar.last_message_label.text() == "last msg 0:01:15 ago"


def test_before_any_metrics_nothing_is_invented(bar):
    assert bar.messages_label.text() == ""
    assert bar.state_text() == "starting…"
    bar.set_metrics(metrics(last_message_at=None, token_age=None, latency=None, latency_avg=None))
    assert bar.token_label.text() == "token —"
    assert bar.last_message_label.text() == "last msg —"
    assert bar.latency_label.text() == "latency —"


def test_reconnect_countdown(bar, clocks):
    _, mono = clocks
    bar.set_status(StatusEvent(ConnectionState.RECONNECTING, "no pong in 5 s", 4.0))
    assert bar.state_label.text() == "reconnecting in 4 s (no pong in 5 s)"
    mono.now += 1.2
    bar.refresh()
    assert bar.state_label.text() == "reconnecting in 3 s (no pong in 5 s)"
    mono.now += 3.0
    bar.refresh()
    assert bar.state_label.text() == "reconnecting… (no pong in 5 s)"
    assert "no pong in 5 s; reconnecting in 4.0 s" in bar.state_label.toolTip()


def test_a_replay_connection_says_replaying_not_live(bar, clocks):
    wall, _ = clocks
    bar.set_replay(True)
    bar.set_status(StatusEvent(ConnectionState.LIVE, "ws://127.0.0.1:9/endpoint"))
    assert bar.state_label.text() == "replaying"
    wall.now += STALE_AFTER + 5
    bar.refresh()
    assert bar.state_label.text().startswith("replaying · no pushes for ")
    bar.set_replay(False)  # the demo exchange after it: its connection is up
    assert bar.state_label.text().startswith("live · ")


def test_live_then_quiet_hint(bar, clocks):
    wall, _ = clocks
    bar.set_status(StatusEvent(ConnectionState.LIVE, "wss://example.invalid/endpoint"))
    bar.set_metrics(metrics(last_message_at=1010.0))
    wall.now = 1010.0 + STALE_AFTER
    bar.refresh()
    assert bar.state_text() == "live"
    wall.now = 1010.0 + STALE_AFTER + 5
    bar.refresh()
    assert bar.state_label.text() == "live · no pushes for 0:01:05 (quiet market?)"


def test_quiet_counts_from_going_live_when_no_push_came(bar, clocks):
    wall, _ = clocks
    bar.set_metrics(metrics(last_message_at=500.0))  # a push from before a reconnect
    bar.set_status(StatusEvent(ConnectionState.LIVE, "wss://example.invalid/endpoint"))
    wall.now += 30
    bar.refresh()
    assert bar.state_text() == "live"


def test_connecting_and_stopped(bar):
    bar.set_status(StatusEvent(ConnectionState.CONNECTING))
    assert bar.state_label.text() == "connecting…"
    bar.set_status(StatusEvent(ConnectionState.STOPPED))
    assert bar.state_label.text() == "stopped"


def test_demo_badge_and_error(bar):
    assert not bar.demo_label.isVisibleTo(bar)
    bar.set_demo(True)
    assert bar.demo_label.isVisibleTo(bar)
    assert "simulated" in bar.demo_label.text()
    bar.show_error("exchange error 500: boom")
    assert bar.message_label.text() == "exchange error 500: boom"


def test_a_replay_says_replay_and_no_latency_of_recorded_pushes(bar):
    bar.set_demo(True)
    bar.set_replay(True)
    bar.set_metrics(metrics())
    assert bar.demo_label.text() == "REPLAY · recorded prices"
    assert bar.latency_label.text() == "" and not bar.latency_label.isVisibleTo(bar)
    bar.set_replay(False)  # the demo exchange after it
    assert bar.demo_label.text() == "DEMO · simulated prices"
    assert bar.latency_label.text() == "latency 15 ms"


def test_banner_action_and_kinds(qtbot):
    banner = MessageBanner()
    qtbot.addWidget(banner)
    called: list[str] = []
    banner.show_message(
        "cannot reach",
        kind=BannerKind.CONNECTION,
        action=("Use demo", lambda: called.append("demo")),
    )
    assert banner.text() == "cannot reach"
    assert banner.kind is BannerKind.CONNECTION
    assert banner.action_button.isVisibleTo(banner)
    banner.clear(BannerKind.PAIR)  # another problem's end leaves this one up
    assert banner.text() == "cannot reach"
    banner.action_button.click()
    assert called == ["demo"]
    assert banner.text() == ""
    banner.show_message("refused", kind=BannerKind.PAIR)
    assert not banner.action_button.isVisibleTo(banner)
    banner.close_button.click()
    assert banner.text() == ""


def test_banner_timeout_takes_it_down(qtbot):
    banner = MessageBanner()
    qtbot.addWidget(banner)
    banner.show_message("passing", kind=BannerKind.ERROR, timeout_ms=50)
    qtbot.waitUntil(lambda: banner.text() == "", timeout=2000)


def test_reconnecting_without_a_delay_or_a_reason(bar):
    bar.set_status(StatusEvent(ConnectionState.RECONNECTING, retry_in=0.0))
    assert bar.state_label.text() == "reconnecting…"


def test_only_passing_errors_let_a_banner_cover_them():
    assert BannerKind.CONNECTION.lasting and BannerKind.PAIR.lasting
    assert not BannerKind.ERROR.lasting


def test_a_retried_error_says_when_and_a_passing_one_that_the_feed_carries_on():
    retried = ErrorEvent(
        ErrorKind.BACKFILL, "Too Many Requests", "BTC-USDT", "1min", retrying=True, retry_in=2.0
    )
    assert banner_kind(retried) is BannerKind.ERROR
    assert (
        error_line(retried)
        == "backfill of BTC-USDT 1min failed: Too Many Requests; retrying in 2.0 s "
        "(its live candles wait for it)"
    )
    assert banner_text(retried, "") == error_line(retried)
    bad_frame = ErrorEvent(ErrorKind.BAD_FRAME, "not JSON")
    assert error_line(bad_frame) == "bad frame from the exchange ignored: not JSON"
    assert banner_text(bad_frame, "").endswith("; the feed carries on")


def test_unreachable_exchange_gets_the_connection_banner():
    event = ErrorEvent(ErrorKind.UNREACHABLE, "connection refused", retrying=True)
    assert banner_kind(event) is BannerKind.CONNECTION
    text = banner_text(event, "http://127.0.0.1:9")
    # Issue 9: the banner says it as a person would, without the library's text (the event
    # has no failure here: see test_wording.py for each one).
    assert text.startswith("Cannot reach 127.0.0.1:9.")
    assert "connection refused" not in text
    assert "Retrying automatically" in text
    assert error_line(event) == "cannot get a connect token: connection refused; retrying"


def test_a_refused_pair_gets_the_pair_banner():
    event = ErrorEvent(
        ErrorKind.REFUSED,
        "topic not found",
        "NOPE-USDT",
        "1min",
        subscription_dropped=True,
        code=404,
    )
    assert banner_kind(event) is BannerKind.PAIR
    assert banner_text(event, "") == (
        "KuCoin refused NOPE-USDT 1min: topic not found (error 404). Choose another pair (Ctrl+P)."
    )


def test_the_chart_note_follows_the_series_state():
    key = SeriesKey.of("nope-usdt", "1min")
    assert series_note(key, SeriesState.LOADING) == "loading NOPE-USDT 1min…"
    assert series_note(key, SeriesState.REFUSED) == "NOPE-USDT 1min is not available"
    assert series_note(key, SeriesState.READY) is None


def test_live_is_said_only_of_a_subscribed_series(bar):
    bar.set_status(StatusEvent(ConnectionState.LIVE, "wss://example.invalid/endpoint"))
    bar.set_subscription("BTC-USDT 1min", False)
    assert bar.state_label.text() == "subscribing BTC-USDT 1min…"
    bar.set_subscription("BTC-USDT 1min", True)
    assert bar.state_label.text() == "live"
    bar.set_subscription("ETH-USDT 5min", False)  # switched: the new series is not yet
    assert bar.state_label.text() == "subscribing ETH-USDT 5min…"
    # Not live at all: the connection's state, whatever the subscription.
    bar.set_status(StatusEvent(ConnectionState.RECONNECTING, "no pong in 5 s", 4.0))
    assert bar.state_label.text() == "reconnecting in 4 s (no pong in 5 s)"


def test_failed_attempts_are_counted_apart_from_reconnects(bar):
    bar.set_metrics(metrics(reconnects=0, connect_attempts=3))  # never got through
    assert bar.attempts_label.text() == "3 failed attempts"
    assert bar.attempts_label.isVisibleTo(bar)
    assert not bar.reconnects_label.isVisibleTo(bar)
    bar.set_metrics(metrics(reconnects=2, connect_attempts=0))
    assert bar.reconnects_label.text() == "2 reconnects"
    assert bar.reconnects_label.isVisibleTo(bar)
    assert not bar.attempts_label.isVisibleTo(bar)
    bar.set_metrics(metrics(reconnects=2, connect_attempts=1))
    assert [bar.reconnects_label.text(), bar.attempts_label.text()] == [
        "2 reconnects",
        "1 failed attempt",
    ]


def test_an_errors_detail_goes_to_the_tooltip_only(bar):
    bar.show_error("cannot get a connect token: api.example does not resolve; retrying", "e -2")
    assert bar.message_label.text().endswith("does not resolve; retrying")
    assert "e -2" not in bar.message_label.text()
    assert bar.message_label.toolTip().endswith("e -2")


def test_no_credentials_in_the_state(bar):
    bar.set_status(StatusEvent(ConnectionState.LIVE, "wss://user:secret@example.invalid/ws"))
    bar.set_status(StatusEvent(ConnectionState.RECONNECTING, "lost https://u:secret@h/x", 3.0))
    assert "secret" not in bar.state_label.text()
    assert "secret" not in bar.state_label.toolTip()


# -- singular and plural (issue 13: "1 msgs") ------------------------------------------------


@pytest.mark.parametrize(
    ("count", "noun", "text"),
    [
        (0, "msg", "0 msgs"),
        (1, "msg", "1 msg"),
        (2, "msg", "2 msgs"),
        (1, "error", "1 error"),
        (1_234, "error", "1,234 errors"),
        (1, "failed attempt", "1 failed attempt"),
        (3, "failed attempt", "3 failed attempts"),
    ],
)
def test_counted(count, noun, text):
    assert counted(count, noun) == text


def test_one_of_each_counter_is_said_in_the_singular(bar):
    bar.set_metrics(metrics(messages=1, errors=1, reconnects=1, connect_attempts=1))
    texts = [bar.messages_label.text(), bar.errors_label.text()]
    texts += [bar.reconnects_label.text(), bar.attempts_label.text()]
    assert texts == ["1 msg", "1 error", "1 reconnect", "1 failed attempt"]
    bar.set_metrics(metrics(messages=2, errors=0, reconnects=2, connect_attempts=2))
    texts = [bar.messages_label.text(), bar.errors_label.text()]
    texts += [bar.reconnects_label.text(), bar.attempts_label.text()]
    assert texts == ["2 msgs", "0 errors", "2 reconnects", "2 failed attempts"]


# -- fitting the width (issue 13: cut off in a 700 px window) ---------------------------------


#: The counters, most important first: the order they are dropped in is the reverse.
def counters(bar: FeedStatusBar) -> list[QLabel]:
    return [
        bar.attempts_label,
        bar.errors_label,
        bar.reconnects_label,
        bar.messages_label,
        bar.last_message_label,
        bar.latency_label,
        bar.token_label,
    ]


LONG_ERROR = (
    "cannot get a connect token: api.kucoin.example does not resolve (is the name right?); "
    "retrying in 8.0 s"
)


@pytest.fixture
def host(qtbot, bar):
    """A window around ``bar`` (size grip and all), shown; ``host.resize`` sets the width."""
    window = QMainWindow()
    qtbot.addWidget(window)
    window.setCentralWidget(QWidget())
    window.setStatusBar(bar)
    window.resize(1400, 300)
    window.show()
    qtbot.waitExposed(window)
    return window


def busy(bar: FeedStatusBar) -> None:
    """Every field at once, the longest texts: demo, reconnecting with a reason, an error,
    failed attempts and reconnects, large counts."""
    bar.set_demo(True)
    bar.set_status(StatusEvent(ConnectionState.RECONNECTING, "no pong within 0.8 s", 8.0))
    bar.set_metrics(metrics(messages=12_345_678, errors=1_234, reconnects=56, connect_attempts=7))
    bar.show_error(LONG_ERROR)


def resize(qtbot, host: QMainWindow, width: int) -> None:
    host.resize(width, 300)
    qtbot.waitUntil(lambda: host.statusBar().width() == width, timeout=2000)
    qtbot.wait(20)  # the layout's posted requests


def shown_fields(bar: FeedStatusBar) -> list[QLabel]:
    return [w for w in bar.findChildren(QLabel) if w.isVisibleTo(bar)]


def assert_fits(bar: FeedStatusBar) -> None:
    """Each field shown shows its text whole (or its elided text, for the two that elide),
    inside the bar."""
    row = bar.state_label.parentWidget()
    assert row.geometry().right() < bar.width()
    for label in shown_fields(bar):
        assert label.sizeHint().width() <= label.width(), label.text()
        assert label.geometry().right() < row.width(), label.text()
        assert label.geometry().left() >= 0
    shown = shown_fields(bar)
    assert sum(label.width() for label in shown) <= row.width()


def assert_least_important_dropped(bar: FeedStatusBar) -> None:
    """The counters shown are the most important ones: none after the first dropped."""
    wanted = [label for label in counters(bar) if label.text()]
    kept = [label.isVisibleTo(bar) for label in wanted]
    assert kept == sorted(kept, reverse=True), [label.text() for label in wanted]


@pytest.mark.parametrize("width", [1400, 900, 700, 500, 360])
def test_every_field_shown_fits_and_demo_and_state_stay(qtbot, bar, host, width):
    busy(bar)
    resize(qtbot, host, width)
    assert bar.demo_label.isVisibleTo(bar)
    assert bar.demo_label.text() == "DEMO · simulated prices"
    assert bar.state_label.isVisibleTo(bar)
    # The countdown is never cut.
    assert bar.state_label.shown().startswith("reconnecting in 8 s")
    assert_fits(bar)
    assert_least_important_dropped(bar)
    if width >= 500:
        assert bar.message_label.isVisibleTo(bar)
        assert bar.message_label.width() >= bar.message_label.chars_width(20) - 1


def test_at_700_px_the_busiest_bar_keeps_the_problem_counters(qtbot, bar, host):
    busy(bar)
    resize(qtbot, host, 700)
    assert bar.message_label.isVisibleTo(bar)
    assert bar.message_label.elided()
    assert bar.message_label.shown().endswith("…")
    assert bar.message_label.text() == LONG_ERROR
    assert LONG_ERROR in bar.message_label.toolTip()
    assert not bar.token_label.isVisibleTo(bar)  # housekeeping goes first


def test_an_everyday_bar_at_700_px_keeps_nearly_everything(qtbot, bar, host, clocks):
    """Demo, live, no message: only the least important counters may go."""
    wall, _ = clocks
    bar.set_demo(True)
    bar.set_status(StatusEvent(ConnectionState.LIVE, "wss://example.invalid/endpoint"))
    bar.set_metrics(metrics(messages=4_321, errors=0, reconnects=0, last_message_at=wall.now))
    resize(qtbot, host, 700)
    assert_fits(bar)
    assert bar.state_label.shown() == "live"
    for label in (bar.errors_label, bar.reconnects_label, bar.messages_label):
        assert label.isVisibleTo(bar), label.text()
    assert_least_important_dropped(bar)


def test_dropped_fields_come_back_when_the_bar_widens(qtbot, bar, host):
    busy(bar)
    bar.set_status(StatusEvent(ConnectionState.RECONNECTING, "lost", 8.0))
    bar.show_error("exchange error 500: boom")
    resize(qtbot, host, 500)
    dropped = [label for label in counters(bar) if not label.isVisibleTo(bar)]
    assert dropped
    assert bar.state_label.elided()  # the reason gave way to the message's least room
    resize(qtbot, host, 1400)
    assert all(label.isVisibleTo(bar) for label in counters(bar))
    assert not bar.state_label.elided()
    assert bar.state_label.toolTip().startswith("Connection: ")
    assert_fits(bar)
    resize(qtbot, host, 500)
    assert [label for label in counters(bar) if not label.isVisibleTo(bar)] == dropped


def test_a_cut_state_has_its_whole_text_in_the_tooltip(qtbot, bar, host):
    busy(bar)
    resize(qtbot, host, 500)
    assert bar.state_label.elided()
    assert bar.state_label.toolTip().startswith(bar.state_label.text() + "\n")
    assert "no pong within 0.8 s" in bar.state_label.toolTip()


def test_a_message_coming_and_going_refits(qtbot, bar, host):
    bar.set_demo(True)
    bar.set_status(StatusEvent(ConnectionState.LIVE, "wss://example.invalid/endpoint"))
    bar.set_metrics(metrics(connect_attempts=2, reconnects=3))
    resize(qtbot, host, 700)
    before = [label.isVisibleTo(bar) for label in counters(bar)]
    bar.show_error(LONG_ERROR)
    assert_fits(bar)
    after = [label.isVisibleTo(bar) for label in counters(bar)]
    assert sum(after) < sum(before)  # counters gave way to the message's least room
    bar.clear_message()
    assert not bar.message_label.isVisibleTo(bar)
    assert [label.isVisibleTo(bar) for label in counters(bar)] == before


def test_a_status_tip_takes_the_messages_place_and_leaves_state_and_demo(qtbot, bar, host):
    busy(bar)
    resize(qtbot, host, 700)
    bar.showMessage("Add the chart's pair to the watchlist, or remove it")  # a menu entry's
    assert bar.tip_label.isVisibleTo(bar)
    assert not bar.message_label.isVisibleTo(bar)
    assert bar.demo_label.isVisibleTo(bar) and bar.state_label.isVisibleTo(bar)
    assert_fits(bar)
    bar.clearMessage()
    assert not bar.tip_label.isVisibleTo(bar)
    assert bar.message_label.isVisibleTo(bar)
    assert bar.message_label.text() == LONG_ERROR


def test_ages_ticking_neither_move_fields_nor_make_them_come_and_go(qtbot, bar, host, clocks):
    wall, _ = clocks
    bar.set_demo(True)
    bar.set_status(StatusEvent(ConnectionState.LIVE, "wss://example.invalid/endpoint"))
    bar.set_metrics(metrics(last_message_at=wall.now - 75))  # "0:01:15 ago": the widest
    resize(qtbot, host, 700)
    shown = [label.isVisibleTo(bar) for label in counters(bar)]
    width = bar.last_message_label.width()
    for age in (0.4, 9.9, 12.3, 0.1):
        bar.set_metrics(metrics(last_message_at=wall.now - age))
        qtbot.wait(5)
        assert [label.isVisibleTo(bar) for label in counters(bar)] == shown
        assert bar.last_message_label.width() == width
    assert_fits(bar)


def test_before_it_is_shown_the_bar_keeps_every_field(bar):
    busy(bar)
    assert all(label.isVisibleTo(bar) for label in counters(bar))
    assert not bar.state_label.elided()


def test_in_a_real_window_at_700_px(qtbot, make_window, exchange):
    window = make_window(exchange.base_url)
    bar = window.status_bar
    bar.set_demo(True)
    qtbot.waitUntil(lambda: bar.state_label.text() == "live", timeout=15_000)
    qtbot.waitUntil(lambda: bar.messages_label.text() != "", timeout=15_000)
    for width in (700, 500):
        window.resize(width, 500)
        qtbot.waitUntil(lambda w=width: window.width() == w, timeout=2000)
        qtbot.wait(20)
        assert bar.demo_label.isVisibleTo(bar) and bar.state_label.isVisibleTo(bar)
        assert_fits(bar)
        assert_least_important_dropped(bar)


# -- the share-out, without widgets ------------------------------------------------------------


def test_share_out_drops_the_least_important_first_never_a_narrow_one_past_a_dropped_one():
    claims = [Claim("a", 100), Claim("b", 300), Claim("c", 50)]
    assert share_out(claims, 500) == {"a": 100, "b": 300, "c": 50}
    assert share_out(claims, 449) == {"a": 100, "b": 300}
    assert share_out(claims, 399) == {"a": 100}  # "c" would fit, but "b" went before it


def test_share_out_counts_the_gaps():
    claims = [Claim("a", 100), Claim("b", 100)]
    assert share_out(claims, 210, spacing=10) == {"a": 100, "b": 100}
    assert share_out(claims, 209, spacing=10) == {"a": 100}


def test_share_out_elides_and_keeps():
    claims = [
        Claim("demo", 150, kept=True),
        Claim("state", 60, kept=True, elidable=True),
        Claim("message", 120, elidable=True),
        Claim("state", 250, kept=True, elidable=True),
        Claim("count", 80),
        Claim("message", 400, elidable=True),
    ]
    assert share_out(claims, 2000) == {"demo": 150, "state": 250, "message": 400, "count": 80}
    # The state's whole text before the count; the message gets what is left.
    assert share_out(claims, 600) == {"demo": 150, "state": 250, "message": 120, "count": 80}
    assert share_out(claims, 599) == {"demo": 150, "state": 250, "message": 199}
    assert share_out(claims, 400) == {"demo": 150, "state": 130, "message": 120}
    # Too narrow for the message's least room: it takes what is left, if worth it...
    assert share_out(claims, 260) == {"demo": 150, "state": 60, "message": 50}
    # ... or goes; the kept fields stay even when they overflow.
    assert share_out(claims, 230) == {"demo": 150, "state": 80}
    assert share_out(claims, 100) == {"demo": 150, "state": LEAST_ELIDED}


def test_elided_label_keeps_its_whole_text(qtbot):
    label = ElidedLabel()
    qtbot.addWidget(label)
    label.setText("reconnecting in 4 s (no pong within 0.8 s)")
    whole = label.whole_width()
    assert label.sizeHint().width() == whole
    label.set_room(whole // 2)
    assert label.text() == "reconnecting in 4 s (no pong within 0.8 s)"
    assert label.shown().endswith("…") and label.elided()
    assert label.sizeHint().width() <= whole // 2
    label.set_room(None)
    assert label.shown() == label.text() and not label.elided()
