"""The error event for a failed REST request, built one way wherever the feed or the worker
reports one: the exchange's own words and code when it gave them, and why the request failed
in terms a person understands (``failure``) with the host it went to."""

from __future__ import annotations

from typing import Any

from .events import ErrorEvent, ErrorKind
from .rest import KucoinApiError, RestError


def rest_error_event(
    kind: ErrorKind,
    exc: RestError,
    symbol: str | None = None,
    timeframe: str | None = None,
    **flags: Any,
) -> ErrorEvent:
    """``ErrorEvent`` of ``kind`` for ``exc``; ``flags`` are its keyword fields (``retrying``,
    ``retry_in``, ``subscription_dropped``)."""
    reason, code = str(exc), None
    if isinstance(exc, KucoinApiError) and exc.code.isdigit():
        reason, code = exc.msg, int(exc.code)
    return ErrorEvent(
        kind, reason, symbol, timeframe, code=code, failure=exc.failure, host=exc.host, **flags
    )
