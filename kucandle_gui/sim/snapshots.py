"""The ``/market/snapshot:{symbol}`` topics of one connection, and their pushes.

KuCoin pushes each subscribed pair's 24 h statistics once every 2 s (``trade.snapshot``,
nested ``data.data``). Here a round every ``snapshot_interval`` real seconds pushes every
subscribed pair, with the statistics of :class:`~kucandle_gui.sim.tickers.DailyStats` at the
round's simulated moment; they are computed off the loop (the first round over hundreds of
pairs builds their days of trades), then sent unless the pair was unsubscribed meanwhile.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable

from kucandle_gui.protocol import snapshot_push_message, snapshot_topic
from kucandle_gui.sim.context import ExchangeContext

#: ``Session._send``: send one frame, counted under a stats name; False once the socket died.
Send = Callable[[str, str], Awaitable[bool]]


class SnapshotPusher:
    """Subscribed pairs of one connection (in subscription order) and their push rounds."""

    def __init__(self, ctx: ExchangeContext, send: Send) -> None:
        self._ctx = ctx
        self._send = send
        self._symbols: dict[str, None] = {}

    def __len__(self) -> int:
        return len(self._symbols)

    def new(self, symbols: Iterable[str]) -> list[str]:
        """Those of ``symbols`` not subscribed yet."""
        return [symbol for symbol in symbols if symbol not in self._symbols]

    def subscribe(self, symbols: Iterable[str]) -> None:
        for symbol in symbols:
            self._symbols[symbol] = None

    def unsubscribe(self, symbols: Iterable[str]) -> None:
        for symbol in symbols:
            self._symbols.pop(symbol, None)

    def topics(self) -> set[str]:
        """One topic per pair, as KuCoin counts them."""
        return {snapshot_topic([symbol]) for symbol in self._symbols}

    async def run(self) -> None:
        """Push rounds until the connection dies (or the task is cancelled with it)."""
        loop = asyncio.get_running_loop()
        interval = self._ctx.config.snapshot_interval
        due = loop.time()
        while True:
            due += interval
            await asyncio.sleep(max(0.0, due - loop.time()))
            if loop.time() - due > interval:
                due = loop.time()  # a round took longer than a period: skip, do not burst
            if not await self._round():
                return

    async def _round(self) -> bool:
        """One push per subscribed pair; False if the socket died. A stall silences it
        (counted, so that a test knows when no more pushes are on their way)."""
        ctx = self._ctx
        symbols = list(self._symbols)
        if not symbols:
            return True
        if ctx.faults.stalled:
            ctx.stats.count("snapshot_rounds_stalled")
            return True
        loop = asyncio.get_running_loop()
        tickers = await loop.run_in_executor(None, ctx.tickers.tickers, symbols, ctx.clock.now())
        for ticker in tickers:
            if ctx.faults.stalled:  # a stall silences the rest of this round too
                ctx.stats.count("snapshot_rounds_stalled")
                break
            if ticker.symbol not in self._symbols:
                continue  # unsubscribed meanwhile: nothing of it follows the ack
            frame = snapshot_push_message(ticker, next(ctx.snapshot_sequence))
            if not await self._send(frame, "snapshots_sent"):
                return False
        return True
