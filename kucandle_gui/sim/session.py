"""One client WebSocket connection, from welcome to close, as KuCoin runs it.

The session reads client frames (JSON ping, subscribe, unsubscribe), answers them, drops the
client when no text frame came for ``idle_timeout`` (WebSocket ping frames are answered but,
as on KuCoin, do not keep the session alive), limits the client to 100 messages per 10 s,
and pushes candle updates every ``push_interval`` (and 24 h statistics every
``snapshot_interval``, :mod:`kucandle_gui.sim.snapshots`). Frames the client sends before its
welcome are counted and ignored: KuCoin only serves a connection once it has said welcome.

Flood mode (``push_interval == 0``, benchmarks only) pushes replayed states that run ahead of
the clock (:mod:`kucandle_gui.sim.flood`), a batch of frames per loop turn, as fast as the
socket takes them or at ``flood_rate`` per second.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import math
import time
from collections import deque

from aiohttp import WSMsgType, web

from kucandle_gui.loopback import send_frame
from kucandle_gui.protocol import (
    CANDLE_PUSH_END,
    SNAPSHOT_TOPIC_PREFIX,
    Ping,
    ProtocolError,
    Subscribe,
    Unsubscribe,
    ack_message,
    candle_push_message,
    candle_topic,
    error_message,
    parse_client_message,
    pong_message,
    welcome_message,
)
from kucandle_gui.sim.context import ExchangeContext
from kucandle_gui.sim.flood import CandleReplay
from kucandle_gui.sim.pushes import CandleFeed
from kucandle_gui.sim.snapshots import SnapshotPusher
from kucandle_gui.sim.topics import (
    TOPICS_PER_SESSION,
    RequestError,
    requested_pairs,
    requested_symbols,
    session_full,
)

log = logging.getLogger(__name__)

UPLINK_WINDOW = 10.0
UPLINK_LIMIT = 100
#: Flood mode's pause when there is nothing to push (stalled, or no subscription yet).
_FLOOD_IDLE_WAIT = 0.05
#: Flood mode: most frames sent per loop turn before the loop serves anything else (pings,
#: subscribes, other connections), so that a flood never starves them.
FLOOD_BATCH = 256
#: A paced flood that fell behind (the socket was full) catches up at most this much (s).
_FLOOD_MAX_LAG = 0.1


class Session:
    """A client connection that passed the token check."""

    def __init__(
        self,
        ctx: ExchangeContext,
        ws: web.WebSocketResponse,
        transport: asyncio.BaseTransport | None,
        connect_id: str,
    ) -> None:
        self.connect_id = connect_id
        self._ctx = ctx
        self._ws = ws
        self._transport = transport
        self._flood = ctx.config.push_interval == 0
        self._feeds: dict[tuple[str, str], CandleFeed | CandleReplay] = {}
        self._snapshots = SnapshotPusher(ctx, self._send)
        self._uplink: deque[float] = deque()
        self._welcomed = False
        self._closing: asyncio.Future[None] | None = None

    async def run(self) -> None:
        """Serve the connection until either side ends it."""
        ctx = self._ctx
        ctx.hub.add(self)
        ctx.stats.set_topics(id(self), frozenset())
        reader = asyncio.create_task(self._read_loop())
        pusher: asyncio.Task[None] | None = None
        snapshots: asyncio.Task[None] | None = None
        try:
            delay = ctx.faults.welcome_delay or ctx.config.welcome_delay
            if delay > 0:
                await asyncio.wait({reader}, timeout=delay)
            if not reader.done() and await self._reply(welcome_message(self.connect_id)):
                self._welcomed = True
                pusher = asyncio.create_task(self._push_loop())
                snapshots = asyncio.create_task(self._snapshots.run())
            await reader
        finally:
            for task in (reader, pusher, snapshots):
                if task is not None:
                    task.cancel()
            ctx.hub.remove(self)
            ctx.stats.closed(id(self))

    # -- actions from faults and shutdown ---------------------------------------------------

    def abort(self) -> None:
        """Cut the TCP connection: no close frame, the client just sees the socket die."""
        if self._transport is not None:
            self._transport.abort()

    async def inject(self, frame: str | bytes) -> bool:
        """Send a fault's frame as is, stall or not; False if the connection is gone."""
        return await self._send(frame)

    async def expire(self) -> None:
        """Tell the client its token expired, then close (in the background)."""
        await self._send(error_message(self.connect_id, 401, "token is expired"))
        self._closing = asyncio.ensure_future(self.close(1000, "token is expired"))

    async def close(self, code: int, reason: str) -> None:
        with contextlib.suppress(ConnectionError):
            await self._ws.close(code=code, message=reason.encode())

    # -- reading --------------------------------------------------------------------------

    async def _read_loop(self) -> None:
        loop = asyncio.get_running_loop()
        idle_timeout = self._ctx.config.idle_timeout
        deadline = loop.time() + idle_timeout
        while True:
            remaining = deadline - loop.time()
            if remaining <= 0:
                await self._drop_idle()
                return
            try:
                msg = await self._ws.receive(timeout=remaining)
            except TimeoutError:
                continue  # the deadline check above drops the client
            if msg.type is WSMsgType.TEXT:
                deadline = loop.time() + idle_timeout
                await self._on_text(msg.data)
            elif msg.type is WSMsgType.PING:
                await self._ws.pong(msg.data)
            elif msg.type in (WSMsgType.CLOSE, WSMsgType.CLOSING, WSMsgType.CLOSED):
                return
            elif msg.type is WSMsgType.ERROR:
                log.info("connection %s failed: %s", self.connect_id, msg.data)
                return

    async def _drop_idle(self) -> None:
        log.info(
            "connection %s sent nothing for %ss", self.connect_id, self._ctx.config.idle_timeout
        )
        await self._reply(error_message(self.connect_id, 400, "ping timeout"))
        await self.close(1000, "ping timeout")

    async def _on_text(self, text: str) -> None:
        stats = self._ctx.stats
        stats.count("client_messages")
        if not self._welcomed:
            return
        obj = _json_object(text)
        request_id = self.connect_id if obj is None or obj.get("id") is None else str(obj["id"])
        if self._ctx.faults.errors_carry_connect_id:
            request_id = self.connect_id
        if not self._uplink_allows():
            stats.count("uplink_violations")
            await self._reply(error_message(request_id, 509, "exceed max permits per second"))
            return
        if obj is None:
            await self._reply(error_message(request_id, 400, "message is not a JSON object"))
            return
        try:
            request = parse_client_message(text)
        except ProtocolError:
            await self._reply(error_message(request_id, 406, "topic is required"))
            return
        if isinstance(request, Ping):
            stats.count("pings_received")
            if not self._ctx.faults.ignoring_pings:
                await self._reply(pong_message(request.id), counter="pongs_sent")
        elif isinstance(request, Subscribe | Unsubscribe):
            kind = "subscribe" if isinstance(request, Subscribe) else "unsubscribe"
            stats.count(f"{kind}_requests")
            try:
                self._change_topics(request)
            except RequestError as exc:
                await self._reply(error_message(request_id, exc.code, exc.data))
                return
            if request.response:
                await self._reply(ack_message(request.id))
        else:
            await self._reply(error_message(request_id, 415, "type is not supported"))

    def _uplink_allows(self) -> bool:
        """Sliding window: at most 100 accepted messages in any 10 s of real time."""
        now = time.monotonic()
        while self._uplink and self._uplink[0] <= now - UPLINK_WINDOW:
            self._uplink.popleft()
        if len(self._uplink) >= UPLINK_LIMIT:
            return False
        self._uplink.append(now)
        return True

    def _change_topics(self, request: Subscribe | Unsubscribe) -> None:
        if request.topic.startswith(SNAPSHOT_TOPIC_PREFIX):
            self._change_snapshots(request)
            return
        pairs = requested_pairs(request.topic, self._ctx.market.symbols)
        if isinstance(request, Unsubscribe):
            for pair in pairs:
                self._feeds.pop(pair, None)
        else:
            new = [pair for pair in pairs if pair not in self._feeds]
            if len(self._feeds) + len(self._snapshots) + len(new) > TOPICS_PER_SESSION:
                raise session_full()
            now = self._ctx.clock.now()
            kind = CandleReplay if self._flood else CandleFeed
            for symbol, timeframe in new:
                self._feeds[symbol, timeframe] = kind(self._ctx.market, symbol, timeframe, now)
        self._record_topics()

    def _change_snapshots(self, request: Subscribe | Unsubscribe) -> None:
        """Each pair of a snapshot topic is one topic of the 400 (candle topics included)."""
        symbols = requested_symbols(request.topic, self._ctx.market.symbols)
        if isinstance(request, Unsubscribe):
            self._snapshots.unsubscribe(symbols)
        else:
            new = self._snapshots.new(symbols)
            if len(self._feeds) + len(self._snapshots) + len(new) > TOPICS_PER_SESSION:
                raise session_full()
            self._snapshots.subscribe(new)
        self._record_topics()

    def _record_topics(self) -> None:
        topics = {candle_topic(symbol, timeframe) for symbol, timeframe in self._feeds}
        self._ctx.stats.set_topics(id(self), frozenset(topics | self._snapshots.topics()))

    # -- pushing --------------------------------------------------------------------------

    async def _push_loop(self) -> None:
        """A round every ``push_interval``, or the flood when it is 0."""
        interval = self._ctx.config.push_interval
        if interval == 0:
            await self._flood_loop()
            return
        while True:
            await asyncio.sleep(interval)
            if not await self._push_round():
                return

    async def _push_round(self) -> bool:
        """Push what is due on every subscription; False if the socket died."""
        now = self._ctx.clock.now()
        for key, feed in list(self._feeds.items()):
            if self._ctx.faults.stalled:
                break  # a stall silences the rest of this round too
            if self._feeds.get(key) is not feed:
                continue  # unsubscribed while this round was sending
            assert isinstance(feed, CandleFeed)
            for candle in feed.due(now):
                frame = candle_push_message(feed.symbol, feed.timeframe, candle, time.time_ns())
                if not await self._send(frame, counter="pushes_sent"):
                    return False
        return True

    async def _flood_loop(self) -> None:
        """Flood: up to ``FLOOD_BATCH`` replayed states per loop turn, shared by the
        subscriptions in turn, then a yield to the loop; paced to ``flood_rate`` if set.
        Rests only while there is nothing to push (stalled, no subscription, quiet pairs)."""
        loop = asyncio.get_running_loop()
        rate = self._ctx.config.flood_rate
        origin, paced = loop.time(), 0
        turn = 0  # which subscription is served first this time round
        while True:
            replays = list(self._feeds.items())
            if self._ctx.faults.stalled or not replays:
                await asyncio.sleep(_FLOOD_IDLE_WAIT)
                origin, paced = loop.time(), 0
                continue
            budget = FLOOD_BATCH
            if rate > 0:
                elapsed = loop.time() - origin
                due = math.floor(elapsed * rate) - paced
                if due <= 0:
                    await asyncio.sleep((paced + 1) / rate - elapsed)
                    continue
                most = math.ceil(rate * _FLOOD_MAX_LAG)
                if due > most:
                    origin += (due - most) / rate  # forget what is owed beyond the lag
                    due = most
                budget = min(due, FLOOD_BATCH)
            turn %= len(replays)
            share = -(-budget // len(replays))
            sent = 0
            for key, replay in replays[turn:] + replays[:turn]:
                if sent >= budget or self._ctx.faults.stalled:
                    break
                turn += 1
                if self._feeds.get(key) is not replay:
                    continue  # unsubscribed while this turn was sending
                assert isinstance(replay, CandleReplay)
                prefixes = replay.take(min(share, budget - sent))
                done = await self._send_prefixes(key, replay, prefixes)
                if done is None:
                    return
                sent += done
            paced += sent
            await asyncio.sleep(0 if sent else _FLOOD_IDLE_WAIT)

    # -- sending --------------------------------------------------------------------------

    async def _reply(self, frame: str, counter: str | None = None) -> bool:
        """Send unless stalled; True if the frame went out."""
        if self._ctx.faults.stalled:
            return False
        return await self._send(frame, counter)

    async def _send_prefixes(
        self, key: tuple[str, str], replay: CandleReplay, prefixes: list[str]
    ) -> int | None:
        """Finish and send replayed pushes of one subscription, each stamped with its own
        send time, counted first as ``_send`` does; how many went out, None if the
        connection is gone. Stops if the topic is unsubscribed meanwhile (a send can wait
        for the socket), so that nothing of it follows the unsubscribe's ack."""
        if self._ws.closed:
            return None
        if not prefixes:
            return 0
        stats, feeds = self._ctx.stats, self._feeds
        stats.count("pushes_sent", len(prefixes))
        send, clock = self._ws.send_str, time.time_ns
        sent = 0
        try:
            for prefix in prefixes:
                if feeds.get(key) is not replay:
                    break
                await send(f"{prefix}{clock()}{CANDLE_PUSH_END}")
                sent += 1
        except ConnectionError:
            return None
        if sent < len(prefixes):
            stats.count("pushes_sent", sent - len(prefixes))
        return sent

    async def _send(self, frame: str | bytes, counter: str | None = None) -> bool:
        """Send one frame; ``counter`` (a stats name) counts it first, so that a client that
        sees the frame also sees it counted."""
        if self._ws.closed:
            return False
        if counter is not None:
            self._ctx.stats.count(counter)
        return await send_frame(self._ws, frame)


def _json_object(text: str) -> dict[str, object] | None:
    """The frame as a JSON object, or None for anything else (garbage, lists, numbers)."""
    try:
        obj = json.loads(text)
    except ValueError:
        return None
    return obj if isinstance(obj, dict) else None
