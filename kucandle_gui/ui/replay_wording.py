"""Words of the prices that are not live: the marks of the demo exchange's and a recording's
prices, the recording badge, and the replay bar's texts (the rest of the app's words are in
:mod:`.wording`)."""

from __future__ import annotations

import math
from collections.abc import Sequence

from kucandle_gui.recording import recorded_utc
from kucandle_gui.urls import quote

from .wording import counted

#: The watchlist panel's mark during a replay.
WATCHLIST_REPLAY = "REPLAY · the recording's pairs; changes are not saved"
#: The alerts panel's mark during a replay (its demo mark is the alerts' own).
ALERTS_REPLAY = "REPLAY · alerts on recorded prices, not saved"


def source_watermark(simulated: bool, replay: bool) -> str | None:
    """What every chart shows across its price pane while its prices are not live."""
    if replay:
        return "REPLAY"
    return "SIMULATED" if simulated else None


#: The status bar's badge while prices are not live: (text, tooltip).
DEMO_BADGE = ("DEMO · simulated prices", "Prices come from the built-in local exchange")
REPLAY_BADGE = (
    "REPLAY · recorded prices",
    "Prices come from a recording played back, at its recorded pace: not live",
)
#: The status bar's badge while the feed is recorded.
RECORDING_BADGE = "● REC"
RECORDING_STOPPED_BADGE = "REC stopped"

#: The replay speeds offered (the command line's ``--speed`` may add its own).
REPLAY_SPEEDS = (0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0)


def recording_tooltip(path: str) -> str:
    return f"Recording every frame and answer of the feed to {path}"


def recorded_time_text(t: float | None) -> str:
    """A recorded moment as the replay bar shows it, ``2026-11-30 03:12:45 UTC``; an em
    dash before the first frame (or for a time no calendar holds)."""
    if t is None or not math.isfinite(t):
        return "—"
    try:
        return recorded_utc(t)
    except (OverflowError, OSError, ValueError):
        return "—"


#: Before a replay's speed, as media players write it.
TIMES = "\N{MULTIPLICATION SIGN}"


def speed_text(speed: float) -> str:
    """The replay's speed: times 20, times 0.5 (``20``, ``0.5`` after :data:`TIMES`)."""
    return f"{TIMES}{speed:g}"


def replay_loading_text(name: str) -> str:
    return f"loading the recording {name}…"


def replay_played_text(fraction: float) -> str:
    """How much of the recording has been played: ``37 %``."""
    return f"{math.floor(max(0.0, min(1.0, fraction)) * 100)} %"


#: The replay bar once the recording is played to its end (the charts stay as they are).
REPLAY_FINISHED = "finished"
REPLAY_PAUSED = "paused"
#: The replay bar when nothing of the recording can be replayed (the banner says why).
REPLAY_FAILED = "not replayed"
#: The replay bar's mark of a damaged recording (its tooltip lists the problems).
REPLAY_DAMAGED = "\N{WARNING SIGN} damaged"


def replay_counts_text(skipped: int, unmatched: int) -> str:
    """What the replay could not play as recorded (``""``: everything so far): answers the
    client never asked for in time, and requests the recording has no answer for."""
    parts = []
    if skipped:
        parts.append(counted(skipped, "answer") + " skipped")
    if unmatched:
        parts.append(counted(unmatched, "request") + " not in the recording")
    return " · ".join(parts)


#: The tooltip of :func:`replay_counts_text`.
REPLAY_COUNTS_TOOLTIP = (
    "The app asked for something the recording has no answer for (another pair, another "
    "timeframe, more history), or did not ask in time for an answer the recording has: "
    "what depends on it is not as recorded"
)


def replay_unreadable_text(name: str, reason: str) -> str:
    """The banner when nothing of a recording can be replayed."""
    return (
        f"Cannot replay {name}: {quote(reason, 300)}. No prices are shown; use the demo "
        "exchange, or quit."
    )


def replay_problems_text(name: str, problems: Sequence[str]) -> tuple[str, str] | None:
    """What was found damaged in a recording (``problems``: one sentence each), as a status
    line and its tooltip's detail; None when nothing was. What can be replayed plays."""
    if not problems:
        return None
    more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
    line = f"{name} is damaged: {quote(problems[0])}{more}; what can be replayed plays"
    return line, "\n".join(quote(problem, 500) for problem in problems)
