"""The watchlist's Qt side: a dock with a table of the watched pairs (``panel``), the table
model over :class:`~kucandle_gui.model.WatchlistModel` (``table_model``) with its rows as shown
(``cells``) and painted (``delegate``), how its numbers are written (``formatting``), and which
pairs it holds in real and demo mode (``keeper``).
"""

from .cells import Colours, Column
from .keeper import WatchlistKeeper
from .panel import WatchlistPanel
from .table_model import WatchlistTableModel

__all__ = ["Colours", "Column", "WatchlistKeeper", "WatchlistPanel", "WatchlistTableModel"]
