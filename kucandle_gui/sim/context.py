"""Everything the exchange's request handlers share, in one place."""

from __future__ import annotations

from dataclasses import dataclass

from kucandle_gui.sim.clock import SimClock
from kucandle_gui.sim.config import SimConfig
from kucandle_gui.sim.faults import FaultControl
from kucandle_gui.sim.hub import SessionHub
from kucandle_gui.sim.market import Market
from kucandle_gui.sim.stats import StatsRecorder
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
