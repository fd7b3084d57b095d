"""SIGINT and SIGTERM at any moment of a run end it with exit code 0 and no traceback; headless
mode prints its summary. Real processes, signalled at several moments of their start-up and
while they run; each moment is a line read from the process (or, for "before the program ran",
a signal left pending at spawn), never a sleep.
"""

from __future__ import annotations

import os
import re
import signal
from collections.abc import Callable

import pytest

from kucandle_gui.sim import LocalExchange
from tests.app_process import AppProcess, assert_clean_exit, window_env

SIGNALS = [signal.SIGINT, signal.SIGTERM]


def imported(module: str) -> Callable[[str], bool]:
    """Python's ``-X importtime`` line saying ``module`` is imported (the next import runs)."""
    return lambda line: line.startswith("import time:") and line.split("|")[-1].strip() == module


@pytest.mark.parametrize("signum", SIGNALS)
def test_window_stopped_before_the_program_ran(signum, tmp_path, exchange: LocalExchange):
    env = window_env(tmp_path)
    with AppProcess("--api-url", exchange.base_url, env=env, signals_pending=True) as run:
        run.send(signum)
        assert_clean_exit(*run.wait())
    assert not (tmp_path / "config").exists()  # nothing started, nothing saved


@pytest.mark.parametrize("signum", SIGNALS)
def test_window_stopped_while_qt_is_imported(signum, tmp_path, exchange: LocalExchange):
    env = window_env(tmp_path, PYTHONPROFILEIMPORTTIME="1")
    with AppProcess("--api-url", exchange.base_url, env=env) as run:
        run.stderr_line(imported("PySide6.QtCore"))
        assert_clean_exit(*run.finish(signum))


@pytest.mark.parametrize("signum", SIGNALS)
def test_window_stopped_at_its_first_log_line(signum, tmp_path, exchange: LocalExchange):
    env = window_env(tmp_path)
    args = ("--api-url", exchange.base_url, "--log-level", "INFO")
    with AppProcess(*args, env=env) as run:
        run.stderr_line(lambda _line: True)
        assert_clean_exit(*run.finish(signum))


@pytest.mark.parametrize("signum", SIGNALS)
def test_window_stopped_while_it_runs_closes_as_the_user_would(
    signum, tmp_path, exchange: LocalExchange
):
    env = window_env(tmp_path)
    args = ("--api-url", exchange.base_url, "--symbol", "ETH-USDT", "--log-level", "DEBUG")
    with AppProcess(*args, env=env) as run:
        run.stderr_line(lambda line: "/api/v1/market/candles?symbol=ETH-USDT" in line)
        code, err = run.finish(signum)
    assert_clean_exit(code, err)
    assert "kucandle-gui exiting with 0" in err
    saved = (tmp_path / "config" / "kucandle" / "kucandle-gui.conf").read_text()
    assert "symbol=ETH-USDT" in saved and "geometry=" in saved  # the window's shutdown ran


@pytest.mark.parametrize("signum", SIGNALS)
def test_headless_stopped_before_the_program_ran(signum, exchange: LocalExchange):
    with AppProcess("--headless", "--api-url", exchange.base_url, signals_pending=True) as run:
        run.send(signum)
        code, err = run.wait()
    assert_clean_exit(code, err)
    assert "summary: messages=0 errors=0 reconnects=0" in err
    with pytest.raises(EOFError):
        run.stdout_line()  # not one candle
    assert exchange.stats().rest_requests == {}  # no feed was started


#: Moments of a headless run: what to wait for before the signal goes.
HEADLESS_MOMENTS: dict[str, Callable[[AppProcess], object]] = {
    "while the feed is imported": lambda run: run.stderr_line(imported("kucandle_gui.protocol")),
    "at its first status line": lambda run: run.stderr_line(re.compile("status: ").match),
    "while it prints candles": lambda run: run.stdout_line(),
}


@pytest.mark.parametrize("signum", SIGNALS)
@pytest.mark.parametrize("moment", list(HEADLESS_MOMENTS))
def test_headless_stopped_later_prints_its_summary(moment, signum, exchange: LocalExchange):
    env = {**os.environ, "PYTHONPROFILEIMPORTTIME": "1"}  # import lines to wait for
    with AppProcess("--headless", "--api-url", exchange.base_url, env=env) as run:
        HEADLESS_MOMENTS[moment](run)
        code, err = run.finish(signum)
    assert_clean_exit(code, err)
    assert "summary: messages=" in err and "errors=0" in err
