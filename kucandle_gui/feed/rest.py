"""KuCoin public REST: connect token, candle history (paged), symbol list.

One ``requests.Session`` per client, a timeout on every call. HTTP 429 and 5xx (and a 200
whose body is not JSON) are retried with backoff that honours the server's hint
(``gw-ratelimit-reset`` in ms, or ``Retry-After``); KuCoin's other errors, which arrive as
HTTP 200 with ``{"code", "msg"}``, raise :class:`KucoinApiError` at once with the server's
code and message. Waits are interruptible through ``cancel`` so that ``stop()`` stays quick.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from typing import Any

import requests

from kucandle_gui.protocol import (
    MAX_CANDLES_PER_REQUEST,
    REST_OK,
    TIMEFRAME_SECONDS,
    Candle,
    ProtocolError,
)

from .backoff import Backoff

log = logging.getLogger(__name__)

DEFAULT_API_URL = "https://api.kucoin.com"


class RestError(Exception):
    """Base of everything the REST client raises."""


class Cancelled(RestError):
    """The caller asked to stop while a request was waiting to be retried."""


class ExchangeUnreachable(RestError):
    """No HTTP answer at all: DNS, refused connection, timeout."""


class KucoinApiError(RestError):
    """The exchange answered with an error ``code`` and ``msg`` (or gave up retrying one)."""

    def __init__(self, code: str, msg: str, http_status: int) -> None:
        super().__init__(f"KuCoin error {code}: {msg} (HTTP {http_status})")
        self.code = code
        self.msg = msg
        self.http_status = http_status


@dataclass(frozen=True, slots=True)
class InstanceServer:
    """One WebSocket server offered by bullet-public; intervals converted to seconds."""

    endpoint: str
    encrypt: bool
    ping_interval: float
    ping_timeout: float


@dataclass(frozen=True, slots=True)
class BulletToken:
    """A public connect token and the servers it may be used on."""

    token: str
    servers: tuple[InstanceServer, ...]


@dataclass(frozen=True, slots=True)
class SymbolInfo:
    """The fields of ``/api/v2/symbols`` the app uses."""

    symbol: str
    name: str
    base_currency: str
    quote_currency: str
    market: str
    price_increment: str
    enable_trading: bool


class RestClient:
    """Blocking KuCoin REST calls; use from a worker thread, never from the UI thread."""

    def __init__(
        self,
        api_url: str = DEFAULT_API_URL,
        *,
        timeout: tuple[float, float] = (5.0, 10.0),
        max_attempts: int = 5,
        retry_base: float = 0.5,
        retry_cap: float = 30.0,
        cancel: threading.Event | None = None,
    ) -> None:
        self.api_url = api_url.rstrip("/")
        self.timeout = timeout
        self.max_attempts = max_attempts
        self.retry_base = retry_base
        self.retry_cap = retry_cap
        self.cancel = cancel or threading.Event()
        self.session = requests.Session()
        self.session.headers["User-Agent"] = "kucandle-gui"

    def close(self) -> None:
        self.session.close()

    # -- endpoints --------------------------------------------------------------------

    def bullet_public(self) -> BulletToken:
        """``POST /api/v1/bullet-public``: a fresh token; call before every connect."""
        data = self._call("POST", "/api/v1/bullet-public")
        try:
            servers = tuple(
                InstanceServer(
                    endpoint=str(s["endpoint"]),
                    encrypt=bool(s.get("encrypt", True)),
                    ping_interval=float(s["pingInterval"]) / 1000.0,
                    ping_timeout=float(s["pingTimeout"]) / 1000.0,
                )
                for s in data["instanceServers"]
            )
            token = str(data["token"])
        except (KeyError, TypeError, ValueError) as exc:
            raise KucoinApiError("malformed", f"bullet-public reply: {exc!r}", 200) from exc
        if not servers or not token:
            raise KucoinApiError("malformed", "bullet-public gave no token or no server", 200)
        return BulletToken(token, servers)

    def server_time(self) -> float:
        """``GET /api/v1/timestamp``: the exchange's clock in seconds (history ranges use it)."""
        data = self._call("GET", "/api/v1/timestamp")
        if not isinstance(data, int | float) or isinstance(data, bool):
            raise KucoinApiError("malformed", f"timestamp reply: {data!r}", 200)
        return data / 1000.0

    def symbols(self) -> list[SymbolInfo]:
        """``GET /api/v2/symbols``: every listed pair (check ``enable_trading``)."""
        rows = self._call("GET", "/api/v2/symbols")
        try:
            return [
                SymbolInfo(
                    symbol=r["symbol"],
                    name=r.get("name", r["symbol"]),
                    base_currency=r.get("baseCurrency", ""),
                    quote_currency=r.get("quoteCurrency", ""),
                    market=r.get("market", ""),
                    price_increment=str(r.get("priceIncrement", "")),
                    enable_trading=bool(r.get("enableTrading", True)),
                )
                for r in rows
            ]
        except (KeyError, TypeError) as exc:
            raise KucoinApiError("malformed", f"symbols reply: {exc!r}", 200) from exc

    def candles(self, symbol: str, timeframe: str, start: int, end: int) -> list[Candle]:
        """Candles whose start lies in ``[start, end]``, oldest first, unique by start time.

        Pages backwards from ``end``: the endpoint returns at most 1500 rows, newest first.
        A page shorter than that means the range is exhausted (periods without trades have
        no row, so a short page is not an error).
        """
        found: dict[int, Candle] = {}
        page_end = end
        while page_end >= start:
            rows = self._call(
                "GET",
                "/api/v1/market/candles",
                params={"symbol": symbol, "type": timeframe, "startAt": start, "endAt": page_end},
            )
            if not isinstance(rows, list):
                raise KucoinApiError("malformed", "candles reply is not a list", 200)
            try:
                page = [Candle.from_kucoin(row) for row in rows]
            except ProtocolError as exc:
                raise KucoinApiError("malformed", str(exc), 200) from exc
            for candle in page:
                if start <= candle.time <= end:
                    found[candle.time] = candle
            if len(page) < MAX_CANDLES_PER_REQUEST:
                break
            page_end = min(c.time for c in page) - 1
        return [found[t] for t in sorted(found)]

    def recent_candles(self, symbol: str, timeframe: str, count: int, now: float) -> list[Candle]:
        """About the last ``count`` candles up to ``now`` (fewer where there were no trades)."""
        span = TIMEFRAME_SECONDS[timeframe] * count
        return self.candles(symbol, timeframe, max(0, int(now) - span), int(now))

    # -- plumbing ---------------------------------------------------------------------

    def _call(self, method: str, path: str, params: dict[str, Any] | None = None) -> Any:
        """One request with retries; returns the reply's ``data``."""
        backoff = Backoff(self.retry_base, self.retry_cap)
        url = self.api_url + path
        for attempt in range(1, self.max_attempts + 1):
            if self.cancel.is_set():
                raise Cancelled(path)
            try:
                response = self.session.request(method, url, params=params, timeout=self.timeout)
            except requests.RequestException as exc:
                raise ExchangeUnreachable(f"{method} {url}: {exc}") from exc
            retry_hint = _retry_hint(response)
            try:
                body = response.json()
            except ValueError:
                body = None
            if (
                isinstance(body, dict)
                and response.status_code < 400
                and body.get("code") == REST_OK
            ):
                return body.get("data")
            code, msg = _error_of(body, response)
            retryable = response.status_code == 429 or response.status_code >= 500 or body is None
            if not retryable:
                raise KucoinApiError(code, msg, response.status_code)
            if attempt == self.max_attempts:
                raise KucoinApiError(
                    code, f"{msg} (gave up after {attempt} attempts)", response.status_code
                )
            delay = backoff.next_delay(at_least=retry_hint)
            log.warning("%s %s: %s %s; retrying in %.2f s", method, path, code, msg, delay)
            if self.cancel.wait(delay):
                raise Cancelled(path)
        raise AssertionError("unreachable")


def _retry_hint(response: requests.Response) -> float:
    """Seconds the server asked us to wait: ``gw-ratelimit-reset`` (ms) or ``Retry-After``."""
    for header, scale in (("gw-ratelimit-reset", 0.001), ("Retry-After", 1.0)):
        value = response.headers.get(header)
        if value:
            try:
                return max(0.0, float(value) * scale)
            except ValueError:
                continue
    return 0.0


def _error_of(body: Any, response: requests.Response) -> tuple[str, str]:
    if isinstance(body, dict) and "code" in body:
        return str(body["code"]), str(body.get("msg", ""))
    if body is None:
        return f"http{response.status_code}", f"reply is not JSON: {response.text[:80]!r}"
    return f"http{response.status_code}", f"unexpected reply: {str(body)[:80]}"
