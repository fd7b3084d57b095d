"""The files of a recording being written: gzip parts rotated by compressed size.

Each part is one gzip stream of JSON lines opening with a header; when a part reaches
``max_bytes`` on disk it ends with a ``rotated`` line and the recording goes on in the next
(``FILE.2``, ``FILE.3``, …) under the same id. :meth:`PartWriter.flush` makes everything
written so far readable by another process (a sync flush), which is what a killed app leaves.
zlib writes the gzip framing itself (``wbits``), straight into the file, whose position is the
part's compressed size. Used by one thread: the recorder's writer.
"""

from __future__ import annotations

import logging
import threading
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any, BinaryIO

from kucandle_gui import __version__

from .entries import VERSION, Header, Line, Rotated, RunInfo, encode, part_path

log = logging.getLogger(__name__)

_GZIP = 16 + zlib.MAX_WBITS

#: Opens a part's file for writing; it must not exist yet (mode ``"xb"``).
Opener = Callable[[Path], BinaryIO]


def create_new(path: Path) -> BinaryIO:
    """The default opener: a new file, never one that exists."""
    return open(path, "xb")


class PartWriter:
    """Writes the lines of one recording into its parts; ``parts`` may be read from any thread."""

    def __init__(
        self,
        path: Path,
        recording: str,
        run: RunInfo,
        max_bytes: int,
        opener: Opener = create_new,
    ) -> None:
        self._path = path
        self._recording = recording
        self._run = run
        self._max_bytes = max_bytes
        self._opener = opener
        self._lock = threading.Lock()
        self._parts: list[Path] = []
        self._raw: BinaryIO | None = None
        self._deflate: Any = None  # a zlib compressor (its type is not public)
        self._part = 0
        self._part_lines = 0
        #: Lines written, headers and part endings included.
        self.written = 0
        #: Whether lines were written since the last flush.
        self.unflushed = False

    @property
    def parts(self) -> list[Path]:
        with self._lock:
            return list(self._parts)

    @property
    def created(self) -> bool:
        """Whether a part's file was created (and is still open)."""
        return self._raw is not None

    def open(self, t: float, m: float) -> None:
        """Create part 1 and write its header (flushed). ``OSError`` if that fails."""
        self._open_part(1, t, m)

    def write(self, line: Line, rotate: bool = True) -> None:
        """Write ``line``; then, when the part has reached ``max_bytes`` and holds more than its
        header, end it and go on in the next (unless not ``rotate``)."""
        assert self._deflate is not None and self._raw is not None
        compressed = self._deflate.compress(encode(line))
        if compressed:  # zlib holds most lines back until it has a block's worth
            self._raw.write(compressed)
        self._part_lines += 1
        self.written += 1
        self.unflushed = True
        if rotate and self._part_lines > 1 and self._raw.tell() >= self._max_bytes:
            following = part_path(self._path, self._part + 1)
            self.write(Rotated(line.t, line.m, following.name), rotate=False)
            self.close()
            self._open_part(self._part + 1, line.t, line.m)

    def flush(self) -> None:
        """Everything written so far readable from the file (a zlib sync flush)."""
        assert self._deflate is not None and self._raw is not None
        self._raw.write(self._deflate.flush(zlib.Z_SYNC_FLUSH))
        self._raw.flush()
        self.unflushed = False

    def close(self) -> None:
        """End the current part's gzip stream and close its file."""
        deflate, raw, self._deflate, self._raw = self._deflate, self._raw, None, None
        if raw is None:
            return
        try:
            if deflate is not None:
                raw.write(deflate.flush(zlib.Z_FINISH))
        finally:
            raw.close()

    def close_quietly(self) -> None:
        """Close after a failure: whatever goes wrong now is only logged."""
        try:
            self.close()
        except Exception:
            log.debug("closing a failed part of %s", self._path, exc_info=True)

    def _open_part(self, part: int, t: float, m: float) -> None:
        path = part_path(self._path, part)
        self._raw = self._opener(path)
        with self._lock:
            self._parts.append(path)
        self._deflate = zlib.compressobj(wbits=_GZIP)
        self._part, self._part_lines = part, 0
        header = Header(VERSION, self._recording, part, __version__, t, m, self._run)
        self.write(header, rotate=False)
        self.flush()
