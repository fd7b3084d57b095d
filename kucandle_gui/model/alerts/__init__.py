"""Price alerts as plain Python: what an alert asks for (``spec``), its state (``alert``), when
it fires (``rules``), the book that evaluates every alert on its pair's 1min candles, live and
across gaps (``book``), and its saved form (``persistence``)."""

from .alert import Alert, AlertState, Arming, Firing
from .book import AlertBook
from .spec import (
    ALERT_TIMEFRAME,
    DEFAULT_COOLDOWN,
    MAX_ALERT_PAIRS,
    MAX_ALERTS,
    MAX_LOG,
    AlertError,
    AlertSpec,
    AlreadyCrossed,
    Condition,
    parse_alert_spec,
)

__all__ = [
    "ALERT_TIMEFRAME",
    "DEFAULT_COOLDOWN",
    "MAX_ALERTS",
    "MAX_ALERT_PAIRS",
    "MAX_LOG",
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
]
