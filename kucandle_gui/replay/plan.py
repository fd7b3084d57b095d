"""What a replay plays, read from a recording: REST answers by request, and each WebSocket
session's frames as steps.

REST answers are read once and kept in memory, in the order they were recorded for each
request (method, path, query). WebSocket frames are not kept: a recording of days holds
millions of them, so the player streams them from the file again on every pass
(:func:`iter_steps`), and the plan keeps only what the player must know ahead about each
session: whether it has frames at all (a connect that failed has none) and how many answers
it holds for each kind of request, so that a request the recording cannot answer is
answered at once.

Frames that name the client are rewritten when played: the welcome and errors that carry
the recorded connectId get the replaying client's, and an ack or error answering a recorded
subscribe/unsubscribe gets the id of the client's own request of the same kind and topic.
Pongs are not played: the server answers the client's pings itself.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from kucandle_gui.protocol import ProtocolError
from kucandle_gui.protocol.frames import frame_id, load_object
from kucandle_gui.recording import (
    Header,
    ReadReport,
    RecordingUnreadable,
    RestEntry,
    WsEnd,
    WsIn,
    WsOpen,
    WsOut,
    iter_entries,
)

#: What REST answers are matched on: (method, path, sorted query parameters).
RestKey = tuple[str, str, tuple[tuple[str, str], ...]]
#: What a recorded answer is matched on: ("subscribe" or "unsubscribe", topic).
RequestKey = tuple[str, str]

#: Recorded requests of one session remembered while awaiting their answer; beyond, the
#: oldest are forgotten (their answers are then played as they were recorded).
MAX_OPEN_REQUESTS = 10_000
_REQUEST_KINDS = ("subscribe", "unsubscribe")


@dataclass(frozen=True, slots=True)
class Send:
    """A recorded frame played as it was: pushes, notices, garbage, binary frames."""

    session: int
    m: float
    t: float
    frame: str | bytes


@dataclass(frozen=True, slots=True)
class Reply:
    """A recorded frame addressed to the client: played with its ``id`` replaced by the id
    of the client's request ``request`` (kind, topic), or by the client's connectId when
    ``request`` is None (the welcome, errors sent to the connection)."""

    session: int
    m: float
    t: float
    fields: dict[str, Any]
    request: RequestKey | None

    def frame(self, ident: str) -> str:
        return json.dumps({**self.fields, "id": ident})


@dataclass(frozen=True, slots=True)
class SessionEnd:
    """The recorded session is over: ``planned`` (the client closed) or lost."""

    session: int
    m: float
    t: float
    planned: bool
    reason: str


Step = Send | Reply | SessionEnd


@dataclass(slots=True)
class SessionPlan:
    """What the player must know of a session before playing it."""

    #: Frames to play (a connect that failed has none).
    frames: int = 0
    #: Recorded answers to the client's requests, by kind and topic.
    answers: Counter[RequestKey] = field(default_factory=Counter)


@dataclass(slots=True)
class Plan:
    path: Path
    header: Header
    #: Problems found while reading (damage, lines out of order).
    report: ReadReport
    rest: dict[RestKey, list[RestEntry]]
    sessions: dict[int, SessionPlan]
    #: Recorded time (``m``) of the first and the last line.
    first_m: float
    last_m: float


def read_plan(path: Path) -> Plan:
    """Read the whole recording once; ``RecordingUnreadable`` if nothing can be replayed."""
    report = ReadReport()
    header: Header | None = None
    rest: dict[RestKey, list[RestEntry]] = {}
    sessions: dict[int, SessionPlan] = {}
    maker = _StepMaker()
    first_m = last_m = 0.0
    for entry in iter_entries(path, report):
        if isinstance(entry, Header):
            if header is None:
                header, first_m = entry, entry.m
            continue
        last_m = max(last_m, entry.m)
        if isinstance(entry, RestEntry):
            rest.setdefault(entry.key, []).append(entry)
            continue
        step = maker.step(entry)
        if isinstance(step, Send | Reply):
            session = sessions.setdefault(step.session, SessionPlan())
            session.frames += 1
            if isinstance(step, Reply) and step.request is not None:
                session.answers[step.request] += 1
        elif isinstance(step, SessionEnd):
            sessions.setdefault(step.session, SessionPlan())
    if header is None:
        raise RecordingUnreadable(f"{path}: no header, nothing to replay")
    if maker.dropped:
        report.note(
            f"{maker.dropped} WebSocket lines came after their session had ended or a later "
            "one had begun: not replayed"
        )
    return Plan(path, header, report, rest, sessions, first_m, max(first_m, last_m))


def iter_steps(path: Path) -> Iterator[Step]:
    """The recording's WebSocket steps in order, streamed from the file (damage was reported
    by :func:`read_plan`; the same steps come out again)."""
    maker = _StepMaker()
    for entry in iter_entries(path, ReadReport()):
        step = maker.step(entry)
        if step is not None:
            yield step


class _StepMaker:
    """Turns WebSocket entries into steps, one session after the other. Lines of a session
    that has ended, or of one older than the latest, are dropped and counted."""

    def __init__(self) -> None:
        self.dropped = 0
        self._session = 0
        self._ended = False
        self._connect_id = ""
        #: Recorded requests of the session still awaiting an answer: id → (kind, topic).
        self._requests: dict[str, RequestKey] = {}

    def step(self, entry: object) -> Step | None:
        if not isinstance(entry, WsOpen | WsIn | WsOut | WsEnd):
            return None
        if entry.session != self._session:
            if entry.session < self._session:
                self.dropped += 1
                return None
            self._session, self._ended = entry.session, False
            self._connect_id = ""
            self._requests.clear()
        elif self._ended:
            self.dropped += 1
            return None
        if isinstance(entry, WsOpen):
            self._connect_id = _connect_id(entry.url)
        elif isinstance(entry, WsOut):
            self._note_request(entry.frame)
        elif isinstance(entry, WsEnd):
            self._ended = True
            return SessionEnd(entry.session, entry.m, entry.t, entry.planned, entry.reason)
        else:
            return self._received(entry)
        return None

    def _note_request(self, frame: str) -> None:
        obj = _object(frame)
        if obj is None or obj.get("type") not in _REQUEST_KINDS:
            return
        topic, ident = obj.get("topic"), _id(obj)
        if not isinstance(topic, str) or ident is None:
            return
        if len(self._requests) >= MAX_OPEN_REQUESTS:
            del self._requests[next(iter(self._requests))]
        self._requests[ident] = (obj["type"], topic)

    def _received(self, entry: WsIn) -> Step | None:
        session, m, t, frame = entry.session, entry.m, entry.t, entry.frame
        obj = _object(frame) if isinstance(frame, str) else None
        if obj is None:
            return Send(session, m, t, frame)
        kind, ident = obj.get("type"), _id(obj)
        if kind == "pong":
            return None
        if kind in ("ack", "error") and ident is not None and ident in self._requests:
            return Reply(session, m, t, obj, self._requests.pop(ident))
        if kind == "welcome" or (self._connect_id and ident == self._connect_id):
            return Reply(session, m, t, obj, None)
        return Send(session, m, t, frame)


def _object(text: str) -> dict[str, Any] | None:
    try:
        return load_object(text)
    except ProtocolError:
        return None


def _id(obj: dict[str, Any]) -> str | None:
    try:
        return frame_id(obj)
    except ProtocolError:
        return None


def _connect_id(url: str) -> str:
    try:
        values = parse_qs(urlsplit(url).query).get("connectId")
    except ValueError:
        return ""
    return values[0] if values else ""
