"""A recording's WebSocket lines turned into what the player does with them: frames to send
as they are, replies to send with the client's ids, and session ends.

Frames that name the client are rewritten when played, and only there: the welcome and errors
that carry the recorded connectId get the replaying client's, and an ack or error answering a
recorded subscribe/unsubscribe gets the id of the client's own request of the same kind and
topic. The rest of their text goes out byte for byte as recorded (the id's value is spliced
in, the frame is never serialised again: spacing, key order and escapes stay the exchange's).
Pongs are not played: the server answers the client's pings itself.

An error sent to the connectId that names the topic of a recorded request still waiting for
its answer is that request's answer (KuCoin's docs say error ids may be the connectId; the
feed matches them so too): it waits for the client's request like any answer, and goes out
with the client's connectId.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from json.decoder import scanstring
from typing import Any
from urllib.parse import parse_qs, urlsplit

from kucandle_gui.protocol import ProtocolError
from kucandle_gui.protocol.frames import frame_id, load_object
from kucandle_gui.recording import WsEnd, WsIn, WsOpen, WsOut

#: What a recorded answer is matched on: ("subscribe" or "unsubscribe", topic), the topic's
#: comma list in a canonical order (see :func:`request_key`).
RequestKey = tuple[str, str]

#: Recorded requests of one session remembered while awaiting their answer; beyond, the
#: oldest are forgotten (their answers are then played as they were recorded).
MAX_OPEN_REQUESTS = 10_000
_REQUEST_KINDS = ("subscribe", "unsubscribe")
#: Only frames holding one of these (or the connectId) can be replies or pongs: the others,
#: nearly all of a recording, are sent as they are without being parsed.
_REPLY_MARK = re.compile(r'"(?:ack|error|welcome|pong)"')
_SPACE = re.compile(r"[ \t\n\r]*")
_DECODER = json.JSONDecoder()


@dataclass(frozen=True, slots=True)
class Send:
    """A recorded frame played as it was: pushes, notices, garbage, binary frames."""

    session: int
    m: float
    t: float
    frame: str | bytes


@dataclass(frozen=True, slots=True)
class Reply:
    """A recorded frame addressed to the client, played with another id: the id of the
    client's request ``request`` (kind, topic), or the client's connectId when ``request`` is
    None (the welcome, errors sent to the connection) or ``to_connection``."""

    session: int
    m: float
    t: float
    text: str
    #: Where the recorded id's value is in ``text`` (start, end).
    id_at: tuple[int, int]
    #: Its ``type``: "ack", "error", "welcome" …
    kind: str
    request: RequestKey | None
    #: Sent to the connectId although it answers ``request``.
    to_connection: bool = False

    def frame(self, ident: str) -> str:
        """The recorded text with ``ident`` as its id."""
        start, end = self.id_at
        return self.text[:start] + json.dumps(ident) + self.text[end:]


@dataclass(frozen=True, slots=True)
class SessionEnd:
    """The recorded session is over: ``planned`` (the client closed) or lost."""

    session: int
    m: float
    t: float
    planned: bool
    reason: str


Step = Send | Reply | SessionEnd


def request_key(kind: str, topic: str) -> RequestKey:
    """(kind, topic) with a topic's comma list sorted: ``…:B,A`` asks what ``…:A,B`` asks."""
    prefix, colon, items = topic.partition(":")
    if colon and "," in items:
        topic = f"{prefix}:{','.join(sorted(set(items.split(','))))}"
    return kind, topic


@dataclass(slots=True)
class _Open:
    """A recorded request awaiting its answer."""

    key: RequestKey
    #: Its place among the session's requests of ``key``.
    index: int
    #: The topics an error answering it may name: the topic, and each of its comma list.
    names: tuple[str, ...]


class StepMaker:
    """Turns WebSocket entries into steps, one session after the other. Lines of a session
    that has ended, or of one older than the latest, are dropped and counted.

    ``requests`` (when asked for) collects, for every session, what became of each recorded
    request of each kind and topic, in the order the recorded client sent them: answered (an
    ack or error went out with its id, or an error to the connection named its topic) or not
    (sent with ``response: false``, or the session ended first).
    """

    def __init__(self, *, collect_requests: bool = False) -> None:
        self.dropped = 0
        self.requests: dict[int, dict[RequestKey, list[bool]]] | None = (
            {} if collect_requests else None
        )
        self._session = 0
        self._ended = False
        self._connect_id = ""
        self._open: dict[str, _Open] = {}
        self._answered: dict[RequestKey, list[bool]] = {}

    def step(self, entry: object) -> Step | None:
        if not isinstance(entry, WsOpen | WsIn | WsOut | WsEnd):
            return None
        if entry.session != self._session:
            if entry.session < self._session:
                self.dropped += 1
                return None
            self._begin(entry.session)
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

    def _begin(self, session: int) -> None:
        self._session, self._ended = session, False
        self._connect_id = ""
        self._open.clear()
        self._answered = {}
        if self.requests is not None:
            self.requests[session] = self._answered

    def _note_request(self, frame: str) -> None:
        obj = _object(frame)
        if obj is None or obj.get("type") not in _REQUEST_KINDS:
            return
        topic, ident = obj.get("topic"), _id(obj)
        if not isinstance(topic, str) or ident is None:
            return
        if len(self._open) >= MAX_OPEN_REQUESTS:
            del self._open[next(iter(self._open))]
        key = request_key(obj["type"], topic)
        answered = self._answered.setdefault(key, [])
        self._open.pop(ident, None)  # an id used again: the later request is the one answered
        self._open[ident] = _Open(key, len(answered), _topic_names(topic))
        answered.append(False)

    def _received(self, entry: WsIn) -> Step | None:
        session, m, t, frame = entry.session, entry.m, entry.t, entry.frame
        if not isinstance(frame, str) or not _may_reply(frame, self._connect_id):
            return Send(session, m, t, frame)
        obj = _object(frame)
        ident = None if obj is None else _id(obj)
        kind = None if obj is None else obj.get("type")
        if kind == "pong":
            return None
        id_at = None if ident is None else _id_span(frame)
        if obj is None or id_at is None or not isinstance(kind, str):
            return Send(session, m, t, frame)
        if kind in ("ack", "error") and ident in self._open:
            return Reply(session, m, t, frame, id_at, kind, self._answer(self._open.pop(ident)))
        if kind == "welcome" or ident == self._connect_id:
            named = self._named_by(obj) if kind == "error" else None
            request = None if named is None else self._answer(named)
            return Reply(session, m, t, frame, id_at, kind, request, request is not None)
        return Send(session, m, t, frame)

    def _answer(self, request: _Open) -> RequestKey:
        self._answered[request.key][request.index] = True
        return request.key

    def _named_by(self, error: dict[str, Any]) -> _Open | None:
        """The oldest open request whose topic the error's text names (taken from the open
        ones), if any."""
        data = error.get("data")
        if not isinstance(data, str):
            return None
        for ident, request in self._open.items():
            if any(name in data for name in request.names):
                return self._open.pop(ident)
        return None


def _may_reply(text: str, connect_id: str) -> bool:
    return _REPLY_MARK.search(text) is not None or bool(connect_id and connect_id in text)


def _topic_names(topic: str) -> tuple[str, ...]:
    prefix, colon, items = topic.partition(":")
    if not colon or "," not in items:
        return (topic,)
    return (topic, *(f"{prefix}:{item}" for item in items.split(",") if item))


def _id_span(text: str) -> tuple[int, int] | None:
    """Where the value of the JSON object ``text``'s ``id`` is (the last one, as a parser
    reads it); None if ``text`` is no JSON object with an id."""
    try:
        return _scan_id(text)
    except (ValueError, IndexError):
        return None


def _scan_id(text: str) -> tuple[int, int] | None:
    at = _skip(text, 0)
    if text[at] != "{":
        return None
    at, found = _skip(text, at + 1), None
    while text[at] != "}":
        if text[at] != '"':
            return None
        key, at = scanstring(text, at + 1)
        at = _skip(text, at)
        if text[at] != ":":
            return None
        start = _skip(text, at + 1)
        _, end = _DECODER.raw_decode(text, start)
        if key == "id":
            found = (start, end)
        at = _skip(text, end)
        if text[at] == ",":
            at = _skip(text, at + 1)
        elif text[at] != "}":
            return None
    return found


def _skip(text: str, at: int) -> int:
    match = _SPACE.match(text, at)
    return at if match is None else match.end()


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
