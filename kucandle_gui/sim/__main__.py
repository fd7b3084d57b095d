"""``python -m kucandle_gui.sim``: run the local exchange until SIGINT or SIGTERM.

The first line on stdout is the REST base URL (what a client takes as its API URL), so a
parent process can read it to learn the port; logs go to stderr.
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys

from kucandle_gui.protocol import InvalidSymbolError, validate_symbol
from kucandle_gui.sim.config import SimConfig
from kucandle_gui.sim.exchange import LocalExchange
from kucandle_gui.sim.symbols import DEFAULT_SYMBOLS


def symbol_list(text: str) -> tuple[str, ...]:
    """``--symbols``: a comma list of pair names, spelt as the client spells them
    (``btc-usdt`` is ``BTC-USDT``, as the app's own ``--watch`` takes it), each once.

    A name a client could never subscribe to (``foo``), or no name at all, would only make an
    exchange that quietly serves nothing: refused here, with the reason.
    """
    names = [name.strip() for name in text.split(",") if name.strip()]
    if not names:
        raise argparse.ArgumentTypeError("no pair given: expected a comma list, e.g. BTC-USDT")
    try:
        return tuple(dict.fromkeys(validate_symbol(name) for name in names))
    except InvalidSymbolError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """The options; a bad one exits 2 with the reason on stderr (argparse's way)."""
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
        type=symbol_list,
        default=DEFAULT_SYMBOLS,
        help="comma list of the pairs listed, BASE-QUOTE (made-up names trade too; case does "
        f"not matter; repeats count once); default: {','.join(DEFAULT_SYMBOLS)}",
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
        symbols=args.symbols,
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
