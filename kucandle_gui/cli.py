"""Command line: ``kucandle-gui [--layout LAYOUT] [--symbol PAIRS] [--timeframe TFS]
[--indicator SPEC …] [--headless [--watch PAIRS] [--alert SPEC …]]
[--record FILE [--record-max-mb MB] | --replay FILE [--speed X] [--loop]] …``.

Every flag is checked before anything starts: a value that cannot be exits 2 with what is
valid, in the window mode and headless alike (no silent default, no retry loop on a bad URL);
so are the counts of the cells' pairs and timeframes (:mod:`~kucandle_gui.model.workspace_start`
says the rules), the flags that only make sense together, and the files of ``--record`` and
``--replay`` (:mod:`~kucandle_gui.cli_recording` says those rules).
SIGINT/SIGTERM are caught before anything heavy is imported (see :mod:`kucandle_gui.stopping`).
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable
from typing import TypeVar

from kucandle_gui import DEFAULT_SYMBOL, DEFAULT_TIMEFRAME, __version__
from kucandle_gui.cli_recording import (
    DEFAULT_RECORD_MAX_MB,
    check_record_replay,
    record_max_mb,
    record_path,
    replay_options,
    replay_path,
    replay_speed,
)
from kucandle_gui.stopping import catch_stop_signals

T = TypeVar("T")

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def build_parser() -> argparse.ArgumentParser:
    # Imported here: the feed alone takes a noticeable time to import, and main() installs the
    # signal handlers before anything that slow.
    from kucandle_gui.feed import DEFAULT_API_URL
    from kucandle_gui.model import MAX_WATCHLIST, parse_alert_spec
    from kucandle_gui.model.indicators import VALID_FORMS, parse_indicator_spec
    from kucandle_gui.model.layout import LAYOUT_NAMES, parse_layout
    from kucandle_gui.protocol import TIMEFRAMES
    from kucandle_gui.urls import check_api_url

    parser = argparse.ArgumentParser(
        prog="kucandle-gui", description="Live KuCoin spot candlesticks."
    )
    parser.add_argument(
        "--layout",
        type=_checked(parse_layout),
        help=f"the chart cells shown, one of: {LAYOUT_NAMES} (one chart; two side by side; two "
        "stacked; one large and two stacked; four), as Ctrl+Shift+1..4 in the window "
        "(default: as saved, else 1)",
    )
    parser.add_argument(
        "--symbol",
        dest="symbols",
        metavar="PAIRS",
        default=(),
        type=_checked(symbol_list),
        help="trading pair, or a comma-separated list of one per chart cell, e.g. "
        "BTC-USDT,ETH-USDT; with --layout, one value applies to every cell; without it, one "
        "pair sets the active cell and a list of N shows N cells "
        f"(default: as saved, else {DEFAULT_SYMBOL})",
    )
    parser.add_argument(
        "--timeframe",
        dest="timeframes",
        metavar="TFS",
        default=(),
        type=_checked(timeframe_list),
        help=f"candle interval, or a comma-separated list of one per chart cell, each one of: "
        f"{', '.join(TIMEFRAMES)}; like --symbol, one value applies to every cell with "
        f"--layout (default: as saved, else {DEFAULT_TIMEFRAME})",
    )
    parser.add_argument(
        "--api-url",
        type=_checked(check_api_url),
        help=f"REST base URL, http(s)://host[:port] (default {DEFAULT_API_URL}); "
        "the WebSocket comes from bullet-public",
    )
    parser.add_argument(
        "--demo",
        action="store_true",
        help="run against the built-in local exchange (simulated prices, marked as such)",
    )
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument(
        "--headless",
        action="store_true",
        help="no window: print one JSON object per candle change on stdout",
    )
    mode.add_argument(
        "--self-test",
        action="store_true",
        help="no screen or network needed: run the local exchange, draw candles offscreen, "
        "switch pair once, print a one-line report; exit 0 on success",
    )
    parser.add_argument(
        "--watch",
        metavar="PAIRS",
        default=(),
        type=_checked(watch_list),
        help="with --headless: also print one JSON object per change of these pairs' 24 h "
        f"statistics, a comma-separated list (e.g. BTC-USDT,ETH-USDT; at most {MAX_WATCHLIST})",
    )
    parser.add_argument(
        "--alert",
        metavar="SPEC",
        action="append",
        default=[],
        type=_checked(parse_alert_spec),
        help="with --headless: print one JSON object each time a price is reached, e.g. "
        '"BTC-USDT above 70000" or "ETH-USDT below 3000 every 10m" (repeating, with that '
        "cool-down); may be given many times",
    )
    parser.add_argument(
        "--indicator",
        metavar="SPEC",
        dest="indicators",
        action="append",
        default=[],
        type=_checked(parse_indicator_spec),
        help="show this indicator on every chart cell shown; with --headless, every candle line "
        'carries its values under SPEC (e.g. "ema:20": 67012.5, a list for several outputs, '
        f"null while not yet defined); one of: {VALID_FORMS}; may be given many times",
    )
    parser.add_argument(
        "--record",
        metavar="FILE",
        type=_checked(record_path),
        help="also write everything the feed receives and sends (WebSocket frames, REST "
        "answers, connects and drops, each with its time; the token redacted) to FILE, a new "
        "file, gzip-compressed JSON lines; continued in FILE.2, FILE.3 … past --record-max-mb",
    )
    parser.add_argument(
        "--record-max-mb",
        metavar="MB",
        type=_checked(record_max_mb),
        help="with --record: a part of the recording ends at this size and the next part "
        f"begins (default {DEFAULT_RECORD_MAX_MB:g} MiB)",
    )
    parser.add_argument(
        "--replay",
        metavar="FILE",
        type=_checked(replay_path),
        help="run against a local server playing FILE (made by --record) back: the same REST "
        "answers, the frames at their recorded pace, the drops where they were; marked REPLAY, "
        "not live prices (headless ends at the recording's end, exit 0)",
    )
    parser.add_argument(
        "--speed",
        metavar="X",
        type=_checked(replay_speed),
        # The bounds are the replay's (imported when --speed is given: aiohttp is slow to import).
        help="with --replay: play X times as fast as recorded, 0.1 to 1000 (default 1)",
    )
    parser.add_argument(
        "--loop",
        action="store_true",
        help="with --replay: start again from the beginning at the end (headless: each pass "
        "to a feed started anew, printing the recorded lines again, until stopped)",
    )
    parser.add_argument(
        "--log-level",
        default="WARNING",
        type=str.upper,
        choices=LOG_LEVELS,
        metavar="LEVEL",
        help=f"stderr log level, one of: {', '.join(LOG_LEVELS)} (default WARNING)",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    return parser


def _checked(check: Callable[[str], T]) -> Callable[[str], T]:
    """An argparse type from a checker raising ValueError: argparse then exits 2 with the
    checker's own message (which says what is valid and shows no URL credentials)."""

    def convert(text: str) -> T:
        try:
            return check(text)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    return convert


def watch_list(text: str) -> tuple[str, ...]:
    """``btc-usdt, ETH-USDT`` → ``("BTC-USDT", "ETH-USDT")`` (each pair once, in order);
    ``ValueError`` naming the malformed pair, or saying why the list cannot be watched."""
    from kucandle_gui.model import MAX_WATCHLIST

    if not text.strip():
        raise ValueError("no pairs: expected a comma-separated list, e.g. BTC-USDT,ETH-USDT")
    pairs = tuple(dict.fromkeys(symbol_list(text)))
    if len(pairs) > MAX_WATCHLIST:
        raise ValueError(f"{len(pairs)} pairs: at most {MAX_WATCHLIST} can be watched")
    return pairs


def symbol_list(text: str) -> tuple[str, ...]:
    """``btc-usdt, ETH-USDT`` → ``("BTC-USDT", "ETH-USDT")``, in order (a pair may repeat:
    one pair on two timeframes); ``ValueError`` naming the malformed pair."""
    from kucandle_gui.protocol import validate_symbol

    return tuple(validate_symbol(part) for part in text.split(","))


def timeframe_list(text: str) -> tuple[str, ...]:
    """``1min, 1hour`` → ``("1min", "1hour")``, in order; ``ValueError`` naming the unknown
    timeframe and the valid ones."""
    from kucandle_gui.protocol import validate_timeframe

    return tuple(validate_timeframe(part.strip()) for part in text.split(","))


def _log_to_stderr(level: str) -> None:
    from kucandle_gui.logs import RedactingFormatter, SafeStreamHandler

    handler = SafeStreamHandler(sys.stderr)
    handler.setFormatter(RedactingFormatter(LOG_FORMAT))
    logging.basicConfig(level=level, handlers=[handler])


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The flags, every one checked (a bad one exits 2 saying what is valid).

    ``indicators`` is a list of :class:`IndicatorSpec` in the order given, each once (the same
    canonical spec twice, ``ema:20`` and ``EMA:20``, is one indicator: the first is kept).
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    check_record_replay(parser, args)
    if args.watch and not args.headless:
        parser.error("argument --watch: only with --headless (the window has its watchlist)")
    if args.alert and not args.headless:
        parser.error("argument --alert: only with --headless (the window has an Alerts panel)")
    if args.headless:
        _check_one_series(parser, args)
    else:
        from kucandle_gui.model.workspace_start import check_cell_lists

        try:
            check_cell_lists(args.layout, args.symbols, args.timeframes)
        except ValueError as exc:
            parser.error(f"argument --symbol/--timeframe: {exc}")
    args.indicators = list(dict.fromkeys(args.indicators))
    return args


def _check_one_series(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """Headless mode prints one series: no layout, one pair and one timeframe at most."""
    why = "headless follows one series; --layout is for the window"
    if args.layout is not None:
        parser.error(f"argument --layout: not with --headless ({why})")
    for flag, values, noun in (
        ("--symbol", args.symbols, "pairs"),
        ("--timeframe", args.timeframes, "timeframes"),
    ):
        if len(values) > 1:
            parser.error(f"argument {flag}: {len(values)} {noun} with --headless ({why})")


def main(argv: list[str] | None = None) -> int:
    stop = catch_stop_signals()  # first of all: from here on a Ctrl+C is a request to stop
    args = parse_args(argv)
    _log_to_stderr(args.log_level)
    # Imported on demand: headless mode must not pay for Qt, nor the window for the others.
    if args.headless:
        from kucandle_gui.headless import run_headless

        # Whenever a stop comes, headless mode ends through its summary. A replay's series,
        # pairs, alerts and indicators default to the recorded run's (headless decides).
        return run_headless(
            args.api_url,
            args.symbols[0] if args.symbols else None,
            args.timeframes[0] if args.timeframes else None,
            demo=args.demo,
            stop=stop,
            watched=args.watch,
            alerts=args.alert,
            indicators=args.indicators,
            record=args.record,
            record_max_mb=args.record_max_mb,
            replay=replay_options(args, close_at_end=True),
        )
    if stop.requested:
        return 0  # nothing started yet: nothing to close
    if args.self_test:
        from kucandle_gui.selftest import run_self_test

        return run_self_test()
    from kucandle_gui.app import run_gui

    return run_gui(
        symbols=args.symbols,
        timeframes=args.timeframes,
        api_url=args.api_url,
        demo=args.demo,
        stop=stop,
        indicators=args.indicators,
        layout=args.layout,
        record=args.record,
        record_max_mb=args.record_max_mb,
        # The window's replay never closes at the end: its bar says "finished", the link stays.
        replay=replay_options(args, close_at_end=False),
    )


if __name__ == "__main__":
    sys.exit(main())
