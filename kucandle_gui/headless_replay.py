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
  The feed retries what the recording holds no answer for (a recording cut off in the middle
  of a load) for ever, and is then never settled: once it asks for such an answer after the
  end, the run ends without waiting for it;
- with ``--loop`` every pass plays to a feed started anew, as the recorded run's did: a feed
  that already holds the candles would ask for a backfill the recording does not hold, and
  print nothing of the later passes.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, TypeVar

from kucandle_gui import DEFAULT_SYMBOL, DEFAULT_TIMEFRAME
from kucandle_gui.cli_recording import part_bytes
from kucandle_gui.feed import ConnectionState, FeedClient, FeedEvent, StatusEvent
from kucandle_gui.model import AlertSpec, parse_alert_spec
from kucandle_gui.model.indicators import IndicatorSpec, parse_indicator_spec
from kucandle_gui.recording import (
    Header,
    Recorder,
    RecordingError,
    RunInfo,
    read_header,
    recorded_utc,
)

if TYPE_CHECKING:
    from kucandle_gui.replay import ReplayExchange, ReplayOptions

#: How long the feed waits for an ack in a replay: the recording decides when it comes (the
#: server holds a recorded answer up to 5 s for the request it answers).
REPLAY_ACK_WAIT = 60.0
#: Longest wait at the end for the feed to merge the REST answers it was given, in seconds.
SETTLE_TIMEOUT = 60.0
#: How often that wait looks whether the feed asks for answers the recording does not hold.
SETTLE_STEP = 0.5

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
        max_bytes=part_bytes(max_mb),
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
    """The recording a headless run replays: its header at once; in each ``with`` block an
    exchange playing it once, from its start (``--loop``: the caller plays pass after pass,
    each to a feed of its own); ``say`` tells the user (stderr)."""

    def __init__(self, options: ReplayOptions, say: Callable[[str], None]) -> None:
        """Reads the header: ``RecordingUnreadable`` says why nothing can be replayed."""
        self.options = options
        self.header: Header = read_header(options.path)
        self._say = say
        self._exchange: ReplayExchange | None = None
        self._passes = 0
        self._lock = threading.Lock()
        #: Whether the feed's session is live, and whether the pass is over: the exchange
        #: reached the end with the feed out of a session, or one ended after it did. Once
        #: over, always over: the feed's reconnect to the finished exchange changes nothing.
        self._live = False
        self._over = False

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

    def refusal(self, symbol: str, timeframe: str) -> str:
        """Why a replay cannot serve the series, for the last line of the run."""
        if (symbol, timeframe) in self.header.run.series:
            return ": the exchange refused it in the recorded run too"
        shown = ", ".join(f"{s} {t}" for s, t in self.header.run.series) or "no series"
        return (
            f": the recording does not hold it (the recorded run showed {shown}); replay it "
            "without --symbol/--timeframe, or with one of those"
        )

    # -- the exchange -------------------------------------------------------------------------

    def __enter__(self) -> ReplaySource:
        """Start a pass (``RecordingUnreadable`` if nothing can be played): the first says
        REPLAY and what reading the recording found wrong, a later one that it began."""
        from kucandle_gui.replay import ReplayExchange  # aiohttp: only for a replay

        exchange = ReplayExchange(replace(self.options, loop=False)).start()
        with self._lock:
            self._exchange, self._live, self._over = exchange, False, False
        self._passes += 1
        if self._passes > 1:
            self._say(
                f"replay: pass {self._passes}: the recording again from its start, to a feed "
                "started anew (--loop: until stopped)"
            )
            return self
        header, report = exchange.header, exchange.report
        recorded = recorded_utc(header.t)
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
        self._playing().stop()

    def _playing(self) -> ReplayExchange:
        if self._exchange is None:
            raise RuntimeError("the replay has not been started")
        return self._exchange

    @property
    def base_url(self) -> str:
        return self._playing().base_url

    # -- the end --------------------------------------------------------------------------------

    def observe(self, event: FeedEvent) -> None:
        """The feed's events (its thread): whether its session is live, and whether one
        ended after the exchange reached the end of the recording."""
        if not isinstance(event, StatusEvent):
            return
        finished = self._playing().finished.is_set()
        with self._lock:
            self._live = event.state is ConnectionState.LIVE
            self._over = self._over or (finished and not self._live)

    def over(self) -> bool:
        """Whether everything was played and read: the exchange is at the end and the feed is
        not in the middle of a session that was played. (The exchange closes the last session
        before it says it finished, so a feed still live then has frames of it to read; the
        session's end tells that they are read.) Once true, it stays true."""
        if not self._playing().finished.is_set():
            return False
        with self._lock:
            self._over = self._over or not self._live
            return self._over

    def settle(self, feed: FeedClient) -> None:
        """Once :meth:`over`: wait until the feed has merged every REST answer it was given,
        at most ``SETTLE_TIMEOUT`` s, or until it asks for one the recording does not hold
        (it would retry that one for ever, never settled); says which."""
        self._say("replay: the end of the recording: stopping once the feed has taken all of it")
        position = self._playing().position
        deadline = time.monotonic() + SETTLE_TIMEOUT
        asked = position().unmatched_requests
        while (left := deadline - time.monotonic()) > 0:
            # Settled, and nothing recorded is still to be asked for: a load the recorded
            # app retried after its last session comes (and its held pushes) before the end.
            if feed.settle(min(left, SETTLE_STEP)) and not position().unserved_answers:
                return
            if (unmatched := position().unmatched_requests) > asked:
                self._say(
                    f"replay: the feed asks for REST answers the recording does not hold "
                    f"({unmatched} requests so far): stopping without them"
                )
                return
        unserved = position().unserved_answers
        self._say(
            f"replay: the feed did not settle within {SETTLE_TIMEOUT:g} s ({unserved} recorded "
            "REST answers not asked for): stopping"
        )

    def summary(self) -> str:
        """What the exchange could not play as recorded, for the run's summary."""
        position = self._playing().position()
        return (
            f"replay: {position.fraction:.0%} played; answers skipped="
            f"{position.skipped_answers} REST requests not in the recording="
            f"{position.unmatched_requests}"
        )
