"""One exchange's alerts and what the book knows of their pairs (the real set persists; demo
mode has its own)."""

from __future__ import annotations

from dataclasses import dataclass, field

from kucandle_gui.protocol import Candle

from .alert import Alert, Firing


@dataclass
class AlertSet:
    """One exchange's alerts and what the book knows of its pairs."""

    alerts: dict[int, Alert] = field(default_factory=dict)
    log: list[Firing] = field(default_factory=list)
    #: Per pair: the newest candle start evaluated; a catch-up starts there.
    watermarks: dict[str, int] = field(default_factory=dict)
    #: Pairs whose gap is filled: their candles are evaluated as they come.
    live: set[str] = field(default_factory=set)
    #: Per pair: the newest 1min candle seen (evaluated or not).
    newest: dict[str, Candle] = field(default_factory=dict)
    refused: set[str] = field(default_factory=set)
    #: Active alerts per pair, in id order: a live candle costs only its pair's alerts.
    by_symbol: dict[str, list[Alert]] = field(default_factory=dict)

    def reindex(self, *symbols: str) -> None:
        for symbol in symbols:
            active = [a for a in self.alerts.values() if a.active and a.symbol == symbol]
            if active:
                self.by_symbol[symbol] = active
            else:
                self.by_symbol.pop(symbol, None)

    def reindex_all(self) -> None:
        self.by_symbol.clear()
        for alert in self.alerts.values():
            if alert.active:
                self.by_symbol.setdefault(alert.symbol, []).append(alert)
