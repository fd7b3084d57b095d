"""Counters of what the exchange saw and sent, for tests and benchmarks to assert on."""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass


@dataclass(frozen=True)
class ExchangeStats:
    """A consistent snapshot; every count is a total since start unless it says live."""

    #: WebSocket handshakes accepted (including those then refused for their token).
    connects: int
    #: Live connections that passed the token check.
    active_connections: int
    tokens_issued: int
    #: Token and connectId of each connect, in order.
    connect_tokens: tuple[str, ...]
    connect_ids: tuple[str, ...]
    pings_received: int
    pongs_sent: int
    #: Text frames from clients, whatever they held.
    client_messages: int
    #: Client messages refused for exceeding 100 per 10 s on one connection.
    uplink_violations: int
    #: Subscribe and unsubscribe requests received (whether granted or refused).
    subscribe_requests: int
    unsubscribe_requests: int
    #: HTTP connections (REST or WebSocket) cut during an outage.
    connections_cut: int
    #: Topic set of each live connection (a snapshot topic per pair: ``/market/snapshot:SYM``).
    subscriptions: tuple[frozenset[str], ...]
    #: Candle pushes.
    pushes_sent: int
    #: ``/market/snapshot`` pushes.
    snapshots_sent: int
    #: Snapshot push rounds (one per connection and period) that saw a stall and sent
    #: nothing more: once a test sees this grow, every snapshot still to come waits for the
    #: stall's end.
    snapshot_rounds_stalled: int
    #: REST requests by path, answered or failed on purpose.
    rest_requests: dict[str, int]


class StatsRecorder:
    """Thread-safe accumulation of :class:`ExchangeStats`."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: Counter[str] = Counter()
        self._connect_tokens: list[str] = []
        self._connect_ids: list[str] = []
        self._topics: dict[int, frozenset[str]] = {}
        self._rest: Counter[str] = Counter()

    def count(self, name: str, amount: int = 1) -> None:
        """Add to one of the plain counters (``pings_received``, ``pushes_sent``, ...)."""
        with self._lock:
            self._counts[name] += amount

    def connected(self, token: str, connect_id: str) -> None:
        with self._lock:
            self._counts["connects"] += 1
            self._connect_tokens.append(token)
            self._connect_ids.append(connect_id)

    def set_topics(self, session: int, topics: frozenset[str]) -> None:
        """Record a live session's topics (call with an empty set when it opens)."""
        with self._lock:
            self._topics[session] = topics

    def closed(self, session: int) -> None:
        with self._lock:
            self._topics.pop(session, None)

    def rest_request(self, path: str) -> None:
        with self._lock:
            self._rest[path] += 1

    def snapshot(self) -> ExchangeStats:
        with self._lock:
            c = self._counts
            return ExchangeStats(
                connects=c["connects"],
                active_connections=len(self._topics),
                tokens_issued=c["tokens_issued"],
                connect_tokens=tuple(self._connect_tokens),
                connect_ids=tuple(self._connect_ids),
                pings_received=c["pings_received"],
                pongs_sent=c["pongs_sent"],
                client_messages=c["client_messages"],
                uplink_violations=c["uplink_violations"],
                subscribe_requests=c["subscribe_requests"],
                unsubscribe_requests=c["unsubscribe_requests"],
                connections_cut=c["connections_cut"],
                subscriptions=tuple(self._topics.values()),
                pushes_sent=c["pushes_sent"],
                snapshots_sent=c["snapshots_sent"],
                snapshot_rounds_stalled=c["snapshot_rounds_stalled"],
                rest_requests=dict(self._rest),
            )
