"""REST of a replay: each request gets the answer recorded for it.

The N-th request for a (method, path, query) in a pass gets the N-th answer recorded for the
same, status, the two rate-limit headers and body exactly; a recorded failure (no answer, or
one the client refused) cuts the connection; a request the recording has no answer left for
gets HTTP 503 saying so. ``bullet-public`` answers carry a fresh token and this server's
WebSocket endpoint instead of the recorded ones, with the recorded ping times; once the
recorded ones are used up (a client that dropped where the recorded one did not, a connect
after the end) the last good one is given again, so that the client can still connect: what
a connect gets is the WebSocket cursor's business. Answers never wait for the cursor.
"""

from __future__ import annotations

import json
import secrets
import threading
from collections import Counter
from typing import Any
from urllib.parse import urlencode

from aiohttp import web

from kucandle_gui.replay.answers import BULLET_PATH, RestKey, StoredAnswers

#: The code of the 503 answer to a request the recording cannot answer.
NOT_RECORDED_CODE = "503000"


class RecordedRest:
    """The recorded answers and how many of each were asked for in this pass."""

    def __init__(self, answers: StoredAnswers) -> None:
        self._answers = answers
        self._asked: Counter[RestKey] = Counter()
        self._lock = threading.Lock()
        self._unmatched = 0
        recorded = answers.keys()
        self._recorded = sum(len(answers.recorded(key)) for key in recorded)
        #: This server's WebSocket URL, set once the server listens.
        self.endpoint = ""

    @property
    def unmatched(self) -> int:
        """Requests answered with 503 so far (every pass)."""
        with self._lock:
            return self._unmatched

    @property
    def unserved(self) -> int:
        """Recorded answers no request has had yet in this pass: a replay is not over while
        the app may still ask for them (a load the recorded app retried after its session)."""
        with self._lock:
            given = sum(min(n, len(self._answers.recorded(k))) for k, n in self._asked.items())
        return self._recorded - given

    def reset(self) -> None:
        """A new pass: the first request of each kind gets the first answer again."""
        with self._lock:
            self._asked.clear()

    async def handle(self, request: web.Request) -> web.StreamResponse:
        key: RestKey = (request.method, request.path, tuple(sorted(request.query.items())))
        recorded = self._answers.recorded(key)
        with self._lock:
            self._asked[key] += 1
            asked = self._asked[key]
            answer = recorded[asked - 1] if asked <= len(recorded) else None
            if answer is None and request.path == BULLET_PATH:
                answer = self._answers.last_bullet
            if answer is None:
                self._unmatched += 1
        if answer is None:
            return _not_recorded(key, asked, len(recorded))
        if not answer.given or answer.status is None:
            if request.transport is not None:
                request.transport.abort()  # the client sees the connection die, no answer
            raise web.HTTPServiceUnavailable()
        body = self._answers.body(answer)
        if request.path == BULLET_PATH:
            body = fresh_bullet(body, self.endpoint)
        headers = {name: value for name, value in answer.headers if _header_safe(name, value)}
        return web.Response(
            status=answer.status, body=body, headers=headers, content_type="application/json"
        )


def fresh_bullet(body: bytes, endpoint: str) -> bytes:
    """A bullet-public body with a fresh token and every instance server's endpoint set to
    ``endpoint`` (the rest as recorded); a body that is not such a reply is left alone."""
    try:
        reply: Any = json.loads(body)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return body
    data = reply.get("data") if isinstance(reply, dict) else None
    if not isinstance(data, dict):
        return body
    if "token" in data:
        data["token"] = secrets.token_urlsafe(32)
    servers = data.get("instanceServers")
    for server in servers if isinstance(servers, list) else ():
        if isinstance(server, dict):
            server["endpoint"] = endpoint
    return json.dumps(reply).encode()


def _not_recorded(key: RestKey, asked: int, recorded: int) -> web.Response:
    method, path, params = key
    query = f"?{urlencode(params)}" if params else ""
    msg = f"not in the recording: {method} {path}{query} (asked {asked} times, recorded {recorded})"
    return web.json_response({"code": NOT_RECORDED_CODE, "msg": msg}, status=503)


def _header_safe(name: str, value: str) -> bool:
    """Whether a recorded header can go out as it is (no line breaks or other controls)."""
    return all(c.isprintable() for c in name + value) and bool(name)
