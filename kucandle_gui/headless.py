"""Headless mode: one JSON object per change to the candle series on stdout.

Pushes, the history loaded at start and the backfill after a reconnect all come out the same
way, so a script reading stdout can rebuild the exact series. Status and errors go to stderr;
SIGINT/SIGTERM end the run with a summary on stderr and exit code 0.
"""

from __future__ import annotations

import difflib
import json
import signal
import sys
import threading
from contextlib import ExitStack
from typing import TextIO

from kucandle_gui.feed import (
    ErrorEvent,
    FeedClient,
    FeedConfig,
    FeedEvent,
    RestClient,
    RestError,
    StatusEvent,
)

#: Exit code when the pair or timeframe cannot be served.
EXIT_BAD_INPUT = 2


def run_headless(
    api_url: str,
    symbol: str,
    timeframe: str,
    *,
    demo: bool = False,
    out: TextIO = sys.stdout,
    err: TextIO = sys.stderr,
    config: FeedConfig | None = None,
) -> int:
    """Run until SIGINT/SIGTERM (or until the pair is refused); returns the exit code."""
    stop = threading.Event()
    refused: list[ErrorEvent] = []

    def on_event(event: FeedEvent) -> None:
        if isinstance(event, StatusEvent):
            print(f"status: {event.state.value}: {event.message}", file=err, flush=True)
        elif isinstance(event, ErrorEvent):
            print(f"error: {event.message}{_what_next(event)}", file=err, flush=True)
            if event.subscription_dropped:
                refused.append(event)
                stop.set()
        else:
            kind = "backfill" if event.backfill else "history"
            print(
                f"{kind}: {event.symbol} {event.timeframe}: {event.count} candles, "
                f"{event.changed} new or changed",
                file=err,
                flush=True,
            )

    with ExitStack() as stack:
        if demo:
            from kucandle_gui.sim import LocalExchange

            exchange = stack.enter_context(LocalExchange())
            api_url = exchange.base_url
            print(
                f"DEMO: simulated prices from the local exchange at {api_url}; "
                "not real market data",
                file=err,
                flush=True,
            )
        try:
            feed = FeedClient(api_url, [(symbol, timeframe)], config=config, listener=on_event)
        except ValueError as exc:
            print(f"error: {exc}", file=err, flush=True)
            return EXIT_BAD_INPUT
        _stop_on_signals(stop)
        feed.start()
        try:
            _print_updates(feed, stop, out, demo)
        finally:
            feed.stop()
        metrics = feed.metrics()
        print(
            f"summary: messages={metrics.messages} errors={metrics.errors} "
            f"reconnects={metrics.reconnects}",
            file=err,
            flush=True,
        )
        if refused:
            hint = _suggestion(api_url, symbol)
            print(f"error: cannot serve {symbol} {timeframe}{hint}", file=err, flush=True)
            return EXIT_BAD_INPUT
    return 0


def _print_updates(feed: FeedClient, stop: threading.Event, out: TextIO, demo: bool) -> None:
    extra = {"simulated": True} if demo else {}
    while not stop.is_set():
        first = feed.next(timeout=0.2)
        if first is None:
            continue
        lines = [json.dumps({**u.as_dict(), **extra}) for u in [first, *feed.drain()]]
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


def _stop_on_signals(stop: threading.Event) -> None:
    if threading.current_thread() is not threading.main_thread():
        return
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())


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
