"""Replay: a recording (:mod:`kucandle_gui.recording`) played back as a local KuCoin-compatible
server, so that the app runs against it through the same feed, model and chart code as live.

``ReplayExchange(ReplayOptions(path, speed, loop, close_at_end)).start()`` reads the
recording and serves it on 127.0.0.1; point the feed at its ``base_url``. REST requests get
the answers recorded for them; WebSocket connects get the recorded sessions in order, at the
recorded pace times the speed. See :mod:`.rest` and :mod:`.player` for the rules.
"""

from __future__ import annotations

from kucandle_gui.replay.exchange import ReplayExchange, ReplayOptions
from kucandle_gui.replay.pace import MAX_SPEED, MIN_SPEED
from kucandle_gui.replay.state import ReplayPosition

__all__ = ["MAX_SPEED", "MIN_SPEED", "ReplayExchange", "ReplayOptions", "ReplayPosition"]
