"""Everything the exchange's request handlers share, in one place."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from kucandle_gui.sim.clock import SimClock
from kucandle_gui.sim.config import SimConfig
from kucandle_gui.sim.faults import FaultControl
from kucandle_gui.sim.hub import SessionHub
from kucandle_gui.sim.market import Market
from kucandle_gui.sim.stats import StatsRecorder
from kucandle_gui.sim.tickers import DailyStats
from kucandle_gui.sim.tokens import TokenRegistry


@dataclass(frozen=True)
class ExchangeContext:
    config: SimConfig
    clock: SimClock
    market: Market
    tokens: TokenRegistry
    faults: FaultControl
    stats: StatsRecorder
    hub: SessionHub
    tickers: DailyStats
    #: ``data.sequence`` of snapshot pushes: one counter for the whole exchange, so that it
    #: grows on every topic and across reconnects (used on the loop thread only).
    snapshot_sequence: itertools.count[int]
