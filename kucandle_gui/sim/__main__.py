"""``python -m kucandle_gui.sim``: run the local exchange until SIGINT or SIGTERM.

The first line on stdout is the REST base URL (what a client takes as its API URL), so a
parent process can read it to learn the port; logs go to stderr.
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys

from kucandle_gui.sim.config import SimConfig
from kucandle_gui.sim.exchange import LocalExchange
from kucandle_gui.sim.symbols import DEFAULT_SYMBOLS


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m kucandle_gui.sim", description="Local KuCoin-compatible exchange."
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 = any free port")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--speed", type=float, default=1.0, help="simulated s per real s")
    parser.add_argument(
        "--push-interval",
        type=float,
        default=0.25,
        help="s between push rounds; 0 = flood: replay trades ahead of the clock, as fast as "
        "the socket takes (benchmarks only)",
    )
    parser.add_argument(
        "--flood-rate",
        type=float,
        default=0.0,
        help="flood mode: pushes/s per connection; 0 = unlimited",
    )
    parser.add_argument(
        "--symbols",
        default=",".join(DEFAULT_SYMBOLS),
        help="comma list of the pairs listed (made-up names trade too); default: %(default)s",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(
        stream=sys.stderr, level=logging.INFO, format="%(asctime)s %(name)s %(message)s"
    )
    config = SimConfig(
        seed=args.seed,
        clock_speed=args.speed,
        push_interval=args.push_interval,
        flood_rate=args.flood_rate,
        host=args.host,
        port=args.port,
        symbols=tuple(dict.fromkeys(s.strip() for s in args.symbols.split(",") if s.strip())),
    )
    # Block the signals before the loop thread exists, so that only sigwait below sees them.
    stop_signals = {signal.SIGINT, signal.SIGTERM}
    signal.pthread_sigmask(signal.SIG_BLOCK, stop_signals)
    exchange = LocalExchange(config).start()
    print(exchange.base_url, flush=True)
    received = signal.sigwait(stop_signals)
    logging.getLogger(__name__).info("%s: stopping", signal.Signals(received).name)
    exchange.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
