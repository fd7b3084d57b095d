"""Headless mode recorded (``--record``) and against a recording (``--replay``).

A recording's header says what the recorded run showed (:class:`RunChoices`); the recorder is
the feed's tap, closed once the feed has stopped.

A replay runs the same feed, model and printing code as a live run, against a
:class:`~kucandle_gui.replay.ReplayExchange` on loopback that plays the recording back. Its
candle lines are to equal the recorded run's, line for line, at any speed; so:

- the series, watched pairs, alerts and indicators default to those the recorded run showed
  (the header's ``run``), and the lines carry ``"simulated": true`` when the recorded run's did;
- the feed never renews its token by itself and waits long for acks: the recording decides
  when sessions end and when answers come;
- the run ends only once everything played has reached the lines: the exchange is at the end
  of the recording, the feed has seen the connection of the last session close (every frame
  sent before it read), and every REST answer it was given is merged (``FeedClient.settle``).
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, TypeVar

from kucandle_gui import DEFAULT_SYMBOL, DEFAULT_TIMEFRAME
from kucandle_gui.feed import ConnectionState, FeedConfig, FeedEvent, StatusEvent
from kucandle_gui.model import AlertSpec, parse_alert_spec
from kucandle_gui.model.indicators import IndicatorSpec, parse_indicator_spec
from kucandle_gui.recording import Header, Recorder, RecordingError, RunInfo, read_header

if TYPE_CHECKING:
    from kucandle_gui.replay import ReplayOptions

#: How long the feed waits for an ack in a replay: the recording decides when it comes (the
#: server holds a recorded answer up to 5 s for the request it answers).
REPLAY_ACK_WAIT = 60.0
#: Longest wait at the end for the feed to merge the REST answers it was given, in seconds.
SETTLE_TIMEOUT = 30.0
#: ``--record-max-mb`` when not given: a part of a recording ends at this size (MiB).
DEFAULT_RECORD_MAX_MB = 200.0
MIB = 1024 * 1024

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class RunChoices:
    """What a headless run shows: the printed series, the watched pairs, alerts, indicators."""

    symbol: str
    timeframe: str
    watched: tuple[str, ...] = ()
    alerts: tuple[AlertSpec, ...] = ()
    indicators: tuple[IndicatorSpec, ...] = ()

    def run_info(self, simulated: bool) -> RunInfo:
        """The header's ``run`` of a recording of this run."""
        return RunInfo(
            series=((self.symbol, self.timeframe),),
            watched=self.watched,
            alerts=tuple(alert_text(spec) for spec in self.alerts),
            indicators=tuple(spec.text for spec in self.indicators),
            simulated=simulated,
            mode="headless",
        )


def alert_text(spec: AlertSpec) -> str:
    """``--alert``'s SPEC of an alert: ``parse_alert_spec`` reads it back as ``spec``."""
    every = f" every {spec.cooldown!r}s" if spec.repeat else ""
    return f"{spec.symbol} {spec.condition.value} {spec.price!r}{every}"


def start_recorder(
    path: Path, max_mb: float, run: RunInfo, say: Callable[[str], None]
) -> Recorder | None:
    """The recorder of ``--record``, started (its header written); None when it cannot be
    (``say`` told why)."""
    recorder = Recorder(
        path,
        run,
        max_bytes=max(1, round(max_mb * MIB)),
        on_problem=lambda text: say(f"record: {text}"),
    )
    try:
        recorder.start()
    except RecordingError as exc:
        say(f"error: {exc}")
        return None
    say(f"RECORD: {path} (tokens redacted), in parts of at most {max_mb:g} MiB")
    return recorder


def close_recorder(recorder: Recorder, say: Callable[[str], None]) -> None:
    """Close the recording (after the feed stopped) and say what it holds."""
    recorder.close()
    parts = ", ".join(str(part) for part in recorder.parts)
    lost = f"; {recorder.lost} lines lost" if recorder.lost else ""
    failed = f"; stopped early: {recorder.failed}" if recorder.failed else ""
    say(f"record: {recorder.lines_written} lines in {parts}{lost}{failed}")


class ReplaySource:
    """The recording a headless run replays: its header at once, the exchange playing it
    while in a ``with`` block; ``say`` tells the user (stderr)."""

    def __init__(self, options: ReplayOptions, say: Callable[[str], None]) -> None:
        """Reads the header: ``RecordingUnreadable`` says why nothing can be replayed."""
        self.options = options
        self.header: Header = read_header(options.path)
        self._say = say
        from kucandle_gui.replay import ReplayExchange  # aiohttp: only for a replay

        self._exchange = ReplayExchange(options)
        #: Whether the exchange plays (from the ``with`` block on).
        self.playing = False
        self._lock = threading.Lock()
        #: Whether the feed's session is live, and whether one ended once the end was reached.
        self._live = False
        self._ended_after_finish = False

    @property
    def simulated(self) -> bool:
        """Whether the recorded run's prices were simulated (a ``--demo`` run)."""
        return self.header.run.simulated

    def choices(
        self,
        symbol: str | None,
        timeframe: str | None,
        watched: Sequence[str],
        alerts: Sequence[AlertSpec],
        indicators: Sequence[IndicatorSpec],
    ) -> RunChoices:
        """The recorded run's series, pairs, alerts and indicators where none is given; an
        entry of the header that cannot be read is said and left out."""
        run = self.header.run
        first = run.series[0] if run.series else (DEFAULT_SYMBOL, DEFAULT_TIMEFRAME)
        return RunChoices(
            symbol or first[0],
            timeframe or first[1],
            tuple(watched) or run.watched,
            tuple(alerts) or self._parsed(run.alerts, parse_alert_spec, "alert"),
            tuple(indicators) or self._parsed(run.indicators, parse_indicator_spec, "indicator"),
        )

    def _parsed(self, texts: Sequence[str], parse: Callable[[str], T], what: str) -> tuple[T, ...]:
        found = []
        for text in texts:
            try:
                found.append(parse(text))
            except ValueError as exc:
                self._say(f"replay: the recorded {what} {text!r} is left out: {exc}")
        return tuple(found)

    def config(self, config: FeedConfig) -> FeedConfig:
        """``config`` for a replay: no token renewal of its own, long waits for acks."""
        return replace(
            config,
            token_max_age=math.inf,
            timeouts=replace(config.timeouts, ack=max(config.timeouts.ack, REPLAY_ACK_WAIT)),
        )

    # -- the exchange -------------------------------------------------------------------------

    def __enter__(self) -> ReplaySource:
        """Start playing (``RecordingUnreadable`` if nothing can be); says REPLAY and what
        reading the recording found wrong."""
        self._exchange.start()
        self.playing = True
        header, report = self._exchange.header, self._exchange.report
        recorded = datetime.fromtimestamp(header.t, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
        prices = ", simulated prices" if header.run.simulated else ""
        self._say(
            f"REPLAY: {self.options.path}, recorded {recorded} ({header.run.mode}{prices}) by "
            f"kucandle-gui {header.app}, at {self.options.speed:g}x: not live prices"
        )
        for problem in report.problems:
            self._say(f"replay: {problem}")
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._exchange.stop()

    @property
    def base_url(self) -> str:
        return self._exchange.base_url

    # -- the end --------------------------------------------------------------------------------

    def observe(self, event: FeedEvent) -> None:
        """The feed's events (its thread): whether its session is live, and whether one
        ended after the exchange reached the end of the recording."""
        if not isinstance(event, StatusEvent):
            return
        with self._lock:
            self._live = event.state is ConnectionState.LIVE
            if not self._live and self._exchange.finished.is_set():
                self._ended_after_finish = True

    def over(self) -> bool:
        """Whether everything was played and read: the exchange is at the end (never with
        ``loop``) and the feed is not in the middle of a session that was played. (The
        exchange closes the last session before it says it finished, so a feed still live
        then has frames of it to read; the session's end tells that they are read.)"""
        if self.options.loop or not self._exchange.finished.is_set():
            return False
        with self._lock:
            return not self._live or self._ended_after_finish

    def summary(self) -> str:
        """What the exchange could not play as recorded, for the run's summary."""
        position = self._exchange.position()
        return (
            f"replay: {position.fraction:.0%} played; answers skipped="
            f"{position.skipped_answers} REST requests not in the recording="
            f"{position.unmatched_requests}"
        )
