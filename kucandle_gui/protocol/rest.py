"""KuCoin's REST envelope: the codes a reply carries, the candle endpoint's page size, and the
check of a candle page's rows."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from .candle import Candle
from .errors import ProtocolError
from .timeframes import candle_start

#: ``code`` of every successful REST reply; errors are ``{"code": ..., "msg": ...}``.
REST_OK = "200000"
REST_TOO_MANY_REQUESTS = "429000"
REST_INVALID_PARAMETER = "400100"

#: Most rows ``GET /api/v1/market/candles`` returns per call.
MAX_CANDLES_PER_REQUEST = 1500


@dataclass(frozen=True, slots=True)
class CandlePage:
    """The good rows of one candle page, and what was dropped and why."""

    candles: list[Candle]
    dropped: int = 0
    #: Counts per cause and the first bad row, e.g. ``2 not a 1min candle start (first:
    #: …)``; empty when nothing was dropped.
    reason: str = ""


def parse_candle_page(rows: list[Any], timeframe: str, start: int, end: int) -> CandlePage:
    """The rows of a page asked for ``[start, end]`` that are candles of ``timeframe`` in it.

    A bad row costs only itself: rows that are malformed, start outside the range or
    between two candle starts of the timeframe are dropped, and so are all rows of a start
    time that appears twice with different values (which of them is right cannot be told,
    and a wrong candle must never be drawn). The good rows keep the page's order.
    """
    causes: Counter[str] = Counter()
    first_bad: dict[str, str] = {}

    def drop(cause: str, row: Any) -> None:
        causes[cause] += 1
        first_bad.setdefault(cause, f"{row!r:.80}")

    by_time: dict[int, Candle] = {}
    conflicting: set[int] = set()
    for row in rows:
        try:
            candle = Candle.from_kucoin(row)
        except ProtocolError:
            drop("malformed", row)
            continue
        if not start <= candle.time <= end:
            drop(f"outside [{start}, {end}]", row)
        elif candle_start(timeframe, candle.time) != candle.time:
            drop(f"not a {timeframe} candle start", row)
        elif candle.time not in by_time:
            by_time[candle.time] = candle
        elif by_time[candle.time] != candle:
            conflicting.add(candle.time)
            drop("repeated with other values", row)
    for time in conflicting:
        drop("repeated with other values", by_time.pop(time).to_kucoin())
    if not causes:
        return CandlePage(list(by_time.values()))
    reason = ", ".join(
        f"{count} {cause} (first: {first_bad[cause]})" for cause, count in causes.items()
    )
    return CandlePage(list(by_time.values()), causes.total(), reason)
