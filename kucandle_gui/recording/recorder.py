"""Writing a recording while the feed runs: every REST outcome and WebSocket frame, with the
time it happened, into gzip-compressed JSON lines (the format is in :mod:`.entries`).

The feed calls the tap methods on its own threads, at the rate frames arrive: they only take
the time, redact the token and queue an entry; one writer thread compresses and writes. The
queue is bounded (``max_pending``): a writer that falls behind (a slow disk) costs lines, which
are counted and marked with a ``lost`` line where they are missing, never the feed's pace or
memory. Time is taken under the queue's lock, so that ``m`` never goes back in the file.

A recording may run for days: parts rotate by compressed size (``FILE``, ``FILE.2``, …), and
the gzip stream is flushed to the system at least every ``flush_interval`` seconds, so that an
app killed leaves a file readable up to the last flush (after a power cut, up to what the
system had put on the disk: there is no fsync). A disk error stops the recording
(``on_problem`` tells once), never the feed.
"""

from __future__ import annotations

import glob
import logging
import threading
import time
import uuid
from collections import OrderedDict, deque
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import quote, quote_plus, unquote, urlsplit

from .entries import (
    End,
    Lost,
    RestEntry,
    RunInfo,
    WsEnd,
    WsIn,
    WsOpen,
    WsOut,
    redact_bullet_body,
    redact_text,
    redact_token_url,
)
from .parts import Opener, PartWriter, create_new
from .write_queue import FlushMark, LostMark, WriteQueue

log = logging.getLogger(__name__)

#: Connect ids remembered with their session numbers (the newest): a frame of an older one
#: gets a new number rather than the memory growing with every reconnect of a long run.
SESSIONS_KEPT = 1024
#: Tokens remembered (from the connect URLs, each as written, decoded and encoded) to redact
#: from free text; shorter strings than ``MIN_TOKEN_CHARS`` are not taken for one.
TOKENS_KEPT = 40
MIN_TOKEN_CHARS = 8
#: Longest wait in ``close()`` for the writer to finish (a hung disk must not hang the app).
CLOSE_TIMEOUT = 30.0
#: The reply headers a recording keeps (a replay serves them), by lower-case name.
KEPT_HEADERS = {"gw-ratelimit-reset": "gw-ratelimit-reset", "retry-after": "Retry-After"}
_BULLET_PATHS = ("/bullet-public", "/bullet-private")


class RecordingError(Exception):
    """A recording cannot start: the text says why."""


def _exists(path: Path) -> str:
    return f"{path} already exists: choose another name for the recording or delete it"


def _why(exc: BaseException) -> str:
    return (exc.strerror if isinstance(exc, OSError) else None) or str(exc) or type(exc).__name__


class Recorder:
    """A recording being written; thread-safe; satisfies ``kucandle_gui.feed.FeedTap``.

    ``opener`` opens each part's file (tests give one that blocks or fails). The feed's
    session numbers come from the connect ids, in the order of ``ws_open``.
    """

    def __init__(
        self,
        path: str | Path,
        run: RunInfo,
        *,
        max_bytes: int = 200 * 1024 * 1024,
        on_problem: Callable[[str], None] | None = None,
        flush_interval: float = 1.0,
        max_pending: int = 100_000,
        max_pending_bytes: int = 64 * 1024 * 1024,
        opener: Opener | None = None,
    ) -> None:
        if max_bytes <= 0 or max_pending < 1 or max_pending_bytes < 1 or not flush_interval >= 0:
            raise ValueError("the sizes and max_pending must be positive, flush_interval >= 0")
        self._path = Path(path)
        self._on_problem = on_problem
        self._flush_interval = flush_interval
        self._queue = WriteQueue(max_pending, max_pending_bytes)
        self._lock = threading.Lock()
        self._started = self._closed = False
        self._failed: str | None = None
        self._thread: threading.Thread | None = None
        # Used in the queue's ``make``, so under its lock:
        self._sessions: OrderedDict[str, int] = OrderedDict()
        self._next_session = 1
        # Under ``_lock``; learnt even when the ``ws_open`` line is lost:
        self._tokens: deque[str] = deque(maxlen=TOKENS_KEPT)
        # The writer thread's (the caller's in start()):
        self._files = PartWriter(self._path, uuid.uuid4().hex, run, max_bytes, opener or create_new)
        self._told_lost = False

    @property
    def parts(self) -> list[Path]:
        """The files written so far, part 1 first."""
        return self._files.parts

    @property
    def lines_written(self) -> int:
        """Lines handed to the compressor (an int the writer alone updates)."""
        return self._files.written

    @property
    def lost(self) -> int:
        """Lines dropped because the writer fell behind."""
        return self._queue.lost

    @property
    def failed(self) -> str | None:
        """Why the recording stopped early (a disk error), or None."""
        with self._lock:
            return self._failed

    def start(self) -> Recorder:
        """Create ``FILE`` (:class:`RecordingError` if it, or a ``FILE.k``, exists or it cannot
        be created), write the header and start the writer."""
        with self._lock:
            if self._started or self._closed:
                raise RecordingError(f"the recording to {self._path} was started already")
            self._started = True
        later = self._path.parent.glob(glob.escape(self._path.name) + ".*")
        taken = [self._path] if self._path.exists() else []
        taken += sorted(p for p in later if p.suffix[1:].isdigit())
        if taken:
            raise RecordingError(_exists(taken[0]))
        t0 = time.monotonic()
        try:
            self._files.open(time.time(), 0.0)
        except FileExistsError as exc:  # made since the check
            raise RecordingError(_exists(self._path)) from exc
        except OSError as exc:
            created = self._files.created
            self._files.close_quietly()
            if created:
                self._path.unlink(missing_ok=True)
            raise RecordingError(f"cannot record to {self._path}: {_why(exc)}") from exc
        self._queue.open(t0)
        self._thread = threading.Thread(target=self._write_loop, name="recorder", daemon=True)
        self._thread.start()
        return self

    def flush(self, timeout: float = 5.0) -> bool:
        """Wait until everything queued so far is written and flushed to the file: False if
        the recording is not running, failed, or ``timeout`` passed first."""
        mark = self._queue.put_flush()
        if mark is None:
            return False
        return mark.done.wait(timeout) and self.failed is None

    def close(self) -> None:
        """Write ``end``, flush and close the file, join the writer. Idempotent; never raises.
        Every caller returns with the file finished (a second one waits too), except
        ``on_problem`` calling it on the writer's thread: the writer finishes after it."""
        with self._lock:
            first, self._closed = not self._closed, True
        if first:
            self._queue.close(End)
        if self._thread is None or self._thread.ident == threading.get_ident():
            return
        self._thread.join(CLOSE_TIMEOUT)
        if first and self._thread.is_alive():
            log.warning("the recording to %s is still being written", self._path)

    def __enter__(self) -> Recorder:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # FeedTap: feed threads; queue only.

    def rest_answer(
        self,
        method: str,
        path: str,
        params: Mapping[str, Any] | None,
        status: int,
        headers: Mapping[str, str],
        body: bytes,
    ) -> None:
        body = bytes(body)
        if path.rstrip("/").endswith(_BULLET_PATHS):  # whatever the method: never the token
            body = redact_bullet_body(body)
        kept = tuple(
            sorted(
                (KEPT_HEADERS[name.lower()], str(value))
                for name, value in headers.items()
                if name.lower() in KEPT_HEADERS
            )
        )
        query = _params(params)
        self._queue.put(
            lambda t, m: RestEntry(t, m, method, path, query, status, kept, body, None, ""),
            len(body),
        )

    def rest_failure(
        self,
        method: str,
        path: str,
        params: Mapping[str, Any] | None,
        status: int | None,
        failure: str | None,
        text: str,
    ) -> None:
        query, text = _params(params), self._redact(text)
        self._queue.put(
            lambda t, m: RestEntry(t, m, method, path, query, status, (), None, failure, text)
        )

    def ws_open(self, connect_id: str, url: str) -> None:
        with self._lock:
            self._tokens.extend(_token_forms(url))
        redacted = redact_token_url(url)
        self._queue.put(lambda t, m: WsOpen(t, m, self._new_session(connect_id), redacted))

    def ws_received(self, connect_id: str, frame: str | bytes) -> None:
        if not isinstance(frame, str):
            frame = bytes(frame)
        self._queue.put(lambda t, m: WsIn(t, m, self._session_of(connect_id), frame), len(frame))

    def ws_sent(self, connect_id: str, frame: str) -> None:
        if not isinstance(frame, str):
            frame = bytes(frame).decode("utf-8", "replace")
        self._queue.put(lambda t, m: WsOut(t, m, self._session_of(connect_id), frame), len(frame))

    def ws_end(self, connect_id: str, reason: str, planned: bool) -> None:
        reason, planned = self._redact(reason), bool(planned)
        self._queue.put(lambda t, m: WsEnd(t, m, self._session_of(connect_id), reason, planned))

    def _new_session(self, connect_id: str) -> int:
        """A new session number for ``connect_id`` (under the queue's lock)."""
        session, self._next_session = self._next_session, self._next_session + 1
        self._sessions[connect_id] = session
        self._sessions.move_to_end(connect_id)
        if len(self._sessions) > SESSIONS_KEPT:
            self._sessions.popitem(last=False)
        return session

    def _session_of(self, connect_id: str) -> int:
        """``connect_id``'s session number; an unknown one gets the next (queue's lock)."""
        session = self._sessions.get(connect_id)
        return self._new_session(connect_id) if session is None else session

    def _redact(self, text: str) -> str:
        with self._lock:
            tokens = tuple(self._tokens)
        return redact_text(str(text), tokens)

    # The writer thread.

    def _write_loop(self) -> None:
        next_flush = time.monotonic() + self._flush_interval

        def until_flush() -> float | None:
            return next_flush - time.monotonic() if self._files.unflushed else None

        while True:
            batch, closing = self._queue.take(until_flush)
            try:
                while batch:
                    self._write_item(batch[0])
                    batch.popleft()  # kept until written: a failure settles it with the rest
                if closing:
                    self._files.close()
                    return
                if self._files.unflushed and time.monotonic() >= next_flush:
                    self._files.flush()
                    next_flush = time.monotonic() + self._flush_interval
            except Exception as exc:
                if not isinstance(exc, OSError):
                    log.exception("the recorder failed")
                self._fail(exc, batch)
                return

    def _write_item(self, item: Any) -> None:
        if isinstance(item, FlushMark):
            self._files.flush()
            item.done.set()
        elif isinstance(item, LostMark):
            self._files.write(Lost(item.t, item.m, item.count))
            if not self._told_lost:
                self._told_lost = True
                self._problem(
                    f"the recording to {self._path} fell behind the feed: {item.count} lines "
                    "were not recorded (a replay says where); more may follow"
                )
        else:
            self._files.write(item, rotate=not isinstance(item, End))

    def _fail(self, exc: BaseException, unwritten: deque[Any]) -> None:
        text = f"the recording to {self._path} stopped: {_why(exc)}; the feed goes on"
        with self._lock:
            self._failed = text
        unwritten.extend(self._queue.stop())
        self._files.close_quietly()
        for item in unwritten:
            if isinstance(item, FlushMark):
                item.done.set()
        self._problem(text)

    def _problem(self, text: str) -> None:
        log.warning("%s", text)
        if self._on_problem is not None:
            try:
                self._on_problem(text)
            except Exception:
                log.exception("on_problem failed")


def _params(params: Mapping[str, Any] | None) -> tuple[tuple[str, str], ...]:
    """Query parameters as a replay sees them: strings, sorted; a None value is not sent."""
    return tuple(sorted((str(k), str(v)) for k, v in (params or {}).items() if v is not None))


def _token_forms(url: str) -> list[str]:
    """The token of a connect URL in every form it may be quoted in."""
    forms: set[str] = set()
    for part in urlsplit(url).query.split("&"):
        name, _, value = part.partition("=")
        if name.lower() == "token":
            token = unquote(value)
            forms |= {value, token, quote(token, safe=""), quote(token), quote_plus(token)}
    return sorted(f for f in forms if len(f) >= MIN_TOKEN_CHARS)
