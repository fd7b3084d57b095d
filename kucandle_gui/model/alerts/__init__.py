"""Price alerts as plain Python: what an alert asks for (``spec``), its state (``alert``), when
it fires (``rules``), the book that evaluates every alert on its pair's 1min candles, live and
across gaps (``book``; the catch-up after a gap, asking for older candles when the series does
not reach back far enough, in ``catch_up``), and its saved form (``persistence``)."""

from .alert import Alert, AlertState, Arming, Firing
from .book import AlertBook
from .spec import (
    ALERT_TIMEFRAME,
    DEFAULT_COOLDOWN,
    MAX_ALERT_PAIRS,
    MAX_ALERTS,
    MAX_LOG,
    MAX_PRICE,
    AlertError,
    AlertSpec,
    AlreadyCrossed,
    Condition,
    parse_alert_spec,
    parse_price,
)

__all__ = [
    "ALERT_TIMEFRAME",
    "DEFAULT_COOLDOWN",
    "MAX_ALERTS",
    "MAX_ALERT_PAIRS",
    "MAX_LOG",
    "MAX_PRICE",
    "Alert",
    "AlertBook",
    "AlertError",
    "AlertSpec",
    "AlertState",
    "AlreadyCrossed",
    "Arming",
    "Condition",
    "Firing",
    "parse_alert_spec",
    "parse_price",
]
