"""What the user reads about the feed: the connection state, error lines, banners, the
chart's note and a cell's header while a series loads; the marks of prices that are not live
(the demo exchange's, a recording's) and the replay bar's texts; and the one line saying what
could not be read of the saved settings at start.

Every sentence about a feed event is made here, from the event's fields (state, kind,
``retrying``, ``retry_in``, ``subscription_dropped``, ``failure``, ``host``): no widget reads
meaning out of text, and the words change in one place. A failed request is said as a person
would say it (the name does not resolve, no answer in time); the library's text behind it is
for the log and, at most, a tooltip. Nothing shown carries URL credentials: every text that
may hold a URL goes through :func:`kucandle_gui.urls.redact`. Plain functions without Qt, so
they are tested without a window.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import replace
from enum import Enum

from kucandle_gui.feed import ConnectionState, ErrorEvent, ErrorKind, NetworkFailure, StatusEvent
from kucandle_gui.model import SeriesKey, SeriesState
from kucandle_gui.urls import host_of, quote, redact

#: A live feed without a candle push for this long is called quiet (a hint, not an error:
#: a pair without trades pushes nothing, and that is not a dead link).
STALE_AFTER = 60.0


class BannerKind(Enum):
    """What a banner is about, so that the window takes it down when that problem is over
    without hiding a different one that arrived since."""

    #: The exchange cannot be reached.
    CONNECTION = "connection"
    #: The current pair is refused by the exchange.
    PAIR = "pair"
    #: Something passing: the feed carries on or retries by itself.
    ERROR = "error"

    @property
    def lasting(self) -> bool:
        """A lasting problem keeps the banner until it is over; a passing error does not
        cover it (the status bar has that one)."""
        return self is not BannerKind.ERROR


# -- numbers -------------------------------------------------------------------------------


def format_duration(seconds: float | None) -> str:
    """``h:mm:ss`` (the token age); an em dash before there is anything to show."""
    if seconds is None:
        return "—"
    total = max(0, int(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}"


def format_age(seconds: float | None) -> str:
    """A short age: tenths of a second below a minute (a busy feed), else ``h:mm:ss``."""
    if seconds is None:
        return "—"
    if seconds < 60:
        return f"{max(0.0, seconds):.1f} s"
    return format_duration(seconds)


def format_latency(seconds: float | None) -> str:
    """Feed latency in whole milliseconds (negative when the two clocks disagree)."""
    return "—" if seconds is None else f"{round(seconds * 1000)} ms"


def shortened(text: str, limit: int = 60) -> str:
    """``text`` cut to ``limit`` characters for a label (the tooltip has all of it)."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


# -- connection state ----------------------------------------------------------------------


def state_text(
    event: StatusEvent | None,
    elapsed: float,
    quiet_for: float | None,
    subscribing: str | None = None,
    replay: bool = False,
) -> str:
    """The connection state as the status bar shows it, e.g. ``reconnecting in 4 s (why)``.

    ``elapsed`` is the time since ``event`` arrived (the countdown to the next connect runs
    from its ``retry_in``); ``quiet_for`` the time a live feed has gone without a push;
    ``subscribing`` names the series shown while the exchange has not acknowledged its
    subscription: a connection is live for the user only once the series shown is. During a
    ``replay`` the connection to the replay server is "replaying": its prices are not live.
    """
    if event is None:
        return "starting…"
    if event.state is ConnectionState.CONNECTING:
        return "connecting…"
    if event.state is ConnectionState.RECONNECTING:
        why = f" ({shortened(redact(event.reason))})" if event.reason else ""
        left = math.ceil(event.retry_in - elapsed) if event.retry_in else 0
        return f"reconnecting in {left} s{why}" if left > 0 else f"reconnecting…{why}"
    if event.state is ConnectionState.LIVE:
        if subscribing is not None:
            return f"subscribing {subscribing}…"
        up = "replaying" if replay else "live"
        if quiet_for is not None and quiet_for > STALE_AFTER:
            return f"{up} · no pushes for {format_duration(quiet_for)} (quiet market?)"
        return up
    return "stopped"


def state_tooltip(event: StatusEvent) -> str:
    """The whole story behind the state: why, and when the next try comes."""
    return f"Connection: {redact(event.message)}"


def counted(count: int, noun: str, plural: str | None = None) -> str:
    """``count`` things, in the singular for one: ``1 msg``, ``2 msgs``, ``0 errors``,
    ``1,234 failed attempts``. ``plural`` for a noun that does not just take an "s"."""
    return f"{count:,} {noun if count == 1 else plural or noun + 's'}"


def connect_counts(reconnects: int, failed_attempts: int) -> tuple[str, str]:
    """The status bar's reconnect and failed-attempt counters, ``""`` for one not worth a
    word: a feed that never got through has made attempts, not reconnects."""
    attempts = counted(failed_attempts, "failed attempt") if failed_attempts else ""
    return "" if attempts and not reconnects else counted(reconnects, "reconnect"), attempts


# -- a series -------------------------------------------------------------------------------


def series_note(key: SeriesKey, state: SeriesState) -> str | None:
    """What a chart says in place of candles: loading, refused, or nothing once ready."""
    if state is SeriesState.LOADING:
        return f"loading {key}…"
    if state is SeriesState.REFUSED:
        return f"{key} is not available"
    return None


#: What a cell's header adds while its series is not ready.
_NOT_READY = {
    SeriesState.LOADING: "loading…",
    SeriesState.REFUSED: "refused by the exchange",
}


def cell_header(key: SeriesKey, state: SeriesState) -> str:
    """A cell's header: "BTC-USDT · 5min", and the series' state while it is not ready
    (the chart's own note says it in full, see :func:`series_note`)."""
    note = _NOT_READY.get(state)
    text = f"{key.symbol} · {key.timeframe}"
    return f"{text} · {note}" if note else text


def window_title(key: SeriesKey, simulated: bool, replay: bool = False) -> str:
    """The window title: the series first (taskbars cut the end), SIMULATED or REPLAY
    before all."""
    title = f"{key.symbol} · {key.timeframe} — kucandle-gui"
    if replay:
        return f"REPLAY · {title} (recorded prices)"
    return f"SIMULATED · {title} (demo exchange)" if simulated else title


def backfill_note(rows: int) -> str:
    return f"backfilled {rows} candles after reconnecting"


def no_trades_note(symbol: str) -> str:
    return f"no recent trades of {symbol}; waiting for the first"


def no_older_note(key: SeriesKey) -> str:
    return f"no candles of {key} before these"


def demo_failed_text(reason: str) -> str:
    return f"The demo exchange could not start: {redact(reason)}"


def pairs_failed_text(message: str) -> str:
    return quote(message)


# -- the watchlist ---------------------------------------------------------------------------


def stale_tooltip(age: float | None, live: bool) -> str:
    """Why a watchlist row's values may be out of date."""
    if not live:
        return "connection down: these values may be out of date"
    if age is None:
        return "no values yet"
    return f"no update for {int(age)} s"


def refused_tooltip(simulated: bool) -> str:
    exchange = "The demo exchange" if simulated else "KuCoin"
    return f"{exchange} does not serve this pair"


def watch_added_text(symbol: str) -> str:
    return f"{symbol} added to the watchlist"


def watch_removed_text(symbol: str) -> str:
    return f"{symbol} removed from the watchlist"


#: The watchlist panel's mark in demo mode (the window's SIMULATED).
WATCHLIST_SIMULATED = "SIMULATED · the demo exchange's pairs; changes are not saved"
# -- saved settings --------------------------------------------------------------------------

#: How each store's problems end, before the key the saved text was copied to.
KEPT_AS = "the saved text is kept in the settings as "


def saved_settings_text(
    problems: Sequence[tuple[str, Sequence[str]]],
) -> tuple[str, str] | None:
    """One status line for what the stores could not read of the saved settings at start,
    and the detail for its tooltip (every problem); None when all was read.

    ``problems``: per store, its name (``"drawings"``) and its problems, one sentence each,
    the last saying where the saved text was kept. One store: ``Saved drawings: <the first
    problem> (and 2 more); the saved text is kept in the settings as <key>``. Several: ``Saved
    settings partly unreadable: indicators (<first problem>); drawings (<first problem>) —
    kept aside in the settings as <key>, <key>``.
    """
    damaged = [(name, list(said)) for name, said in problems if said]
    if not damaged:
        return None
    parts: list[str] = []
    keys: list[str] = []
    for _name, said in damaged:
        *found, kept = said
        more = f" (and {len(found) - 1} more)" if len(found) > 1 else ""
        parts.append(f"{found[0] if found else 'not read'}{more}")
        keys.append(kept.removeprefix(KEPT_AS))
    if len(damaged) == 1:
        (name, said), (what,) = damaged[0], parts
        return f"Saved {name}: {what}; {said[-1]}", "\n".join(said)
    listed = "; ".join(f"{name} ({what})" for (name, _), what in zip(damaged, parts, strict=True))
    detail = "\n\n".join(f"Saved {name}:\n" + "\n".join(said) for name, said in damaged)
    return (
        f"Saved settings partly unreadable: {listed} — kept aside in the settings as "
        + ", ".join(keys),
        detail,
    )


# -- errors --------------------------------------------------------------------------------

#: Per failure of a request: a short clause for the status bar, and the banner's sentence with
#: the likely cause (``{host}`` is the host the request went to).
_FAILURES: dict[NetworkFailure, tuple[str, str]] = {
    NetworkFailure.DNS: (
        "{host} does not resolve",
        "Cannot reach {host}: the name does not resolve — no internet connection?",
    ),
    NetworkFailure.REFUSED: (
        "{host} refused the connection",
        "Cannot reach {host}: the connection was refused — nothing listens there; "
        "is the address right?",
    ),
    NetworkFailure.TIMEOUT: (
        "no answer from {host} in time",
        "Cannot reach {host}: no answer in time — a slow network, or a firewall in the way?",
    ),
    NetworkFailure.TLS: (
        "no secure connection to {host}",
        "Cannot connect securely to {host}: the TLS handshake or the certificate check "
        "failed — a proxy in the way, or the system clock wrong?",
    ),
    NetworkFailure.SERVER: (
        "{host} answered with an error",
        "{host} answered with an error or an unexpected reply — the exchange may be down "
        "or under maintenance.",
    ),
    NetworkFailure.TOO_LARGE: (
        "the reply from {host} was too large",
        "{host} sent a reply far larger than the exchange's — is the address right?",
    ),
}


def _retry_note(event: ErrorEvent) -> str:
    """``retrying in 2.0 s`` or ``retrying`` when the feed tries again by itself, else ``""``;
    for a series' history, that its live candles wait for it (the feed holds them until then)."""
    if not event.retrying:
        return ""
    note = "retrying" if event.retry_in is None else f"retrying in {event.retry_in:.1f} s"
    if event.kind in (ErrorKind.HISTORY, ErrorKind.BACKFILL):
        return f"{note} (its live candles wait for it)"
    return note


def _host(event: ErrorEvent, api_url: str) -> str:
    """The host a failed request went to: the event's, else the exchange's."""
    if event.host:
        return redact(event.host)
    return host_of(api_url) if api_url else "the exchange"


def _what(event: ErrorEvent, api_url: str) -> str:
    """What happened, in one line: a failed request said as a person would (the library's text
    is the log's), anything else as the event says it (server text cut to a quote's length)."""
    if event.failure is not None:
        clause = _FAILURES[event.failure][0].format(host=_host(event, api_url))
        event = replace(event, reason=clause)
    return quote(event.message)


def error_line(event: ErrorEvent, api_url: str = "") -> str:
    """The error as the status bar shows it: what happened, and a retry when there is one."""
    note = _retry_note(event)
    what = _what(event, api_url)
    return f"{what}; {note}" if note else what


def error_detail(event: ErrorEvent) -> str:
    """The event's own words (the library's text of a failed request) for a tooltip: without
    credentials, cut to a readable length; the log has all of it."""
    return quote(event.message)


def banner_kind(event: ErrorEvent) -> BannerKind:
    """Which banner an error belongs to."""
    if event.subscription_dropped:
        return BannerKind.PAIR
    if event.kind is ErrorKind.UNREACHABLE:
        return BannerKind.CONNECTION
    return BannerKind.ERROR


def unreachable_text(event: ErrorEvent, api_url: str) -> str:
    """Why the exchange cannot be reached, as a person would say it; without a known
    failure, just that (never the library's text)."""
    host = _host(event, api_url)
    if event.failure is None:
        return f"Cannot reach {host}."
    return _FAILURES[event.failure][1].format(host=host)


def banner_text(event: ErrorEvent, api_url: str) -> str:
    """The banner for an error: what happened and what the app does next (or the user can)."""
    kind = banner_kind(event)
    if kind is BannerKind.PAIR:
        return f"{quote(event.message)}. Choose another pair (Ctrl+P)."
    if kind is BannerKind.CONNECTION:
        # The feed never gives up on a connection: it retries until stopped.
        return (
            f"{unreachable_text(event, api_url)} Retrying automatically; "
            "the status bar counts down to the next try."
        )
    return f"{_what(event, api_url)}; {_retry_note(event) or 'the feed carries on'}"
