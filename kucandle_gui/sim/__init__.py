"""A local KuCoin-compatible exchange: deterministic market, REST and WebSocket on one aiohttp
server, and fault injection, for the demo mode, the tests and the benchmarks.

It speaks the protocol through :mod:`kucandle_gui.protocol`, the same module the client uses,
and imports nothing of the client.
"""

from kucandle_gui.sim.config import SimConfig
from kucandle_gui.sim.exchange import LocalExchange
from kucandle_gui.sim.faults import FaultControl
from kucandle_gui.sim.stats import ExchangeStats

__all__ = ["ExchangeStats", "FaultControl", "LocalExchange", "SimConfig"]
