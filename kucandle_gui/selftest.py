"""``kucandle-gui --self-test``: prove an installation works, without a screen or the network.

It runs the real parts together, in one process and wired as the window wires them
(:func:`kucandle_gui.app.assemble`, a :class:`ChartBinding`): the local exchange (fast clock),
the feed link (REST history, then the WebSocket), the model, and a ``CandleChart`` drawn
offscreen. For each of two pairs it waits until the history is in the chart and a live candle
has come over the WebSocket, draws the chart into an image and checks that candles are on it;
in between it switches pair through the model, as the window does. Then it opens a four-cell
layout on the same model and feed (the window's ``ChartGrid``: four series on one connection,
one of them shared with the chart) and checks that every cell draws its history
(:mod:`kucandle_gui.selftest_probe` watches and waits). It also checks that the
application icon loads from ``resources_dir()`` and that the trust store REST and the WebSocket
verify the real exchange against is there and the same for both, so a frozen bundle that lost
its resources, its SVG support or its certificates fails here, not on a user's desk.

One line goes to stdout, ``self-test ok: …`` (exit 0) or ``self-test FAILED: <reason>``
(exit 1). Waits run Qt's event loop until a condition holds or a deadline passes; nothing
sleeps. The feed and the exchange are always stopped.
"""

from __future__ import annotations

import logging
import os
import sys
import time
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, TextIO

from kucandle_gui.selftest_probe import SelfTestError, offscreen, probe_class

# Qt, numpy and the app are imported inside functions: whatever is missing from a broken
# installation (or bundle) then becomes a "self-test FAILED" line, not a traceback.
if TYPE_CHECKING:
    from PySide6.QtCore import QMessageLogContext, QtMsgType
    from PySide6.QtWidgets import QApplication

    from kucandle_gui.ui.chart import CandleChart

#: The two series shown, in order: the first at start, the second after one switch.
SERIES: tuple[tuple[str, str], ...] = (("BTC-USDT", "1min"), ("ETH-USDT", "1min"))
#: The four-cell layout opened after them, cell by cell: four pairs on four timeframes, one of
#: them the series the chart shows by then (shared: held, subscribed and loaded once).
LAYOUT_SERIES: tuple[tuple[str, str], ...] = (
    ("BTC-USDT", "5min"),
    ("ETH-USDT", "1min"),
    ("SOL-USDT", "1hour"),
    ("XRP-USDT", "1day"),
)
#: History candles asked for at start (the live candle that follows makes one more).
HISTORY_CANDLES = 60
#: Simulated seconds per real second: a new 1min candle every real second.
CLOCK_SPEED = 60.0
PUSH_INTERVAL = 0.05
#: Longest wait for any one step (history in, live candle, …), in seconds.
STEP_TIMEOUT = 20.0
CHART_SIZE = (900, 600)
#: Platforms that need no screen; anything else without a display is replaced by offscreen.
_HEADLESS_PLATFORMS = ("offscreen", "minimal")

EXIT_OK = 0
EXIT_FAILED = 1


def needs_offscreen(environ: Mapping[str, str], platform: str) -> bool:
    """Whether Qt must be told to draw offscreen: a Linux/BSD session without X11 or Wayland.

    Windows and macOS always have their own platform plugin; a platform already chosen that
    needs no screen is left alone.
    """
    if platform.startswith(("win", "darwin")):
        return False
    if environ.get("DISPLAY") or environ.get("WAYLAND_DISPLAY"):
        return False
    return environ.get("QT_QPA_PLATFORM", "") not in _HEADLESS_PLATFORMS


def run_self_test(
    *,
    series: Sequence[tuple[str, str]] = SERIES,
    layout_series: Sequence[tuple[str, str]] = LAYOUT_SERIES,
    step_timeout: float = STEP_TIMEOUT,
    out: TextIO | None = None,
) -> int:
    """Run the self-test; prints one report line to ``out`` (stdout) and returns the exit code."""
    started = time.monotonic()
    out = out if out is not None else sys.stdout
    if needs_offscreen(os.environ, sys.platform):
        # Before the QApplication exists, or Qt would abort on the missing display.
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    try:
        report = _run(started, list(series), list(layout_series), step_timeout)
    except SelfTestError as exc:
        line, code = f"self-test FAILED: {exc}", EXIT_FAILED
    except Exception as exc:  # an import missing from a bundle, a port refused, a bug
        logging.getLogger(__name__).debug("self-test failed", exc_info=True)  # --log-level DEBUG
        line, code = f"self-test FAILED: {type(exc).__name__}: {exc}", EXIT_FAILED
    else:
        line, code = f"self-test ok: {report}", EXIT_OK
    print(line, file=out, flush=True)
    return code


def _run(
    started: float,
    series: list[tuple[str, str]],
    layout_series: list[tuple[str, str]],
    step_timeout: float,
) -> str:
    if not series:
        raise SelfTestError("no series to show")
    if len(layout_series) != 4:
        raise SelfTestError(f"the 4-cell layout needs 4 series, got {len(layout_series)}")
    from PySide6.QtCore import qInstallMessageHandler

    from kucandle_gui.app import assemble, create_application
    from kucandle_gui.feed import FeedConfig
    from kucandle_gui.sim import LocalExchange, SimConfig

    app = create_application()
    _check_icon(app)
    _check_trust_store()

    previous_handler = qInstallMessageHandler(_quiet_offscreen_warnings)
    exchange = LocalExchange(SimConfig(clock_speed=CLOCK_SPEED, push_interval=PUSH_INTERVAL))
    parts = None
    probe = None
    try:
        exchange.start()
        symbol, timeframe = series[0]
        parts = assemble(symbol, timeframe, FeedConfig(history_candles=HISTORY_CANDLES))
        probe = probe_class()(parts, _make_chart(), started, step_timeout)
        parts.link.start(exchange.base_url, simulated=True)
        report = []
        for i, (symbol, timeframe) in enumerate(series):
            if i:
                probe.show(symbol, timeframe)
            count, drawn = probe.complete_series()
            report.append(f"{symbol} {timeframe} {count} candles")
        cells = probe.complete_grid(layout_series)
        grid = ", ".join(f"{s} {tf} {n}" for (s, tf), n in zip(layout_series, cells, strict=True))
        first = probe.first_drawn
        if first is None:  # complete_series() drew, so this cannot be; said clearly if it is
            raise SelfTestError("no candle was ever drawn")
        launch = _process_age(first[1])
        since_launch = f" ({launch:.2f} s after launch)" if launch is not None else ""
        return (
            f"{', '.join(report)}, drawn {drawn}, 4-cell layout drawn ({grid}), "
            f"first candle {first[0]:.2f} s{since_launch}, {time.monotonic() - started:.1f} s"
        )
    finally:
        if parts is not None:
            parts.link.close()
        if probe is not None:
            probe.close()
        exchange.stop()
        qInstallMessageHandler(previous_handler)


#: What Qt says on stderr about things the offscreen platform does not do; not a problem here.
_OFFSCREEN_NOISE = ("This plugin does not support",)


def _quiet_offscreen_warnings(kind: QtMsgType, context: QMessageLogContext, message: str) -> None:
    if message.startswith(_OFFSCREEN_NOISE):
        return
    logging.getLogger("qt").warning("%s", message)


def _make_chart() -> CandleChart:
    from kucandle_gui.ui.chart import CandleChart

    chart = CandleChart()
    chart.set_watermark("SELF-TEST")
    offscreen(chart, CHART_SIZE)
    return chart


def _check_icon(app: QApplication) -> None:
    """The window icon came from ``resources_dir()`` and renders (SVG support is there)."""
    from kucandle_gui.app import resources_dir

    svg = resources_dir() / "kucandle-gui.svg"
    if not svg.is_file():
        raise SelfTestError(f"application icon missing: {svg}")
    if app.windowIcon().pixmap(32, 32).isNull():
        raise SelfTestError(f"application icon does not render (no SVG support?): {svg}")


def _check_trust_store() -> None:
    """https and wss:// to the real exchange: the CA file a WebSocket session passes to
    websocket-client is the one REST verifies against, and it loads authorities. Without one,
    websocket-client falls back to OpenSSL's compiled-in default paths, which a bundle's
    OpenSSL may not find on this host: tokens would come over https, every wss:// connect fail.
    """
    import ssl

    import requests

    from kucandle_gui.feed import tls_options

    options = tls_options()
    cafile, capath = options.get("ca_certs"), options.get("ca_cert_path")
    where = cafile or capath
    if where is None:
        raise SelfTestError("the WebSocket names no CA file: OpenSSL's default paths would be used")
    rest = requests.Session().merge_environment_settings("https://", {}, None, None, None)
    rest_where = rest["verify"] if isinstance(rest["verify"], str) else requests.certs.where()
    if rest_where != where:
        raise SelfTestError(f"REST trusts {rest_where} but the WebSocket {where}")
    if capath is not None:
        if not os.path.isdir(capath) or not any(os.scandir(capath)):
            raise SelfTestError(f"CA directory missing or empty: {capath}")
        return  # a directory's certificates load when a connection needs them
    if not os.path.isfile(where):
        raise SelfTestError(f"CA bundle missing: {where}")
    try:
        authorities = ssl.create_default_context(cafile=cafile).cert_store_stats()["x509_ca"]
    except (ssl.SSLError, OSError) as exc:
        raise SelfTestError(f"CA bundle {where} does not load: {exc}") from exc
    if authorities == 0:
        raise SelfTestError(f"no certificate authority loaded from {where}")


def _process_age(at: float) -> float | None:
    """Seconds from the process start (the bundle's launch) to ``time.monotonic()`` ``at``.

    Linux only (``/proc``, 10 ms resolution); None elsewhere.
    """
    try:
        with open("/proc/self/stat", encoding="ascii") as f:
            stat = f.read()
        with open("/proc/uptime", encoding="ascii") as f:
            uptime = float(f.read().split()[0])
        ticks = os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, AttributeError):
        return None
    # Field 22 (starttime, in clock ticks after boot); fields after the ")" of the name.
    start_ticks = int(stat.rsplit(")", 1)[1].split()[19])
    age_now = uptime - start_ticks / ticks
    return age_now - (time.monotonic() - at)
