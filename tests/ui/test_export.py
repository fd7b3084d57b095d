"""Exports (CSV, PNG) replace their target only once complete: a failed one leaves the previous
file byte for byte and no partial file. The write failures are real: a file-size limit set on
a child process (the write fails with EFBIG, as on a full disk), an image that cannot be
encoded."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from PySide6.QtWidgets import QWidget

from kucandle_gui.ui.chart.export import save_png, write_csv
from tests.helpers import random_walk

PREVIOUS = b"the previous export, kept byte for byte\n"


def previous_export(folder: Path, name: str) -> Path:
    target = folder / name
    target.write_bytes(PREVIOUS)
    return target


def write_with_a_size_limit(target: Path, call: str, limit: int) -> str:
    """Run ``call`` (export code, with ``target``) in a process whose files cannot grow past
    ``limit`` bytes; returns its stdout."""
    script = textwrap.dedent(
        f"""
        import resource, signal, sys
        from PySide6.QtWidgets import QApplication, QLabel
        from kucandle_gui.ui.chart.export import save_png, write_csv
        from tests.helpers import random_walk

        app = QApplication([])
        target = sys.argv[1]
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a failed write, not a killed process
        resource.setrlimit(resource.RLIMIT_FSIZE, ({limit}, resource.RLIM_INFINITY))
        try:
            print("returned", {call})
        except OSError as exc:
            print("raised", exc.errno)
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(target)],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        cwd=Path(__file__).parents[2],  # the project, for tests.helpers
        check=True,
    )
    return done.stdout.strip()


def test_csv_export_replaces_the_previous_file_when_complete(tmp_path):
    target = previous_export(tmp_path, "candles.csv")
    candles = random_walk(50)
    assert write_csv(target, candles) == 50
    with target.open(newline="") as f:
        rows = list(csv.reader(f))
    assert len(rows) == 51 and rows[-1][1] == str(candles[-1].time)
    assert os.listdir(tmp_path) == ["candles.csv"]
    umask = os.umask(0)
    os.umask(umask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~umask  # as any new file, not private


def test_a_csv_export_failing_midway_leaves_the_previous_file(tmp_path):
    target = previous_export(tmp_path, "candles.csv")
    call = "write_csv(target, random_walk(2000))"  # far more than 4 KiB
    assert write_with_a_size_limit(target, call, limit=4096) == "raised 27"  # EFBIG
    assert target.read_bytes() == PREVIOUS
    assert os.listdir(tmp_path) == ["candles.csv"]


def test_a_png_export_failing_midway_leaves_the_previous_file(tmp_path):
    target = previous_export(tmp_path, "chart.png")
    widget = "QLabel('x' * 200)"
    call = f"save_png({widget}, target)"
    assert write_with_a_size_limit(target, call, limit=64) == "returned False"
    assert target.read_bytes() == PREVIOUS
    assert os.listdir(tmp_path) == ["chart.png"]
    # The same call without the limit writes the image: the limit is what failed it.
    assert write_with_a_size_limit(target, call, limit=10**8) == "returned True"
    assert target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_an_image_that_cannot_be_encoded_leaves_the_previous_file(qapp, tmp_path):
    target = previous_export(tmp_path, "chart.png")
    empty = QWidget()
    empty.resize(0, 0)  # grabs as a null image, which no format encodes
    assert save_png(empty, target) is False
    assert target.read_bytes() == PREVIOUS
    assert os.listdir(tmp_path) == ["chart.png"]


def test_an_export_to_a_missing_folder_raises_and_leaves_nothing(tmp_path):
    missing = tmp_path / "no-such-folder" / "candles.csv"
    with pytest.raises(FileNotFoundError):
        write_csv(missing, random_walk(3))
    assert os.listdir(tmp_path) == []
