"""``ReplayExchange``: a recording played back as a KuCoin-compatible server on 127.0.0.1,
started and stopped like the local exchange.

The aiohttp server and the cursor run on their own asyncio loop in a daemon thread, so
callers stay plain synchronous code; everything they may call while it runs (``pause``,
``resume``, ``set_speed``, ``position``, ``finished``) is thread-safe.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from aiohttp import web

from kucandle_gui.recording import Header, ReadReport
from kucandle_gui.replay.pace import checked_speed
from kucandle_gui.replay.plan import Plan, read_plan
from kucandle_gui.replay.player import Player
from kucandle_gui.replay.rest import RecordedRest
from kucandle_gui.replay.server import WEBSOCKET_PATH, ReplayServer
from kucandle_gui.replay.state import ReplayPosition, ReplayState

log = logging.getLogger(__name__)

_HOST = "127.0.0.1"
_START_TIMEOUT = 10.0
_STOP_TIMEOUT = 2.0
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


class ReplayExchange:
    """REST at ``base_url``, WebSocket at the endpoint the replayed bullet-public names."""

    def __init__(self, options: ReplayOptions, *, answer_wait: float = ANSWER_WAIT) -> None:
        checked_speed(options.speed)
        self.options = options
        self.base_url = ""
        #: Set when the cursor reached the end (with ``close_at_end``, once the last
        #: connection is closed); never with ``loop``.
        self.finished = threading.Event()
        self._answer_wait = answer_wait
        self._plan: Plan | None = None
        self._state: ReplayState | None = None
        self._player: Player | None = None
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def start(self) -> ReplayExchange:
        """Read the recording (``RecordingUnreadable`` if nothing can be replayed), then
        serve it; returns once the port listens. Reading takes as long as the file does."""
        if self._thread is not None:
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
        self._plan, self._state = plan, state
        self._player = Player(
            plan,
            rest,
            state,
            loop=self.options.loop,
            close_at_end=self.options.close_at_end,
            answer_wait=self._answer_wait,
        )
        ready = threading.Event()
        failures: list[BaseException] = []
        self._thread = threading.Thread(
            target=self._serve, args=(rest, ready, failures), name="replay-exchange", daemon=True
        )
        self._thread.start()
        if not ready.wait(_START_TIMEOUT):
            raise RuntimeError("the replay server did not start listening in time")
        if failures:
            self._thread.join()
            self._thread = None
            raise failures[0]
        return self

    def stop(self) -> None:
        """Cut every connection, close the server and let go of the REST answers set aside;
        joins the loop thread within 2 s."""
        thread, loop = self._thread, self._loop
        if thread is None:
            return
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(loop.stop)
        thread.join(_STOP_TIMEOUT)
        if thread.is_alive():
            log.warning("the replay thread did not end within %ss", _STOP_TIMEOUT)
        elif self._plan is not None:
            self._plan.rest.close()
        self._thread = None

    def __enter__(self) -> ReplayExchange:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

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

    def _serve(
        self, rest: RecordedRest, ready: threading.Event, failures: list[BaseException]
    ) -> None:
        player = self._player
        assert player is not None
        server = ReplayServer(player, rest)
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        try:
            runner = loop.run_until_complete(self._listen(server, rest))
        except BaseException as exc:  # reported to start(), which re-raises it
            failures.append(exc)
            loop.close()
            ready.set()
            return
        self._loop = loop
        cursor = loop.create_task(player.run())
        cursor.add_done_callback(_report_failure)
        ready.set()
        try:
            loop.run_forever()
        finally:
            cursor.cancel()
            server.abort_all()
            loop.run_until_complete(runner.cleanup())
            loop.run_until_complete(loop.shutdown_default_executor())
            player.close()
            loop.close()

    async def _listen(self, server: ReplayServer, rest: RecordedRest) -> web.AppRunner:
        runner = web.AppRunner(server.app(), shutdown_timeout=_SHUTDOWN_GRACE, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, _HOST, 0)
        await site.start()
        port = runner.addresses[0][1]
        self.base_url = f"http://{_HOST}:{port}"
        rest.endpoint = f"ws://{_HOST}:{port}{WEBSOCKET_PATH}"
        log.info("replaying %s at %s", self.options.path, self.base_url)
        return runner


def _report_failure(task: asyncio.Task[None]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("the replay's cursor failed", exc_info=task.exception())
