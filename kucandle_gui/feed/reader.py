"""How a session reads WebSocket frames: websocket-client, or websocket-client read ahead.

:class:`ReadAheadWebSocket` makes a busy feed much cheaper to read, but it leans on
websocket-client internals that a release may change. Which reader a session uses is
decided here: the read-ahead one when the installed websocket-client has what it needs,
else websocket-client's own ``recv``, with a warning in the log (:func:`choose_reader`).
pyproject.toml bounds websocket-client to the versions the read-ahead is tested with.
"""

from __future__ import annotations

import enum
import functools
import logging
import time

import websocket

log = logging.getLogger(__name__)

#: Bytes asked of the socket per read.
READ_AHEAD = 65536
#: Seconds the feed thread steps off the GIL after a read that filled the whole read-ahead:
#: the socket holds a backlog, so the thread would otherwise run (and hold the GIL) for as
#: long as the backlog lasts, and the UI and worker threads would get a turn only when the
#: interpreter forces a switch (``sys.getswitchinterval()``), often several times in a row:
#: the UI would stall. BENCHMARKS.md has what this costs and saves.
BACKLOG_YIELD = 0.0001


class ReadAheadWebSocket(websocket.WebSocket):
    """websocket-client, reading whatever the socket holds and decoding plain text frames.

    Two costs of websocket-client dominate a busy feed, and both go away here without
    changing what comes out:

    - It asks the socket for exactly the bytes it needs next: a frame's header, then its
      length, then its payload; three system calls per frame, each of which lets go of the
      GIL and must win it back from the worker and UI threads. This reads up to
      ``READ_AHEAD`` bytes at once (many frames on a busy feed) and serves the pieces from
      memory: the same bytes in the same order. While a backlog lasts (a read fills the
      whole read-ahead) it pauses for ``BACKLOG_YIELD`` after each read, so that the other
      threads of the app get the GIL promptly.
    - Its frame decoding is pure Python, paid for every frame. The frame a KuCoin feed sends
      is nearly always one complete, unfragmented, unmasked text frame without extension
      bits; when the next frame is such a frame, lies wholly in the bytes read ahead, and
      websocket-client is between frames and between fragments, it is decoded here
      (``recv()`` returns its text, as websocket-client's would). Anything else (control
      frames, fragments, binary or masked frames, 64-bit lengths, a frame cut by the end of
      a read, trace logging on) goes through websocket-client as before.

    Both rely on websocket-client internals (``_recv``, ``frame_buffer``, ``cont_frame``,
    ``isEnabledForTrace``): :func:`missing_internals` checks them before this class is used.

    Made for ``enable_multithread=False`` (one thread owns the socket, as in ``WsSession``):
    the shortcut does not take websocket-client's read lock.
    """

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self._ahead = b""
        self._ahead_pos = 0

    def recv(self) -> str | bytes:
        text = self._plain_text_frame()
        return super().recv() if text is None else text

    def _plain_text_frame(self) -> str | None:
        """The next frame's text when it is a plain text frame already read ahead, else None
        (nothing consumed). Like ``recv()``, raises ``UnicodeDecodeError`` for bad UTF-8."""
        ahead, pos = self._ahead, self._ahead_pos
        if len(ahead) - pos < 2 or ahead[pos] != 0x81:  # FIN, no RSV bits, text
            return None
        length = ahead[pos + 1]  # mask bit clear: < 128
        start = pos + 2
        if length == 126:
            start = pos + 4
            length = int.from_bytes(ahead[pos + 2 : start], "big")
        elif length > 126:
            return None  # a 64-bit length, or masked
        end = start + length
        if end > len(ahead):
            return None
        buffered, fragments = self.frame_buffer, self.cont_frame
        if (
            buffered.header is not None
            or buffered.recv_buffer
            or fragments.recving_frames is not None
            or websocket.isEnabledForTrace()
        ):
            return None
        self._ahead_pos = end
        return ahead[start:end].decode("utf-8")

    def _recv(self, bufsize: int) -> bytes:
        pos = self._ahead_pos
        if pos >= len(self._ahead):
            data = super()._recv(max(bufsize, READ_AHEAD))
            if len(data) >= READ_AHEAD:
                time.sleep(BACKLOG_YIELD)
            if len(data) <= bufsize:
                return data
            self._ahead, pos = data, 0
        end = pos + bufsize
        self._ahead_pos = end
        return self._ahead[pos:end]


class Reader(enum.Enum):
    """How a session reads frames."""

    #: ``ReadAheadWebSocket``: large reads, plain text frames decoded here.
    READ_AHEAD = "read-ahead"
    #: websocket-client's own ``WebSocket.recv``: slower on a busy feed, relies on nothing
    #: private.
    RECV = "recv"

    @property
    def socket_class(self) -> type[websocket.WebSocket]:
        return ReadAheadWebSocket if self is Reader.READ_AHEAD else websocket.WebSocket


def missing_internals(probe: object) -> list[str]:
    """The websocket-client internals ``ReadAheadWebSocket`` relies on that are missing.

    ``probe`` is an unconnected ``ReadAheadWebSocket``: the read-ahead needs websocket-client
    to read frames through ``_recv`` (which it overrides), and to show whether it is between
    frames and fragments, and whether trace logging is on (which it must leave alone).
    """
    missing = []
    if not callable(getattr(websocket.WebSocket, "_recv", None)):
        missing.append("WebSocket._recv")
    frames = getattr(probe, "frame_buffer", None)
    reads_with = getattr(frames, "recv", None)
    if getattr(reads_with, "__func__", None) is not ReadAheadWebSocket._recv or (
        getattr(reads_with, "__self__", None) is not probe
    ):
        missing.append("frame_buffer reading through WebSocket._recv")
    for name in ("header", "recv_buffer"):
        if not hasattr(frames, name):
            missing.append(f"frame_buffer.{name}")
    if not hasattr(getattr(probe, "cont_frame", None), "recving_frames"):
        missing.append("cont_frame.recving_frames")
    if not callable(getattr(websocket, "isEnabledForTrace", None)):
        missing.append("isEnabledForTrace")
    return missing


def choose_reader(probe: object) -> Reader:
    """``READ_AHEAD`` when ``probe`` shows every internal it needs, else ``RECV``, with a
    warning: a websocket-client release may change its internals, and the feed must then
    still work, only slower."""
    missing = missing_internals(probe)
    if not missing:
        return Reader.READ_AHEAD
    log.warning(
        "websocket-client %s lacks %s: frames are read with its own recv() instead",
        getattr(websocket, "__version__", "?"),
        ", ".join(missing),
    )
    return Reader.RECV


@functools.cache
def default_reader() -> Reader:
    """The reader sessions use unless told otherwise: decided once per process, so that a
    fallback is logged once."""
    return choose_reader(ReadAheadWebSocket(enable_multithread=False))
