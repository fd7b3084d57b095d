"""Record a headless session with faults, replay it: the same candle lines, at any speed.

The recorded run is ``kucandle-gui --headless --record`` against the local exchange, which
drops the connection and expires the tokens while it runs (each answered by the feed with a
reconnect, a new token and a backfill of both its series), then falls silent and sends a
garbage frame. It is stopped once the feed has said that frame is bad: every frame before it
has reached the lines, no history load is out and nothing more comes, so nothing of the
recording is still on its way to the lines when the run stops. A replay, which ends by itself
once everything recorded has been played and merged, then owes exactly the same lines. The
replays are ``kucandle-gui --headless --replay FILE`` with no other flag: the series, the
watched pair and the alert come from the recording.
"""

from __future__ import annotations

import gzip
import json
import shutil
import signal
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from kucandle_gui.recording import ReadReport, RunInfo, iter_entries, read_header
from kucandle_gui.sim import LocalExchange
from tests.app_process import TIMEOUT, AppProcess, assert_clean_exit
from tests.helpers import fast_sim_config

SYMBOL = "ETH-USDT"
WATCHED = "SOL-USDT"
#: An alert that never fires: its pair's 1min series is a second subscription throughout.
ALERT = "BTC-USDT above 100000000"
#: Small parts, so that the recording rotates (a session's parts replay as one).
MAX_MB = "0.004"
#: Lines of pushes to read after each history load, before the next fault.
PUSHES = 25


@dataclass(frozen=True)
class Recorded:
    """The recorded run's recording, stdout lines and stderr."""

    path: Path
    out: list[str]
    err: str

    @property
    def parts(self) -> list[Path]:
        """The recording's files, in order."""
        report = ReadReport()
        for _ in iter_entries(self.path, report):
            pass
        return report.parts


def candle_lines(lines: list[str]) -> list[str]:
    """The candle lines (tickers and alerts have a ``type``), as printed."""
    return [line.rstrip("\n") for line in lines if '"type"' not in line]


def rest_of_stdout(run: AppProcess) -> list[str]:
    """Every stdout line not read yet, up to the end of the output (the process ended)."""
    lines = []
    while True:
        try:
            lines.append(run.stdout_line())
        except EOFError:
            return lines


def changed(line: str) -> int:
    """The candles a ``history:``/``backfill:`` line says were new or changed."""
    return int(line.rsplit(", ", 1)[1].split()[0])


def record_session(exchange: LocalExchange, path: Path) -> Recorded:
    args = ("--api-url", exchange.base_url, "--symbol", SYMBOL, "--watch", WATCHED)
    args += ("--alert", ALERT, "--record", str(path), "--record-max-mb", MAX_MB)
    out: list[str] = []

    def printed(line: str) -> bool:
        return line.startswith((f"history: {SYMBOL} ", f"backfill: {SYMBOL} "))

    def backfilled(run: AppProcess) -> None:
        """Until both series are backfilled; then the printed one's candles and pushes."""
        found = [run.stderr_line(lambda line: line.startswith("backfill: ")) for _ in range(2)]
        [loaded] = [line for line in found if printed(line)]
        out.extend(run.stdout_line() for _ in range(changed(loaded) + PUSHES))

    with AppProcess("--headless", *args) as run:
        loaded = run.stderr_line(printed)
        out.extend(run.stdout_line() for _ in range(changed(loaded) + PUSHES))
        assert exchange.faults.drop_connections() == 1
        backfilled(run)
        assert exchange.faults.expire_tokens() == 1
        backfilled(run)
        # The end: the exchange falls silent, then a garbage frame follows the last push on
        # the socket; once the feed has said it is bad, it has taken every frame before it.
        exchange.faults.stall(True)
        assert exchange.faults.send_raw("not json at all") == 1
        run.stderr_line(lambda line: "bad frame" in line)
        code, err = run.finish(signal.SIGTERM)
        out += rest_of_stdout(run)
    assert_clean_exit(code, err)
    return Recorded(path, out, err)


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Recorded]:
    """One recorded session for the tests of this module (it takes a few seconds)."""
    path = tmp_path_factory.mktemp("recorded") / "session.kcr"
    with LocalExchange(fast_sim_config()) as exchange:
        yield record_session(exchange, path)


def replay(path: Path, *flags: str) -> tuple[list[str], str]:
    """``kucandle-gui --headless --replay path *flags`` to its own end: stdout lines, stderr."""
    with AppProcess("--headless", "--replay", str(path), *flags) as run:
        code, err = run.wait(TIMEOUT)
        out = rest_of_stdout(run)
    assert_clean_exit(code, err)
    return out, err


def test_the_recorded_run_says_what_it_records(recorded: Recorded) -> None:
    assert f"RECORD: {recorded.path}" in recorded.err
    assert "record: " in recorded.err and " lines in " in recorded.err
    assert len(recorded.parts) >= 2  # rotated
    header = read_header(recorded.path)
    assert header.run == RunInfo(
        series=((SYMBOL, "1min"),),
        watched=(WATCHED,),
        alerts=("BTC-USDT above 100000000.0",),
        simulated=False,
        mode="headless",
    )
    candles = [json.loads(line) for line in candle_lines(recorded.out)]
    assert {(c["symbol"], c["timeframe"]) for c in candles} == {(SYMBOL, "1min")}


@pytest.mark.parametrize("speed", ["1", "20"])
def test_a_replay_prints_the_recorded_candle_lines_in_order(recorded: Recorded, speed: str):
    out, err = replay(recorded.path, "--speed", speed)
    assert candle_lines(out) == candle_lines(recorded.out)
    assert f"REPLAY: {recorded.path}" in err and "not live prices" in err
    assert any('"type": "ticker"' in line for line in out)  # the watched pair, from the header
    # The faults are replayed too.
    assert "connection dropped" in err and "token refused: token is expired" in err
    assert "bad frame from the exchange ignored: frame is not JSON" in err


def test_a_backfill_the_recorded_run_retried_at_its_end_replays_too(tmp_path: Path) -> None:
    """The exchange rate-limits the backfill after a drop (the client's own retries give up,
    the loader tries again later) and the run ends meanwhile: the replay's session ends before
    the retry comes, and the replay must wait for it (and the pushes held for it)."""
    path = tmp_path / "retried.kcr"
    record = ("--headless", "--record", str(path), "--api-url")
    exchange = LocalExchange(fast_sim_config())
    with exchange, AppProcess(*record, exchange.base_url) as run:
        loaded = run.stderr_line(lambda line: line.startswith("history: "))
        out = [run.stdout_line() for _ in range(changed(loaded) + 10)]
        exchange.faults.rest_rate_limit("/api/v1/market/candles", count=5, reset_ms=50)
        assert exchange.faults.drop_connections() == 1
        run.stderr_line(lambda line: line.startswith("backfill: "))
        out += [run.stdout_line() for _ in range(10)]
        exchange.faults.stall(True)
        assert exchange.faults.send_raw("not json at all") == 1
        run.stderr_line(lambda line: "bad frame" in line)
        code, err = run.finish(signal.SIGTERM)
        out += rest_of_stdout(run)
    assert_clean_exit(code, err)
    assert "Too Many Requests" in err

    replayed, _ = replay(path, "--speed", "20")

    assert candle_lines(replayed) == candle_lines(out)


def test_a_damaged_recording_replays_what_comes_before_the_damage(
    recorded: Recorded, tmp_path: Path
) -> None:
    copy = tmp_path / recorded.path.name
    for part in recorded.parts:
        shutil.copy(part, tmp_path / part.name)
    last = tmp_path / recorded.parts[-1].name
    data = last.read_bytes()
    last.write_bytes(data[: len(data) * 2 // 3])
    out, err = replay(copy, "--speed", "20")
    assert "cut off" in err
    replayed, whole = candle_lines(out), candle_lines(recorded.out)
    assert 0 < len(replayed) < len(whole)
    assert replayed == whole[: len(replayed)]


# -- the playback fixtures ------------------------------------------------------------------------

FIXTURES = Path(__file__).parent / "data" / "recordings"


#: What a replay of a recording says when it ends by itself.
AT_THE_END = "replay: the end of the recording: stopping once the feed has taken all of it"
REFUSED = "error: cannot serve NOPE-USDT 1week: the exchange refused it in the recorded run too"


@pytest.mark.parametrize(
    ("name", "code", "said"),
    [
        ("drop-garbage", 0, AT_THE_END),
        ("token-expired", 0, AT_THE_END),
        ("refused-pair", 2, REFUSED),
    ],
)
def test_the_fixture_recordings_replay_to_the_lines_they_printed(
    name: str, code: int, said: str
) -> None:
    """Each was recorded with the lines it printed beside it (``NAME.out``)."""
    with AppProcess(
        "--headless", "--replay", str(FIXTURES / f"{name}.kcr"), "--speed", "1000"
    ) as run:
        exit_code, err = run.wait(TIMEOUT)
        out = rest_of_stdout(run)
    assert exit_code == code and "Traceback" not in err
    assert candle_lines(out) == (FIXTURES / f"{name}.out").read_text().splitlines()
    assert "REPLAY: " in err.splitlines()[0]
    assert said in err.splitlines()  # why it ended


def test_a_recording_of_a_newer_version_replays_the_lines_this_one_knows(tmp_path: Path):
    """Format version 2, with a kind of line version 1 does not know: said, and replayed."""
    lines = gzip.decompress((FIXTURES / "drop-garbage.kcr").read_bytes()).splitlines()
    header = json.loads(lines[0])
    assert header["version"] == 1
    newer = [json.dumps({**header, "version": 2}).encode(), lines[1]]
    newer.append(json.dumps({"k": "bookmark", "t": header["t"], "m": 0.0, "note": "x"}).encode())
    newer += lines[2:]
    path = tmp_path / "newer.kcr"
    path.write_bytes(gzip.compress(b"\n".join(newer) + b"\n"))
    out, err = replay(path, "--speed", "1000")
    assert "made by a newer kucandle-gui: format version 2" in err
    assert "'bookmark'" in err and "skipped" in err
    assert candle_lines(out) == (FIXTURES / "drop-garbage.out").read_text().splitlines()
