"""Starting and stopping: the LocalExchange object and ``python -m kucandle_gui.sim``."""

from __future__ import annotations

import json
import re
import selectors
import signal
import subprocess
import sys
from collections.abc import Callable

import pytest
import requests
import websocket

from kucandle_gui.sim import LocalExchange
from kucandle_gui.sim.__main__ import main, parse_args
from kucandle_gui.sim.symbols import DEFAULT_SYMBOLS
from tests.sim.simclient import WsClient, sim_config

Connect = Callable[..., WsClient]


def test_stop_closes_connections_joins_the_thread_and_frees_the_port(connect: Connect) -> None:
    exchange = LocalExchange(sim_config()).start()
    assert exchange.running
    client = connect(exchange.base_url)
    client.subscribe("/market/candles:BTC-USDT_1min")
    exchange.stop()
    assert not exchange.running
    opcode, payload = client.frames_until_closed()[-1]
    assert opcode == websocket.ABNF.OPCODE_CLOSE
    assert int.from_bytes(payload[:2], "big") == 1001  # going away
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{exchange.base_url}/api/v1/timestamp", timeout=2)
    exchange.stop()  # a second stop is harmless
    assert exchange.stats().active_connections == 0


def test_start_reports_a_port_that_cannot_be_had(
    make_exchange: Callable[..., LocalExchange],
) -> None:
    taken = int(make_exchange().base_url.rsplit(":", 1)[1])
    with pytest.raises(OSError):
        LocalExchange(sim_config(port=taken)).start()


def test_the_exchange_is_a_context_manager() -> None:
    with LocalExchange(sim_config()) as exchange:
        assert requests.get(f"{exchange.base_url}/api/v2/symbols", timeout=5).ok
    assert not exchange.running


def read_line(stream: object, timeout: float) -> str:
    """One line from a child's stdout, waiting at most ``timeout`` for it to be readable."""
    with selectors.DefaultSelector() as selector:
        selector.register(stream, selectors.EVENT_READ)  # type: ignore[arg-type]
        assert selector.select(timeout), f"no output in {timeout} s"
    return stream.readline().strip()  # type: ignore[attr-defined]


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT])
def test_module_prints_its_url_first_and_exits_0_on_a_stop_signal(
    stop_signal: signal.Signals,
) -> None:
    command = [sys.executable, "-m", "kucandle_gui.sim", "--port", "0", "--seed", "7"]
    command += ["--speed", "60", "--push-interval", "0.1"]
    child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        url = read_line(child.stdout, timeout=30)
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+", url)
        reply = requests.get(f"{url}/api/v1/market/candles?type=1min&symbol=BTC-USDT", timeout=5)
        assert json.loads(reply.text)["code"] == "200000"
        child.send_signal(stop_signal)
        assert child.wait(timeout=10) == 0
        assert child.stdout is not None and child.stdout.read() == ""  # the URL was all
        assert child.stderr is not None and "listening at " + url in child.stderr.read()
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()


def test_module_lists_the_pairs_given_once_each_in_the_clients_spelling() -> None:
    args = parse_args(["--symbols", "btc-usdt, ETH-USDT,BTC-USDT,,Sol-Usdt,"])
    assert args.symbols == ("BTC-USDT", "ETH-USDT", "SOL-USDT")
    assert parse_args([]).symbols == DEFAULT_SYMBOLS


@pytest.mark.parametrize(
    ("symbols", "reason"),
    [
        ("BTC-USDT,foo", "invalid pair 'foo': expected BASE-QUOTE"),
        ("BTC_USDT", "invalid pair 'BTC_USDT'"),
        ("", "no pair given"),
        (" , ,", "no pair given"),
    ],
)
def test_module_refuses_a_bad_pair_list_with_the_reason(
    symbols: str, reason: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--symbols", symbols])
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert f"argument --symbols: {reason}" in err
