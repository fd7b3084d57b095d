"""What a replay plays, read from a recording: REST answers by request, and each WebSocket
session's frames as steps (:mod:`.steps`).

REST answers are read once and set aside (:mod:`.answers`: on disk, an index in memory), in
the order they were recorded for each request (method, path, query). WebSocket frames are not
kept: a recording of days holds millions of them, so the player streams them from the file
again on every pass (:func:`iter_steps`), and the plan keeps only what the player must know
ahead about each session: whether it has frames at all (a connect that failed has none) and
what became of each request the recorded client sent, so that the replaying client's request
is answered as the recorded one was (later, when an answer is recorded; not at all when none
is) and a request the recording holds nothing for is answered at once.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from kucandle_gui.recording import (
    Header,
    ReadReport,
    RecordingUnreadable,
    RestEntry,
    iter_entries,
)
from kucandle_gui.replay.answers import StoredAnswers
from kucandle_gui.replay.steps import RequestKey, SessionEnd, Step, StepMaker


@dataclass(slots=True)
class SessionPlan:
    """What the player must know of a session before playing it."""

    #: Frames to play (a connect that failed has none).
    frames: int = 0
    #: Each recorded request of a kind and topic, in the order sent: answered or not.
    requests: dict[RequestKey, list[bool]] = field(default_factory=dict)


@dataclass(slots=True)
class Plan:
    path: Path
    header: Header
    #: Problems found while reading (damage, lines out of order).
    report: ReadReport
    #: Owned by the plan's user: closed when the replay stops.
    rest: StoredAnswers
    sessions: dict[int, SessionPlan]
    #: Recorded time (``m``) of the first and the last line.
    first_m: float
    last_m: float


def read_plan(path: Path) -> Plan:
    """Read the whole recording once; ``RecordingUnreadable`` if nothing can be replayed
    (or its REST answers cannot be set aside: the text says why)."""
    rest = StoredAnswers()
    try:
        return _read(path, rest)
    except BaseException:
        rest.close()
        raise


def _read(path: Path, rest: StoredAnswers) -> Plan:
    report = ReadReport()
    header: Header | None = None
    sessions: dict[int, SessionPlan] = {}
    maker = StepMaker(collect_requests=True)
    first_m = last_m = 0.0
    for entry in iter_entries(path, report):
        if isinstance(entry, Header):
            if header is None:
                header, first_m = entry, entry.m
            continue
        last_m = max(last_m, entry.m)
        if isinstance(entry, RestEntry):
            try:
                rest.add(entry)
            except OSError as exc:
                raise RecordingUnreadable(
                    f"{path}: its REST answers cannot be set aside in the temporary folder: "
                    f"{exc.strerror or exc}"
                ) from None
            continue
        step = maker.step(entry)
        if step is not None:
            session = sessions.setdefault(step.session, SessionPlan())
            session.frames += not isinstance(step, SessionEnd)
    if header is None:
        raise RecordingUnreadable(f"{path}: no header, nothing to replay")
    assert maker.requests is not None
    for number, requests in maker.requests.items():
        sessions.setdefault(number, SessionPlan()).requests = requests
    if maker.dropped:
        report.note(
            f"{maker.dropped} WebSocket lines came after their session had ended or a later "
            "one had begun: not replayed"
        )
    return Plan(path, header, report, rest, sessions, first_m, max(first_m, last_m))


def iter_steps(path: Path) -> Iterator[Step]:
    """The recording's WebSocket steps in order, streamed from the file (damage was reported
    by :func:`read_plan`; the same steps come out again)."""
    maker = StepMaker()
    for entry in iter_entries(path, ReadReport()):
        step = maker.step(entry)
        if step is not None:
            yield step
