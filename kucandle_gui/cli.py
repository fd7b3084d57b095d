"""Command line: ``kucandle-gui [--headless] [--symbol PAIR] [--timeframe TF] [--demo] …``."""

from __future__ import annotations

import argparse
import logging
import sys

from kucandle_gui import DEFAULT_SYMBOL, DEFAULT_TIMEFRAME, __version__
from kucandle_gui.feed import DEFAULT_API_URL
from kucandle_gui.protocol import TIMEFRAMES


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kucandle-gui", description="Live KuCoin spot candlesticks."
    )
    parser.add_argument(
        "--symbol", help=f"trading pair (default: the last one shown, else {DEFAULT_SYMBOL})"
    )
    parser.add_argument(
        "--timeframe",
        metavar="TF",
        help=f"candle interval, one of: {', '.join(TIMEFRAMES)} "
        f"(default: the last one shown, else {DEFAULT_TIMEFRAME})",
    )
    parser.add_argument(
        "--api-url",
        default=DEFAULT_API_URL,
        help=f"REST base URL (default {DEFAULT_API_URL}); the WebSocket comes from bullet-public",
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
    parser.add_argument("--log-level", default="WARNING", help="stderr log level (default WARNING)")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=args.log_level.upper(),
        stream=sys.stderr,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    # Imported on demand: headless mode must not pay for Qt, nor the window for the others.
    if args.headless:
        from kucandle_gui.headless import run_headless

        return run_headless(
            args.api_url,
            args.symbol or DEFAULT_SYMBOL,
            args.timeframe or DEFAULT_TIMEFRAME,
            demo=args.demo,
        )
    if args.self_test:
        from kucandle_gui.selftest import run_self_test

        return run_self_test()
    from kucandle_gui.app import run_gui

    return run_gui(args.symbol, args.timeframe, args.api_url, demo=args.demo)


if __name__ == "__main__":
    sys.exit(main())
