"""``kucandle-gui --headless`` as a user runs it: a real process against the local exchange;
and ``run_headless`` in this process, where a test needs the exchange's own settings."""

from __future__ import annotations

import gzip
import io
import itertools
import json
import signal
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any, TypeVar

import pytest

from kucandle_gui.feed import ConnectionState, StatusEvent
from kucandle_gui.headless import run_headless
from kucandle_gui.headless_replay import ReplaySource
from kucandle_gui.protocol import snapshot_push_message
from kucandle_gui.recording import Recorder, RunInfo, read_header
from kucandle_gui.replay import ReplayOptions
from kucandle_gui.sim import LocalExchange
from kucandle_gui.stopping import StopRequest
from tests.app_process import TIMEOUT, AppProcess
from tests.helpers import fast_feed_config, fast_sim_config
from tests.sim.simclient import wait_until

FIELDS = {"symbol", "timeframe", "time", "open", "high", "low", "close", "volume", "turnover"}


def headless(*args: str) -> AppProcess:
    return AppProcess("--headless", *args)


def objects(run: AppProcess, n: int) -> list[dict[str, Any]]:
    return [json.loads(run.stdout_line()) for _ in range(n)]


def test_prints_history_and_live_candles_then_a_summary_on_sigterm(exchange: LocalExchange):
    args = ("--api-url", exchange.base_url, "--symbol", "ETH-USDT", "--timeframe", "1min")
    with headless(*args) as run:
        found = objects(run, 80)  # the start-up history alone is about 300 candles
        code, err = run.finish(signal.SIGTERM)
    assert all(set(o) == FIELDS for o in found)
    assert {(o["symbol"], o["timeframe"]) for o in found} == {("ETH-USDT", "1min")}
    assert all(o["low"] <= min(o["open"], o["close"]) for o in found)
    assert code == 0
    assert "subscription: ETH-USDT 1min: subscribed" in err
    assert "summary: messages=" in err and "errors=0" in err and "reconnects=0" in err


def test_sigint_also_ends_cleanly(exchange: LocalExchange):
    with headless("--api-url", exchange.base_url) as run:
        objects(run, 1)
        code, err = run.finish(signal.SIGINT)
    assert code == 0
    assert "summary:" in err


def test_unknown_pair_exits_2_with_a_clear_message(exchange: LocalExchange):
    with headless("--api-url", exchange.base_url, "--symbol", "BTC-USDX") as run:
        code, err = run.wait()
    assert code == 2
    assert "BTC-USDX" in err and "did you mean BTC-USDT" in err


def test_demo_marks_every_candle_and_ticker_as_simulated():
    with headless("--demo", "--symbol", "SOL-USDT", "--watch", "ETH-USDT") as run:
        found = objects(run, 5)
        while not any(o.get("type") == "ticker" for o in found):
            found.append(json.loads(run.stdout_line()))
        code, err = run.finish(signal.SIGTERM)
    assert all(o["simulated"] is True for o in found)
    assert {o["symbol"] for o in found} == {"SOL-USDT", "ETH-USDT"}
    assert code == 0
    assert "DEMO: simulated prices" in err


# -- watched pairs (--watch): ticker lines -----------------------------------------------------

TICKER_FIELDS = {"type", "symbol", "last", "change_rate", "high", "low", "volume", "turnover"}
TICKER_FIELDS |= {"time"}
#: Real seconds between two snapshot pushes of a pair in these tests.
SNAPSHOT_INTERVAL = 0.1


class Lines(io.TextIOBase):
    """A text stream a test can wait on: what run_headless writes, line by line."""

    def __init__(self) -> None:
        super().__init__()
        self._changed = threading.Condition()
        self._partial = ""
        self.lines: list[str] = []
        #: Each write as it came.
        self.writes: list[str] = []

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        with self._changed:
            self.writes.append(text)
            *complete, self._partial = (self._partial + text).split("\n")
            self.lines.extend(complete)
            self._changed.notify_all()
        return len(text)

    def wait_for(self, done: Callable[[list[str]], bool], timeout: float = 20.0) -> list[str]:
        """The lines so far, once ``done(lines)`` holds; fails after ``timeout``."""
        with self._changed:
            reached = self._changed.wait_for(lambda: done(self.lines), timeout)
            assert reached, f"not within {timeout} s; got {self.lines[-20:]}"
            return list(self.lines)


class HeadlessRun:
    """run_headless on a thread of its own against ``exchange``, stdout parsed as it comes."""

    def __init__(self, exchange: LocalExchange, symbol: str, **options: Any) -> None:
        """``options``: more of run_headless's (``watched``, ``alerts``)."""
        self.out, self.err = Lines(), Lines()
        self._stop = StopRequest()
        self._codes: list[int] = []
        args = (exchange.base_url, symbol, "1min")
        options = {"out": self.out, "err": self.err, "stop": self._stop, **options}
        self._thread = threading.Thread(
            target=lambda: self._codes.append(
                run_headless(*args, config=fast_feed_config(), **options)
            )
        )
        self._thread.start()

    def tickers(self, lines: list[str] | None = None) -> list[dict[str, Any]]:
        """The ticker objects printed so far (or among ``lines``), in order."""
        found = [json.loads(line) for line in (self.out.lines if lines is None else lines)]
        return [o for o in found if o.get("type") == "ticker"]

    def wait_tickers(self, done: Callable[[list[dict[str, Any]]], bool]) -> list[dict[str, Any]]:
        return self.tickers(self.out.wait_for(lambda lines: done(self.tickers(lines))))

    def finish(self) -> int:
        """Stop as SIGTERM would; the exit code."""
        self._stop.request()
        self._thread.join(TIMEOUT)
        assert not self._thread.is_alive()
        [code] = self._codes
        return code


Run = TypeVar("Run", bound=HeadlessRun)


@contextmanager
def finished(run: Run) -> Iterator[Run]:
    """``run`` for a ``with`` block, stopped at its end unless the test stopped it."""
    try:
        yield run
    finally:
        if run._thread.is_alive():
            run.finish()


def headless_run(
    exchange: LocalExchange, *watched: str, symbol: str = "BTC-USDT"
) -> AbstractContextManager[HeadlessRun]:
    return finished(HeadlessRun(exchange, symbol, watched=watched))


@pytest.fixture
def snapshots() -> Iterator[LocalExchange]:
    """The fast local exchange, pushing each watched pair's statistics every 0.1 s."""
    with LocalExchange(fast_sim_config(snapshot_interval=SNAPSHOT_INTERVAL)) as running:
        yield running


def count_by_symbol(tickers: list[dict[str, Any]]) -> Counter[str]:
    return Counter(t["symbol"] for t in tickers)


def test_watched_pairs_print_the_exchanges_statistics_once_per_change(snapshots):
    pairs = ("ETH-USDT", "SOL-USDT", "XRP-USDT")
    with headless_run(snapshots, *pairs) as run:
        run.wait_tickers(lambda found: all(count_by_symbol(found)[s] >= 4 for s in pairs))
        code = run.finish()
    assert code == 0
    found = run.tickers()
    assert all(set(t) == TICKER_FIELDS for t in found)
    for t in found:
        truth = snapshots.ticker(t["symbol"], at=t["time"] / 1000)
        assert t == truth.as_dict()
    for symbol in pairs:
        lines = [t for t in found if t["symbol"] == symbol]
        times = [t["time"] for t in lines]
        # A pair's first line may be its REST value, stamped when the reply was made, and
        # its first push's time (when the statistics were computed) may be earlier.
        assert times[1:] == sorted(times[1:])
        without_time = [{k: v for k, v in t.items() if k != "time"} for t in lines]
        assert all(a != b for a, b in itertools.pairwise(without_time))  # each line is news
    candles = [json.loads(line) for line in run.out.lines if '"type"' not in line]
    assert candles and {(c["symbol"], c["timeframe"]) for c in candles} == {("BTC-USDT", "1min")}


def test_a_snapshot_that_changes_only_its_time_prints_nothing():
    # The market's clock stands still: every push says the same, so nothing but the first
    # line may print until a push really changes something.
    pinned = fast_sim_config(clock_speed=0.0, snapshot_interval=0.05)
    with LocalExchange(pinned) as exchange, headless_run(exchange, "ETH-USDT") as run:
        [first] = run.wait_tickers(bool)
        truth = exchange.ticker("ETH-USDT")
        assert first == truth.as_dict()
        sent = exchange.stats().snapshots_sent
        wait_until(lambda: exchange.stats().snapshots_sent >= sent + 10, 10, "10 more pushes")
        # A later push with the same statistics, then one that moves the price: only the
        # second is news, and it follows the first on the same socket.
        later = replace(truth, time=truth.time + 5_000)
        moved = replace(truth, last=truth.last + 1, change_price=1.0, time=truth.time + 10_000)
        for n, ticker in enumerate((later, moved)):
            assert exchange.faults.send_raw(snapshot_push_message(ticker, 10**9 + n)) == 1
        found = run.wait_tickers(lambda found: found[-1]["time"] == moved.time)
        code = run.finish()
    assert found == [first, moved.as_dict()]
    assert code == 0
    assert "errors=0" in run.err.lines[-1]


def test_an_unknown_pair_is_reported_and_the_others_go_on(snapshots):
    with headless_run(snapshots, "ETH-USDT", "NOPE-USDT", "SOL-USDT") as run:
        said = run.err.wait_for(lambda lines: any("statistics of NOPE-USDT" in s for s in lines))
        before = count_by_symbol(run.tickers())
        run.wait_tickers(
            lambda found: all(
                count_by_symbol(found)[s] >= before[s] + 2 for s in ("ETH-USDT", "SOL-USDT")
            )
        )
        code = run.finish()
    assert code == 0
    assert "NOPE-USDT" not in count_by_symbol(run.tickers())
    [message] = [line for line in said if "statistics of NOPE-USDT" in line]
    assert message.startswith("error: ") and "the other pairs go on" in message
    assert "summary:" in run.err.lines[-1]


def test_the_watch_flag_prints_ticker_lines_beside_the_candles(exchange: LocalExchange):
    args = ("--api-url", exchange.base_url, "--symbol", "ETH-USDT", "--watch", "btc-usdt,SOL-USDT")
    with headless(*args) as run:
        found: list[dict[str, Any]] = []
        while {o["symbol"] for o in found if o.get("type") == "ticker"} != {"BTC-USDT", "SOL-USDT"}:
            found.append(json.loads(run.stdout_line()))
        code, err = run.finish(signal.SIGTERM)
    assert code == 0 and "Traceback" not in err
    for o in found:
        if o.get("type") == "ticker":
            truth = exchange.ticker(o["symbol"], at=o["time"] / 1000)
            assert o == truth.as_dict()
        else:
            assert set(o) == FIELDS and o["symbol"] == "ETH-USDT"


# -- recording and replaying (--record, --replay) -------------------------------------------------

RECORDINGS = Path(__file__).parent / "data" / "recordings"


def test_a_recorded_demo_replays_marked_simulated(tmp_path: Path) -> None:
    path = tmp_path / "demo.kcr"
    with headless(
        "--demo", "--symbol", "SOL-USDT", "--timeframe", "1day", "--record", str(path)
    ) as run:
        run.stderr_line(lambda line: line.startswith("history: SOL-USDT 1day"))
        recorded = objects(run, 5)
        code, err = run.finish(signal.SIGTERM)
    assert code == 0 and f"RECORD: {path}" in err and "record: " in err.splitlines()[-1]
    assert read_header(path).run == RunInfo(series=(("SOL-USDT", "1day"),), simulated=True)
    with headless("--replay", str(path), "--speed", "50") as run:
        code, err = run.wait()
        replayed = []
        while True:
            try:
                replayed.append(json.loads(run.stdout_line()))
            except EOFError:
                break
    assert code == 0 and "Traceback" not in err
    assert "REPLAY: " in err and "simulated prices" in err and "not live prices" in err
    assert all(o["simulated"] is True for o in replayed)
    # The recorded run was stopped while it printed: the replay prints at least its lines.
    assert replayed[: len(recorded)] == recorded


def test_a_replay_with_loop_prints_the_recorded_lines_again_each_pass_until_stopped() -> None:
    """Each pass plays to a feed started anew, as the recorded run's was: the same lines."""
    printed = (RECORDINGS / "drop-garbage.out").read_text().splitlines()
    args = ("--replay", str(RECORDINGS / "drop-garbage.kcr"), "--speed", "1000", "--loop")
    with headless(*args) as run:
        passes = [[run.stdout_line().rstrip("\n") for _ in printed] for _ in range(2)]
        run.stderr_line(lambda line: line.startswith("replay: pass 3: "))
        code, err = run.finish(signal.SIGTERM)
    assert passes == [printed, printed]
    assert code == 0 and "Traceback" not in err
    assert "replay: pass 2: the recording again from its start, to a feed started anew" in err
    said = err[err.index("replay: pass 3: ") :].splitlines()
    assert any(line.startswith("summary: ") for line in said)
    assert any(line.startswith("replay: ") and " played; " in line for line in said)


def test_a_series_the_recording_does_not_hold_is_refused_saying_what_it_holds() -> None:
    args = ("--replay", str(RECORDINGS / "drop-garbage.kcr"), "--symbol", "ETH-USDT")
    with headless(*args, "--speed", "1000") as run:
        code, err = run.wait()
    assert code == 2 and "Traceback" not in err
    assert "ETH-USDT 1week" in err and "not in the recording" in err
    [said] = [line for line in err.splitlines() if line.startswith("error: cannot serve ")]
    assert said == (
        "error: cannot serve ETH-USDT 1week: the recording does not hold it (the recorded run "
        "showed BTC-USDT 1week); replay it without --symbol/--timeframe, or with one of those"
    )


def test_a_replay_cut_off_in_a_history_load_ends_without_what_it_lacks(tmp_path: Path) -> None:
    """A recording that ends before the answer of its history load (the app was killed): the
    feed asks for it again and again, the recording cannot answer; the run ends at once."""
    lines = gzip.decompress((RECORDINGS / "drop-garbage.kcr").read_bytes()).splitlines(True)
    killed = next(i for i, line in enumerate(lines) if b'"/api/v1/market/candles"' in line)
    path = tmp_path / "killed.kcr"
    path.write_bytes(gzip.compress(b"".join(lines[:killed])))
    with headless("--replay", str(path), "--speed", "1000") as run:
        code, err = run.wait()
        with pytest.raises(EOFError):  # not a line
            run.stdout_line()
    assert code == 0 and "Traceback" not in err
    cut, end, lacking, summary = [line for line in err.splitlines() if line.startswith("replay: ")]
    assert cut.startswith("replay: part 1 (killed.kcr) stops after line 8 ")
    assert end == "replay: the end of the recording: stopping once the feed has taken all of it"
    assert lacking.startswith("replay: the feed asks for REST answers the recording does not hold")
    assert lacking.endswith(" requests so far): stopping without them")
    assert summary.startswith("replay: 100% played;")


def test_the_end_of_a_replay_stays_the_end_when_the_feed_connects_again(tmp_path: Path) -> None:
    """Past the end, the feed's reconnect to the finished exchange gets a welcome and nothing
    more: everything played has been read, so the run still ends (and settles first)."""
    path = tmp_path / "empty.kcr"
    Recorder(path, RunInfo(series=(("ETH-USDT", "5min"),))).start().close()
    said: list[str] = []
    with ReplaySource(ReplayOptions(path), said.append) as source:
        wait_until(source.over, what="the end of a recording of nothing")
        source.observe(StatusEvent(ConnectionState.LIVE, "ws://127.0.0.1/endpoint"))
        assert source.over()
    assert said[0].startswith(f"REPLAY: {path}, recorded ")


def test_each_stderr_line_is_written_whole() -> None:
    """The main thread and the feed's both say things, and log lines go to stderr too: a line
    written in two pieces (its text, then its newline) could have another land inside it."""
    out, err = Lines(), Lines()
    replay = ReplayOptions(RECORDINGS / "token-expired.kcr", speed=1000)
    assert run_headless("http://127.0.0.1:9", out=out, err=err, replay=replay) == 0
    assert [w for w in err.writes if not (w.endswith("\n") and w.count("\n") == 1)] == []
    assert err.lines[0].startswith("REPLAY: ") and err.lines[-1].startswith("replay: 100% played")


def test_a_stop_ends_a_replay_at_once_with_its_summary() -> None:
    with headless("--replay", str(RECORDINGS / "token-expired.kcr")) as run:
        objects(run, 1)
        code, err = run.finish(signal.SIGINT)
    assert code == 0 and "summary: " in err and "Traceback" not in err


def test_recording_to_a_file_that_exists_starts_nothing(exchange: LocalExchange, tmp_path):
    path = tmp_path / "taken.kcr"
    path.write_text("keep me")
    err = Lines()
    code = run_headless(exchange.base_url, "BTC-USDT", out=Lines(), err=err, record=path)
    assert code == 2
    [said] = err.lines
    assert said.startswith(f"error: {path} ") and "exists" in said
    assert path.read_text() == "keep me" and exchange.stats().connects == 0


def test_a_recording_that_cannot_be_made_starts_no_demo_exchange(tmp_path: Path) -> None:
    path = tmp_path / "gone" / "demo.kcr"
    err = Lines()
    code = run_headless("http://127.0.0.1:9", demo=True, out=Lines(), err=err, record=path)
    assert code == 2
    [said] = err.lines  # no DEMO line: nothing was started
    assert said.startswith(f"error: cannot record to {path}")
