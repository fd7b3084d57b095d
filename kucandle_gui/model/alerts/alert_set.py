"""One exchange's alerts and what the book knows of their pairs (the real set persists; demo
mode has its own)."""

from __future__ import annotations

from dataclasses import dataclass, field

from kucandle_gui.protocol import Candle

from .alert import Alert, Firing
from .spec import MAX_ALERT_PAIRS, MAX_LOG, AlertError


@dataclass
class AlertSet:
    """One exchange's alerts and what the book knows of its pairs."""

    alerts: dict[int, Alert] = field(default_factory=dict)
    log: list[Firing] = field(default_factory=list)
    #: Per pair: the newest candle start evaluated; a catch-up starts there.
    watermarks: dict[str, int] = field(default_factory=dict)
    #: Pairs whose gap is filled: their candles are evaluated as they come.
    live: set[str] = field(default_factory=set)
    #: Per pair: the newest 1min candle seen in this session (evaluated or not; kept through a
    #: gap): where an alert added or edited arms.
    newest: dict[str, Candle] = field(default_factory=dict)
    refused: set[str] = field(default_factory=set)
    #: Pairs whose catch-up waits for older candles: the oldest candle start held when they
    #: were asked for (a load that brings nothing older ends the wait).
    seeking: dict[str, int] = field(default_factory=dict)
    #: Pairs whose next catch-up is their first after a load and starts from what the saved
    #: book says (its watermark, or its alerts' ``since``): what it finds on a candle before
    #: the session started fired "while closed" (``book``).
    closed: set[str] = field(default_factory=set)
    #: Active alerts per pair, in id order: a live candle costs only its pair's alerts.
    by_symbol: dict[str, list[Alert]] = field(default_factory=dict)

    @classmethod
    def saved(
        cls, alerts: list[Alert], log: list[Firing], watermarks: dict[str, int], old: AlertSet
    ) -> AlertSet:
        """A set loaded from a file, replacing ``old``: a pair live in ``old`` stays live
        (no history load will come to fill it), one whose catch-up waits goes on waiting; the
        newest candles seen stay known. ``closed``: the pairs ``old`` did not hold (a pair in a
        reconnect gap is not), and those still waiting for their first catch-up in ``old``."""
        new = cls({a.id: a for a in alerts}, log[-MAX_LOG:], watermarks)
        new.reindex_all()
        held = new.by_symbol.keys()
        for symbol in old.live & held:
            new.live.add(symbol)
            new.watermarks[symbol] = old.watermarks.get(symbol, 0)
        new.newest = {s: c for s, c in old.newest.items() if s in held}
        new.closed = ((set(held) - old.by_symbol.keys()) | (old.closed & held)) - new.live
        new.seeking = {s: t for s, t in old.seeking.items() if s in held}
        new.refused = old.refused & held
        return new

    def saw(self, symbol: str, candle: Candle) -> Candle:
        """A 1min candle of the pair arrived (any held series of it): the newest one known."""
        newest = self.newest.get(symbol)
        if newest is None or candle.time >= newest.time:
            newest = self.newest[symbol] = candle
        return newest

    def forget(self, symbol: str) -> None:
        """The pair is let go: held again, it starts in a gap."""
        self.live.discard(symbol)
        self.watermarks.pop(symbol, None)
        self.newest.pop(symbol, None)
        self.refused.discard(symbol)
        self.seeking.pop(symbol, None)
        self.closed.discard(symbol)

    def restart(self) -> None:
        """The set becomes current again (a source switch): every pair starts in a gap and
        catches up from its watermark once its series reloads."""
        self.live.clear()
        self.newest.clear()
        self.refused.clear()
        self.seeking.clear()
        for alert in self.alerts.values():
            alert.unserved = False
        self.reindex_all()

    def check_room(self, symbol: str) -> None:
        """``AlertError(field="limit")`` when ``symbol`` would be one pair too many."""
        if symbol not in self.by_symbol and len(self.by_symbol) >= MAX_ALERT_PAIRS:
            raise AlertError(
                "limit",
                f"alerts can watch at most {MAX_ALERT_PAIRS} pairs at once (each needs a live "
                f"subscription): remove the alerts of another pair first",
            )

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
