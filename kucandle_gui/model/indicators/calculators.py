"""One calculator per indicator kind: its values and state per candle, and how to update them.

A calculator keeps rows of float64 (its outputs, then the state its recursion needs: the
EMAs of MACD, RSI's average gain and loss, VWAP's day sums) aligned with the candles, with
free room at the end like :class:`~kucandle_gui.feed.CandleColumns`. Two ways to update:

- :meth:`Calculator.compute` from a candle on, vectorised (:mod:`.kernels`), reading the
  state at the candle before (recursive ones start over from their seed when that state is
  not defined yet; windowed ones read the inputs of the window);
- :meth:`Calculator.step` of one candle from the state at the one before, O(1): the newest
  candle changed or was appended. SMA and Bollinger keep the sums of the window's older
  ``N-1`` inputs (re-summed once when the newest candle is a new one, one numpy call of at
  most 999 values, then every update of it is O(1)).

Once the cap dropped candles (:attr:`Calculator.trimmed`), the values of the first candles
held are those of candles no longer held: :meth:`Calculator.resumable` tells whether values
from a candle on can still be computed from what is kept, else the set recomputes them over
the candles held from the first.
"""

from __future__ import annotations

import math

import numpy as np

from kucandle_gui.feed import CandleColumns

from . import kernels
from .spec import IndicatorSpec, Kind

_NAN = math.nan
_DAY = 86_400
#: RSI: an average gain or loss below this fraction of the close counts as 0 (see _Rsi).
NEGLIGIBLE = 1e-100
#: Free slots a calculator keeps after its candles: an eighth, at least this many.
_MIN_ROOM = 64


class Calculator:
    """Rows of values aligned with the candles; subclasses fill them."""

    #: Rows in front are the spec's outputs, in order; the rest are state.
    rows_count = 1

    def __init__(self, spec: IndicatorSpec) -> None:
        self.spec = spec
        self._data = np.empty((self.rows_count, 0))
        self._start = 0
        self._n = 0
        #: Whether candles were dropped since the values were computed from the first held
        #: one: the values of the first candles are then those of the stream as it was seen.
        self.trimmed = False

    def __len__(self) -> int:
        return self._n

    @property
    def capacity(self) -> int:
        """Candle slots allocated (held and free)."""
        return self._data.shape[1]

    def row(self, r: int) -> np.ndarray:
        """Row ``r`` over the candles (writable: for the calculator itself)."""
        return self._data[r, self._start : self._start + self._n]

    def outputs(self) -> tuple[np.ndarray, ...]:
        """Read-only views of the output rows, valid until the next change."""
        views = []
        for r in range(len(self.spec.outputs)):
            view = self.row(r)
            view.flags.writeable = False
            views.append(view)
        return tuple(views)

    def resize(self, n: int) -> None:
        """Hold ``n`` candles; values of the first ``min(n, len)`` kept, the rest undefined.

        Grows by an eighth (at least 64 slots): amortised O(1) per appended candle, and the
        memory stays close to the candles'.
        """
        if self._start + n > self._data.shape[1]:
            data = np.empty((self.rows_count, n + max(_MIN_ROOM, n // 8)))
            keep = min(n, self._n)
            data[:, :keep] = self._data[:, self._start : self._start + keep]
            self._data, self._start = data, 0
        self._n = n

    def restart(self, n: int) -> None:
        """Hold ``n`` candles, every value to be computed from the first: the state goes,
        and room beyond an eighth (at least 64 slots) is given back."""
        room = max(_MIN_ROOM, n // 8)
        if self._data.shape[1] > n + 2 * room:
            self._data = np.empty((self.rows_count, n + room))
            self._start = self._n = 0
        self.resize(n)
        self.forget()
        self.trimmed = False

    def drop(self, count: int) -> None:
        """The ``count`` oldest candles left the series: their values go, the rest stay."""
        count = min(count, self._n)
        if count:
            self._start += count
            self._n -= count
            self.trimmed = True
            self.forget()

    #: Rows of the state a recursive value continues from (the candle before).
    state_rows: tuple[int, ...] = (0,)

    def resumable(self, start: int) -> bool:
        """Whether the values from ``start`` on can be computed from those kept before it
        and the candles held, else they are computed over the candles held from the first.

        Untrimmed, always (the first held candle is the first of the stream). Trimmed, a
        recursive kind needs its state defined at ``start - 1``: a candle changed before the
        stream's first value would seed from candles since dropped.
        """
        if not self.trimmed:
            return True
        if start == 0:
            return False
        i = self._start + start - 1
        return not any(math.isnan(self._data[r, i]) for r in self.state_rows)

    def forget(self) -> None:
        """State kept for :meth:`step` beyond the rows is no longer valid."""

    def changed_from(self, start: int) -> None:
        """Candles from ``start`` on changed: state kept for :meth:`step` that read them goes."""

    def compute(self, columns: CandleColumns, start: int) -> None:
        """Values of candles ``[start, n)`` from those before ``start`` (vectorised)."""
        raise NotImplementedError

    def step(self, columns: CandleColumns, i: int) -> None:
        """The value of candle ``i`` from those before it: O(1)."""
        raise NotImplementedError


class _Windowed(Calculator):
    """SMA / volume SMA / Bollinger: the window's inputs give each value."""

    def __init__(self, spec: IndicatorSpec) -> None:
        super().__init__(spec)
        self.period = int(spec.params[0])
        #: ``(i, ref, s1, s2)``: sums of ``x - ref`` (and squares) over ``x[i-N+1:i]``.
        self._tail: tuple[int, float, float, float] | None = None

    def source(self, columns: CandleColumns) -> np.ndarray:
        return columns.volume if self.spec.kind is Kind.VOLSMA else columns.close

    def forget(self) -> None:
        self._tail = None

    def resumable(self, start: int) -> bool:
        """A value reads its window's inputs: they must all be held (or, untrimmed, the
        window not exist: NaN)."""
        return start >= self.period - 1 or not self.trimmed

    def changed_from(self, start: int) -> None:
        if self._tail is not None and self._tail[0] > start:
            self._tail = None

    def compute(self, columns: CandleColumns, start: int) -> None:
        self._tail = None
        x, n, period = self.source(columns), len(columns), self.period
        first = max(start, period - 1)
        for r in range(len(self.spec.outputs)):
            self.row(r)[start:first] = _NAN
        if first < n:
            self.fill(x[first - period + 1 :], first)

    def step(self, columns: CandleColumns, i: int) -> None:
        period = self.period
        if i < period - 1:
            for r in range(len(self.spec.outputs)):
                self.row(r)[i] = _NAN
            return
        x = self.source(columns)
        tail = self._tail
        if tail is None or tail[0] != i:
            ref = float(x[i - 1])
            tail = self._tail = (i, ref, *kernels.tail_sums(x[i - period + 1 : i], ref))
        _, ref, s1, s2 = tail
        last = float(x[i]) - ref
        self.put(i, ref, s1 + last, s2 + last * last)

    def fill(self, x: np.ndarray, first: int) -> None:
        self.row(0)[first:] = kernels.moving_mean(x, self.period)

    def put(self, i: int, ref: float, s1: float, s2: float) -> None:
        """The value at ``i`` from its window's sums relative to ``ref``."""
        self.row(0)[i] = ref + s1 / self.period


class _Bollinger(_Windowed):
    rows_count = 3

    def fill(self, x: np.ndarray, first: int) -> None:
        mean, std = kernels.moving_mean_std(x, self.period)
        k = float(self.spec.params[1])
        self.row(0)[first:] = mean - k * std
        self.row(1)[first:] = mean
        self.row(2)[first:] = mean + k * std

    def put(self, i: int, ref: float, s1: float, s2: float) -> None:
        period = self.period
        shift = s1 / period
        mean = ref + shift
        std = math.sqrt(max(s2 / period - shift * shift, 0.0))
        k = float(self.spec.params[1])
        self.row(0)[i] = mean - k * std
        self.row(1)[i] = mean
        self.row(2)[i] = mean + k * std


class _Ema(Calculator):
    def __init__(self, spec: IndicatorSpec) -> None:
        super().__init__(spec)
        self.period = int(spec.params[0])
        self.alpha = 2.0 / (self.period + 1.0)

    def compute(self, columns: CandleColumns, start: int) -> None:
        close = columns.close
        kernels.smooth(lambda a, b: close[a:b], self.row(0), start, self.period, 0, self.alpha)

    def step(self, columns: CandleColumns, i: int) -> None:
        close = columns.close
        kernels.smooth_step(lambda a, b: close[a:b], self.row(0), i, self.period, 0, self.alpha)


class _Rsi(Calculator):
    """Wilder's original RSI: rows value, average gain, average loss.

    The first value is at candle N, from the mean gain and loss of the first N changes; then
    each average is ``(previous*(N-1) + x)/N``; 100 when the average loss is 0 (a flat market
    too). talipp's RSI seeds with N-1 changes; the tests hold this one to talipp's SMMA (the
    same smoothing) fed the gains and the losses.

    An average below :data:`NEGLIGIBLE` times the close counts as 0 for the value (the
    averages themselves are kept): after a long flat stretch both averages decay towards
    subnormal numbers, where their ratio is rounding noise and the vectorised and stepped
    paths would round differently. So a flat market long enough gives 100 on both paths, as
    an exactly flat one does; far above the floor of doubles, no real price change is near.
    """

    rows_count = 3
    state_rows = (1, 2)

    def __init__(self, spec: IndicatorSpec) -> None:
        super().__init__(spec)
        self.period = int(spec.params[0])

    def _inputs(self, columns: CandleColumns) -> tuple[kernels.Inputs, kernels.Inputs]:
        close = columns.close

        def gains(a: int, b: int) -> np.ndarray:
            return np.maximum(np.diff(close[a - 1 : b]), 0.0)

        def losses(a: int, b: int) -> np.ndarray:
            return np.maximum(-np.diff(close[a - 1 : b]), 0.0)

        return gains, losses

    def compute(self, columns: CandleColumns, start: int) -> None:
        gains, losses = self._inputs(columns)
        alpha = 1.0 / self.period
        kernels.smooth(gains, self.row(1), start, self.period, 1, alpha)
        kernels.smooth(losses, self.row(2), start, self.period, 1, alpha)
        gain, loss = self.row(1)[start:], self.row(2)[start:]
        floor = NEGLIGIBLE * np.abs(columns.close[start:])
        gain = np.where(gain < floor, 0.0, gain)
        loss = np.where(loss < floor, 0.0, loss)
        with np.errstate(divide="ignore", invalid="ignore"):
            rsi = 100.0 - 100.0 / (1.0 + gain / loss)
        rsi[loss == 0.0] = 100.0
        rsi[np.isnan(loss)] = _NAN
        self.row(0)[start:] = rsi

    def step(self, columns: CandleColumns, i: int) -> None:
        gains, losses = self._inputs(columns)
        alpha = 1.0 / self.period
        close = columns.close
        now = float(close[i])
        change = now - float(close[i - 1]) if i else 0.0
        average_gain, average_loss = self.row(1), self.row(2)
        kernels.smooth_step(gains, average_gain, i, self.period, 1, alpha, max(change, 0.0))
        kernels.smooth_step(losses, average_loss, i, self.period, 1, alpha, max(-change, 0.0))
        gain, loss = float(average_gain[i]), float(average_loss[i])
        floor = NEGLIGIBLE * abs(now)
        if math.isnan(loss):
            self.row(0)[i] = _NAN
        elif loss < floor or loss == 0.0:
            self.row(0)[i] = 100.0
        else:
            self.row(0)[i] = 100.0 - 100.0 / (1.0 + (0.0 if gain < floor else gain) / loss)


class _Macd(Calculator):
    """Rows macd, signal, histogram, then the fast and slow EMAs of the close."""

    rows_count = 5
    state_rows = (1, 3, 4)

    def __init__(self, spec: IndicatorSpec) -> None:
        super().__init__(spec)
        self.fast, self.slow, self.signal = (int(p) for p in spec.params)

    def _update(self, columns: CandleColumns, lo: int, hi: int) -> None:
        """Candles ``[lo, hi)``: stepped when one, else vectorised."""
        close = columns.close

        def closes(a: int, b: int) -> np.ndarray:
            return close[a:b]

        macd, signal, histogram, fast, slow = (self.row(r) for r in range(5))

        def macds(a: int, b: int) -> np.ndarray:
            return macd[a:b]

        if hi - lo == 1:
            kernels.smooth_step(closes, fast, lo, self.fast, 0, 2.0 / (self.fast + 1.0))
            kernels.smooth_step(closes, slow, lo, self.slow, 0, 2.0 / (self.slow + 1.0))
        else:
            kernels.smooth(closes, fast, lo, self.fast, 0, 2.0 / (self.fast + 1.0))
            kernels.smooth(closes, slow, lo, self.slow, 0, 2.0 / (self.slow + 1.0))
        macd[lo:hi] = fast[lo:hi] - slow[lo:hi]  # NaN until the slow EMA is defined
        alpha = 2.0 / (self.signal + 1.0)
        if hi - lo == 1:
            kernels.smooth_step(macds, signal, lo, self.signal, self.slow - 1, alpha)
        else:
            kernels.smooth(macds, signal, lo, self.signal, self.slow - 1, alpha)
        histogram[lo:hi] = macd[lo:hi] - signal[lo:hi]

    def compute(self, columns: CandleColumns, start: int) -> None:
        self._update(columns, start, len(columns))

    def step(self, columns: CandleColumns, i: int) -> None:
        self._update(columns, i, i + 1)


class _Vwap(Calculator):
    """Rows value, the day's sum of volume * typical price, the day's volume."""

    rows_count = 3
    state_rows = (1, 2)

    def compute(self, columns: CandleColumns, start: int) -> None:
        n = len(columns)
        if start >= n:
            return
        day = columns.time[start:] // _DAY
        carry = None
        if start > 0 and columns.time[start - 1] // _DAY == day[0]:
            carry = (float(self.row(1)[start - 1]), float(self.row(2)[start - 1]))
        s = slice(start, n)
        volume = columns.volume[s]
        typical = (columns.high[s] + columns.low[s] + columns.close[s]) / 3.0
        pv, v = kernels.day_cumsum(day, (volume * typical, volume), carry)
        self.row(1)[s] = pv
        self.row(2)[s] = v
        with np.errstate(divide="ignore", invalid="ignore"):
            self.row(0)[s] = np.where(v != 0.0, pv / v, _NAN)

    def step(self, columns: CandleColumns, i: int) -> None:
        time = columns.time
        v = float(columns.volume[i])
        pv = v * ((float(columns.high[i]) + float(columns.low[i]) + float(columns.close[i])) / 3.0)
        if i > 0 and int(time[i - 1]) // _DAY == int(time[i]) // _DAY:
            pv += float(self.row(1)[i - 1])
            v += float(self.row(2)[i - 1])
        self.row(1)[i] = pv
        self.row(2)[i] = v
        self.row(0)[i] = pv / v if v != 0.0 else _NAN


_CLASSES: dict[Kind, type[Calculator]] = {
    Kind.SMA: _Windowed,
    Kind.VOLSMA: _Windowed,
    Kind.BB: _Bollinger,
    Kind.EMA: _Ema,
    Kind.RSI: _Rsi,
    Kind.MACD: _Macd,
    Kind.VWAP: _Vwap,
}


def calculator(spec: IndicatorSpec) -> Calculator:
    """A new, empty calculator of ``spec``."""
    return _CLASSES[spec.kind](spec)
