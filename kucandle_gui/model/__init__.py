"""What the screen shows, as plain Python (no Qt): the series held, each chart's series and
view policy, and the events the Qt layer observes. ``ui/`` draws it and turns clicks and keys
into calls on it; ``worker/`` carries the feed's deliveries into it.
"""

from .chart_model import ChartModel
from .keys import SeriesKey
from .monitor import OLDER_PAGE, MonitorModel
from .series_model import SeriesModel, SeriesState
from .viewport import ViewChange, Viewport

__all__ = [
    "OLDER_PAGE",
    "ChartModel",
    "MonitorModel",
    "SeriesKey",
    "SeriesModel",
    "SeriesState",
    "ViewChange",
    "Viewport",
]
