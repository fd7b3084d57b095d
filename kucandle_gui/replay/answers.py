"""The REST answers of a replay, by request, with their bodies kept on disk rather than in
memory.

A recording of days holds thousands of REST answers (every history load after every
reconnect, an ``allTickers`` of about a megabyte each time): kept in memory they would grow
with the recording, to gigabytes. So reading the recording writes each body, compressed, to
an anonymous temporary file (gone when closed, or when the process dies) and keeps in memory
only where it is, with its status and headers: some 100 bytes an answer, whatever the bodies'
size. A request reads its body back; the answers in use are in the page cache.
"""

from __future__ import annotations

import tempfile
import threading
import zlib
from dataclasses import dataclass

from kucandle_gui.recording import RestEntry

#: What REST answers are matched on: (method, path, sorted query parameters).
RestKey = tuple[str, str, tuple[tuple[str, str], ...]]
BULLET_PATH = "/api/v1/bullet-public"
#: zlib level of the bodies set aside: fast, and JSON shrinks well at any level.
_LEVEL = 1


@dataclass(frozen=True, slots=True)
class StoredAnswer:
    """One recorded outcome of a request; its body is in the store's file."""

    status: int | None
    headers: tuple[tuple[str, str], ...]
    #: Recorded time (``m``).
    m: float
    offset: int
    #: Compressed size of the body; -1: no answer was given (a failure: no body).
    size: int

    @property
    def given(self) -> bool:
        """Whether the client got an HTTP answer to pass on (else the connection is cut)."""
        return self.size >= 0 and self.status is not None and 100 <= self.status <= 599


class StoredAnswers:
    """Answers by request in recorded order; filled while reading the recording (one thread),
    then read from any thread. ``OSError`` from :meth:`add` if the temporary folder is full
    or not writable."""

    def __init__(self) -> None:
        # Open for the store's life, closed by close(): no with block fits.
        self._file = tempfile.TemporaryFile(prefix="kucandle-replay-")  # noqa: SIM115
        self._end = 0
        self._lock = threading.Lock()
        self._answers: dict[RestKey, list[StoredAnswer]] = {}
        #: The last bullet-public answer that gave a token (HTTP 200), if any.
        self.last_bullet: StoredAnswer | None = None

    def add(self, entry: RestEntry) -> None:
        offset, size = self._end, -1
        if entry.body is not None:
            packed = zlib.compress(entry.body, _LEVEL)
            with self._lock:
                self._file.seek(offset)
                self._file.write(packed)
            size = len(packed)
            self._end += size
        answer = StoredAnswer(entry.status, entry.headers, entry.m, offset, size)
        self._answers.setdefault(entry.key, []).append(answer)
        token = (entry.method, entry.path, entry.status) == ("POST", BULLET_PATH, 200)
        last = self.last_bullet
        if token and size >= 0 and (last is None or entry.m >= last.m):
            self.last_bullet = answer

    def keys(self) -> list[RestKey]:
        """The requests answered, in the order first recorded."""
        return list(self._answers)

    def recorded(self, key: RestKey) -> list[StoredAnswer]:
        """The answers recorded for ``key``, in order (do not change the list)."""
        return self._answers.get(key, [])

    def body(self, answer: StoredAnswer) -> bytes:
        """The body of an answer that has one (``b""`` for a failure)."""
        if answer.size < 0:
            return b""
        with self._lock:
            self._file.seek(answer.offset)
            packed = self._file.read(answer.size)
        return zlib.decompress(packed)

    def close(self) -> None:
        with self._lock:
            self._file.close()
