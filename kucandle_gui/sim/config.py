"""Settings of the local exchange; defaults behave like KuCoin, tests shrink the times."""

from __future__ import annotations

from dataclasses import dataclass

from kucandle_gui.sim.symbols import DEFAULT_SYMBOLS


@dataclass
class SimConfig:
    """How the local exchange runs. Times are real seconds unless they say simulated."""

    seed: int = 1
    #: Listed pairs; ``QUIET-USDT`` trades rarely, with whole minutes (and more) of silence.
    symbols: tuple[str, ...] = DEFAULT_SYMBOLS
    #: Simulated seconds per real second; 0 = the clock stands still at ``start_time``.
    clock_speed: float = 1.0
    #: Simulated time when the exchange starts; None = the wall clock at start.
    start_time: float | None = None
    #: Real seconds between push rounds; 0 = flood: push as fast as the socket takes.
    #: **Flood is for benchmarks only**: each subscription replays its pair's trades second by
    #: second from the moment it was subscribed, running ahead of the simulated clock (one
    #: distinct candle state per traded second), so pushes then tell the future and REST only
    #: catches up with them as the clock gets there. See :mod:`kucandle_gui.sim.flood`.
    push_interval: float = 0.25
    #: Real seconds between the ``/market/snapshot`` pushes of each subscribed pair (KuCoin:
    #: one every 2 s); not affected by flood mode.
    snapshot_interval: float = 2.0
    #: Flood mode only: pushes per second on each connection, shared by its subscriptions
    #: in turn; 0 = as many as the socket takes.
    flood_rate: float = 0.0
    #: The market exists from ``start_time - history_days`` (no candle before).
    history_days: float = 30.0
    ping_interval_ms: int = 18000
    ping_timeout_ms: int = 10000
    #: A client that sent no text message for this long is dropped with ``400 ping timeout``;
    #: WebSocket ping frames do not count, as on KuCoin.
    idle_timeout: float = 60.0
    #: Real seconds a token stays good for new connections (live ones keep going).
    token_ttl: float = 86400.0
    #: Real seconds between the WebSocket handshake and the welcome.
    welcome_delay: float = 0.0
    host: str = "127.0.0.1"
    #: Certificate chain and key files (PEM) to serve https and wss:// with; None = plain.
    tls: tuple[str, str] | None = None
    #: 0 = any free port.
    port: int = 0
