"""The watchlist: every pair the user follows, with its live 24 h statistics, as plain Python.

``WatchlistModel`` holds the pairs in the user's order (validated once, where they enter) and
one :class:`WatchRow` of shown values per pair. What it holds is what the feed must watch:
``symbols_changed`` tells the worker layer, which never decides that itself. The feed's tickers
come back through :meth:`WatchlistModel.apply_tickers`; the UI observes the events and reads
rows, and never computes a shown value itself (one place decides what a row says).

The last price of a pair the chart shows is the chart's: the newest candle's close of a held
series the exchange is pushing (``MonitorModel`` passes it to :meth:`WatchlistModel.candle_close`
while the series is subscribed, and calls :meth:`WatchlistModel.candle_released` when no such
series is left) is fresher than a snapshot, which KuCoin sends every 2 s, so a row and the chart
beside it never disagree, and a frozen close never hides a live ticker.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from kucandle_gui.protocol import validate_symbol
from kucandle_gui.protocol.snapshot import Ticker

from .events import Event

#: Pairs in the watchlist: KuCoin serves 400 topics on one connection; the rest is kept for
#: the charts' candles and for alerts.
MAX_WATCHLIST = 300
#: Seconds without a ticker before a row is stale: three snapshot periods (KuCoin: 2 s).
STALE_AFTER = 6.0
#: Seconds a changed price stays highlighted.
FLASH_SECONDS = 0.4
#: Least seconds between two flashes of one row: at most two a second, never a storm, however
#: fast the chart's candle moves.
FLASH_MIN_INTERVAL = 0.5


class WatchlistFull(ValueError):
    """No room for another pair; the message says why, in words a user understands."""


def _full_message(what: str) -> str:
    return (
        f"{what}: the watchlist holds at most {MAX_WATCHLIST} pairs, because KuCoin serves "
        f"400 live topics on one connection and the rest is kept for charts and alerts"
    )


@dataclass(slots=True, eq=False)
class WatchRow:
    """One pair's shown values; the model writes them, views only read them.

    ``None`` means not known yet (no ticker since the pair was added or the exchange changed).
    ``last`` is the chart's candle close while a held series of the pair is pushed, else the
    ticker's; with the chart's close, ``change_rate``, ``high`` and ``low`` are derived from it
    so the row is consistent with the price it shows.
    """

    symbol: str
    #: The newest ticker applied (by the exchange's ``time``).
    ticker: Ticker | None = None
    last: float | None = None
    #: A fraction, as KuCoin sends it: 0.0047 = +0.47 %.
    change_rate: float | None = None
    high: float | None = None
    low: float | None = None
    #: 24 h volume in the quote currency.
    turnover: float | None = None
    #: The model's clock when the last ticker was applied: what staleness is measured from.
    updated_at: float | None = None
    #: The exchange refused this pair's topic: no values will come (until re-added or restart).
    refused: bool = False
    #: +1 / -1: the direction of the last flashed price change; 0: none yet.
    flash: int = 0
    #: The model's clock at that flash (-inf: never).
    flashed_at: float = -math.inf

    def flashing(self, now: float) -> int:
        """+1 / -1 while the last price change is still to be highlighted at ``now``, else 0."""
        return self.flash if now - self.flashed_at < FLASH_SECONDS else 0

    def reset(self) -> None:
        """Forget every value (the model's, on a change of exchange)."""
        self.ticker = None
        self.last = self.change_rate = self.high = self.low = self.turnover = None
        self.updated_at = None
        self.refused = False
        self.flash = 0
        self.flashed_at = -math.inf


class WatchlistModel:
    """The followed pairs in the user's order, their rows, and what the feed must watch.

    Runs on the UI thread, like the rest of the model. ``clock`` (monotonic seconds) stamps
    updates and flashes; tests pass a fake one.
    """

    #: ``(added, removed)``: tuples of pair names the feed must (no longer) watch.
    symbols_changed = Event()
    #: ``symbols``: the shown values (or staleness: link state, refusal) of these rows changed.
    rows_changed = Event()
    #: Rows were added, removed, moved or replaced: views read :attr:`symbols` again.
    order_changed = Event()

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._symbols: tuple[str, ...] = ()
        self._positions: dict[str, int] = {}
        self._rows: dict[str, WatchRow] = {}
        #: Newest candle close of every pair whose candles are held (watched or not, so a
        #: pair added while the chart shows it agrees with the chart at once).
        self._closes: dict[str, float] = {}
        #: Whether the feed's connection is live (rows are stale otherwise).
        self.live = False
        #: Rows reported stale by the last :meth:`stale_changes`.
        self._stale: set[str] = set()

    # -- what is watched, in which order ------------------------------------------------------

    @property
    def symbols(self) -> tuple[str, ...]:
        """The pairs in the user's order: what the feed watches."""
        return self._symbols

    def __len__(self) -> int:
        return len(self._symbols)

    def __contains__(self, symbol: object) -> bool:
        return symbol in self._rows

    def row(self, symbol: str) -> WatchRow | None:
        """The row of ``symbol`` (the same object for as long as the pair stays), or None."""
        return self._rows.get(symbol)

    def rows(self) -> tuple[WatchRow, ...]:
        """Every row, in the user's order."""
        return tuple(self._rows[symbol] for symbol in self._symbols)

    def index(self, symbol: str) -> int:
        """Position of ``symbol`` in the user's order, or -1 when it is not watched."""
        return self._positions.get(symbol, -1)

    def add(self, symbol: str, index: int | None = None) -> str:
        """Watch ``symbol`` at ``index`` (default: last); returns its normalised name.

        ``ValueError`` for a malformed name (the message says what is valid),
        :class:`WatchlistFull` past :data:`MAX_WATCHLIST`. A pair already watched stays where
        it is (nothing emitted).
        """
        name = validate_symbol(symbol)
        if name in self._rows:
            return name
        if len(self._symbols) >= MAX_WATCHLIST:
            raise WatchlistFull(_full_message(f"{name} cannot be added"))
        order = list(self._symbols)
        order.insert(len(order) if index is None else max(0, min(index, len(order))), name)
        self._rows[name] = row = WatchRow(name)
        self._refresh(row)
        self._set_order(tuple(order))
        self.order_changed.emit()
        self.symbols_changed.emit((name,), ())
        return name

    def remove(self, symbol: str) -> bool:
        """Stop watching ``symbol``; False when it was not watched."""
        if self._rows.pop(symbol, None) is None:
            return False
        self._set_order(tuple(s for s in self._symbols if s != symbol))
        self.order_changed.emit()
        self.symbols_changed.emit((), (symbol,))
        return True

    def move(self, symbol: str, index: int) -> bool:
        """Move ``symbol`` so that it ends at ``index`` (clamped to the list); False when it
        is not watched or already there."""
        current = self._positions.get(symbol)
        if current is None:
            return False
        order = [s for s in self._symbols if s != symbol]
        index = max(0, min(index, len(order)))
        if index == current:
            return False
        order.insert(index, symbol)
        self._set_order(tuple(order))
        self.order_changed.emit()
        return True

    def set_symbols(self, symbols: Iterable[str]) -> None:
        """Replace the list (settings loaded, the demo's pairs); duplicates are dropped.

        Every name is validated before anything changes (``ValueError`` names the bad one;
        :class:`WatchlistFull` when more than :data:`MAX_WATCHLIST` pairs remain). Rows of
        pairs kept keep their values; the feed is told only the difference.
        """
        names = tuple(dict.fromkeys(validate_symbol(symbol) for symbol in symbols))
        if len(names) > MAX_WATCHLIST:
            raise WatchlistFull(_full_message(f"{len(names)} pairs cannot be watched"))
        if names == self._symbols:
            return
        added = tuple(name for name in names if name not in self._rows)
        kept = set(names)
        removed = tuple(name for name in self._symbols if name not in kept)
        for name in removed:
            del self._rows[name]
        for name in added:
            self._rows[name] = row = WatchRow(name)
            self._refresh(row)
        self._set_order(names)
        self.order_changed.emit()
        if added or removed:
            self.symbols_changed.emit(added, removed)

    def _set_order(self, symbols: tuple[str, ...]) -> None:
        self._symbols = symbols
        self._positions = {symbol: i for i, symbol in enumerate(symbols)}

    # -- what the feed delivers (UI thread) ----------------------------------------------------

    def apply_tickers(self, tickers: Sequence[Ticker]) -> None:
        """The feed's latest tickers: one ``rows_changed`` for the rows they updated.

        Tickers of pairs not watched (still in flight after a removal) and of refused pairs
        are ignored. The feed delivers each pair's in order (a REST value only before its first
        push, pushes by time), so a ticker whose ``time`` is earlier than the row's is newer
        news all the same: a push's time is when the statistics were computed, a REST value's
        when the reply was made.
        """
        now = self._clock()
        changed: dict[str, None] = {}
        for ticker in tickers:
            row = self._rows.get(ticker.symbol)
            if row is None or row.refused:
                continue
            row.ticker = ticker
            row.updated_at = now
            self._refresh(row, now)
            changed[ticker.symbol] = None
        if changed:
            self.rows_changed.emit(tuple(changed))

    def candle_close(self, symbol: str, close: float) -> None:
        """The newest candle of a subscribed ``symbol`` series closes (for now) at ``close``:
        the row's last price from now on, until :meth:`candle_released`, so it agrees with the
        chart. Only the newest candle: a late update of an older one is not the last price."""
        self._closes[symbol] = close
        row = self._rows.get(symbol)
        if row is not None and not row.refused and self._refresh(row):
            self.rows_changed.emit((symbol,))

    def candle_released(self, symbol: str) -> None:
        """No series of ``symbol`` is pushed any more (none held, subscribed, or served):
        the ticker's last price is shown again."""
        if self._closes.pop(symbol, None) is None:
            return
        row = self._rows.get(symbol)
        if row is not None and not row.refused and self._refresh(row):
            self.rows_changed.emit((symbol,))

    def refused(self, symbol: str) -> None:
        """The exchange refused ``symbol``'s topic (the feed no longer watches it): the row
        says so until the pair is added again or the exchange changes."""
        row = self._rows.get(symbol)
        if row is not None and not row.refused:
            row.refused = True
            self.rows_changed.emit((symbol,))

    def set_live(self, live: bool) -> None:
        """Whether the feed's connection is live; every row is stale while it is not."""
        if live != self.live:
            self.live = live
            if self._symbols:
                self.rows_changed.emit(self._symbols)

    def restart(self) -> None:
        """Another exchange: every row's values are forgotten (no price of one exchange is
        shown beside another's), refusals too. The pairs stay: the new feed is built watching
        :attr:`symbols`, so ``symbols_changed`` is not emitted."""
        self._closes.clear()
        for row in self._rows.values():
            row.reset()
        if self._symbols:
            self.rows_changed.emit(self._symbols)

    # -- staleness -------------------------------------------------------------------------------

    def is_stale(self, symbol: str, now: float | None = None) -> bool:
        """True when ``symbol``'s values may be out of date: the link is not live, no ticker
        came yet, or none for :data:`STALE_AFTER` s. A refused (or unknown) row is not stale."""
        row = self._rows.get(symbol)
        return row is not None and self._stale_at(row, self._limit(now))

    def stale_changes(self, now: float | None = None) -> tuple[str, ...]:
        """Rows whose staleness (:meth:`is_stale`) changed since the last call, in the user's
        order.

        For a view polling once a second: one pass over the rows, no event per row. A row
        repainted meanwhile (``rows_changed``) may be listed again; repainting it is harmless.
        """
        limit = self._limit(now)
        stale = {symbol for symbol, row in self._rows.items() if self._stale_at(row, limit)}
        flipped = stale ^ self._stale
        self._stale = stale
        if not flipped:
            return ()
        return tuple(symbol for symbol in self._symbols if symbol in flipped)

    def _limit(self, now: float | None) -> float:
        """The clock reading before which an update is too old at ``now`` (default: the
        model's clock)."""
        return (self._clock() if now is None else now) - STALE_AFTER

    def _stale_at(self, row: WatchRow, limit: float) -> bool:
        """The staleness rule, the one place it is written (see :meth:`is_stale`)."""
        if row.refused:
            return False
        return not self.live or row.updated_at is None or row.updated_at < limit

    # -- shown values --------------------------------------------------------------------------

    def _refresh(self, row: WatchRow, now: float | None = None) -> bool:
        """Derive ``row``'s shown values from its ticker and the chart's close; flash a changed
        last price (throttled). True when a shown value changed."""
        before = (row.last, row.change_rate, row.high, row.low, row.turnover)
        close = self._closes.get(row.symbol)
        ticker = row.ticker
        if ticker is None:
            row.last = close
            row.change_rate = row.high = row.low = row.turnover = None
        else:
            row.turnover = ticker.turnover
            if close is None or close == ticker.last:
                row.last, row.change_rate = ticker.last, ticker.change_rate
                row.high, row.low = ticker.high, ticker.low
            else:
                opened = ticker.open
                row.last = close
                row.change_rate = (close - opened) / opened if opened > 0 else ticker.change_rate
                row.high, row.low = max(ticker.high, close), min(ticker.low, close)
        last = before[0]
        if last is not None and row.last is not None and row.last != last:
            now = self._clock() if now is None else now
            if now - row.flashed_at >= FLASH_MIN_INTERVAL:
                row.flash = 1 if row.last > last else -1
                row.flashed_at = now
        return before != (row.last, row.change_rate, row.high, row.low, row.turnover)
