"""The lines of a recording (format version 1): what each holds, how it is written as JSON and
read back, and how credentials are kept out of it.

Reading a line back, every field checked, is :mod:`.decoding`'s part.

The connect token must never reach a file: :func:`redact_token_url` takes it out of a connect
URL, :func:`redact_bullet_body` out of a ``bullet-public`` answer, :func:`redact_text` out of
free text (reasons, failure texts). The recorder applies them before anything is queued.
"""

from __future__ import annotations

import base64
import json
import re
import time
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from kucandle_gui.urls import redact

FORMAT = "kucandle-recording"
VERSION = 1
#: What a token is replaced by.
REDACTED = "REDACTED"
#: Modes of the recorded app (``RunInfo.mode``).
MODES = ("headless", "window")

Params = tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class RunInfo:
    """What the recorded app showed when it started, so that a replay can default to it."""

    series: tuple[tuple[str, str], ...] = ()
    watched: tuple[str, ...] = ()
    alerts: tuple[str, ...] = ()
    indicators: tuple[str, ...] = ()
    simulated: bool = False
    mode: str = "headless"


@dataclass(frozen=True, slots=True)
class Header:
    """The first line of every part."""

    version: int
    recording: str
    part: int
    app: str
    t: float
    m: float
    run: RunInfo


@dataclass(frozen=True, slots=True)
class RestEntry:
    """One REST attempt's outcome: an answer (``body`` set) or none (``body`` None: ``failure``
    and ``text`` say why, ``status`` if the server answered something the client refused)."""

    t: float
    m: float
    method: str
    path: str
    params: Params
    status: int | None
    headers: tuple[tuple[str, str], ...]
    body: bytes | None
    failure: str | None
    text: str

    @property
    def key(self) -> tuple[str, str, Params]:
        """What a replay matches requests on: method, path and the sorted query parameters."""
        return (self.method, self.path, self.params)


@dataclass(frozen=True, slots=True)
class WsOpen:
    """A connect attempt starts (the token in ``url`` redacted)."""

    t: float
    m: float
    session: int
    url: str


@dataclass(frozen=True, slots=True)
class WsIn:
    """A frame received: text, or ``bytes`` for a binary frame."""

    t: float
    m: float
    session: int
    frame: str | bytes


@dataclass(frozen=True, slots=True)
class WsOut:
    """A frame sent."""

    t: float
    m: float
    session: int
    frame: str


@dataclass(frozen=True, slots=True)
class WsEnd:
    """The session is over; ``planned``: the client chose to close it."""

    t: float
    m: float
    session: int
    reason: str
    planned: bool


@dataclass(frozen=True, slots=True)
class Lost:
    """``count`` lines could not be written: the writer fell behind."""

    t: float
    m: float
    count: int


@dataclass(frozen=True, slots=True)
class Rotated:
    """The last line of a part that continues in the part ``next`` (a file name)."""

    t: float
    m: float
    next: str


@dataclass(frozen=True, slots=True)
class End:
    """The last line of a recording closed cleanly."""

    t: float
    m: float


Entry = Header | RestEntry | WsOpen | WsIn | WsOut | WsEnd | Lost
#: Every line of a file: the entries, and the part endings the reader reports itself.
Line = Entry | Rotated | End


#: A ``token=`` parameter's value ends where a URL's query parameter or a sentence would.
_TOKEN_PARAM = re.compile(r"(?i)\b(token=)[^&#\s'\",;:)\]}>]*")


def redact_token_url(url: str) -> str:
    """``url`` with its ``token=…`` parameter (and any ``user:password@``) redacted."""
    return _TOKEN_PARAM.sub(r"\g<1>" + REDACTED, redact(url))


def redact_text(text: str, tokens: tuple[str, ...] = ()) -> str:
    """Free text (a reason, a failure's words) without URL credentials, ``token=…`` parameters
    or any of the known ``tokens``."""
    text = redact_token_url(text)
    for token in tokens:
        text = text.replace(token, REDACTED)
    return text


def redact_bullet_body(body: bytes) -> bytes:
    """A ``bullet-public`` answer with the value of every ``token`` key replaced by
    ``REDACTED`` (written again as compact JSON). A body that cannot be parsed is kept as it is
    if it cannot hold a token, else replaced whole by ``REDACTED``."""
    try:
        parsed = json.loads(body)
        redacted = _without_tokens(parsed)
        return json.dumps(redacted, ensure_ascii=False, separators=(",", ":")).encode()
    except (ValueError, RecursionError):
        return REDACTED.encode() if b"token" in body.lower() else body


def _without_tokens(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            k: REDACTED if k.lower() == "token" else _without_tokens(v) for k, v in value.items()
        }
    if isinstance(value, list):
        return [_without_tokens(v) for v in value]
    return value


def encode(line: Line) -> bytes:
    """``line`` as one line of UTF-8 JSON, newline included."""
    obj = to_json(line)
    try:
        text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"))
        return (text + "\n").encode()
    except UnicodeEncodeError:  # a lone surrogate: escaped, still valid JSON
        return (json.dumps(obj, separators=(",", ":")) + "\n").encode()


def to_json(line: Line) -> dict[str, Any]:
    """The JSON object of ``line`` (format version 1); its fields keep their names, but a
    frame is ``text`` (or ``b64`` when binary)."""
    obj: dict[str, Any]
    match line:
        case Header():
            run = line.run
            return {
                "k": "header",
                "format": FORMAT,
                "version": line.version,
                "recording": line.recording,
                "part": line.part,
                "app": line.app,
                "t": line.t,
                "m": line.m,
                "run": {
                    "series": [list(s) for s in run.series],
                    "watched": list(run.watched),
                    "alerts": list(run.alerts),
                    "indicators": list(run.indicators),
                    "simulated": run.simulated,
                    "mode": run.mode,
                },
            }
        case RestEntry():
            obj = {"k": "rest", "t": line.t, "m": line.m}
            obj.update(method=line.method, path=line.path, params=dict(line.params))
            obj["status"] = line.status
            if line.body is None:
                obj.update(failure=line.failure, text=line.text)
                return obj
            obj["headers"] = dict(line.headers)
            try:
                obj["body"] = line.body.decode()
            except UnicodeDecodeError:
                obj["body_b64"] = base64.b64encode(line.body).decode()
            return obj
    obj = {"k": _KIND_OF[type(line)], "t": line.t, "m": line.m}
    for field in fields(line)[2:]:
        value = getattr(line, field.name)
        if isinstance(value, bytes):  # a binary frame
            obj["b64"] = base64.b64encode(value).decode()
        else:
            obj["text" if field.name == "frame" else field.name] = value
    return obj


_KIND_OF: dict[type, str] = {
    WsOpen: "ws_open",
    WsIn: "ws_in",
    WsOut: "ws_out",
    WsEnd: "ws_end",
    Lost: "lost",
    Rotated: "rotated",
    End: "end",
}


def part_path(path: Path, part: int) -> Path:
    """The file of part ``part`` of the recording at ``path``: ``path`` itself for part 1,
    else ``path`` with ``.part`` added (``run.kcr.2``)."""
    return path if part == 1 else path.with_name(f"{path.name}.{part}")


def recorded_utc(t: float) -> str:
    """A recorded wall time as every message about a recording says it:
    ``2026-11-30 03:12:45 UTC`` (``t`` within the years a reader accepts)."""
    return time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(t))
