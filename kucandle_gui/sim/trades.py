"""Trades of one simulated pair, as a pure function of (seed, symbol, second).

Why this shape: history must be computable for any range at any moment and must equal what
the pushes said earlier, so nothing here depends on when or in which pieces it is computed.
A trade may happen at each whole second of simulated time; whether it does, and its size, come
from a 64-bit hash of the second. The price is a random walk inside each UTC day, bridged
between daily anchor prices (themselves smooth hashed noise), so any day can be computed on
its own. All arithmetic is on integers (or exactly rounded float basics), so a minute computed
alone equals the same minute computed as part of its day, bit for bit.

Prices are integer counts of the price increment ("ticks"), sizes integer counts of the base
increment ("units"); turnover per minute is ticks x units, exact in int64.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from kucandle_gui.sim.symbols import SymbolSpec

SECONDS_PER_DAY = 86400
MINUTES_PER_DAY = 1440
#: The walk moves in thousandths of a tick so that cheap pairs still move smoothly.
SUBTICKS = 1000
SILENT_BLOCK_MINUTES = 15
INT64_MAX = np.iinfo(np.int64).max

_GOLDEN = 0x9E3779B97F4A7C15
_MASK64 = (1 << 64) - 1
#: (period in days, amplitude in log price) of the smooth noise that sets daily anchors.
_ANCHOR_SCALES = ((1.0, 0.02), (7.0, 0.05), (30.0, 0.10))


def stable_key(*parts: object) -> int:
    """A 64-bit key from text parts, the same in every process (``hash()`` is salted)."""
    text = "\x1f".join(str(p) for p in parts).encode()
    return int.from_bytes(hashlib.blake2b(text, digest_size=8).digest(), "little")


def mix(values: np.ndarray) -> np.ndarray:
    """SplitMix64 finaliser over a uint64 array: independent-looking bits per input."""
    z = values + np.uint64(_GOLDEN)
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


def mix_scalar(value: int) -> int:
    """``mix`` for one Python int (same bits as the array version)."""
    z = (value + _GOLDEN) & _MASK64
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK64
    return z ^ (z >> 31)


def hashed_unit(key: int, index: int) -> float:
    """A uniform number in [0, 1) that depends only on ``key`` and ``index``."""
    return (mix_scalar((key ^ index) & _MASK64) >> 11) / float(1 << 53)


@dataclass(frozen=True)
class MinuteBars:
    """Aggregates of consecutive minutes; fields of untraded minutes are meaningless."""

    traded: np.ndarray  # bool
    open: np.ndarray  # int64 ticks
    close: np.ndarray
    high: np.ndarray
    low: np.ndarray
    volume: np.ndarray  # int64 units
    turnover: np.ndarray  # int64 ticks * units

    def __len__(self) -> int:
        return len(self.traded)

    def slice(self, first: int, stop: int) -> MinuteBars:
        return MinuteBars(*(getattr(self, f)[first:stop] for f in _BAR_FIELDS))

    def span(self, row: int) -> Span:
        """Bar ``row`` alone: one bar needs no adding up (a push round asks this of every
        pair, so it stays a few scalar reads)."""
        if not self.traded[row]:
            return NO_TRADES
        return Span(
            True,
            int(self.open[row]),
            int(self.close[row]),
            int(self.high[row]),
            int(self.low[row]),
            int(self.volume[row]),
            int(self.turnover[row]),
        )

    @staticmethod
    def empty(count: int) -> MinuteBars:
        """``count`` minutes without a trade."""
        zeros = np.zeros(count, dtype=np.int64)
        return MinuteBars(np.zeros(count, dtype=bool), *([zeros] * 6))

    @staticmethod
    def concat(parts: list[MinuteBars]) -> MinuteBars:
        if len(parts) == 1:
            return parts[0]
        return MinuteBars(*(np.concatenate([getattr(p, f) for p in parts]) for f in _BAR_FIELDS))

    @staticmethod
    def from_seconds(ticks: np.ndarray, sizes: np.ndarray) -> MinuteBars:
        """Aggregate (minutes, 60) arrays of prices and sizes (size 0 = no trade that second)."""
        traded_at = sizes > 0
        rows = np.arange(len(ticks))
        first = traded_at.argmax(axis=1)
        last = 59 - traded_at[:, ::-1].argmax(axis=1)
        return MinuteBars(
            traded=traded_at.any(axis=1),
            open=ticks[rows, first],
            close=ticks[rows, last],
            high=np.where(traded_at, ticks, 0).max(axis=1),
            low=np.where(traded_at, ticks, INT64_MAX).min(axis=1),
            volume=sizes.sum(axis=1),
            turnover=(ticks * sizes).sum(axis=1),
        )

    @staticmethod
    def running(ticks: np.ndarray, sizes: np.ndarray) -> MinuteBars:
        """One minute as of each of its seconds: row k aggregates the trades of seconds 0..k
        of the 60 prices and sizes (size 0 = no trade), so a minute cut at any second is a
        row, not a recomputation."""
        traded_at = sizes > 0
        last = np.maximum.accumulate(np.where(traded_at, np.arange(60), 0))
        return MinuteBars(
            traded=np.logical_or.accumulate(traded_at),
            open=np.full(60, ticks[traded_at.argmax()]),
            close=ticks[last],
            high=np.maximum.accumulate(np.where(traded_at, ticks, 0)),
            low=np.minimum.accumulate(np.where(traded_at, ticks, INT64_MAX)),
            volume=np.cumsum(sizes),
            turnover=np.cumsum(ticks * sizes),
        )


_BAR_FIELDS = ("traded", "open", "close", "high", "low", "volume", "turnover")
_LOW_BITS = np.int64(0xFFFFFFFF)


class Span(NamedTuple):
    """The trades of some consecutive minutes, in ticks and units (turnover a Python int: a
    day's can pass int64); without trades every field but ``traded`` is 0. A tuple, as
    thousands are made per REST page."""

    traded: bool
    open: int
    close: int
    high: int
    low: int
    volume: int
    turnover: int

    def then(self, later: Span) -> Span:
        """These minutes followed by ``later``'s."""
        if not later.traded:
            return self
        if not self.traded:
            return later
        return Span(
            True,
            self.open,
            later.close,
            max(self.high, later.high),
            min(self.low, later.low),
            self.volume + later.volume,
            self.turnover + later.turnover,
        )


NO_TRADES = Span(False, 0, 0, 0, 0, 0, 0)


def aggregate(bars: MinuteBars, bounds: Sequence[int]) -> list[Span]:
    """The :class:`Span` of each group of ``bars``: group i is the bars from ``bounds[i]``
    (ascending) up to the next bound or the end. Candles, 24 h statistics and the flood's
    replay all add up minutes here, so they agree to the unit."""
    if len(bars) == 0:
        return [NO_TRADES] * len(bounds)
    starts = np.asarray(bounds, dtype=np.intp)
    index = np.arange(len(bars), dtype=np.int64)
    traded = bars.traded
    first = np.minimum.reduceat(np.where(traded, index, len(bars) - 1), starts)
    last = np.maximum.reduceat(np.where(traded, index, -1), starts)
    columns = (
        last >= 0,
        bars.open[first],
        bars.close[last],
        np.maximum.reduceat(np.where(traded, bars.high, 0), starts),
        np.minimum.reduceat(np.where(traded, bars.low, INT64_MAX), starts),
        np.add.reduceat(bars.volume, starts),
        # Sum the turnover's 32-bit halves, so that long groups cannot overflow int64.
        np.add.reduceat(bars.turnover >> 32, starts),
        np.add.reduceat(bars.turnover & _LOW_BITS, starts),
    )
    rows = zip(*(column.tolist() for column in columns), strict=True)
    return [
        Span(True, o, c, h, lo, v, (t_high << 32) + t_low) if ok else NO_TRADES
        for ok, o, c, h, lo, v, t_high, t_low in rows
    ]


@dataclass(frozen=True)
class DayTrades:
    """One UTC day of a pair: its minute bars and what is needed to recompute any minute."""

    day: int
    bars: MinuteBars
    #: Walk total before each minute (1440 values) and over the whole day.
    walk_before_minute: np.ndarray
    walk_end: int
    #: Prices (subticks) at the day's start and at the next day's: kept, as they cost more
    #: to recompute than the rest of a minute's prices.
    anchors: tuple[int, int]


class TradeModel:
    """Deterministic trades of one pair."""

    def __init__(self, seed: int, spec: SymbolSpec) -> None:
        self.spec = spec
        self._second_key = np.uint64(stable_key(seed, spec.symbol, "second"))
        self._minute_key = np.uint64(stable_key(seed, spec.symbol, "minute"))
        self._block_key = np.uint64(stable_key(seed, spec.symbol, "block"))
        self._anchor_key = stable_key(seed, spec.symbol, "anchor")
        self._base_subticks = spec.base_price * 10**spec.price_decimals * SUBTICKS
        self._trade_threshold = np.uint64(int(spec.trade_probability * (1 << 20)))
        self._dead_threshold = np.uint64(int(spec.dead_minute_share * (1 << 24)))
        self._silent_threshold = np.uint64(int(spec.silent_block_share * (1 << 24)))
        # Uniform steps in [-K, K] subticks: std K/sqrt(3) per second gives the daily volatility.
        step_std = spec.daily_volatility * self._base_subticks / math.sqrt(SECONDS_PER_DAY)
        self._max_step = max(1, round(step_std * math.sqrt(3)))
        self._size_min = round(float(spec.trade_size_min) * 10**spec.size_decimals)
        self._size_span = (
            round(float(spec.trade_size_max) * 10**spec.size_decimals) - self._size_min
        )

    def day(self, day: int) -> DayTrades:
        """Every trade of one UTC day, aggregated per minute."""
        steps, sizes = self._second_fields(day * SECONDS_PER_DAY, SECONDS_PER_DAY)
        walk = np.cumsum(steps)
        walk_end = int(walk[-1])
        anchors = (self._anchor(day), self._anchor(day + 1))
        offsets = np.arange(SECONDS_PER_DAY, dtype=np.int64)
        ticks = self._ticks(anchors, offsets, walk, walk_end)
        bars = MinuteBars.from_seconds(ticks.reshape(MINUTES_PER_DAY, 60), sizes.reshape(-1, 60))
        walk_before = np.concatenate(([0], walk[59:-1:60]))
        return DayTrades(day, bars, walk_before, walk_end, anchors)

    def seconds(
        self, day: DayTrades, minute_of_day: int, minutes: int
    ) -> tuple[np.ndarray, np.ndarray]:
        """Price (ticks) and size (units, 0 = no trade) of each second of ``minutes`` whole
        minutes of ``day`` from ``minute_of_day`` on: the very trades ``day`` aggregates."""
        first = day.day * SECONDS_PER_DAY + minute_of_day * 60
        steps, sizes = self._second_fields(first, 60 * minutes)
        walk = day.walk_before_minute[minute_of_day] + np.cumsum(steps)
        offsets = np.arange(minute_of_day * 60, (minute_of_day + minutes) * 60, dtype=np.int64)
        return self._ticks(day.anchors, offsets, walk, day.walk_end), sizes

    def _second_fields(self, first_second: int, count: int) -> tuple[np.ndarray, np.ndarray]:
        """Walk steps and trade sizes (0 = no trade) of ``count`` seconds from a minute start."""
        seconds = np.arange(first_second, first_second + count, dtype=np.uint64)
        bits = mix(seconds ^ self._second_key)
        step_bits = ((bits >> np.uint64(22)) & np.uint64(0x3FFFFF)).astype(np.int64)
        steps = ((step_bits * (2 * self._max_step + 1)) >> 22) - self._max_step
        unit = (bits & np.uint64(0x3FFFFF)).astype(np.float64) / float(1 << 22)
        sizes = self._size_min + (unit * unit * unit * self._size_span).astype(np.int64)
        trades = (bits >> np.uint64(44)) < self._trade_threshold
        trades &= np.repeat(self._live_minutes(first_second // 60, count // 60), 60)
        sizes *= trades
        return steps, sizes

    def _live_minutes(self, first_minute: int, count: int) -> np.ndarray:
        """Which minutes trade at all (dead minutes and silent blocks trade nothing)."""
        minutes = np.arange(first_minute, first_minute + count, dtype=np.int64)
        dead = (mix(minutes.astype(np.uint64) ^ self._minute_key) >> np.uint64(40)) < (
            self._dead_threshold
        )
        blocks = (minutes // SILENT_BLOCK_MINUTES).astype(np.uint64)
        silent = (mix(blocks ^ self._block_key) >> np.uint64(40)) < self._silent_threshold
        return ~(dead | silent)

    def _ticks(
        self, anchors: tuple[int, int], offsets: np.ndarray, walk: np.ndarray, walk_end: int
    ) -> np.ndarray:
        """Prices at ``offsets`` seconds into the day whose start and end prices are
        ``anchors``: the line between them plus the bridged walk."""
        begin, end = anchors
        done = offsets + 1
        subticks = begin + ((end - begin) * done) // SECONDS_PER_DAY
        subticks = subticks + walk - (walk_end * done) // SECONDS_PER_DAY
        return np.maximum((subticks + SUBTICKS // 2) // SUBTICKS, 1)

    def _anchor(self, day: int) -> int:
        """Price (subticks) at the start of ``day``: smooth noise over days, weeks and months."""
        deviation = 0.0
        for period, amplitude in _ANCHOR_SCALES:
            position = day / period
            cell = math.floor(position)
            frac = position - cell
            smooth = frac * frac * (3 - 2 * frac)
            key = self._anchor_key ^ stable_key(period)
            here = 2 * hashed_unit(key, cell) - 1
            there = 2 * hashed_unit(key, cell + 1) - 1
            deviation += amplitude * (here + (there - here) * smooth)
        return round(self._base_subticks * math.exp(deviation))
