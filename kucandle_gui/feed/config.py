"""The feed's knobs, apart from the client so that its users can build one without it."""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

from .connection import SessionTimeouts
from .tap import FeedTap


@dataclass(frozen=True, slots=True)
class FeedConfig:
    """Knobs of the feed; the defaults suit the real exchange, tests shorten them."""

    #: Candles loaded when a subscription starts.
    history_candles: int = 300
    #: Candles kept per series; the oldest go first.
    max_candles: int = 100_000
    #: Reconnect delays grow from this to ``reconnect_cap`` while connects fail, and start
    #: from it again once a session's subscribe is acknowledged: the link worked.
    reconnect_base: float = 1.0
    reconnect_cap: float = 60.0
    #: Least time from one connect to the next: KuCoin accepts 30 connects a minute. Only a
    #: session that ends soon after it began waits longer for it, such as one a server
    #: accepts (even acknowledges) and then drops at once.
    min_connect_interval: float = 2.0
    #: Tokens live 24 h; reconnect (and backfill) this long before that.
    token_max_age: float = 24 * 3600.0
    token_refresh_margin: float = 30 * 60.0
    timeouts: SessionTimeouts = field(default_factory=SessionTimeouts)
    rest_timeout: tuple[float, float] = (5.0, 10.0)
    rest_retry_base: float = 0.5
    #: When this many pairs or more become watched at once, their first values come from one
    #: ``allTickers`` call (about a megabyte) rather than one ``/market/stats`` call each.
    ticker_bulk: int = 10
    #: Updates that wait for the consumer (and pushes that wait for their series' history)
    #: each keep their own entry until this many are pending; only beyond it is a newer state
    #: of a candle merged into its pending one. 0: always merged (a chart draws the latest);
    #: headless output, which prints every change, sets it high.
    keep_updates: int = 0
    #: Observer of every REST attempt and WebSocket frame (a recorder); None: nobody.
    tap: FeedTap | None = None

    def led_by_server(self, ack_wait: float) -> FeedConfig:
        """This config for a feed whose server decides when its sessions end (a recording
        played back): no token renewal of its own, and acknowledgements awaited at least
        ``ack_wait`` seconds (the server may hold one back, e.g. while paused)."""
        timeouts = replace(self.timeouts, ack=max(self.timeouts.ack, ack_wait))
        return replace(self, token_max_age=math.inf, timeouts=timeouts)
