"""The window's start with ``--record`` or ``--replay``: what is recorded of it, and what a
replay opens.

A recording's header says what the window showed when it started (its charts' series, the
watched pairs, the studies shown), so that a replay opens the same. A replay opens the
recording's series (up to four charts, in the layout of their count) unless the command line
says otherwise, on a copy of the user's settings holding the recording's watched pairs: the
user's own are never written by a replay.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from kucandle_gui.cli_recording import part_bytes
from kucandle_gui.model import LayoutKind, WorkspaceSpec
from kucandle_gui.model.indicators import IndicatorSpec
from kucandle_gui.model.layout import MAX_CELLS, layout_for_count
from kucandle_gui.model.workspace_start import start_workspace
from kucandle_gui.recording import (
    Header,
    Recorder,
    RecordingError,
    RecordingUnreadable,
    RunInfo,
    read_header,
)
from kucandle_gui.ui.settings import AppSettings, settings_copy

__all__ = [
    "RecordingError",
    "RecordingNews",
    "replay_settings",
    "replay_workspace",
    "window_recorder",
    "window_run",
]

log = logging.getLogger(__name__)


class RecordingNews(QObject):
    """What the recorder says on its writer thread, brought to the UI thread."""

    #: ``(text, stopped)``: lines were lost, or (``stopped``) the recording stopped early.
    problem = Signal(str, bool)


def window_run(spec: WorkspaceSpec, watchlist: list[str], simulated: bool) -> RunInfo:
    """The header's ``run`` of a recording of the window opening ``spec``: the series of the
    charts shown, the pairs watched (``watchlist``; the demo exchange's watchlist starts with
    the charts' pairs), every study shown (each once, in the order of the charts)."""
    shown = spec.cells[: spec.layout.cells]
    studies = dict.fromkeys(study.spec.text for cell in shown for study in cell.studies)
    watched = dict.fromkeys(cell.key.symbol for cell in shown) if simulated else watchlist
    return RunInfo(
        series=tuple((cell.key.symbol, cell.key.timeframe) for cell in shown),
        watched=tuple(watched),
        indicators=tuple(studies),
        simulated=simulated,
        mode="window",
    )


def window_recorder(path: Path, max_mb: float, run: RunInfo) -> tuple[Recorder, RecordingNews]:
    """The recorder of ``--record``, started (its header written), and where its problems
    come to the UI thread: ``RecordingError`` says why it cannot be started."""
    news = RecordingNews()

    def said(text: str) -> None:
        news.problem.emit(text, recorder.failed is not None)

    recorder = Recorder(path, run, max_bytes=part_bytes(max_mb), on_problem=said)
    return recorder.start(), news


def replay_workspace(
    saved: WorkspaceSpec,
    header: Header | None,
    *,
    layout: LayoutKind | None,
    symbols: list[str] | tuple[str, ...],
    timeframes: list[str] | tuple[str, ...],
    indicators: list[IndicatorSpec] | tuple[IndicatorSpec, ...],
    watchlist: list[str],
) -> WorkspaceSpec:
    """The charts a replay opens: ``saved`` showing the recording's series (``header``'s,
    when it could be read), then changed as the command line asks; a cell keeps its studies
    and scale. ``ValueError`` when the command line's counts do not fit."""
    series = header.run.series[:MAX_CELLS] if header is not None else ()
    if series:
        try:
            saved = start_workspace(
                saved,
                layout=layout_for_count(len(series)),
                symbols=[symbol for symbol, _ in series],
                timeframes=[timeframe for _, timeframe in series],
                indicators=(),
                watchlist=watchlist,
            )
        except ValueError as exc:  # a recording written by hand, or damaged
            log.warning("the recording's series are not shown: %s", exc)
    return start_workspace(
        saved,
        layout=layout,
        symbols=symbols,
        timeframes=timeframes,
        indicators=indicators,
        watchlist=watchlist,
    )


def replay_settings(path: Path, folder: Path) -> tuple[AppSettings, Header | None]:
    """A copy of the user's settings in ``folder`` for a replay of ``path``, and the
    recording's header (None when it cannot be read: the window says why once the replay
    fails to start). The copy watches the recording's pairs (none: none were), so that the
    tickers asked for are those recorded."""
    settings = settings_copy(folder / "replay-settings.ini")
    try:
        header = read_header(path)
    except RecordingUnreadable:
        return settings, None
    settings.watchlist = list(header.run.watched)
    return settings, header
