"""The lines of one part of a recording: its gzip data inflated in bounded chunks, every
complete line kept up to where the data ends or is damaged.

A part may stop anywhere (the app was killed between two flushes, a copy was cut short) or hold
damaged data: :class:`PartLines` yields each complete line before that point and then says how
the data ended, so that the reader can tell what was lost. Memory stays bounded by the longest
line accepted, ``MAX_LINE_BYTES``, however large the part or its inflated size.
"""

from __future__ import annotations

import errno
import os
import stat
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

#: Longest line read; a longer one is skipped (and counted by the reader).
MAX_LINE_BYTES = 32 * 1024 * 1024
_READ_CHUNK = 64 * 1024
_INFLATE_CHUNK = 1024 * 1024
_GZIP = 16 + zlib.MAX_WBITS
#: Opening a named pipe must not wait for a writer: it is refused once open, like a device.
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_OPEN_FLAGS = os.O_RDONLY | _NONBLOCK | getattr(os, "O_BINARY", 0)


def open_part(path: Path) -> BinaryIO:
    """The part's file at ``path`` opened for reading; ``OSError`` if it cannot be, or is no
    regular file (``IsADirectoryError`` for a folder): a pipe or a device would make the
    reading wait for ever or never end."""
    fd = os.open(path, _OPEN_FLAGS)
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise IsADirectoryError(errno.EISDIR, "it is a folder", str(path))
        if not stat.S_ISREG(mode):
            raise OSError(errno.EINVAL, "it is not a regular file", str(path))
        if _NONBLOCK:
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


class PartLines:
    """The lines of one part's file: gzip (members in sequence) inflated in bounded chunks.

    ``lines()`` yields each complete line without its newline, or None for a line longer than
    ``MAX_LINE_BYTES`` (skipped, told once it passes the bound); then ``ending`` says how the
    data ended: ``clean`` (the gzip stream closed), ``cut`` (it stops mid-stream: the rest was
    never written) or ``damaged`` (data that does not inflate, or a read error). A half line
    at a cut is not yielded.
    """

    def __init__(self, file: BinaryIO) -> None:
        self._file = file
        self._pending = bytearray()
        self._skipping = False
        self._inflater = zlib.decompressobj(_GZIP)
        self._in_member = False
        self.ending = "cut"
        self.why = ""

    def lines(self) -> Iterator[bytes | None]:
        try:
            while chunk := self._file.read(_READ_CHUNK):
                for data in self._inflate(chunk):
                    yield from self._split(data)
            if self._in_member:
                yield from self._split(self._inflater.flush())
        except (zlib.error, OSError) as exc:
            self.ending, self.why = "damaged", str(exc)
            return
        if self._in_member:
            self.ending = "cut"
            return
        self.ending = "clean"
        if self._pending and not self._skipping:  # a last line without its newline
            yield bytes(self._pending)

    def _inflate(self, data: bytes, careful: bool = False) -> Iterator[bytes]:
        """What ``data`` inflates to, in bounded pieces (gzip members may follow each other).
        At damage, ``zlib.error`` comes only after everything before it: the input that held
        it is inflated again a byte at a time (``careful``)."""
        while data:
            if self._inflater.eof:  # another gzip member follows
                self._inflater = zlib.decompressobj(_GZIP)
            self._in_member = True
            saved = None if careful else self._inflater.copy()
            try:
                out = self._inflater.decompress(data, _INFLATE_CHUNK)
            except zlib.error:
                if saved is None:
                    raise
                self._inflater = saved
                for i in range(len(data)):
                    yield from self._inflate(data[i : i + 1], careful=True)
                return
            yield out
            if self._inflater.eof:
                self._in_member, data = False, self._inflater.unused_data
            else:
                data = self._inflater.unconsumed_tail

    def _split(self, data: bytes) -> Iterator[bytes | None]:
        """The lines ``data`` completes. A line too long is told (None) as soon as it passes
        the bound, not at its end: a first line gigabytes long must not hold ``read_header``."""
        start = 0
        while (end := data.find(b"\n", start)) >= 0:
            if self._skipping:
                self._skipping = False
            else:
                self._pending += data[start:end]
                line = bytes(self._pending)
                self._pending.clear()
                yield line if len(line) <= MAX_LINE_BYTES else None
            start = end + 1
        if not self._skipping:
            self._pending += data[start:]
            if len(self._pending) > MAX_LINE_BYTES:
                self._skipping = True
                self._pending.clear()
                yield None
