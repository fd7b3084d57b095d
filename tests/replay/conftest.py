"""Fixtures of the replay tests: replays of small recordings and clients connected to them,
all closed after each test."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from kucandle_gui.replay import ReplayExchange, ReplayOptions
from tests.replay.recordings import RecordingWriter
from tests.sim.simclient import WsClient


@pytest.fixture
def start_replay(tmp_path: Path) -> Iterator[Callable[..., ReplayExchange]]:
    """``start_replay(writer, speed=…, loop=…, close_at_end=…, answer_wait=…)`` saves the
    recording and serves it (at 1000x unless told); every replay is stopped after the test."""
    started: list[ReplayExchange] = []

    def start(
        writer: RecordingWriter, *, answer_wait: float = 5.0, clean_end: bool = True,
        **options: Any,
    ) -> ReplayExchange:  # fmt: skip
        path = writer.save(tmp_path / f"run{len(started)}.kcr", clean_end=clean_end)
        options.setdefault("speed", 1000.0)
        replay = ReplayExchange(ReplayOptions(path, **options), answer_wait=answer_wait)
        started.append(replay.start())
        return replay

    yield start
    for replay in started:
        replay.stop()


@pytest.fixture
def connect() -> Iterator[Callable[..., WsClient]]:
    """``connect(base_url, connect_id, welcome=True)``: a token from bullet-public, then the
    endpoint it names, as the app connects; all are closed after the test."""
    opened: list[WsClient] = []

    def open_client(base_url: str, connect_id: str = "client-1", **kwargs: Any) -> WsClient:
        client = WsClient.open(base_url, connect_id, **kwargs)
        opened.append(client)
        return client

    yield open_client
    for client in opened:
        client.close()
