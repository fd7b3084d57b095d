"""``ReplayExchange``: a recording played back as a KuCoin-compatible server on 127.0.0.1,
started and stopped like the local exchange.

The aiohttp server and the cursor run on their own asyncio loop in a daemon thread (a
:class:`~kucandle_gui.loopback.Loopback`), so callers stay plain synchronous code; everything
they may call while it runs (``pause``, ``resume``, ``set_speed``, ``position``,
``finished``) is thread-safe.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from dataclasses import dataclass
from pathlib import Path

from aiohttp import web

from kucandle_gui.loopback import LOOPBACK_HOST, Loopback, LoopbackService
from kucandle_gui.recording import Header, ReadReport
from kucandle_gui.replay.pace import checked_speed
from kucandle_gui.replay.plan import Plan, read_plan
from kucandle_gui.replay.player import Player
from kucandle_gui.replay.rest import RecordedRest
from kucandle_gui.replay.server import WEBSOCKET_PATH, ReplayServer
from kucandle_gui.replay.state import ReplayPosition, ReplayState

log = logging.getLogger(__name__)

#: How long shutdown waits for request handlers still running.
_SHUTDOWN_GRACE = 0.25
#: How long the cursor waits for the client's request a recorded answer answers.
ANSWER_WAIT = 5.0


@dataclass(frozen=True)
class ReplayOptions:
    """What to replay and how."""

    #: The recording (its first part; the parts after it are found beside it).
    path: Path
    #: Recorded seconds per wall-clock second, in [MIN_SPEED, MAX_SPEED].
    speed: float = 1.0
    #: Start again from the beginning at the end (never ``finished``).
    loop: bool = False
    #: Close the last connection at the end of the recording.
    close_at_end: bool = True


class ReplayExchange(LoopbackService):
    """REST at ``base_url``, WebSocket at the endpoint the replayed bullet-public names."""

    def __init__(self, options: ReplayOptions, *, answer_wait: float = ANSWER_WAIT) -> None:
        checked_speed(options.speed)
        self.options = options
        #: Set when the cursor reached the end (with ``close_at_end``, once the last
        #: connection is closed); never with ``loop``.
        self.finished = threading.Event()
        self._answer_wait = answer_wait
        self._plan: Plan | None = None
        self._state: ReplayState | None = None
        self._player: Player | None = None
        self._rest: RecordedRest | None = None
        #: The routes and connections of the current run, and its cursor (on the loop).
        self._routes: ReplayServer | None = None
        self._cursor: asyncio.Task[None] | None = None
        self._loopback = Loopback(
            self._build_app,
            name="replay-exchange",
            shutdown_grace=_SHUTDOWN_GRACE,
            on_listening=self._on_listening,
            on_closing=self._on_closing,
            on_closed=self._on_closed,
        )

    def start(self) -> ReplayExchange:
        """Read the recording (``RecordingUnreadable`` if nothing can be replayed), then
        serve it; returns once the port listens. Reading takes as long as the file does."""
        if self._loopback.running:
            raise RuntimeError("the replay is already running")
        plan = read_plan(Path(self.options.path))
        try:
            return self._serve_plan(plan)
        except BaseException:
            plan.rest.close()
            raise

    def _serve_plan(self, plan: Plan) -> ReplayExchange:
        self.finished.clear()
        rest = RecordedRest(plan.rest)
        state = ReplayState((plan.first_m, plan.last_m), rest, self.finished, self.options.speed)
        self._plan, self._state, self._rest = plan, state, rest
        self._player = Player(
            plan,
            rest,
            state,
            loop=self.options.loop,
            close_at_end=self.options.close_at_end,
            answer_wait=self._answer_wait,
        )
        self._loopback.start()
        return self

    def stop(self) -> None:
        """Cut every connection, close the server and let go of the REST answers set aside;
        joins the loop thread within 2 s."""
        if self._loopback.stop() and self._plan is not None:
            self._plan.rest.close()

    @property
    def header(self) -> Header:
        """The recording's header (part 1's); after ``start``."""
        return self._started_plan().header

    @property
    def report(self) -> ReadReport:
        """Problems found while reading the recording; after ``start``."""
        return self._started_plan().report

    # -- controls (any thread) -------------------------------------------------------------

    def pause(self) -> None:
        """No frame goes out from the next one on until ``resume`` (pings are still
        answered)."""
        self._started_state().set_paused(True)

    def resume(self) -> None:
        self._started_state().set_paused(False)

    @property
    def paused(self) -> bool:
        return self._started_state().paused

    def set_speed(self, speed: float) -> None:
        """From the next frame on; ``ValueError`` outside [MIN_SPEED, MAX_SPEED]."""
        self._started_state().set_speed(checked_speed(speed))

    @property
    def speed(self) -> float:
        return self._started_state().speed

    def position(self) -> ReplayPosition:
        return self._started_state().position()

    def _started_plan(self) -> Plan:
        if self._plan is None:
            raise RuntimeError("the replay has not been started")
        return self._plan

    def _started_state(self) -> ReplayState:
        if self._state is None:
            raise RuntimeError("the replay has not been started")
        return self._state

    # -- the loop thread -------------------------------------------------------------------

    def _build_app(self) -> web.Application:
        assert self._player is not None and self._rest is not None
        self._routes = ReplayServer(self._player, self._rest)
        return self._routes.app()

    def _on_listening(self) -> None:
        assert self._player is not None and self._rest is not None
        self._rest.endpoint = f"ws://{LOOPBACK_HOST}:{self._loopback.port}{WEBSOCKET_PATH}"
        log.info("replaying %s at %s", self.options.path, self.base_url)
        self._cursor = self._loopback.loop.create_task(self._player.run())
        self._cursor.add_done_callback(_report_failure)

    async def _on_closing(self) -> None:
        if self._cursor is not None:
            self._cursor.cancel()
        if self._routes is not None:
            self._routes.abort_all()

    def _on_closed(self) -> None:
        if self._player is not None:
            self._player.close()


def _report_failure(task: asyncio.Task[None]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("the replay's cursor failed", exc_info=task.exception())
