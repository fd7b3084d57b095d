"""The Qt worker layer: the feed on its own QThread, results as signals on the UI thread.

Depends on the feed, the model and QtCore only; knows nothing of widgets or the chart.
"""

from .controller import FeedController
from .demo import DemoExchange
from .feed_worker import FeedWorker
from .link import FeedLink

__all__ = ["DemoExchange", "FeedController", "FeedLink", "FeedWorker"]
