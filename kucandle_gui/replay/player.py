"""The cursor of a replay: plays the recorded WebSocket sessions to the client, in order, at
the recorded pace.

The k-th connect plays recorded session k; a session whose connect failed refuses its
connect (the connection is cut) and the cursor moves on. A session's first frame (the
welcome, or the refusal of the token) answers the connect: it goes out at once, paused or
not, so that a client never gives up waiting for it and reconnects over and over. The frames
after it go out at the recorded pace divided by the speed (:mod:`.pace`); gaps between
sessions are not played, the client's own reconnect delay stands.

The client's requests are answered as the recorded client's were, request for request of the
same kind and topic (:mod:`.plan`): one that got an answer waits for it (the recorded answer,
with the client's id), one that got none gets none. A recorded answer whose request does not
come within ``answer_wait`` seconds is skipped and counted. A request beyond the recorded
ones is answered at once: an unsubscribe, or a subscribe to a topic the session subscribed,
with an ack (what the exchange answers, and the topic's pushes are in the session); any
other subscribe with error 404. Pings are always answered at once.

A recorded end closes the connection (planned: a normal close, else the TCP connection is
cut). A client that drops in the middle of a session is welcomed at once on its next connect
and gets the rest of the session there; the answers it was waiting for wait for its
requests again.

At the end of the recording: with ``loop`` the next pass starts (REST counts start over, a
connection still open is closed); else ``finished`` is set, and with ``close_at_end`` the last
connection is closed and later connects are refused; without it the recording's own closing
end is not played either, and later connects get a welcome and nothing more, their requests
acked.

Everything runs on the server's loop; other threads meet the cursor in :mod:`.state`.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from collections.abc import Callable, Iterator
from itertools import islice

from kucandle_gui.protocol import (
    Ping,
    ProtocolError,
    Subscribe,
    Unsubscribe,
    ack_message,
    error_message,
    parse_client_message,
    pong_message,
    welcome_message,
)
from kucandle_gui.replay.link import ClientRequest, Link
from kucandle_gui.replay.pace import Pace
from kucandle_gui.replay.plan import Plan, SessionPlan, iter_steps
from kucandle_gui.replay.rest import RecordedRest
from kucandle_gui.replay.state import ReplayState
from kucandle_gui.replay.steps import Reply, RequestKey, Send, SessionEnd, Step, request_key

#: Steps read from the file at a time (off the loop).
_BATCH = 512


class Player:
    def __init__(
        self,
        plan: Plan,
        rest: RecordedRest,
        state: ReplayState,
        *,
        loop: bool,
        close_at_end: bool,
        answer_wait: float,
    ) -> None:
        self._plan = plan
        self._rest = rest
        self._state = state
        self._loop_passes = loop
        self._close_at_end = close_at_end
        self._answer_wait = answer_wait
        #: Set whenever something the cursor may wait for changes.
        self._wake = asyncio.Event()
        self._pace = Pace(0.0, 0.0, state.speed)
        self._paused_at: float | None = None
        self._link: Link | None = None
        self._over = False
        self._session = 0
        self._refused = False  # the current session's connect failed: its steps are skipped
        self._in_session = False  # the current session's first frame went out, not its end
        #: The current session's recorded requests not yet matched to the client's, by kind
        #: and topic, in order: whether each was answered.
        self._requests: dict[RequestKey, deque[bool]] = {}
        self._steps: Iterator[Step] | None = None
        #: A planned end held back while nothing follows it: the recording's own end, which
        #: leaves the last connection open when the replay does not close at its end (a window
        #: that replays keeps showing the last state instead of reconnecting to nothing).
        self._held_end: SessionEnd | None = None

    # -- connections, on the loop ----------------------------------------------------------

    async def connected(self, link: Link) -> None:
        """A client connected: it plays the current session (or is refused by it); once the
        replay is over it is refused when the replay closes at its end (no session of the
        recorded app follows: a new one would ask for what the recording does not hold),
        else it gets a welcome and nothing more."""
        if self._over:
            if self._close_at_end:
                link.abort()
            else:
                await link.send(welcome_message(link.connect_id))
            return
        if self._link is not None:
            self._release(self._link)
            self._link.abort()  # the client gave that one up (or it would not reconnect)
        self._link = link
        if self._in_session and not self._refused:  # it continues the session
            link.playing = True
            await link.send(welcome_message(link.connect_id))
        self._wake.set()

    def disconnected(self, link: Link) -> None:
        if self._link is link:
            self._release(link)
            self._link = None
            self._wake.set()

    def _release(self, link: Link) -> None:
        """``link`` no longer plays: the answers its requests were waiting for wait for the
        requests of the client's next connection."""
        for key, waiting in link.waiting.items():
            recorded = self._requests.get(key)
            if recorded is not None:
                recorded.extendleft(True for _ in waiting)
        link.waiting.clear()

    async def client_text(self, link: Link, text: str) -> None:
        """Answer what the client sent: pings at once, requests as :meth:`_request` says."""
        try:
            message = parse_client_message(text)
        except ProtocolError:
            await link.send(error_message(link.connect_id, 400, "message is not a request"))
            return
        if isinstance(message, Ping):
            await link.send(pong_message(message.id))
        elif isinstance(message, Subscribe | Unsubscribe):
            await self._request(link, message)
        else:
            await link.send(error_message(message.id, 415, "type is not supported"))

    async def _request(self, link: Link, message: Subscribe | Unsubscribe) -> None:
        """Matched to the session's next recorded request of the same kind and topic: one
        that was answered waits for its answer, one that was not gets none; beyond them,
        answered at once."""
        kind = "subscribe" if isinstance(message, Subscribe) else "unsubscribe"
        key = request_key(kind, message.topic)
        recorded = self._requests.get(key) if self._answer_due(link) else None
        if recorded:
            if recorded.popleft():  # answered in the recording: the answer will come
                link.waiting.setdefault(key, deque()).append(
                    ClientRequest(message.id, message.response)
                )
                self._wake.set()
            return  # else the recorded request got no answer: neither does this one
        if kind == "subscribe" and recorded is None and not self._over:
            topic = f"topic {message.topic} is not in the recording"
            await link.send(error_message(message.id, 404, topic))
        elif message.response:
            await link.send(ack_message(message.id))

    def _answer_due(self, link: Link) -> bool:
        """Whether the recorded session playing on ``link`` may still answer it."""
        return not self._over and link is self._link and link.playing and not self._refused

    # -- the cursor, on the loop -----------------------------------------------------------

    async def run(self) -> None:
        """Play every pass; returns when the replay is over (never with ``loop``)."""
        loop = asyncio.get_running_loop()
        self._state.on_change = lambda: _call_soon(loop, self._wake.set)
        while True:
            self._steps = iter_steps(self._plan.path)
            played = False
            while batch := await loop.run_in_executor(None, _take, self._steps, _BATCH):
                played = True
                for step in batch:
                    await self._play(step)
            self._steps.close()
            if not played and self._loop_passes:
                # No session to play: nothing paces a pass, so there is no next one (the
                # REST answers are given once); wait to be stopped.
                await loop.create_future()
            await self._end_pass()
            if not self._loop_passes:
                return

    def close(self) -> None:
        """Let go of the recording (once the loop no longer reads it)."""
        if self._steps is not None:
            self._steps.close()

    async def _end_pass(self) -> None:
        link, self._link = self._link, None
        self._session, self._in_session, self._requests = 0, False, {}
        if self._loop_passes:
            self._rest.reset()  # before the close, so that the client's next token is the first
            self._state.pass_done(last=False)
            if link is not None:
                await link.close("end of the recording: playing it again")
            return
        self._over = True
        held, self._held_end = self._held_end, None
        if held is not None:
            self._state.played(held.t, held.m)
        if link is not None and self._close_at_end:
            await link.close("end of the recording")
        elif link is not None:
            self._link = link
            if not link.playing:  # it connected for a session the recording does not hold
                await link.send(welcome_message(link.connect_id))
        self._state.pass_done(last=True)

    async def _play(self, step: Step) -> None:
        if self._held_end is not None:  # more follows: the end was a session's, play it
            held, self._held_end = self._held_end, None
            await self._end(held)
        if step.session != self._session:
            await self._begin(step.session)
        if self._refused:
            return
        if isinstance(step, SessionEnd):
            if step.planned and not (self._close_at_end or self._loop_passes):
                self._held_end = step
                return
            await self._end(step)
        else:
            await self._send(step)

    async def _begin(self, number: int) -> None:
        """Session ``number`` comes next; the one before may have ended without a record of
        it (lines lost): its connection is cut."""
        if self._session and self._link is not None and self._link.playing:
            link, self._link = self._link, None
            link.abort()
        self._session, self._in_session = number, False
        plan = self._plan.sessions.get(number, SessionPlan())  # the file changed: refused
        self._requests = {key: deque(answered) for key, answered in plan.requests.items()}
        self._refused = plan.frames == 0
        if self._refused:  # the recorded connect failed: so does this one
            link = await self._ready_link()
            self._link = None
            link.abort()

    async def _end(self, step: SessionEnd) -> None:
        if self._link is not None and self._link.playing:
            await self._until_due(step.m)
        self._in_session = False
        link = self._link
        if link is not None and link.playing:  # else it connected for the next session
            self._link = None
            if step.planned:
                await link.close(step.reason)
            else:
                link.abort()
        self._state.played(step.t, step.m)

    async def _send(self, step: Send | Reply) -> None:
        loop = asyncio.get_running_loop()
        first = not self._in_session  # answers the connect: not paced
        if first:
            await self._ready_link()
            self._pace.restart(loop.time(), step.m)
        while True:
            if not first:
                await self._until_due(step.m)
            link = await self._ready_link()
            if isinstance(step, Send):
                frame: str | bytes = step.frame
            elif step.request is None:
                frame = step.frame(link.connect_id)
            else:
                found = await self._client_request(step.request)
                if found is None:
                    self._forget_answer(step.request)
                    self._state.skipped()
                    break
                link, request = found
                if not request.response and step.kind == "ack":
                    break  # the client asked for no ack
                frame = step.frame(link.connect_id if step.to_connection else request.id)
            link.playing = self._in_session = True
            if await link.send(frame):
                break
            # The client dropped meanwhile: the frame goes out on its next connect (an
            # answer to the request that client sends again there).
            if isinstance(step, Reply) and step.request is not None:
                self._requests.setdefault(step.request, deque()).appendleft(True)
        self._state.played(step.t, step.m)

    def _forget_answer(self, key: RequestKey) -> None:
        """The answer due for ``key`` was skipped: the client's next such request is matched
        to the recorded request after the one it answered."""
        recorded = self._requests.get(key)
        if recorded is not None and True in recorded:
            recorded.remove(True)

    async def _until_due(self, m: float) -> None:
        """Wait until the frame recorded at ``m`` is due; paused time delays it and all
        after it, a new speed applies from the position reached."""
        loop = asyncio.get_running_loop()
        while True:
            self._wake.clear()
            now = loop.time()
            paused, speed = self._state.controls()
            if paused:
                if self._paused_at is None:
                    self._paused_at = now
                await self._wake.wait()
                continue
            if self._paused_at is not None:
                self._pace.delay(now - self._paused_at)
                self._paused_at = None
            if speed != self._pace.speed:
                self._pace.set_speed(now, speed)
            due = self._pace.due(m)
            if now >= due:
                return
            await self._sleep(due - now)

    async def _ready_link(self) -> Link:
        """The client's connection, waited for if there is none (the wait delays the frames
        to come)."""
        loop = asyncio.get_running_loop()
        waited_since: float | None = None
        while True:
            self._wake.clear()
            link = self._link
            if link is not None and not link.closed:
                break
            if waited_since is None:
                waited_since = loop.time()
            await self._wake.wait()
        if waited_since is not None:
            self._pace.delay(loop.time() - waited_since)
        return link

    async def _client_request(self, key: RequestKey) -> tuple[Link, ClientRequest] | None:
        """The oldest request of ``key`` waiting for its answer, waited for at most
        ``answer_wait`` s (with a connection); None if it did not come."""
        loop = asyncio.get_running_loop()
        waited = 0.0
        while True:
            link = await self._ready_link()
            self._wake.clear()
            queue = link.waiting.get(key)
            if queue:
                if waited:
                    self._pace.delay(waited)
                return link, queue.popleft()
            if waited >= self._answer_wait:
                self._pace.delay(waited)
                return None
            since = loop.time()
            await self._sleep(self._answer_wait - waited)
            waited += loop.time() - since

    async def _sleep(self, timeout: float) -> None:
        """Sleep ``timeout`` s or until something changes, whichever comes first."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), timeout)


def _call_soon(loop: asyncio.AbstractEventLoop, callback: Callable[[], None]) -> None:
    """``callback`` on ``loop`` from any thread; nothing once the loop has closed."""
    with contextlib.suppress(RuntimeError):
        loop.call_soon_threadsafe(callback)


def _take(steps: Iterator[Step], count: int) -> list[Step]:
    return list(islice(steps, count))
