"""Headless mode: one JSON object per change to the candle series on stdout.

Pushes, the history loaded at start and the backfill after a reconnect all come out the same
way, so a script reading stdout can rebuild the exact series. Watched pairs (``--watch``) add
a ``"type": "ticker"`` line per change of their 24 h statistics: a snapshot that repeats the
last one printed for its pair but for its ``time`` prints nothing, so every line is news. A
pair the exchange does not list is reported and the others go on. Alerts (``--alert``, see
:mod:`kucandle_gui.headless_alerts`) add a ``"type": "alert"`` line per firing, found by the
window's own evaluation code; an alert whose pair the exchange refuses is reported and the
other alerts go on. Indicators (``--indicator``, see :mod:`kucandle_gui.headless_indicators`)
add their values to every candle line under their SPEC text, and print the lines of later
candles again when a changed past candle changed their values. Status and errors go to stderr,
never with the credentials of a URL;
SIGINT/SIGTERM at any moment (caught by the command line from its first step, see
:mod:`kucandle_gui.stopping`) end the run with a summary on stderr and exit code 0; what the
feed took before it stopped is printed first, so the lines hold every change it took.

Headless prints every change, never two states of a candle as one (the feed keeps up to
``KEEP_UPDATES`` updates apart). ``--record`` makes the feed's traffic a recording,
``--replay`` runs against one and ends by itself at its end, printing the candle lines of the
recorded run (see :mod:`kucandle_gui.headless_replay`).
"""

from __future__ import annotations

import contextlib
import difflib
import json
import sys
import threading
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from kucandle_gui import DEFAULT_SYMBOL, DEFAULT_TIMEFRAME
from kucandle_gui.cli_recording import DEFAULT_RECORD_MAX_MB
from kucandle_gui.feed import (
    ErrorEvent,
    ErrorKind,
    FeedClient,
    FeedConfig,
    FeedEvent,
    HistoryEvent,
    RestClient,
    RestError,
    StatusEvent,
)
from kucandle_gui.headless_alerts import HeadlessAlerts
from kucandle_gui.headless_indicators import HeadlessIndicators
from kucandle_gui.headless_replay import (
    REPLAY_ACK_WAIT,
    ReplaySource,
    RunChoices,
    close_recorder,
    start_recorder,
)
from kucandle_gui.model import AlertSpec, SeriesKey
from kucandle_gui.model.indicators import IndicatorSpec
from kucandle_gui.recording import RecordingUnreadable
from kucandle_gui.stopping import StopRequest
from kucandle_gui.urls import redact

if TYPE_CHECKING:
    from kucandle_gui.replay import ReplayOptions

#: Exit code when the pair or timeframe cannot be served, or the alerts cannot be kept.
EXIT_BAD_INPUT = 2
#: How often the loop looks at the stop request while no candle arrives, in seconds.
STOP_POLL = 0.2
#: Updates the feed keeps apart before it coalesces states of one candle: headless prints
#: every change (and a replay then prints the same lines as the recorded run).
KEEP_UPDATES = 100_000


def run_headless(
    api_url: str,
    symbol: str | None = None,
    timeframe: str | None = None,
    *,
    demo: bool = False,
    out: TextIO = sys.stdout,
    err: TextIO = sys.stderr,
    config: FeedConfig | None = None,
    stop: StopRequest | None = None,
    watched: Sequence[str] = (),
    alerts: Sequence[AlertSpec] = (),
    indicators: Sequence[IndicatorSpec] = (),
    record: Path | None = None,
    record_max_mb: float = DEFAULT_RECORD_MAX_MB,
    replay: ReplayOptions | None = None,
) -> int:
    """Run until ``stop`` is requested (or the pair is refused, or the replay is over);
    returns the exit code. ``symbol``/``timeframe``: the printed series (None: the default,
    or in a replay the recorded run's); ``watched``: pairs whose tickers to print too (a
    refused one is only reported); ``alerts``: price alerts to evaluate (one whose pair is
    refused is only reported); ``indicators``: whose values every candle line carries;
    ``record``: a new file to record the session to, in parts of ``record_max_mb`` MiB;
    ``replay``: play this recording instead of asking ``api_url`` (empty ``watched``,
    ``alerts``, ``indicators``: the recorded run's)."""
    stop = stop if stop is not None else StopRequest()

    saying = threading.Lock()

    def say(text: str) -> None:
        """One stderr line, written whole: the feed's thread says things too, and a log line
        (one write of its own) must not land inside it."""
        with saying, contextlib.suppress(OSError, ValueError):  # stderr closed: stdout matters
            err.write(redact(text) + "\n")
            err.flush()

    source: ReplaySource | None = None
    if replay is not None:
        try:
            source = ReplaySource(replay, say)
        except RecordingUnreadable as exc:
            say(f"error: {exc}")
            return EXIT_BAD_INPUT
        choices = source.choices(symbol, timeframe, watched, alerts, indicators)
    else:
        choices = RunChoices(
            symbol or DEFAULT_SYMBOL,
            timeframe or DEFAULT_TIMEFRAME,
            tuple(watched),
            tuple(alerts),
            tuple(indicators),
        )
    simulated = demo or (source is not None and source.simulated)
    run = _Run(choices, simulated, out, say, stop)
    try:
        monitor = run.monitor()
    except ValueError as exc:  # AlertError too: more alerts or pairs than the book keeps
        say(f"error: {exc}")
        return EXIT_BAD_INPUT

    config = replace(config or FeedConfig(), keep_updates=KEEP_UPDATES)
    with ExitStack() as stack:
        if record is not None and not stop.requested:  # before the demo: it may be refused
            recorder = start_recorder(record, record_max_mb, choices.run_info(simulated), say)
            if recorder is None:
                return EXIT_BAD_INPUT
            stack.callback(close_recorder, recorder, say)
            config = replace(config, tap=recorder)
        if demo and not stop.requested:
            from kucandle_gui.sim import LocalExchange

            exchange = stack.enter_context(LocalExchange())
            api_url = exchange.base_url
            say(
                f"DEMO: simulated prices from the local exchange at {api_url}; not real market data"
            )
        if source is None or stop.requested:  # (a stop during start-up: only the summary)
            return run.follow(monitor, api_url, config)
        while True:  # one pass of the recording, or with --loop one after the other
            with ExitStack() as playing:
                try:
                    playing.enter_context(source)
                except RecordingUnreadable as exc:
                    say(f"error: {exc}")
                    return EXIT_BAD_INPUT
                led = config.led_by_server(REPLAY_ACK_WAIT)
                code = run.follow(monitor, source.base_url, led, source)
            if code or stop.requested or not source.options.loop:
                return code
            monitor = run.monitor()


class _Run:
    """What a headless run shows and where it says it; :meth:`follow` runs one feed."""

    def __init__(
        self,
        choices: RunChoices,
        simulated: bool,
        out: TextIO,
        say: Callable[[str], None],
        stop: StopRequest,
    ) -> None:
        self.choices = choices
        self.simulated = simulated
        self.out = out
        self.say = say
        self.stop = stop

    def monitor(self) -> HeadlessAlerts:
        """A new book of the printed series and the alerts' (``ValueError`` if it cannot
        keep them): a feed's state starts empty, as the recorded run's did."""
        key = SeriesKey.of(self.choices.symbol, self.choices.timeframe)
        return HeadlessAlerts(key, self.choices.alerts, self.say)

    def follow(
        self,
        monitor: HeadlessAlerts,
        api_url: str,
        config: FeedConfig,
        source: ReplaySource | None = None,
    ) -> int:
        """Print what a feed from ``api_url`` delivers until the stop, a refusal of the
        printed series or the end of the replay ``source``; then the summary. The exit code."""
        say, choices = self.say, self.choices
        refused: list[ErrorEvent] = []

        def on_event(event: FeedEvent) -> None:
            if source is not None:
                source.observe(event)
            if isinstance(event, StatusEvent):
                say(f"status: {event.state.value}: {event.message}")
            elif isinstance(event, ErrorEvent) and event.kind is ErrorKind.TICKER_REFUSED:
                say(f"error: {event.message}; the other pairs go on")
            elif isinstance(event, ErrorEvent) and event.subscription_dropped and alert_pair(event):
                say(f"error: {event.message}; its alerts cannot fire, the other alerts go on")
                monitor.refused(event)
            elif isinstance(event, ErrorEvent):
                say(f"error: {event.message}{_what_next(event)}")
                if event.subscription_dropped:
                    refused.append(event)
            else:
                if isinstance(event, HistoryEvent):
                    kind = "backfill" if event.backfill else "history"
                    say(
                        f"{kind}: {event.symbol} {event.timeframe}: {event.count} candles, "
                        f"{event.changed} new or changed"
                    )
                else:
                    state = "subscribed" if event.subscribed else "not subscribed"
                    say(f"subscription: {event.symbol} {event.timeframe}: {state}")
                monitor.hold(event, feed.mark())

        def alert_pair(event: ErrorEvent) -> bool:
            """Whether the event is about an alert pair's series, not the printed one."""
            return (event.symbol, event.timeframe) != monitor.main

        def done() -> bool:
            return self.stop.requested or bool(refused) or (source is not None and source.over())

        try:
            feed = FeedClient(
                api_url,
                monitor.wanted(),
                config=config,
                listener=on_event,
                watched=choices.watched,
            )
        except ValueError as exc:
            say(f"error: {exc}")
            return EXIT_BAD_INPUT
        monitor.drive(feed)
        if not self.stop.requested:  # a stop during start-up: no feed, only the summary
            printer = _Printer(feed, monitor, choices.indicators, self.out, self.simulated)
            feed.start()
            try:
                printer.run(done)
                if source is not None and source.over() and not self.stop.requested:
                    source.settle(feed)
            finally:
                feed.stop()
            printer.turn()  # what the feed took before it stopped
        metrics = feed.metrics()
        say(
            f"summary: messages={metrics.messages} errors={metrics.errors} "
            f"reconnects={metrics.reconnects}"
        )
        if source is not None:
            say(source.summary())
        if refused:
            symbol, timeframe = choices.symbol, choices.timeframe
            why = (
                source.refusal(symbol, timeframe)
                if source is not None
                else _suggestion(api_url, symbol)
            )
            say(f"error: cannot serve {symbol} {timeframe}{why}")
            return EXIT_BAD_INPUT
        return 0


class _Printer:
    """The lines of stdout: candles (with their indicators' values), tickers and alerts."""

    def __init__(
        self,
        feed: FeedClient,
        monitor: HeadlessAlerts,
        specs: Sequence[IndicatorSpec],
        out: TextIO,
        simulated: bool,
    ) -> None:
        self._feed = feed
        self._monitor = monitor
        self._out = out
        self._extra = {"simulated": True} if simulated else {}
        self._indicators = None
        if specs:
            series = monitor.monitor.series(monitor.main)
            assert series is not None  # held by the monitor for the whole run
            self._indicators = HeadlessIndicators(monitor.main, series.candles, specs)
        #: Per pair, the last ticker line printed, without its time.
        self._printed: dict[str, dict[str, object]] = {}
        self._closed = False

    def run(self, done: Callable[[], bool]) -> None:
        """Print as the feed delivers until ``done()`` (or stdout is closed)."""
        while not done() and not self._closed:
            self._feed.wait_for_updates(STOP_POLL)
            self.turn()

    def turn(self) -> None:
        """Print what the feed delivered since the last turn."""
        # Candles and series events in the feed's order (see InOrder.turn), applied one
        # delivery at a time: a candle line's indicator values are those of the series as
        # that delivery left it (a later delivery of the turn may change the same candle).
        monitor, extra = self._monitor, self._extra
        deliveries = monitor.turn(self._feed)
        lines: list[str] = []
        fired = [] if deliveries else monitor.apply(())  # the clock's expiries
        for delivery in deliveries:
            fired += monitor.apply((delivery,))
            # Not the alert pairs' 1min series.
            updates = [u for u in delivery.candles if (u.symbol, u.timeframe) == monitor.main]
            if self._indicators is not None:
                lines += self._indicators.lines(updates, extra)
            else:
                lines += [json.dumps({**u.as_dict(), **extra}) for u in updates]
        for ticker in self._feed.tickers():
            fields = ticker.as_dict()
            values = {k: v for k, v in fields.items() if k != "time"}
            if self._printed.get(ticker.symbol) != values:
                self._printed[ticker.symbol] = values
                lines.append(json.dumps({**fields, **extra}))
        lines += [json.dumps({**f.as_dict(), **extra}) for f in fired]
        if not lines or self._closed:
            return
        try:
            self._out.write("\n".join(lines) + "\n")
            self._out.flush()
        except BrokenPipeError:
            self._closed = True


def _what_next(event: ErrorEvent) -> str:
    """What the feed does about an error, when it does something (the rest goes on as is)."""
    if event.retry_in is not None:
        return f"; retrying in {event.retry_in:.1f} s"
    return "; retrying" if event.retrying else ""


def _suggestion(api_url: str, symbol: str) -> str:
    """``; did you mean …?`` from the exchange's symbol list, or nothing if it cannot say."""
    rest = RestClient(api_url, max_attempts=1)
    try:
        names = [s.symbol for s in rest.symbols() if s.enable_trading]
    except RestError:
        return ""
    finally:
        rest.close()
    close = difflib.get_close_matches(symbol.upper(), names, n=3)
    return f"; did you mean {', '.join(close)}?" if close else "; the exchange does not list it"
