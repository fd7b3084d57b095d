"""KuCoin public REST: connect token, candle history (paged), symbol list, 24 h statistics.

Everything from the server is bounded and checked before use. Each request has a size limit
on its reply (per endpoint, below) and a deadline for the whole response, besides the
per-read timeout; redirects are not followed (:mod:`.http`). HTTP 429 and 5xx (and a reply
whose body is not JSON) are retried with backoff that honours the server's hint
(``gw-ratelimit-reset`` in ms, or ``Retry-After``, capped at ``MAX_RETRY_HINT``); KuCoin's
other errors, which arrive as HTTP 200 with ``{"code", "msg"}``, raise
:class:`KucoinApiError` at once with the server's code and message. Values that make a reply
unusable (a token or ping period out of range, see :mod:`kucandle_gui.protocol.bullet`)
raise it as ``malformed``: the caller backs off and tries again. Bad rows of a candle page
cost only themselves: they are dropped, reported through ``on_bad_rows``, and the good rows
kept. Waits are interruptible through ``cancel`` so that ``stop()`` stays quick.

Every error's text is free of URL credentials and quotes at most ``QUOTE_LIMIT`` characters
of the server's words (:mod:`kucandle_gui.urls`). A ``tap`` (:class:`.tap.FeedTap`) hears
every attempt's outcome, retries included: the answer as the client parsed it, or why there was
none.
"""

from __future__ import annotations

import logging
import math
import threading
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from kucandle_gui.protocol import (
    MAX_CANDLES_PER_REQUEST,
    REST_OK,
    TIMEFRAME_SECONDS,
    BulletToken,
    Candle,
    CandlePage,
    InstanceServer,
    ProtocolError,
    Ticker,
    UnknownPairError,
    candle_start,
    parse_all_tickers,
    parse_bullet,
    parse_candle_page,
    parse_ticker_stats,
)
from kucandle_gui.urls import QUOTE_LIMIT, host_of, quote, redact

from .backoff import Backoff
from .events import NetworkFailure
from .http import BoundedSession, HttpFailure, Reply
from .symbol_info import SymbolInfo, symbol_info
from .tap import FeedTap, guarded

__all__ = [
    "DEFAULT_API_URL",
    "BulletToken",
    "Cancelled",
    "ExchangeUnreachable",
    "InstanceServer",
    "KucoinApiError",
    "RestClient",
    "RestError",
    "SymbolInfo",
]

log = logging.getLogger(__name__)

DEFAULT_API_URL = "https://api.kucoin.com"

#: Largest reply read, per endpoint (bytes). KuCoin's token and clock replies are under a
#: kilobyte, a full candle page some 200 KB, the symbol list about a megabyte and growing.
SMALL_REPLY_LIMIT = 64 * 1024
CANDLES_REPLY_LIMIT = 2 * 1024 * 1024
SYMBOLS_REPLY_LIMIT = 16 * 1024 * 1024
#: One pair's statistics are half a kilobyte. Every pair's (allTickers) are about 800 bytes a
#: pair, 1 MB for KuCoin's 1,300 pairs: the limit holds ``MAX_TICKERS`` rows twice that size.
STATS_REPLY_LIMIT = SMALL_REPLY_LIMIT
ALL_TICKERS_REPLY_LIMIT = 16 * 1024 * 1024
#: Longest library text kept in an error (it may quote what the server sent).
LIBRARY_TEXT_LIMIT = 2 * QUOTE_LIMIT
#: Seconds a whole response may take, however steadily its bytes trickle in.
DEFAULT_DEADLINE = 30.0
#: Longest wait a rate-limit hint may ask for (KuCoin's rate window is 30 s).
MAX_RETRY_HINT = 60.0
#: Most pages one candle load asks for: 150,000 candles, more than a series keeps.
MAX_PAGES_PER_LOAD = 100
#: Most pairs read from the symbol list (KuCoin lists under 2,000), and from allTickers.
MAX_SYMBOLS = 10_000
MAX_TICKERS = MAX_SYMBOLS
#: The code of the error raised for statistics of a pair the exchange does not list (KuCoin
#: answers those with code 200000 and null fields).
UNKNOWN_PAIR = "unknown-pair"
#: The exchange's clock must read between the epoch and this (1 January 3000, in seconds).
MAX_SERVER_TIME = 32_503_680_000


class RestError(Exception):
    """Base of everything the REST client raises.

    ``failure`` says why the request failed in terms a person understands (``None`` when
    the exchange refused in good order, with its own words, or the call was cancelled);
    ``host`` is the API's host, for messages. The text never holds URL credentials.
    """

    def __init__(
        self, message: str, *, failure: NetworkFailure | None = None, host: str | None = None
    ) -> None:
        super().__init__(redact(message))
        self.failure = failure
        self.host = host


class Cancelled(RestError):
    """The caller asked to stop while a request was waiting to be retried."""


class ExchangeUnreachable(RestError):
    """No complete HTTP answer: DNS, refused connection, TLS, timeout or deadline, a server
    that hung up."""


class KucoinApiError(RestError):
    """The exchange answered with an error ``code`` and ``msg``, or with a reply that is not
    the protocol's (code ``malformed``, ``too-large``, ``redirect``), or gave up retrying one.
    """

    def __init__(
        self,
        code: str,
        msg: str,
        http_status: int,
        *,
        failure: NetworkFailure | None = None,
        host: str | None = None,
    ) -> None:
        self.code = quote(code, 40)
        self.msg = quote(msg)
        self.http_status = http_status
        super().__init__(
            f"KuCoin error {self.code}: {self.msg} (HTTP {http_status})",
            failure=failure,
            host=host,
        )


class RestClient:
    """Blocking KuCoin REST calls; use from a worker thread, never from the UI thread.

    ``on_bad_rows(symbol, timeframe, dropped, reason)`` is called, on the thread running the
    load, once for each candle page of which rows were dropped (malformed, outside the range
    asked for, not at a candle start of the timeframe, repeated with other values):
    ``dropped`` rows of that page, ``reason`` one line fit for a message. The load goes on
    with the page's good rows; the owner counts and shows the drop. ``tap`` is told of every
    attempt (:class:`.tap.FeedTap`); one that raises is logged once and ignored.
    """

    def __init__(
        self,
        api_url: str = DEFAULT_API_URL,
        *,
        timeout: tuple[float, float] = (5.0, 10.0),
        deadline: float = DEFAULT_DEADLINE,
        max_attempts: int = 5,
        retry_base: float = 0.5,
        retry_cap: float = 30.0,
        max_pages: int = MAX_PAGES_PER_LOAD,
        cancel: threading.Event | None = None,
        on_bad_rows: Callable[[str, str, int, str], None] | None = None,
        tap: FeedTap | None = None,
    ) -> None:
        self.api_url = api_url.rstrip("/")
        self.host = host_of(self.api_url)
        self.timeout = timeout
        self.max_attempts = max_attempts
        self.retry_base = retry_base
        self.retry_cap = retry_cap
        self.max_pages = max_pages
        self.cancel = cancel or threading.Event()
        self.on_bad_rows = on_bad_rows
        self._tap = guarded(tap)
        self._http = BoundedSession(timeout, deadline)

    def close(self) -> None:
        self._http.close()

    # -- endpoints --------------------------------------------------------------------

    def bullet_public(self) -> BulletToken:
        """``POST /api/v1/bullet-public``: a fresh token; call before every connect."""
        data = self._call("POST", "/api/v1/bullet-public", limit=SMALL_REPLY_LIMIT)
        plain = urlsplit(self.api_url).scheme == "http"
        try:
            return parse_bullet(data, plain_allowed=plain)
        except ProtocolError as exc:
            raise self._malformed(f"bullet-public reply: {exc}") from exc

    def server_time(self) -> float:
        """``GET /api/v1/timestamp``: the exchange's clock in seconds (history ranges use it)."""
        data = self._call("GET", "/api/v1/timestamp", limit=SMALL_REPLY_LIMIT)
        if (
            isinstance(data, bool)
            or not isinstance(data, int | float)
            or not 0 < data < MAX_SERVER_TIME * 1000  # NaN compares false
        ):
            raise self._malformed(f"timestamp reply: {data!r:.80}")
        return data / 1000.0

    def symbols(self) -> list[SymbolInfo]:
        """``GET /api/v2/symbols``: every listed pair (check ``enable_trading``); records
        that are not a pair's are left out."""
        rows = self._call("GET", "/api/v2/symbols", limit=SYMBOLS_REPLY_LIMIT)
        if not isinstance(rows, list):
            raise self._malformed(f"symbols reply is not a list: {rows!r:.80}")
        found = [info for row in rows[:MAX_SYMBOLS] if (info := symbol_info(row)) is not None]
        if len(found) < len(rows):
            log.warning(
                "symbols: %d of %d records left out (malformed, or past %d)",
                len(rows) - len(found),
                len(rows),
                MAX_SYMBOLS,
            )
        return found

    def ticker_stats(self, symbol: str) -> Ticker:
        """``GET /api/v1/market/stats``: one pair's 24 h statistics; ``KucoinApiError`` with
        code ``UNKNOWN_PAIR`` when the exchange has none for it."""
        data = self._call(
            "GET", "/api/v1/market/stats", params={"symbol": symbol}, limit=STATS_REPLY_LIMIT
        )
        try:
            ticker = parse_ticker_stats(data)
        except UnknownPairError as exc:
            if exc.symbol != symbol:
                raise self._malformed(f"market stats of {exc.symbol} for {symbol}") from exc
            msg = f"the exchange does not list {symbol}"
            raise KucoinApiError(UNKNOWN_PAIR, msg, 200, host=self.host) from exc
        except ProtocolError as exc:
            raise self._malformed(f"market stats of {symbol}: {exc}") from exc
        if ticker.symbol != symbol:
            raise self._malformed(f"market stats of {ticker.symbol} for {symbol}")
        return ticker

    def all_tickers(self) -> list[Ticker]:
        """``GET /api/v1/market/allTickers``: every listed pair's 24 h statistics at one time;
        rows that are not a pair's statistics are left out."""
        data = self._call("GET", "/api/v1/market/allTickers", limit=ALL_TICKERS_REPLY_LIMIT)
        try:
            tickers, dropped = parse_all_tickers(data, MAX_TICKERS)
        except ProtocolError as exc:
            raise self._malformed(f"allTickers reply: {exc}") from exc
        if dropped:  # pairs without a trade in 24 h have null fields: no warning
            log.info("allTickers: %d rows left out (malformed, or past %d)", dropped, MAX_TICKERS)
        return tickers

    def candles(self, symbol: str, timeframe: str, start: int, end: int) -> list[Candle]:
        """The candles of ``[start, end]``, oldest first, unique by start time: those starting
        in it, and the one containing ``start`` should the exchange count it in.

        Pages backwards from ``end``: the endpoint returns at most 1500 rows, newest first.
        A page shorter than that means the range is exhausted (periods without trades have
        no row, so a short page is not an error). Each next page ends before the oldest
        good row of the last, so every page moves the range on; a full page without a good
        row cannot, and ends the load with an error, as does a load past ``max_pages``
        (a range of more candles than that, or a server whose pages hold too few good rows).
        """
        first = candle_start(timeframe, start)
        found: dict[int, Candle] = {}
        page_end = end
        for _ in range(self.max_pages):
            if page_end < start:
                break
            rows = self._call(
                "GET",
                "/api/v1/market/candles",
                params={"symbol": symbol, "type": timeframe, "startAt": start, "endAt": page_end},
                limit=CANDLES_REPLY_LIMIT,
            )
            if not isinstance(rows, list):
                raise self._malformed(f"candles reply is not a list: {rows!r:.80}")
            page = parse_candle_page(rows, timeframe, first, page_end)
            if page.dropped:
                self._report_bad_rows(symbol, timeframe, page)
            found.update((c.time, c) for c in page.candles)
            if len(rows) < MAX_CANDLES_PER_REQUEST:
                break
            if not page.candles:
                raise self._malformed(
                    f"a full candle page of {symbol} {timeframe} ending at {page_end} has "
                    "no good row: the load cannot go on"
                )
            page_end = min(c.time for c in page.candles) - 1
        else:
            if page_end >= start:
                raise RestError(
                    f"candles of {symbol} {timeframe} from {start} to {end}: not complete "
                    f"after {self.max_pages} pages, the most one load may ask for",
                    host=self.host,
                )
        return [found[t] for t in sorted(found)]

    def recent_candles(self, symbol: str, timeframe: str, count: int, now: float) -> list[Candle]:
        """About the last ``count`` candles up to ``now`` (fewer where there were no trades)."""
        span = TIMEFRAME_SECONDS[timeframe] * count
        return self.candles(symbol, timeframe, max(0, int(now) - span), int(now))

    # -- plumbing ---------------------------------------------------------------------

    def _call(
        self, method: str, path: str, params: dict[str, Any] | None = None, *, limit: int
    ) -> Any:
        """One request with retries; returns the reply's ``data``."""
        backoff = Backoff(self.retry_base, self.retry_cap)
        url = self.api_url + path
        for attempt in range(1, self.max_attempts + 1):
            if self.cancel.is_set():
                raise Cancelled(path)
            try:
                reply = self._http.fetch(method, url, params, limit)
            except HttpFailure as exc:
                if self._tap is not None:  # exc.failure, a NetworkFailure, is a str: its value
                    text = redact(str(exc))
                    self._tap.rest_failure(method, path, params, exc.status, exc.failure, text)
                raise self._failed(method, url, exc) from exc
            if self._tap is not None:
                self._tap.rest_answer(method, path, params, reply.status, reply.headers, reply.body)
            try:
                body = reply.json()
            except ValueError:
                body = None
            if isinstance(body, dict) and reply.status < 400 and body.get("code") == REST_OK:
                return body.get("data")
            code, msg = _error_of(body, reply)
            # KuCoin's own refusal, in its own words, is no failure of the network or server.
            orderly = isinstance(body, dict) and "code" in body and reply.status < 400
            failure = None if orderly else NetworkFailure.SERVER
            retryable = reply.status == 429 or reply.status >= 500 or body is None
            if not retryable:
                raise KucoinApiError(code, msg, reply.status, failure=failure, host=self.host)
            if attempt == self.max_attempts:
                raise KucoinApiError(
                    code,
                    f"{msg} (gave up after {attempt} attempts)",
                    reply.status,
                    failure=NetworkFailure.SERVER,
                    host=self.host,
                )
            delay = backoff.next_delay(at_least=_retry_hint(reply))
            log.warning("%s %s: %s %s; retrying in %.2f s", method, path, code, msg, delay)
            if self.cancel.wait(delay):
                raise Cancelled(path)
        raise AssertionError("unreachable")

    def _failed(self, method: str, url: str, exc: HttpFailure) -> RestError:
        if exc.status is None:
            return ExchangeUnreachable(
                f"{method} {url}: {quote(str(exc), LIBRARY_TEXT_LIMIT)}",
                failure=exc.failure,
                host=self.host,
            )
        code = "too-large" if exc.failure is NetworkFailure.TOO_LARGE else "bad-reply"
        if 300 <= exc.status < 400:
            code = "redirect"
        return KucoinApiError(code, str(exc), exc.status, failure=exc.failure, host=self.host)

    def _malformed(self, text: str) -> KucoinApiError:
        return KucoinApiError("malformed", text, 200, failure=NetworkFailure.SERVER, host=self.host)

    def _report_bad_rows(self, symbol: str, timeframe: str, page: CandlePage) -> None:
        reason = quote(page.reason)
        log.warning("%s %s: %d candle rows dropped: %s", symbol, timeframe, page.dropped, reason)
        if self.on_bad_rows is not None:
            self.on_bad_rows(symbol, timeframe, page.dropped, reason)


def _retry_hint(reply: Reply) -> float:
    """Seconds the server asked us to wait: ``gw-ratelimit-reset`` (ms) or ``Retry-After``,
    at most ``MAX_RETRY_HINT``; a hint that is no duration is ignored (the backoff stays)."""
    for header, scale in (("gw-ratelimit-reset", 0.001), ("Retry-After", 1.0)):
        value = reply.headers.get(header)
        if value:
            try:
                seconds = float(value) * scale
            except ValueError:
                continue
            if math.isfinite(seconds) and seconds >= 0:
                return min(seconds, MAX_RETRY_HINT)
            log.warning("rate-limit hint %s: %s ignored", header, quote(value, 40))
    return 0.0


def _error_of(body: Any, reply: Reply) -> tuple[str, str]:
    """The error's code and message, quoted fit for a message."""
    if isinstance(body, dict) and "code" in body:
        return quote(str(body["code"]), 40), quote(str(body.get("msg", "")))
    if body is None:
        return f"http{reply.status}", quote(f"reply is not JSON: {reply.text()[:QUOTE_LIMIT]!r}")
    return f"http{reply.status}", quote(f"unexpected reply: {body!r:.{QUOTE_LIMIT}}")
