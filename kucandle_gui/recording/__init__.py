"""Recording the feed's traffic to a file, and reading it back for a replay.

:class:`Recorder` is a feed tap (``kucandle_gui.feed.FeedTap``): it writes every REST outcome
and WebSocket frame, with the time it happened and the connect token redacted, into
gzip-compressed JSON lines rotated by size. :func:`iter_entries` reads them back, part after
part, keeping whatever a damaged file still holds and saying what it could not
(:class:`ReadReport`). The format is in :mod:`.entries`. Standard library only: the feed, the
replay server and the app all use it.
"""

from .decoding import BadLine, UnknownKind
from .entries import (
    FORMAT,
    REDACTED,
    VERSION,
    Entry,
    Header,
    Lost,
    RestEntry,
    RunInfo,
    WsEnd,
    WsIn,
    WsOpen,
    WsOut,
    part_path,
    recorded_utc,
    redact_bullet_body,
    redact_text,
    redact_token_url,
)
from .reader import ReadReport, RecordingUnreadable, iter_entries, read_header
from .recorder import Recorder, RecordingError

__all__ = [
    "FORMAT",
    "REDACTED",
    "VERSION",
    "BadLine",
    "Entry",
    "Header",
    "Lost",
    "ReadReport",
    "Recorder",
    "RecordingError",
    "RecordingUnreadable",
    "RestEntry",
    "RunInfo",
    "UnknownKind",
    "WsEnd",
    "WsIn",
    "WsOpen",
    "WsOut",
    "iter_entries",
    "part_path",
    "read_header",
    "recorded_utc",
    "redact_bullet_body",
    "redact_text",
    "redact_token_url",
]
