"""The window's indicators: the Indicators menu, the dialog to add or edit one, what is saved."""

from .dialog import IndicatorDialog
from .keeper import QUICK_SPECS, IndicatorsKeeper, next_color
from .store import STUDIES_KEY, StudyStore

__all__ = [
    "QUICK_SPECS",
    "STUDIES_KEY",
    "IndicatorDialog",
    "IndicatorsKeeper",
    "StudyStore",
    "next_color",
]
