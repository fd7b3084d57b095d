"""What the user reads about the feed: the connection state, error lines, banners and the
chart's note while a series loads.

Every sentence about a feed event is made here, from the event's fields (state, kind,
``retrying``, ``retry_in``, ``subscription_dropped``): no widget reads meaning out of text,
and the words change in one place. Plain functions without Qt, so they are tested without a
window.
"""

from __future__ import annotations

import math
from enum import Enum

from kucandle_gui.feed import ConnectionState, ErrorEvent, ErrorKind, StatusEvent
from kucandle_gui.model import SeriesKey, SeriesState

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


def state_text(event: StatusEvent | None, elapsed: float, quiet_for: float | None) -> str:
    """The connection state as the status bar shows it, e.g. ``reconnecting in 4 s (why)``.

    ``elapsed`` is the time since ``event`` arrived (the countdown to the next connect runs
    from its ``retry_in``); ``quiet_for`` the time a live feed has gone without a push.
    """
    if event is None:
        return "starting…"
    if event.state is ConnectionState.CONNECTING:
        return "connecting…"
    if event.state is ConnectionState.RECONNECTING:
        why = f" ({shortened(event.reason)})" if event.reason else ""
        left = math.ceil(event.retry_in - elapsed) if event.retry_in else 0
        return f"reconnecting in {left} s{why}" if left > 0 else f"reconnecting…{why}"
    if event.state is ConnectionState.LIVE:
        if quiet_for is not None and quiet_for > STALE_AFTER:
            return f"live · no pushes for {format_duration(quiet_for)} (quiet market?)"
        return "live"
    return "stopped"


def state_tooltip(event: StatusEvent) -> str:
    """The whole story behind the state: why, and when the next try comes."""
    return f"Connection: {event.message}"


# -- a series -------------------------------------------------------------------------------


def series_note(key: SeriesKey, state: SeriesState) -> str | None:
    """What a chart says in place of candles: loading, refused, or nothing once ready."""
    if state is SeriesState.LOADING:
        return f"loading {key}…"
    if state is SeriesState.REFUSED:
        return f"{key} is not available"
    return None


def window_title(key: SeriesKey, simulated: bool) -> str:
    """The window title: the series first (taskbars cut the end), SIMULATED before all."""
    title = f"{key.symbol} · {key.timeframe} — kucandle-gui"
    return f"SIMULATED · {title} (demo exchange)" if simulated else title


def backfill_note(rows: int) -> str:
    return f"backfilled {rows} candles after reconnecting"


def no_trades_note(symbol: str) -> str:
    return f"no recent trades of {symbol}; waiting for the first"


def no_older_note(key: SeriesKey) -> str:
    return f"no candles of {key} before these"


def demo_failed_text(reason: str) -> str:
    return f"The demo exchange could not start: {reason}"


# -- errors --------------------------------------------------------------------------------


def _retry_note(event: ErrorEvent) -> str:
    """``retrying in 2.0 s`` or ``retrying`` when the feed tries again by itself, else ``""``."""
    if not event.retrying:
        return ""
    return "retrying" if event.retry_in is None else f"retrying in {event.retry_in:.1f} s"


def error_line(event: ErrorEvent) -> str:
    """The error as the status bar shows it: what happened, and a retry when there is one."""
    note = _retry_note(event)
    return f"{event.message}; {note}" if note else event.message


def banner_kind(event: ErrorEvent) -> BannerKind:
    """Which banner an error belongs to."""
    if event.subscription_dropped:
        return BannerKind.PAIR
    if event.kind is ErrorKind.UNREACHABLE:
        return BannerKind.CONNECTION
    return BannerKind.ERROR


def banner_text(event: ErrorEvent, api_url: str) -> str:
    """The banner for an error: what happened and what the app does next (or the user can)."""
    kind = banner_kind(event)
    if kind is BannerKind.PAIR:
        return f"{event.message}. Choose another pair (Ctrl+P)."
    if kind is BannerKind.CONNECTION:
        # The feed never gives up on a connection: it retries until stopped.
        return (
            f"Cannot reach the exchange at {api_url} ({event.reason}). Retrying automatically; "
            "the status bar counts down to the next try."
        )
    return f"{event.message}; {_retry_note(event) or 'the feed carries on'}"
