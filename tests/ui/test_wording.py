"""What the user reads about a failed request: every ``NetworkFailure`` said as a person would,
the library's text kept out of the banner and the status line, and no URL credentials."""

from __future__ import annotations

import math

import pytest

from kucandle_gui.feed import ConnectionState, ErrorEvent, ErrorKind, NetworkFailure, StatusEvent
from kucandle_gui.model import SeriesKey
from kucandle_gui.ui.replay_wording import (
    recorded_time_text,
    replay_counts_text,
    replay_played_text,
    replay_problems_text,
    replay_unreadable_text,
    source_watermark,
)
from kucandle_gui.ui.wording import (
    banner_text,
    connect_counts,
    error_detail,
    error_line,
    pairs_failed_text,
    state_text,
    unreachable_text,
    window_title,
)

#: What requests (urllib3, websockets) say, for the log.
LIBRARY_TEXT = (
    "POST https://api.kucoin.com/api/v1/bullet-public: HTTPSConnectionPool(host='api.kucoin.com',"
    " port=443): Max retries exceeded with url: /api/v1/bullet-public (Caused by "
    "NameResolutionError(\"HTTPSConnection(host='api.kucoin.com', port=443): Failed to resolve "
    "'api.kucoin.com' ([Errno -2] Name or service not known)\"))"
)

BANNERS = {
    NetworkFailure.DNS: (
        "Cannot reach api.kucoin.com: the name does not resolve — no internet connection?"
    ),
    NetworkFailure.REFUSED: (
        "Cannot reach api.kucoin.com: the connection was refused — nothing listens there; "
        "is the address right?"
    ),
    NetworkFailure.TIMEOUT: (
        "Cannot reach api.kucoin.com: no answer in time — a slow network, or a firewall in the way?"
    ),
    NetworkFailure.TLS: (
        "Cannot connect securely to api.kucoin.com: the TLS handshake or the certificate check "
        "failed — a proxy in the way, or the system clock wrong?"
    ),
    NetworkFailure.SERVER: (
        "api.kucoin.com answered with an error or an unexpected reply — the exchange may be "
        "down or under maintenance."
    ),
    NetworkFailure.TOO_LARGE: (
        "api.kucoin.com sent a reply far larger than the exchange's — is the address right?"
    ),
}

LINES = {
    NetworkFailure.DNS: "api.kucoin.com does not resolve",
    NetworkFailure.REFUSED: "api.kucoin.com refused the connection",
    NetworkFailure.TIMEOUT: "no answer from api.kucoin.com in time",
    NetworkFailure.TLS: "no secure connection to api.kucoin.com",
    NetworkFailure.SERVER: "api.kucoin.com answered with an error",
    NetworkFailure.TOO_LARGE: "the reply from api.kucoin.com was too large",
}


def unreachable(failure: NetworkFailure | None, host: str | None = "api.kucoin.com") -> ErrorEvent:
    return ErrorEvent(
        ErrorKind.UNREACHABLE,
        LIBRARY_TEXT,
        retrying=True,
        retry_in=2.0,
        failure=failure,
        host=host,
    )


def test_every_failure_has_its_words() -> None:
    assert set(BANNERS) == set(NetworkFailure) == set(LINES)


@pytest.mark.parametrize("failure", list(NetworkFailure))
def test_the_banner_says_a_failure_as_a_person_would(failure: NetworkFailure) -> None:
    event = unreachable(failure)
    text = banner_text(event, "https://api.kucoin.com")
    assert text == (
        f"{BANNERS[failure]} Retrying automatically; the status bar counts down to the next try."
    )
    assert "HTTPSConnectionPool" not in text


@pytest.mark.parametrize("failure", list(NetworkFailure))
def test_the_status_line_says_it_short_and_the_tooltip_keeps_the_library_text(
    failure: NetworkFailure,
) -> None:
    event = unreachable(failure)
    line = error_line(event, "https://api.kucoin.com")
    assert line == f"cannot get a connect token: {LINES[failure]}; retrying in 2.0 s"
    assert "HTTPSConnectionPool" in error_detail(event)


def test_a_failed_history_load_says_the_failure_too() -> None:
    event = ErrorEvent(
        ErrorKind.HISTORY,
        "HTTPConnectionPool(host='127.0.0.1', port=9): Read timed out. (read timeout=5)",
        "BTC-USDT",
        "1min",
        retrying=True,
        failure=NetworkFailure.TIMEOUT,
        host="127.0.0.1:9",
    )
    assert error_line(event) == (
        "history of BTC-USDT 1min failed: no answer from 127.0.0.1:9 in time; retrying "
        "(its live candles wait for it)"
    )
    assert banner_text(event, "") == error_line(event)


def test_without_a_known_failure_the_banner_is_short_and_still_human() -> None:
    text = banner_text(unreachable(None, host=None), "https://api.kucoin.com")
    assert text.startswith("Cannot reach api.kucoin.com. Retrying automatically")
    assert "HTTPSConnectionPool" not in text
    # The event's host wins over the exchange's URL (a request may go elsewhere).
    assert unreachable_text(unreachable(None, "127.0.0.1:9"), "https://api.kucoin.com") == (
        "Cannot reach 127.0.0.1:9."
    )


def test_no_credentials_are_shown() -> None:
    url = "https://user:secret@api.example.com"
    dns = ErrorEvent(
        ErrorKind.UNREACHABLE,
        f"POST {url}/api/v1/bullet-public: failed",
        retrying=True,
        failure=NetworkFailure.DNS,
    )
    shown = [banner_text(dns, url), error_line(dns, url), error_detail(dns)]
    assert shown[0].startswith("Cannot reach api.example.com: the name does not resolve")
    unknown = ErrorEvent(ErrorKind.UNREACHABLE, f"POST {url}/x: failed", retrying=True)
    shown += [banner_text(unknown, url), error_line(unknown, url), error_detail(unknown)]
    exchange = ErrorEvent(ErrorKind.EXCHANGE, f"see {url}/status", code=500)
    shown += [banner_text(exchange, url), error_line(exchange, url)]
    shown.append(pairs_failed_text(f"cannot load the list of pairs: GET {url}/api/v2/symbols"))
    for text in shown:
        assert "secret" not in text and "user" not in text, text


def test_server_text_is_cut_to_a_quote() -> None:
    event = ErrorEvent(ErrorKind.EXCHANGE, "x" * 10_000, code=500)
    assert len(error_line(event)) < 400


def test_attempts_and_reconnects_are_counted_apart() -> None:
    assert connect_counts(0, 3) == ("", "3 failed attempts")  # never connected
    assert connect_counts(0, 0) == ("0 reconnects", "")
    assert connect_counts(2, 0) == ("2 reconnects", "")
    assert connect_counts(1_234, 5_678) == ("1,234 reconnects", "5,678 failed attempts")


def test_a_live_connection_without_the_series_subscribed_is_not_live() -> None:
    live = StatusEvent(ConnectionState.LIVE, "wss://example.invalid/ws")
    assert state_text(live, 0.0, None) == "live"
    assert state_text(live, 0.0, None, "BTC-USDT 1min") == "subscribing BTC-USDT 1min…"
    # Quiet or not, an unacknowledged series is said as such first.
    assert state_text(live, 0.0, 3600.0, "BTC-USDT 1min") == "subscribing BTC-USDT 1min…"


def test_a_replay_is_said_as_such_and_its_recorded_times_in_utc() -> None:
    key = SeriesKey("BTC-USDT", "1min")
    assert (
        window_title(key, True, True) == "REPLAY · BTC-USDT · 1min — kucandle-gui (recorded prices)"
    )
    assert [source_watermark(*s) for s in ((False, False), (True, False), (True, True))] == [
        None,
        "SIMULATED",
        "REPLAY",
    ]
    assert recorded_time_text(1_796_008_365.9) == "2026-11-30 03:12:45 UTC"
    for nothing in (None, math.nan, 1e300):  # before the first frame; no calendar holds it
        assert recorded_time_text(nothing) == "—"
    assert replay_played_text(0.999) == "99 %" and replay_played_text(1.5) == "100 %"
    assert replay_counts_text(0, 0) == ""
    assert replay_counts_text(2, 1) == "2 answers skipped · 1 request not in the recording"


def test_a_damaged_recording_is_one_line_with_every_problem_behind_it() -> None:
    assert replay_problems_text("run.kcr", []) is None
    problems = ["part 2 (run.kcr.2) is cut off after line 12", "3 lines of unknown kinds"]
    line, detail = replay_problems_text("run.kcr", problems) or ("", "")
    assert line == (
        "run.kcr is damaged: part 2 (run.kcr.2) is cut off after line 12 (and 1 more); "
        "what can be replayed plays"
    )
    assert detail.splitlines() == problems
    unreadable = replay_unreadable_text("run.kcr", "run.kcr is not gzip-compressed")
    assert unreadable.startswith("Cannot replay run.kcr: run.kcr is not gzip-compressed.")
