"""``kucandle-gui --self-test`` from source: the report line, and how it fails.

The subprocess runs without DISPLAY, WAYLAND_DISPLAY or QT_QPA_PLATFORM, so the self-test has
to choose the offscreen platform itself, as it must on a machine without a screen.
"""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from kucandle_gui import feed
from kucandle_gui.model import OLDER_PAGE
from kucandle_gui.selftest import LAYOUT_SERIES, needs_offscreen, run_self_test

ROOT = Path(__file__).resolve().parent.parent
TEST_CA = ROOT / "tests" / "feed" / "certs" / "ca.pem"

REPORT = re.compile(
    r"^self-test ok: BTC-USDT 1min (?P<first>\d+) candles, ETH-USDT 1min (?P<second>\d+) candles,"
    r" drawn (?P<drawn>\d+), 4-cell layout drawn \((?P<cells>[^)]*)\),"
    r" first candle (?P<first_s>\d+\.\d+) s"
    r"(?: \((?P<launch_s>\d+\.\d+) s after launch\))?, (?P<total_s>\d+\.\d+) s$"
)


def screenless_env() -> dict[str, str]:
    env = dict(os.environ)
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"):
        env.pop(name, None)
    return env


def check_report(stdout: str) -> re.Match[str]:
    """The one line a successful self-test prints, with believable numbers."""
    lines = stdout.splitlines()
    assert len(lines) == 1, f"expected one line, got {lines!r}"
    match = REPORT.match(lines[0])
    assert match is not None, f"not a self-test report: {lines[0]!r}"
    first, second, drawn = int(match["first"]), int(match["second"]), int(match["drawn"])
    # 60 history candles were asked for and one live candle came after them; a quiet minute
    # of the simulated market has no candle, so a few fewer is fine. Wired as the window, the
    # chart may also have asked for a page of older history at its left edge by then.
    most = 65 + OLDER_PAGE
    assert 30 <= first <= most, lines[0]
    assert 30 <= second <= most, lines[0]
    assert 0 < drawn <= second, lines[0]
    # Every cell of the 2x2 layout, in order, with the candles it drew from its 60 or so.
    cells = [cell.rsplit(" ", 1) for cell in match["cells"].split(", ")]
    assert [name for name, _ in cells] == [f"{s} {tf}" for s, tf in LAYOUT_SERIES], lines[0]
    assert all(0 < int(count) <= most for _, count in cells), lines[0]
    return match


def test_self_test_from_source_reports_ok():
    result = subprocess.run(
        [sys.executable, "-m", "kucandle_gui", "--self-test"],
        cwd=ROOT,
        env=screenless_env(),
        capture_output=True,
        text=True,
        timeout=100,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    check_report(result.stdout)
    print(result.stdout.strip())  # for BENCHMARKS.md (pytest -s)


def test_a_refused_pair_fails_fast_with_the_reason_and_stops_everything():
    out = io.StringIO()

    code = run_self_test(series=[("NOPE-USDT", "1min")], step_timeout=30.0, out=out)

    assert code == 1
    line = out.getvalue()
    assert line.startswith("self-test FAILED: NOPE-USDT 1min refused:"), line
    assert "not found" in line
    assert line.count("\n") == 1
    alive = {t.name for t in threading.enumerate() if t.is_alive()}
    assert not alive & {"local-exchange", "kucandle-feed", "kucandle-history"}, alive


def test_a_cell_of_the_four_cell_layout_refused_fails_naming_the_cell():
    cells = [
        ("BTC-USDT", "1min"),
        ("ETH-USDT", "1min"),
        ("NOPE-USDT", "5min"),
        ("XRP-USDT", "1day"),
    ]
    out = io.StringIO()

    code = run_self_test(layout_series=cells, out=out)

    assert code == 1
    line = failed_line(out)
    assert line.startswith("self-test FAILED: 4-cell layout, cell 3 (NOPE-USDT 5min) refused:"), (
        line
    )
    assert "not found" in line
    alive = {t.name for t in threading.enumerate() if t.is_alive()}
    assert not alive & {"local-exchange", "kucandle-feed", "kucandle-history"}, alive


def test_a_deadline_passing_is_a_clear_failure():
    # No wait can be satisfied in zero time: the live candle alone needs a simulated minute.
    out = io.StringIO()

    code = run_self_test(step_timeout=0.0, out=out)

    assert code == 1
    line = out.getvalue()
    assert re.match(r"self-test FAILED: timed out after 0 s waiting for .*BTC-USDT 1min", line), (
        line
    )
    assert "candles on the chart" in line
    alive = {t.name for t in threading.enumerate() if t.is_alive()}
    assert not alive & {"local-exchange", "kucandle-feed", "kucandle-history"}, alive


@pytest.mark.parametrize(
    ("environ", "platform", "expected"),
    [
        ({}, "linux", True),
        ({"DISPLAY": ":0"}, "linux", False),
        ({"WAYLAND_DISPLAY": "wayland-0"}, "linux", False),
        ({"QT_QPA_PLATFORM": "offscreen"}, "linux", False),
        ({"QT_QPA_PLATFORM": "minimal"}, "linux", False),
        # xcb without a display would make Qt abort: replaced.
        ({"QT_QPA_PLATFORM": "xcb"}, "linux", True),
        ({}, "freebsd14", True),
        ({}, "win32", False),
        ({}, "darwin", False),
    ],
)
def test_offscreen_only_without_a_screen(environ, platform, expected):
    assert needs_offscreen(environ, platform) is expected


def failed_line(out: io.StringIO) -> str:
    line = out.getvalue()
    assert line.count("\n") == 1, line
    return line


def test_a_websocket_back_on_openssls_default_paths_fails_the_self_test(monkeypatch):
    """Such a bundle got its token over https and then failed every wss:// connect, while
    the self-test (on the local exchange's plain ws://) said ok."""
    monkeypatch.setattr(feed, "tls_options", lambda: {})
    out = io.StringIO()

    assert run_self_test(out=out) == 1

    line = failed_line(out)
    assert line.startswith("self-test FAILED: the WebSocket names no CA file"), line


def test_a_websocket_trusting_other_authorities_than_rest_fails_the_self_test(monkeypatch):
    monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)
    monkeypatch.delenv("CURL_CA_BUNDLE", raising=False)
    monkeypatch.setattr(feed, "tls_options", lambda: {"ca_certs": str(TEST_CA)})
    out = io.StringIO()

    assert run_self_test(out=out) == 1

    line = failed_line(out)
    assert "REST trusts" in line and f"the WebSocket {TEST_CA}" in line, line


def test_a_ca_file_without_authorities_fails_the_self_test(monkeypatch, tmp_path):
    empty = tmp_path / "empty.pem"
    empty.write_text("")
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(empty))  # REST and WebSocket alike
    out = io.StringIO()

    assert run_self_test(out=out) == 1

    line = failed_line(out)
    assert str(empty) in line and "self-test FAILED:" in line, line
