"""The Qt worker layer: the feed on its own QThread, results as signals on the UI thread.

Depends on the feed and on QtCore only; knows nothing of widgets or the chart.
"""

from .controller import FeedController
from .feed_worker import FeedWorker

__all__ = ["FeedController", "FeedWorker"]
