"""Command line: ``kucandle-gui [--headless] [--symbol PAIR] [--timeframe TF] [--demo] …``."""

from __future__ import annotations

import argparse
import logging
import sys

from kucandle_gui import __version__
from kucandle_gui.feed import DEFAULT_API_URL
from kucandle_gui.protocol import TIMEFRAMES


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kucandle-gui", description="Live KuCoin spot candlesticks."
    )
    parser.add_argument("--symbol", default="BTC-USDT", help="trading pair (default BTC-USDT)")
    parser.add_argument(
        "--timeframe",
        default="1min",
        metavar="TF",
        help=f"candle interval, one of: {', '.join(TIMEFRAMES)} (default 1min)",
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
    parser.add_argument(
        "--headless",
        action="store_true",
        help="no window: print one JSON object per candle change on stdout",
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
    if not args.headless:
        print(
            "kucandle-gui: the desktop window is not built yet; run with --headless",
            file=sys.stderr,
        )
        return 2
    from kucandle_gui.headless import run_headless

    return run_headless(args.api_url, args.symbol, args.timeframe, demo=args.demo)


if __name__ == "__main__":
    sys.exit(main())
