"""Make the playback fixtures of this folder: short headless sessions recorded with faults.

    .venv/bin/python -m tests.data.recordings.make_recordings   # from the repository's root

Each session is ``kucandle-gui --headless --record NAME.kcr`` run as a user runs it, against
the local exchange with the tests' fast settings (a simulated minute per real second), the
faults injected from here while it runs. Beside each recording, ``NAME.out`` holds the run's
candle lines: a replay of the recording must print them (``tests/test_record_replay.py``).
Long timeframes keep the history small, so each file is a few KB. The files are made anew
(the old ones are removed first); the tests' expected counts then need updating.
"""

from __future__ import annotations

import signal
import sys
from collections.abc import Callable
from pathlib import Path

from kucandle_gui.sim import LocalExchange
from tests.app_process import AppProcess
from tests.helpers import fast_sim_config

HERE = Path(__file__).parent
#: Lines of pushes read after each history load, before the next step.
LINES = 8


class Session:
    """A recorded run and every line it printed on stdout so far."""

    def __init__(self, run: AppProcess, exchange: LocalExchange) -> None:
        self.run = run
        self.faults = exchange.faults
        self.out: list[str] = []

    def said(self, wanted: Callable[[str], bool]) -> str:
        """The next stderr line for which ``wanted`` holds."""
        return self.run.stderr_line(wanted)

    def read(self, n: int = LINES) -> None:
        self.out += [self.run.stdout_line() for _ in range(n)]

    def read_to_end(self) -> None:
        while True:
            try:
                self.read(1)
            except EOFError:
                return


def loaded(session: Session, kind: str) -> None:
    """Until the series is loaded (``history``/``backfill``); then its candles and pushes."""
    said = session.said(lambda line: line.startswith(f"{kind}: "))
    session.read(int(said.rsplit(", ", 1)[1].split()[0]) + LINES)


def drop_and_garbage(session: Session) -> None:
    """A dropped connection (a reconnect and a backfill), then silence and two garbage frames
    (once the feed said the second is bad, it took every frame before it: a settled end)."""
    loaded(session, "history")
    assert session.faults.drop_connections() == 1
    loaded(session, "backfill")
    session.faults.stall(True)
    assert session.faults.send_raw("not json at all") == 1
    assert session.faults.send_raw(b"\x00\x01\x02") == 1
    for _ in range(2):
        session.said(lambda line: "bad frame" in line)


def token_expired(session: Session) -> None:
    """The tokens expire: the exchange says so and closes, the feed comes back with a new one;
    then silence and an error message from the exchange (a settled end, as above)."""
    loaded(session, "history")
    assert session.faults.expire_tokens() == 1
    loaded(session, "backfill")
    session.faults.stall(True)
    assert session.faults.send_error(503, "service going down for maintenance") == 1
    session.said(lambda line: "maintenance" in line)


def refused_pair(session: Session) -> None:
    """A pair the exchange does not list: the run ends by itself (exit 2)."""


SESSIONS: dict[str, tuple[tuple[str, ...], Callable[[Session], None], int]] = {
    "drop-garbage": (("--symbol", "BTC-USDT", "--timeframe", "1week"), drop_and_garbage, 0),
    "token-expired": (
        ("--symbol", "ETH-USDT", "--timeframe", "1day", "--watch", "SOL-USDT"),
        token_expired,
        0,
    ),
    "refused-pair": (("--symbol", "NOPE-USDT", "--timeframe", "1week"), refused_pair, 2),
}


def make(name: str) -> None:
    flags, steps, exit_code = SESSIONS[name]
    recording, output = HERE / f"{name}.kcr", HERE / f"{name}.out"
    for old in [*HERE.glob(f"{name}.kcr*"), *HERE.glob(f"{name}.out")]:
        old.unlink()
    with LocalExchange(fast_sim_config()) as exchange:
        args = ("--headless", "--api-url", exchange.base_url, *flags, "--record", str(recording))
        with AppProcess(*args) as run:
            session = Session(run, exchange)
            steps(session)
            code, err = run.finish(signal.SIGTERM) if exit_code == 0 else run.wait()
            session.read_to_end()
    assert code == exit_code and "Traceback" not in err, err
    output.write_text("".join(line for line in session.out if '"type"' not in line))
    print(f"{recording.name}: {recording.stat().st_size} bytes; {err.splitlines()[-1]}")


if __name__ == "__main__":
    for name in sys.argv[1:] or SESSIONS:
        make(name)
