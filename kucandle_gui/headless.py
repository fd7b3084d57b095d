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
:mod:`kucandle_gui.stopping`) end the run with a summary on stderr and exit code 0.
"""

from __future__ import annotations

import contextlib
import difflib
import json
import sys
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from typing import TextIO

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
from kucandle_gui.model import AlertSpec, SeriesKey
from kucandle_gui.model.indicators import IndicatorSpec
from kucandle_gui.stopping import StopRequest
from kucandle_gui.urls import redact

#: Exit code when the pair or timeframe cannot be served, or the alerts cannot be kept.
EXIT_BAD_INPUT = 2
#: How often the loop looks at the stop request while no candle arrives, in seconds.
STOP_POLL = 0.2


def run_headless(
    api_url: str,
    symbol: str,
    timeframe: str,
    *,
    demo: bool = False,
    out: TextIO = sys.stdout,
    err: TextIO = sys.stderr,
    config: FeedConfig | None = None,
    stop: StopRequest | None = None,
    watched: Sequence[str] = (),
    alerts: Sequence[AlertSpec] = (),
    indicators: Sequence[IndicatorSpec] = (),
) -> int:
    """Run until ``stop`` is requested (or the pair is refused); returns the exit code.
    ``watched``: pairs whose tickers to print too (a refused one is only reported);
    ``alerts``: price alerts to evaluate (one whose pair is refused is only reported);
    ``indicators``: whose values every candle line carries (none: the lines as without)."""
    stop = stop if stop is not None else StopRequest()
    refused: list[ErrorEvent] = []

    def say(text: str) -> None:
        with contextlib.suppress(OSError, ValueError):  # stderr closed: stdout is what matters
            print(redact(text), file=err, flush=True)

    def on_event(event: FeedEvent) -> None:
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

    try:
        monitor = HeadlessAlerts(SeriesKey.of(symbol, timeframe), alerts, say)
    except ValueError as exc:  # AlertError too: more alerts or pairs than the book keeps
        say(f"error: {exc}")
        return EXIT_BAD_INPUT

    with ExitStack() as stack:
        if demo and not stop.requested:
            from kucandle_gui.sim import LocalExchange

            exchange = stack.enter_context(LocalExchange())
            api_url = exchange.base_url
            say(
                f"DEMO: simulated prices from the local exchange at {api_url}; not real market data"
            )
        try:
            feed = FeedClient(
                api_url, monitor.wanted(), config=config, listener=on_event, watched=watched
            )
        except ValueError as exc:
            say(f"error: {exc}")
            return EXIT_BAD_INPUT
        monitor.drive(feed)
        if not stop.requested:  # a stop during start-up: no feed, only the summary
            feed.start()
            try:
                _print_updates(
                    feed, monitor, indicators, lambda: stop.requested or bool(refused), out, demo
                )
            finally:
                feed.stop()
        metrics = feed.metrics()
        say(
            f"summary: messages={metrics.messages} errors={metrics.errors} "
            f"reconnects={metrics.reconnects}"
        )
        if refused:
            say(f"error: cannot serve {symbol} {timeframe}{_suggestion(api_url, symbol)}")
            return EXIT_BAD_INPUT
    return 0


def _print_updates(
    feed: FeedClient,
    monitor: HeadlessAlerts,
    specs: Sequence[IndicatorSpec],
    done: Callable[[], bool],
    out: TextIO,
    demo: bool,
) -> None:
    extra = {"simulated": True} if demo else {}
    main = monitor.main
    indicators = None
    if specs:
        series = monitor.monitor.series(main)
        assert series is not None  # held by the monitor for the whole run
        indicators = HeadlessIndicators(main, series.candles, specs)
    # Per pair, the last ticker line printed, without its time.
    printed: dict[str, dict[str, object]] = {}
    while not done():
        feed.wait_for_updates(STOP_POLL)
        # Candles and series events in the feed's order (see InOrder.turn), applied one
        # delivery at a time: a candle line's indicator values are those of the series as
        # that delivery left it (a later delivery of the turn may change the same candle).
        deliveries = monitor.turn(feed)
        lines: list[str] = []
        fired = [] if deliveries else monitor.apply(())  # the clock's expiries
        for delivery in deliveries:
            fired += monitor.apply((delivery,))
            # Not the alert pairs' 1min series.
            updates = [u for u in delivery.candles if (u.symbol, u.timeframe) == main]
            if indicators is not None:
                lines += indicators.lines(updates, extra)
            else:
                lines += [json.dumps({**u.as_dict(), **extra}) for u in updates]
        for ticker in feed.tickers():
            fields = ticker.as_dict()
            values = {k: v for k, v in fields.items() if k != "time"}
            if printed.get(ticker.symbol) != values:
                printed[ticker.symbol] = values
                lines.append(json.dumps({**fields, **extra}))
        lines += [json.dumps({**f.as_dict(), **extra}) for f in fired]
        if not lines:
            continue
        try:
            out.write("\n".join(lines) + "\n")
            out.flush()
        except BrokenPipeError:
            return


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
