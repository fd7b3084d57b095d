"""Lines of a recording read back: every field of a line checked before an entry is made.

A recording is read from a file that may be damaged, cut off or made by another version of the
app: a line that is not right raises :class:`BadLine` (the reader skips and counts it), a kind
this version does not know raises :class:`UnknownKind`. Nothing is checked downstream: the
replay takes the entries as they are.
"""

from __future__ import annotations

import base64
import math
import re
from typing import Any

from .entries import (
    FORMAT,
    MODES,
    End,
    Header,
    Line,
    Lost,
    RestEntry,
    Rotated,
    RunInfo,
    WsEnd,
    WsIn,
    WsOpen,
    WsOut,
)

#: Latest wall-clock time accepted (the end of year 9999, so that it can always be shown).
MAX_WALL_TIME = 253_402_300_799.0

_HEX_ID = re.compile(r"[0-9a-f]{32}")


class BadLine(ValueError):
    """A line that is not a valid recording line; the text says why."""


class UnknownKind(ValueError):
    """A line of a kind this version does not know (``kind``)."""

    def __init__(self, kind: str) -> None:
        super().__init__(f"unknown kind {kind!r}")
        self.kind = kind


def decode(obj: Any) -> Line:
    """The line of a parsed JSON value, every field checked: :class:`BadLine` if one is
    missing or wrong, :class:`UnknownKind` for a kind this version does not know."""
    if not isinstance(obj, dict):
        raise BadLine("not a JSON object")
    kind = obj.get("k")
    if not isinstance(kind, str):
        raise BadLine("no kind")
    reader = _READERS.get(kind)
    if reader is None:
        raise UnknownKind(kind)
    t, m = _number(obj, "t"), _number(obj, "m")
    if not 0 <= t <= MAX_WALL_TIME:
        raise BadLine(f"wall time {t} out of range")
    if m < 0:
        raise BadLine(f"negative monotonic time {m}")
    return reader(obj, t, m)


def _header(obj: dict[str, Any], t: float, m: float) -> Header:
    if obj.get("format") != FORMAT:
        raise BadLine("not a kucandle-gui recording header")
    recording = _str(obj, "recording")
    if not _HEX_ID.fullmatch(recording):
        raise BadLine("recording id is not 32 hex digits")
    run = _typed(obj, "run", dict, "an object")
    series = _typed(run, "series", list, "a list")
    if not all(isinstance(s, list) and len(s) == 2 and _all_str(s) for s in series):
        raise BadLine("'series' is not a list of [symbol, timeframe] pairs")
    mode = _str(run, "mode")
    if mode not in MODES:
        raise BadLine(f"unknown mode {mode!r}")
    info = RunInfo(
        series=tuple((s[0], s[1]) for s in series),
        watched=_strings(run, "watched"),
        alerts=_strings(run, "alerts"),
        indicators=_strings(run, "indicators"),
        simulated=_typed(run, "simulated", bool, "true or false"),
        mode=mode,
    )
    version, part = _int(obj, "version"), _int(obj, "part")
    if version < 1 or part < 1:
        raise BadLine("version and part must be at least 1")
    return Header(version, recording, part, _str(obj, "app"), t, m, info)


def _rest(obj: dict[str, Any], t: float, m: float) -> RestEntry:
    method, path = _str(obj, "method"), _str(obj, "path")
    if not method or not path.startswith("/"):
        raise BadLine("bad method or path")
    params = _str_map(obj, "params")
    status = None if obj.get("status") is None else _int(obj, "status")
    if status is not None and not 100 <= status <= 999:
        raise BadLine(f"HTTP status {status} out of range")
    if "body" in obj or "body_b64" in obj:
        if status is None:
            raise BadLine("an answer without a status")
        body = _text_or_b64(obj, "body", "body_b64")
        if isinstance(body, str):
            try:
                body = body.encode()
            except UnicodeEncodeError as exc:
                raise BadLine("'body' is not valid text") from exc
        headers = _str_map(obj, "headers") if "headers" in obj else ()
        return RestEntry(t, m, method, path, params, status, headers, body, None, "")
    failure = obj.get("failure")
    if failure is not None and not isinstance(failure, str):
        raise BadLine("'failure' is not a string")
    return RestEntry(t, m, method, path, params, status, (), None, failure, _str(obj, "text"))


def _ws_in(obj: dict[str, Any], t: float, m: float) -> WsIn:
    return WsIn(t, m, _session(obj), _text_or_b64(obj, "text", "b64"))


def _lost(obj: dict[str, Any], t: float, m: float) -> Lost:
    count = _int(obj, "count")
    if count < 1:
        raise BadLine("a lost count below 1")
    return Lost(t, m, count)


_READERS = {
    "header": _header,
    "rest": _rest,
    "ws_open": lambda obj, t, m: WsOpen(t, m, _session(obj), _str(obj, "url")),
    "ws_in": _ws_in,
    "ws_out": lambda obj, t, m: WsOut(t, m, _session(obj), _str(obj, "text")),
    "ws_end": lambda obj, t, m: WsEnd(
        t, m, _session(obj), _str(obj, "reason"), _typed(obj, "planned", bool, "true or false")
    ),
    "lost": _lost,
    "rotated": lambda obj, t, m: Rotated(t, m, _str(obj, "next")),
    "end": lambda obj, t, m: End(t, m),
}


def _typed(obj: dict[str, Any], key: str, kind: type, what: str) -> Any:
    """``obj[key]`` if it is a ``kind`` (a bool is no int here), else :class:`BadLine`."""
    value = obj.get(key)
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
        raise BadLine(f"{key!r} is not {what}")
    return value


def _int(obj: dict[str, Any], key: str) -> int:
    return _typed(obj, key, int, "an integer")


def _str(obj: dict[str, Any], key: str) -> str:
    return _typed(obj, key, str, "a string")


def _number(obj: dict[str, Any], key: str) -> float:
    value = _typed(obj, key, int | float, "a number")
    try:
        number = float(value)
    except OverflowError:  # an integer beyond any float
        number = math.inf
    if not math.isfinite(number):
        raise BadLine(f"{key!r} is not finite")
    return number


def _session(obj: dict[str, Any]) -> int:
    session = _int(obj, "session")
    if session < 1:
        raise BadLine("a session number below 1")
    return session


def _all_str(values: list[Any]) -> bool:
    return all(isinstance(v, str) for v in values)


def _strings(obj: dict[str, Any], key: str) -> tuple[str, ...]:
    values = _typed(obj, key, list, "a list")
    if not _all_str(values):
        raise BadLine(f"{key!r} is not a list of strings")
    return tuple(values)


def _str_map(obj: dict[str, Any], key: str) -> tuple[tuple[str, str], ...]:
    value = _typed(obj, key, dict, "an object")
    if not _all_str(list(value.values())):
        raise BadLine(f"{key!r} is not an object of strings")
    return tuple(sorted(value.items()))


def _text_or_b64(obj: dict[str, Any], text_key: str, b64_key: str) -> str | bytes:
    """The text of ``text_key`` or the bytes of ``b64_key`` (base64): exactly one is given."""
    if (text_key in obj) == (b64_key in obj):
        raise BadLine(f"not exactly one of {text_key!r} and {b64_key!r}")
    if text_key in obj:
        return _str(obj, text_key)
    try:
        return base64.b64decode(_str(obj, b64_key), validate=True)
    except ValueError as exc:  # binascii.Error, or a character beyond ASCII
        raise BadLine(f"{b64_key!r} is not base64") from exc
