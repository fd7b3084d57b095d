"""The window's indicators: the Indicators menu, the dialog to add or edit one, the one-chart
settings' studies (read once, to migrate them into the saved layout)."""

from .dialog import IndicatorDialog
from .keeper import QUICK_SPECS, IndicatorsKeeper
from .store import STUDIES_KEY, StudyStore

__all__ = [
    "QUICK_SPECS",
    "STUDIES_KEY",
    "IndicatorDialog",
    "IndicatorsKeeper",
    "StudyStore",
]
