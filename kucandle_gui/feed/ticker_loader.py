"""Background REST loads of pairs' first 24 h statistics, before their first snapshot push.

A snapshot push comes every 2 s, so a watchlist could wait for it; but 300 rows filling in
over a few seconds look broken, and a pair whose topic is slow to be acknowledged would stay
empty longer. So when pairs become watched their statistics are asked for over REST: one
``allTickers`` call for many pairs (one request of about a megabyte instead of hundreds), or
``/market/stats`` per pair for a few. The calls run on a :class:`~.loader.RetryingLoader`
thread. They are an optimisation, since once connected the pushes bring every value anyway:
a load that fails for a passing reason is retried with backoff, but at most
``MAX_ATTEMPTS`` times in all, and not once every pair it is for stops being watched.

``/market/stats`` also tells whether the exchange lists a pair at all (code ``UNKNOWN_PAIR``):
KuCoin may accept a snapshot topic it has no pair for and never push on it, so the REST
answer may be the only refusal the feed gets.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

from kucandle_gui.protocol import REST_INVALID_PARAMETER, Ticker

from .loader import RetryingLoader
from .rest import UNKNOWN_PAIR, KucoinApiError, RestClient, RestError

#: REST error codes retrying cannot fix: the exchange does not know the pair.
PERMANENT_CODES = frozenset({REST_INVALID_PARAMETER, UNKNOWN_PAIR})
#: Tries of one load: a few seconds of backoff, about as long as the first pushes take.
MAX_ATTEMPTS = 3


@dataclass(frozen=True, slots=True)
class TickerJob:
    """The first values of ``symbols``: all of them from one ``allTickers`` call when
    ``bulk``, else the one pair's ``/market/stats``."""

    symbols: tuple[str, ...]
    #: One per symbol, set when it is no longer watched.
    cancels: tuple[threading.Event, ...]
    bulk: bool
    on_done: Callable[[list[Ticker]], None]
    #: Called with the error and the wait before the loader tries again (None: it gave up,
    #: the attempts used up or the exchange refusing the pair).
    on_error: Callable[[RestError, float | None], None]

    @property
    def cancelled(self) -> bool:
        return all(cancel.is_set() for cancel in self.cancels)

    @property
    def name(self) -> str:
        return "allTickers" if self.bulk else f"stats of {self.symbols[0]}"


class TickerLoader(RetryingLoader[TickerJob]):
    """One thread loading ``TickerJob``s as they fall due, each at most ``MAX_ATTEMPTS``
    times; results go back through ``post``."""

    thread_name = "kucandle-tickers"

    def __init__(
        self,
        rest: RestClient,
        post: Callable[[Callable[[], None]], None],
        retry_base: float,
        retry_cap: float,
    ) -> None:
        super().__init__(rest, post, retry_base, retry_cap, MAX_ATTEMPTS)

    def fetch(self, rest: RestClient, job: TickerJob) -> list[Ticker]:
        return rest.all_tickers() if job.bulk else [rest.ticker_stats(*job.symbols)]

    def permanent(self, exc: RestError) -> bool:
        """The exchange does not know the pair."""
        return is_unknown_pair(exc)


def is_unknown_pair(exc: RestError) -> bool:
    """``exc`` says the exchange does not list the pair asked for."""
    return isinstance(exc, KucoinApiError) and exc.code in PERMANENT_CODES
