"""Helpers of the recording tests: recording files made by hand (sound or damaged), and part
files for the recorder that let a test hold its writer or fail its disk."""

from __future__ import annotations

import gzip
import io
import json
import threading
import zlib
from pathlib import Path
from typing import Any, BinaryIO

from kucandle_gui.recording import (
    FORMAT,
    ReadReport,
    RunInfo,
    iter_entries,
)
from kucandle_gui.recording.entries import Entry

RECORDING_ID = "0123456789abcdef0123456789abcdef"
OTHER_ID = "fedcba9876543210fedcba9876543210"
#: A wall time whose UTC rendering the tests look for in problems.
T = 1_764_472_365.0  # 2025-11-30 03:12:45 UTC
T_TEXT = "2025-11-30 03:12:45 UTC"
RUN = RunInfo(
    series=(("BTC-USDT", "1min"), ("ETH-USDT", "5min")),
    watched=("SOL-USDT",),
    alerts=("BTC-USDT above 70000",),
    indicators=("ema:20",),
    simulated=True,
    mode="window",
)
#: Long enough for a test to fail rather than hang.
WAIT = 10.0


def header(
    part: int = 1,
    recording: str = RECORDING_ID,
    version: int = 1,
    *,
    t: float = T,
    simulated: bool = False,
) -> dict[str, Any]:
    """A header line of a recording of one headless series."""
    return {
        "k": "header",
        "format": FORMAT,
        "version": version,
        "recording": recording,
        "part": part,
        "app": "0.1.0",
        "t": t,
        "m": 0.0,
        "run": {
            "series": [["BTC-USDT", "1min"]],
            "watched": [],
            "alerts": [],
            "indicators": [],
            "simulated": simulated,
            "mode": "headless",
        },
    }


def ws_in(i: int, session: int = 1) -> dict[str, Any]:
    """A received frame ``i`` (its ``m`` is ``i``, its ``t`` ``T + i``)."""
    return {"k": "ws_in", "t": T + i, "m": float(i), "session": session, "text": f"frame {i}"}


def end(i: int = 1000) -> dict[str, Any]:
    return {"k": "end", "t": T + i, "m": float(i)}


def text_of(lines: list[dict[str, Any] | bytes]) -> bytes:
    """JSON lines (an object is dumped; bytes are taken as one raw line)."""
    return b"".join(
        (line if isinstance(line, bytes) else json.dumps(line).encode()) + b"\n" for line in lines
    )


def write_part(path: Path, lines: list[dict[str, Any] | bytes]) -> Path:
    """A sound part: ``lines`` in one complete gzip stream."""
    path.write_bytes(gzip.compress(text_of(lines)))
    return path


def write_unfinished(path: Path, data: bytes) -> Path:
    """A part left by a killed writer: ``data`` sync-flushed, the gzip stream never ended."""
    deflate = zlib.compressobj(wbits=16 + zlib.MAX_WBITS)
    path.write_bytes(deflate.compress(data) + deflate.flush(zlib.Z_SYNC_FLUSH))
    return path


def read_all(path: Path) -> tuple[list[Entry], ReadReport]:
    report = ReadReport()
    return list(iter_entries(path, report)), report


def frames(entries: list[Entry]) -> list[str | bytes]:
    return [e.frame for e in entries if hasattr(e, "frame")]


def decompressed(paths: list[Path]) -> bytes:
    """Every part's text (each a complete gzip stream)."""
    return b"".join(gzip.decompress(p.read_bytes()) for p in paths)


class GatedFile(io.RawIOBase):
    """A new file whose ``flush`` waits while ``gate`` is clear (``blocked`` says it waits),
    and whose writes raise ``fail`` once it is set: a slow or a full disk, on demand."""

    def __init__(self, path: Path) -> None:
        super().__init__()
        self._file: BinaryIO = open(path, "xb")  # noqa: SIM115 -- closed in close()
        self.gate = threading.Event()
        self.gate.set()
        self.blocked = threading.Event()
        self.flushed = threading.Event()
        self.fail: OSError | None = None

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        if self.fail is not None:
            raise self.fail
        return self._file.write(data)

    def tell(self) -> int:
        return self._file.tell()

    def flush(self) -> None:
        if not self.gate.is_set():
            self.blocked.set()
            self.gate.wait(WAIT)
        self._file.flush()
        self.flushed.set()

    def close(self) -> None:
        super().close()  # flushes first
        self._file.close()


class GatedOpener:
    """An opener for ``Recorder(opener=…)`` that keeps the files it made (``files``); with
    ``fail``, their writes fail from the start."""

    def __init__(self, fail: OSError | None = None) -> None:
        self.files: list[GatedFile] = []
        self._fail = fail

    def __call__(self, path: Path) -> BinaryIO:
        file = GatedFile(path)
        file.fail = self._fail
        self.files.append(file)
        return file  # type: ignore[return-value]
