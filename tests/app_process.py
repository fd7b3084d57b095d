"""``kucandle-gui`` run as a user runs it: a real process whose output lines are read as they
come, so that a test can act on a line (send a signal after it) and wait with a deadline.

Nothing sleeps: a test waits for a line on a pipe, or for the process, each with a timeout.
"""

from __future__ import annotations

import contextlib
import os
import queue
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from types import TracebackType
from typing import IO

STOP_SIGNALS = {signal.SIGINT, signal.SIGTERM}
#: Longest wait for one line or for the process to end, in seconds.
TIMEOUT = 30.0


class AppProcess:
    """``python -m kucandle_gui *args``; ``with`` kills it if a test left it running.

    ``signals_pending`` starts it with SIGINT/SIGTERM blocked (the mask survives exec), so a
    signal sent at once is still pending when the program's own code first runs: the moment
    "before anything of the program ran", without racing the interpreter's start-up.
    """

    def __init__(
        self,
        *args: str,
        env: Mapping[str, str] | None = None,
        signals_pending: bool = False,
    ) -> None:
        blocked = None
        if signals_pending:
            blocked = signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
        try:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "kucandle_gui", *args],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                env=env,
            )
        finally:
            if blocked is not None:
                signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
        self.stdout: queue.Queue[str] = queue.Queue()
        self._stderr: queue.Queue[str] = queue.Queue()
        self._stderr_lines: list[str] = []
        assert self.process.stdout is not None and self.process.stderr is not None
        self._readers = [
            threading.Thread(target=_read, args=(self.process.stdout, [self.stdout.put])),
            threading.Thread(
                target=_read,
                args=(self.process.stderr, [self._stderr.put, self._stderr_lines.append]),
            ),
        ]
        for reader in self._readers:
            reader.start()

    def stdout_line(self, timeout: float = TIMEOUT) -> str:
        return _line(self.stdout, timeout)

    def stderr_line(self, wanted: Callable[[str], bool], timeout: float = TIMEOUT) -> str:
        """The next stderr line for which ``wanted`` holds; ``queue.Empty`` after ``timeout``
        without one, ``EOFError`` if the process closed stderr first."""
        while not wanted(line := _line(self._stderr, timeout)):
            pass
        return line

    def send(self, signum: int) -> None:
        self.process.send_signal(signum)

    def wait(self, timeout: float = TIMEOUT) -> tuple[int, str]:
        """The exit code and all of stderr, once the process has ended."""
        code = self.process.wait(timeout)
        for reader in self._readers:
            reader.join(timeout)
        return code, "".join(self._stderr_lines)

    def finish(self, signum: int = signal.SIGTERM) -> tuple[int, str]:
        self.send(signum)
        return self.wait()

    def __enter__(self) -> AppProcess:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.wait()


def _read(pipe: IO[str], sinks: list[Callable[[str], object]]) -> None:
    with contextlib.suppress(ValueError), pipe:  # ValueError: closed under the reader
        for line in pipe:
            for sink in sinks:
                sink(line)
    sinks[0](_END)


#: What a reader puts in its queue at the end of the output (a line is never empty).
_END = ""


def _line(lines: queue.Queue[str], timeout: float) -> str:
    line = lines.get(timeout=timeout)
    if line == _END:
        lines.put(_END)  # for the next reader of the queue
        raise EOFError("the process closed its output")
    return line


def window_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """The window's settings and log under tmp_path (Linux: QStandardPaths follows XDG)."""
    return {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        **extra,
    }


def assert_clean_exit(code: int, err: str) -> None:
    """Exit code 0, and no sign on stderr of a crash or of a thread left running."""
    assert code == 0, err[-3000:]
    assert "Traceback" not in err, err[-3000:]
    assert "QThread: Destroyed" not in err
