"""The command line as a user meets it: flags checked before anything starts, no URL
credentials in any output, and a log that cannot be written is no reason to fail."""

from __future__ import annotations

import gzip
import socket
from pathlib import Path

import pytest

from kucandle_gui.cli import parse_args
from kucandle_gui.model.indicators import VALID_FORMS, parse_indicator_spec
from kucandle_gui.model.layout import LayoutKind
from kucandle_gui.recording import Recorder, RecordingUnreadable, RunInfo, read_header
from kucandle_gui.sim import LocalExchange
from tests.app_process import AppProcess, assert_clean_exit, window_env

PASSWORD = "hunter2-secret"


@pytest.mark.parametrize("mode", [(), ("--headless",)], ids=["window", "headless"])
@pytest.mark.parametrize(
    ("flags", "said"),
    [
        (("--log-level", "bogus"), "invalid choice: 'BOGUS' (choose from 'DEBUG', 'INFO'"),
        (("--symbol", ""), "argument --symbol: invalid pair '': expected BASE-QUOTE"),
        (("--symbol", "BTCUSDT"), "expected BASE-QUOTE in letters and digits, e.g. BTC-USDT"),
        (("--timeframe", ""), "argument --timeframe: unknown timeframe ''; valid timeframes: 1min"),
        (("--timeframe", "2min"), "unknown timeframe '2min'; valid timeframes: 1min, 3min"),
        (("--api-url", ""), "argument --api-url: invalid API URL '': expected http(s)://host"),
        (("--api-url", "api.kucoin.com"), "invalid API URL 'api.kucoin.com'"),
        (("--api-url", f"ftp://me:{PASSWORD}@host"), "invalid API URL 'ftp://***@host'"),
        (("--api-url", f"http://me:{PASSWORD}@:80"), "invalid API URL 'http://***@:80'"),
        (("--watch", ""), "argument --watch: no pairs: expected a comma-separated list, e.g."),
        (("--watch", "BTC-USDT,ETHUSDT"), "argument --watch: invalid pair 'ETHUSDT': expected"),
        (("--watch", "BTC-USDT,"), "argument --watch: invalid pair '': expected BASE-QUOTE"),
        (("--watch", ",".join(f"P{i}-USDT" for i in range(301))), "301 pairs: at most 300"),
    ],
)
def test_bad_flags_exit_2_saying_what_is_valid(mode, flags, said, tmp_path):
    with AppProcess(*mode, *flags, env=window_env(tmp_path)) as run:
        code, err = run.wait()
    assert code == 2
    assert said in err
    assert "Traceback" not in err and PASSWORD not in err
    assert not (tmp_path / "config").exists()  # the window never started


def test_watch_without_headless_exits_2_saying_so(tmp_path):
    with AppProcess("--watch", "BTC-USDT", env=window_env(tmp_path)) as run:
        code, err = run.wait()
    assert code == 2
    assert "argument --watch: only with --headless" in err
    assert not (tmp_path / "config").exists()


def closed_port() -> int:
    """A loopback port nothing listens on (connections are refused)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_headless_never_prints_the_password_of_the_api_url():
    port = closed_port()
    url = f"http://alice:{PASSWORD}@127.0.0.1:{port}"
    with AppProcess("--headless", "--api-url", url, "--log-level", "DEBUG") as run:
        run.stderr_line(lambda line: line.startswith("error: "))
        code, err = run.finish()
    assert_clean_exit(code, err)
    assert f"***@127.0.0.1:{port}" in err  # the URL is shown, its credentials are not
    assert PASSWORD not in err and "alice" not in err


def test_window_never_logs_the_password_of_the_api_url(tmp_path):
    port = closed_port()
    url = f"http://alice:{PASSWORD}@127.0.0.1:{port}"
    with AppProcess("--api-url", url, "--log-level", "DEBUG", env=window_env(tmp_path)) as run:
        run.stderr_line(lambda line: "bullet-public" in line and "WARNING" in line)
        code, err = run.finish()
    assert_clean_exit(code, err)
    log = next((tmp_path / "data").rglob("kucandle-gui.log")).read_text()
    for text in (err, log):
        assert f"***@127.0.0.1:{port}" in text
        assert PASSWORD not in text and "alice" not in text


def test_a_log_on_a_full_disk_changes_neither_the_run_nor_its_exit(
    tmp_path, exchange: LocalExchange
):
    logs = tmp_path / "data" / "kucandle" / "kucandle-gui" / "logs"
    logs.mkdir(parents=True)
    (logs / "kucandle-gui.log").symlink_to("/dev/full")  # every write fails with ENOSPC
    args = ("--api-url", exchange.base_url, "--log-level", "DEBUG")
    with AppProcess(*args, env=window_env(tmp_path)) as run:
        run.stderr_line(lambda line: "/api/v1/market/candles?" in line)
        code, err = run.finish()
    assert_clean_exit(code, err)
    complaints = [line for line in err.splitlines() if "cannot write the log" in line]
    assert len(complaints) == 1 and "No space left on device" in complaints[0]
    assert "kucandle-gui exiting with 0" in err  # the console log went on


# -- indicators (--indicator) --------------------------------------------------------------------


@pytest.mark.parametrize("mode", [(), ("--headless",)], ids=["window", "headless"])
@pytest.mark.parametrize("spec", ["", "ema", "ema:1", "bb:20:0", "macd:26:12:9", "wma:20"])
def test_a_bad_indicator_exits_2_saying_what_is_valid(mode, spec, tmp_path):
    flags = ("--indicator", "ema:20", "--indicator", spec)
    with AppProcess(*mode, *flags, env=window_env(tmp_path)) as run:
        code, err = run.wait()
    assert code == 2
    [said] = [line for line in err.splitlines() if "argument --indicator: " in line]
    assert said.endswith(VALID_FORMS)
    assert "Traceback" not in err
    assert not (tmp_path / "config").exists()  # the window never started


def test_indicators_are_parsed_in_order_each_once_for_either_mode():
    argv = ["--indicator", "EMA:20", "--indicator", "rsi:14", "--indicator", " ema:20 "]
    wanted = [parse_indicator_spec("ema:20"), parse_indicator_spec("rsi:14")]
    assert parse_args(argv).indicators == wanted
    assert parse_args(["--headless", *argv]).indicators == wanted
    assert parse_args([]).indicators == []


# -- layouts (--layout, lists of --symbol and --timeframe) ---------------------------------------


def test_layout_and_lists_are_parsed_for_the_window():
    args = parse_args(
        [
            "--layout",
            "2\N{MULTIPLICATION SIGN}2",
            "--symbol",
            "btc-usdt, ETH-USDT,BTC-USDT,xrp-usdt",
            "--timeframe",
            "1min, 1day,5min,1day",
        ]
    )
    assert args.layout is LayoutKind.GRID
    # A pair may repeat (one pair on two timeframes); names are normalised, order kept.
    assert args.symbols == ("BTC-USDT", "ETH-USDT", "BTC-USDT", "XRP-USDT")
    assert args.timeframes == ("1min", "1day", "5min", "1day")
    assert parse_args(["--layout", "4"]).layout is LayoutKind.GRID
    assert parse_args(["--layout", "2"]).layout is LayoutKind.SIDE_BY_SIDE
    plain = parse_args([])
    assert (plain.layout, plain.symbols, plain.timeframes) == (None, (), ())
    headless = parse_args(["--headless", "--symbol", "eth-usdt", "--timeframe", "5min"])
    assert (headless.symbols, headless.timeframes) == (("ETH-USDT",), ("5min",))


@pytest.mark.parametrize(
    ("flags", "said"),
    [
        (("--layout", "5"), "argument --layout: unknown layout '5': one of 1, 1x2, 2x1, 3, 2x2"),
        (("--layout", ""), "argument --layout: unknown layout '': one of 1, 1x2, 2x1, 3, 2x2"),
        (("--symbol", "BTC-USDT,,ETH-USDT"), "argument --symbol: invalid pair '': expected"),
        (("--timeframe", "1min,2min"), "argument --timeframe: unknown timeframe '2min'; valid"),
        (
            ("--layout", "2x2", "--symbol", "BTC-USDT,ETH-USDT,SOL-USDT"),
            "argument --symbol/--timeframe: 3 pairs for layout 2x2 (4 charts): give one (for "
            "every chart) or 4",
        ),
        (
            ("--layout", "1", "--timeframe", "1min,5min"),
            "argument --symbol/--timeframe: 2 timeframes for layout 1 (1 chart): give one",
        ),
        (
            ("--symbol", "A-B,C-D,E-F,G-H,I-J"),
            "argument --symbol/--timeframe: 5 pairs: at most 4 charts are shown at once",
        ),
        (
            ("--symbol", "A-B,C-D", "--timeframe", "1min,5min,1hour"),
            "argument --symbol/--timeframe: 2 pairs and 3 timeframes: give one of each per "
            "chart, or a single value for every chart",
        ),
        (
            ("--headless", "--layout", "1"),
            "argument --layout: not with --headless (headless follows one series; --layout is "
            "for the window)",
        ),
        (
            ("--headless", "--symbol", "BTC-USDT,ETH-USDT"),
            "argument --symbol: 2 pairs with --headless (headless follows one series;",
        ),
        (
            ("--headless", "--timeframe", "1min,1min"),
            "argument --timeframe: 2 timeframes with --headless (headless follows one series;",
        ),
    ],
)
def test_layouts_and_lists_that_cannot_be_exit_2_saying_why(flags, said, capsys):
    with pytest.raises(SystemExit) as exited:
        parse_args(list(flags))
    assert exited.value.code == 2
    [line] = [line for line in capsys.readouterr().err.splitlines() if "error:" in line]
    assert line.startswith(f"kucandle-gui: error: {said}")


def test_counts_that_do_not_fit_stop_the_window_before_it_starts(tmp_path):
    flags = ("--layout", "2x2", "--symbol", "BTC-USDT,ETH-USDT", "--timeframe", "1min,5min,1hour")
    with AppProcess(*flags, env=window_env(tmp_path)) as run:
        code, err = run.wait()
    assert code == 2
    assert "2 pairs for layout 2x2 (4 charts): give one (for every chart) or 4" in err
    assert "Traceback" not in err
    assert not (tmp_path / "config").exists()  # the window never started


# -- recording and replaying (--record, --replay) -------------------------------------------------


@pytest.fixture
def recording(tmp_path: Path) -> Path:
    """A recording with nothing in it but its header and end."""
    path = tmp_path / "made.kcr"
    Recorder(path, RunInfo(series=(("ETH-USDT", "5min"),))).start().close()
    return path


def parse_error(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    """The ``error:`` line of flags that exit 2."""
    with pytest.raises(SystemExit) as exited:
        parse_args(argv)
    assert exited.value.code == 2
    [line] = [line for line in capsys.readouterr().err.splitlines() if "error:" in line]
    return line


def test_record_and_replay_flags_are_parsed(tmp_path, recording):
    new = tmp_path / "run.kcr"
    plain = parse_args(["--headless"])
    assert (plain.record, plain.replay, plain.record_max_mb, plain.speed, plain.loop) == (
        None,
        None,
        200.0,
        1.0,
        False,
    )
    assert plain.api_url == "https://api.kucoin.com"
    recorded = parse_args(["--headless", "--record", str(new), "--record-max-mb", "0.5"])
    assert (recorded.record, recorded.record_max_mb) == (new, 0.5)
    assert parse_args(["--record", str(new), "--demo"]).record == new
    replayed = parse_args(["--headless", "--replay", str(recording), "--speed", "20", "--loop"])
    assert (replayed.replay, replayed.speed, replayed.loop) == (recording, 20.0, True)
    assert parse_args(["--headless", "--replay", str(recording), "--speed", "0.1"]).speed == 0.1
    assert not new.exists()  # parsing writes nothing


@pytest.mark.parametrize(
    ("flags", "said"),
    [
        (("--record-max-mb", "5"), "argument --record-max-mb: only with --record"),
        (("--speed", "2"), "argument --speed: only with --replay"),
        (("--loop",), "argument --loop: only with --replay"),
        (("--replay", "{rec}", "--loop"), "argument --loop: only with --headless (the window"),
        (("--record", "{new}", "--record-max-mb", "0"), "invalid size '0': expected a number of"),
        (("--record", "{new}", "--record-max-mb", "-3"), "invalid size '-3': expected"),
        (("--record", "{new}", "--record-max-mb", "nan"), "invalid size 'nan': expected"),
        (
            ("--record", "{new}", "--record-max-mb", "1e7"),
            "MiB above 0, at most 1,000,000, e.g. 200",
        ),
        (("--record", "{new}", "--record-max-mb", "many"), "invalid size 'many'"),
        (("--record", "{old}"), "argument --record: {old} exists: give a new file name"),
        (("--record", "{tmp}"), "argument --record: {tmp} exists: give a new file name"),
        (("--record", ""), "argument --record: no file name: expected a new file"),
        (("--record", "{tmp}/no/such/run.kcr"), "the folder {tmp}/no/such does not exist"),
        (("--replay", "{new}"), "argument --replay: '{new}': no such file: expected a recording"),
        (("--replay", "{tmp}"), "argument --replay: '{tmp}': not a file: expected a recording"),
        (("--replay", "{rec}", "--speed", "0.09"), "invalid speed '0.09': expected a number from"),
        (("--replay", "{rec}", "--speed", "1001"), "from 0.1 to 1000 (1 = as recorded)"),
        (("--replay", "{rec}", "--speed", "nan"), "argument --speed: invalid speed 'nan'"),
        (("--replay", "{rec}", "--speed", "fast"), "argument --speed: invalid speed 'fast'"),
        (("--record", "{new}", "--replay", "{rec}"), "argument --replay: not with --record"),
        (("--replay", "{rec}", "--demo"), "argument --replay: not with --demo (a replay plays"),
        (
            ("--replay", "{rec}", "--api-url", "http://127.0.0.1:1"),
            "argument --replay: not with --api-url (a replay plays its recording",
        ),
        (("--self-test", "--record", "{new}"), "argument --record: not with --self-test"),
        (("--self-test", "--replay", "{rec}"), "argument --replay: not with --self-test"),
    ],
)
def test_record_and_replay_flags_that_cannot_be_exit_2_saying_why(
    flags, said, tmp_path, recording, capsys
):
    names = {"new": tmp_path / "new.kcr", "old": recording, "rec": recording, "tmp": tmp_path}
    argv = [flag.format(**names) for flag in flags]
    assert said.format(**names) in parse_error(argv, capsys)
    assert not (tmp_path / "new.kcr").exists()


@pytest.mark.parametrize(
    ("content", "said"),
    [
        (b"", "argument --replay: "),
        (b"not a recording at all\n", "argument --replay: "),
        (gzip.compress(b'{"k":"header","format":"something-else"}\n'), "argument --replay: "),
    ],
    ids=["empty", "text", "other-gzip"],
)
def test_a_file_that_is_no_recording_exits_2_before_anything_starts(
    content, said, tmp_path, capsys
):
    path = tmp_path / "bad.kcr"
    path.write_bytes(content)
    line = parse_error(["--headless", "--replay", str(path)], capsys)
    assert said in line and "Traceback" not in line
    with pytest.raises(RecordingUnreadable) as unreadable:
        read_header(path)
    assert str(unreadable.value) in line  # the reader's own words


@pytest.mark.parametrize("mode", [(), ("--headless",)], ids=["window", "headless"])
def test_replaying_a_file_that_is_no_recording_starts_nothing(mode, tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("shopping list\n")
    with AppProcess(*mode, "--replay", str(path), env=window_env(tmp_path)) as run:
        code, err = run.wait()
    assert code == 2
    assert "argument --replay: " in err and "Traceback" not in err
    assert not (tmp_path / "config").exists()  # the window never started


def test_the_window_records_and_replays_as_the_flags_say(tmp_path):
    path = tmp_path / "window.kcr"
    flags = ("--demo", "--record", str(path), "--record-max-mb", "50", "--log-level", "DEBUG")
    with AppProcess(*flags, env=window_env(tmp_path)) as run:
        run.stderr_line(lambda line: "/api/v1/market/candles?" in line)
        code, err = run.finish()
    assert_clean_exit(code, err)
    header = read_header(path)
    assert (header.run.mode, header.run.simulated) == ("window", True)
    replayed = tmp_path / "replayed"
    flags = ("--replay", str(path), "--speed", "50", "--log-level", "INFO")
    with AppProcess(*flags, env=window_env(replayed)) as run:
        run.stderr_line(lambda line: "finished" in line and str(path) in line)
        code, err = run.finish()
    assert_clean_exit(code, err)
    assert not (replayed / "config").exists()  # a replay writes none of the user's settings
