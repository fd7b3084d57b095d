"""What the screen shows, as plain Python (no Qt): the series held, each chart's series, view
policy and indicators, the layout of the charts, the watchlist, the alerts, and the events the
Qt layer observes. ``ui/``
draws it and turns clicks and keys into calls on it; ``worker/`` carries the feed's deliveries
into it.
"""

from .alerts import (
    ALERT_TIMEFRAME,
    DEFAULT_COOLDOWN,
    MAX_ALERT_PAIRS,
    MAX_ALERTS,
    MAX_LOG,
    MAX_PRICE,
    Alert,
    AlertBook,
    AlertError,
    AlertSpec,
    AlertState,
    AlreadyCrossed,
    Arming,
    Condition,
    Firing,
    parse_alert_spec,
    parse_price,
)
from .chart_model import ChartModel
from .indicators import (
    VALID_FORMS,
    IndicatorSet,
    IndicatorSpec,
    IndicatorSpecError,
    Study,
    parse_indicator_spec,
)
from .keys import SeriesKey
from .layout import (
    LAYOUT_NAMES,
    MAX_CELLS,
    CellSpec,
    LayoutKind,
    WorkspaceSpec,
    layout_for_count,
    parse_layout,
    workspace_from_data,
)
from .monitor import OLDER_PAGE, MonitorModel
from .series_model import SeriesModel, SeriesState
from .viewport import ViewChange, Viewport
from .watchlist import (
    FLASH_MIN_INTERVAL,
    FLASH_SECONDS,
    MAX_WATCHLIST,
    STALE_AFTER,
    WatchlistFull,
    WatchlistModel,
    WatchRow,
)
from .workspace import Workspace

__all__ = [
    "ALERT_TIMEFRAME",
    "DEFAULT_COOLDOWN",
    "FLASH_MIN_INTERVAL",
    "FLASH_SECONDS",
    "LAYOUT_NAMES",
    "MAX_ALERTS",
    "MAX_ALERT_PAIRS",
    "MAX_CELLS",
    "MAX_LOG",
    "MAX_PRICE",
    "MAX_WATCHLIST",
    "OLDER_PAGE",
    "STALE_AFTER",
    "VALID_FORMS",
    "Alert",
    "AlertBook",
    "AlertError",
    "AlertSpec",
    "AlertState",
    "AlreadyCrossed",
    "Arming",
    "CellSpec",
    "ChartModel",
    "Condition",
    "Firing",
    "IndicatorSet",
    "IndicatorSpec",
    "IndicatorSpecError",
    "LayoutKind",
    "MonitorModel",
    "SeriesKey",
    "SeriesModel",
    "SeriesState",
    "Study",
    "ViewChange",
    "Viewport",
    "WatchRow",
    "WatchlistFull",
    "WatchlistModel",
    "Workspace",
    "WorkspaceSpec",
    "layout_for_count",
    "parse_alert_spec",
    "parse_indicator_spec",
    "parse_layout",
    "parse_price",
    "workspace_from_data",
]
