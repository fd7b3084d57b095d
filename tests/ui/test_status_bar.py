"""The status bar, the message banner and the words they show, with clocks the tests move by
hand."""

from __future__ import annotations

import pytest

from kucandle_gui.feed import ConnectionState, ErrorEvent, ErrorKind, FeedMetrics, StatusEvent
from kucandle_gui.model import SeriesKey, SeriesState
from kucandle_gui.ui.banner import MessageBanner
from kucandle_gui.ui.status_bar import FeedStatusBar
from kucandle_gui.ui.wording import (
    STALE_AFTER,
    BannerKind,
    banner_kind,
    banner_text,
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
    assert bar.reconnects_label.text() == "1 reconnects"
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
        == "backfill of BTC-USDT 1min failed: Too Many Requests; retrying in 2.0 s"
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
        "1 failed attempts",
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
