"""Client → server frames: the client's writers, and their types and parser for the server.

As for the other direction, writer and parser live together so that the local exchange reads
exactly what the feed writes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from .errors import ProtocolError
from .frames import frame_id, load_object


@dataclass(frozen=True, slots=True)
class Ping:
    id: str


@dataclass(frozen=True, slots=True)
class Subscribe:
    id: str
    topic: str
    private_channel: bool
    response: bool


@dataclass(frozen=True, slots=True)
class Unsubscribe:
    id: str
    topic: str
    private_channel: bool
    response: bool


@dataclass(frozen=True, slots=True)
class UnknownRequest:
    """A JSON object of a type the server does not know (answered with error 415)."""

    id: str | None
    type: object


ClientMessage = Ping | Subscribe | Unsubscribe | UnknownRequest


def ping_message(ping_id: str) -> str:
    """Client side: KuCoin's JSON ping (a WebSocket ping frame does not count)."""
    return json.dumps({"id": ping_id, "type": "ping"})


def subscribe_message(request_id: str, topic: str, response: bool = True) -> str:
    """Client side: subscribe; ``response`` true asks for an ack."""
    return json.dumps(
        {
            "id": request_id,
            "type": "subscribe",
            "topic": topic,
            "privateChannel": False,
            "response": response,
        }
    )


def unsubscribe_message(request_id: str, topic: str, response: bool = True) -> str:
    """Client side: unsubscribe; ``response`` true asks for an ack."""
    return json.dumps(
        {
            "id": request_id,
            "type": "unsubscribe",
            "topic": topic,
            "privateChannel": False,
            "response": response,
        }
    )


def parse_client_message(text: str | bytes) -> ClientMessage:
    """Server side: parse one frame from a client; ``ProtocolError`` for malformed ones."""
    obj = load_object(text)
    kind = obj.get("type")
    ident = frame_id(obj)
    if kind == "ping":
        return Ping(ident or "")
    if kind in ("subscribe", "unsubscribe"):
        topic = obj.get("topic")
        if not isinstance(topic, str) or not topic:
            raise ProtocolError(f"{kind} without topic")
        cls = Subscribe if kind == "subscribe" else Unsubscribe
        return cls(
            ident or "",
            topic,
            bool(obj.get("privateChannel", False)),
            bool(obj.get("response", False)),
        )
    return UnknownRequest(ident, kind)
