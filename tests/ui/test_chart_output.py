"""What the candle chart shows and writes, offscreen: readout and crosshair, CSV and PNG
export, overlays, theme, axes, the painted candles."""

from __future__ import annotations

import csv
import time
from datetime import datetime
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF
from PySide6.QtGui import QColor, QImage

from kucandle_gui.protocol import Candle
from kucandle_gui.ui.chart import DARK, LIGHT, CandleChart, ChartTheme
from tests.helpers import T0, TF, numpy_walk
from tests.ui.chart_kit import WAIT_MS, count_color, rgb_pixels, x_range, y_range

# ---------------------------------------------------------------------- readout, export


def test_readout_shows_the_candle_under_the_crosshair(chart: CandleChart) -> None:
    data = numpy_walk(50)
    data[20] = Candle(data[20].time, 101.25, 103.5, 100.75, 102.0, 12.5, 1275.0)
    chart.set_history(data)
    chart.flush()
    chart.show_readout_at(data[20].time + 20)  # within the candle, off its centre
    text = chart.readout_text()
    when = datetime.fromtimestamp(data[20].time).strftime("%Y-%m-%d %H:%M")
    assert when in text
    for part in ("O 101.2500", "H 103.5000", "L 100.7500", "C 102.0000", "V 12.5"):
        assert part in text
    assert "+0.7500 (+0.74%)" in text


def test_mouse_move_places_the_crosshair(loaded: CandleChart, qtbot) -> None:
    chart = loaded
    target = chart.candles()[-30]
    box = chart.price_view
    scene_pos = box.mapViewToScene(QPointF(target.time, (target.low + target.high) / 2))
    view = chart.graphics_view

    def move_until(point, text: str) -> None:
        # pyqtgraph drops mouse moves closer than 10 ms apart, and Qt sends none for a move to
        # where the mouse already is: move back and forth by a pixel until the readout shows.
        wiggle = iter(range(1_000_000))

        def shown() -> bool:
            qtbot.mouseMove(view.viewport(), point + QPoint(0, next(wiggle) % 2))
            return text in chart.readout_text()

        qtbot.waitUntil(shown, timeout=WAIT_MS)

    move_until(view.mapFromScene(scene_pos), f"C {target.close:.4f}")
    assert f"O {target.open:.4f}" in chart.readout_text()
    # The vertical line sits on the candle: its column holds crosshair-coloured pixels.
    image = chart.grab().toImage()
    column = box.mapViewToScene(QPointF(target.time, target.close)).x()
    x = int(view.mapFromScene(QPointF(column, 0)).x())
    strip = image.copy(x - 1, 0, 3, image.height())
    assert count_color(strip, DARK.crosshair) > 20
    # Off the panes (over the axis) the readout goes back to the newest candle.
    newest = chart.candles()[-1]
    move_until(QPointF(view.width() - 5, 5).toPoint(), f"C {newest.close:.4f}")


def test_export_csv_writes_the_visible_candles(loaded: CandleChart, tmp_path: Path) -> None:
    chart = loaded
    chart.price_view.translateBy(x=-100 * TF)
    visible = chart.visible_candles()
    x0, x1 = x_range(chart)
    assert visible and all(x0 <= c.time <= x1 for c in visible)
    path = tmp_path / "out.csv"
    rows_written = chart.export_csv(path)
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0] == ["time", "unix", "open", "high", "low", "close", "volume", "turnover"]
    assert rows_written == len(rows) - 1 == len(visible)
    for row, c in zip(rows[1:], visible, strict=True):
        assert datetime.fromisoformat(row[0]).timestamp() == c.time
        assert int(row[1]) == c.time
        assert [float(v) for v in row[2:]] == [
            c.open,
            c.high,
            c.low,
            c.close,
            c.volume,
            c.turnover,
        ]


def test_save_png_writes_a_png(loaded: CandleChart, tmp_path: Path) -> None:
    path = tmp_path / "chart.png"
    assert loaded.save_png(path)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    image = QImage(str(path))
    assert not image.isNull()
    assert image.width() > 0 and image.height() > 0
    assert count_color(image, DARK.up, step=2) > 0


# ---------------------------------------------------------------------- overlays, theme


def test_watermark_and_loading_text_are_shown(loaded: CandleChart) -> None:
    chart = loaded
    plain = chart.grab().toImage()
    chart.set_watermark("SIMULATED")
    chart.set_loading("Loading BTC-USDT 1min…")
    assert chart.watermark_text() == "SIMULATED"
    assert chart.loading_text() == "Loading BTC-USDT 1min…"
    marked = chart.grab().toImage()
    assert marked != plain  # something was painted
    chart.set_loading(None)
    assert chart.loading_text() is None
    assert chart.watermark_text() == "SIMULATED"  # stays while set
    chart.set_watermark(None)
    assert chart.watermark_text() is None
    assert chart.grab().toImage() == plain


def dominant_color(image: QImage) -> str:
    values, counts = np.unique(rgb_pixels(image), return_counts=True)
    return QColor(int(values[np.argmax(counts)])).name()


def test_theme_switch_changes_the_background(loaded: CandleChart) -> None:
    chart = loaded
    assert dominant_color(chart.grab().toImage()) == DARK.background
    chart.set_theme(LIGHT)
    assert chart.theme() is LIGHT
    image = chart.grab().toImage()
    assert dominant_color(image) == LIGHT.background
    assert count_color(image, LIGHT.up) > 0 and count_color(image, LIGHT.down) > 0
    assert count_color(image, DARK.up) == 0


def test_time_axis_labels_local_time(chart: CandleChart, monkeypatch) -> None:
    # UTC+5:20: no whole-minute step of UTC lines up with local quarter hours here.
    monkeypatch.setenv("TZ", "XXX-5:20")
    time.tzset()
    try:
        chart.set_history(numpy_walk(600))
        chart.flush()
        chart.grab()  # paint: the axis builds its ticks
        axis = chart.time_axis
        step, ticks = axis._levels[0]
        assert 60 <= step < 86400 and len(ticks) >= 3
        for t in ticks:
            lt = time.localtime(t)
            assert (lt.tm_hour * 3600 + lt.tm_min * 60 + lt.tm_sec) % step == 0
        labels = {text for _, _, text in axis._specs[2]}
        local = {time.strftime("%H:%M", time.localtime(t)) for t in ticks}
        assert len(labels) >= 3 and labels <= local | {
            time.strftime("%d %b", time.localtime(t)).lstrip("0") for t in ticks
        }
    finally:
        monkeypatch.undo()
        time.tzset()


def test_an_empty_chart_shows_no_axis_values_until_candles_arrive(chart: CandleChart) -> None:
    # Empty, the view's range is a placeholder: prices 0.1 to 0.9 at 00:00:30 (the epoch)
    # would read as data. Only the axis lines and the line between the panes are drawn.
    axes = (chart.time_axis, chart.price_axis)
    chart.flush()
    image = chart.grab().toImage()
    assert [axis.tick_labels() for axis in axes] == [[], []]
    assert count_color(image, DARK.grid) <= chart.width()
    chart.set_history(numpy_walk(100))
    chart.flush()
    image = chart.grab().toImage()
    assert all(axis.tick_labels() for axis in axes)
    assert count_color(image, DARK.grid) > 2 * chart.width()
    chart.clear()
    chart.flush()
    chart.grab()
    assert [axis.tick_labels() for axis in axes] == [[], []]


def test_theme_is_a_frozen_dataclass() -> None:
    with pytest.raises(AttributeError):
        DARK.up = "#000000"  # type: ignore[misc]
    assert isinstance(LIGHT, ChartTheme)
    assert DARK.background != LIGHT.background


def test_volume_pane_can_be_hidden(loaded: CandleChart) -> None:
    chart = loaded
    volume_up = count_color(chart.grab().toImage(), DARK.volume_up)
    assert volume_up > 0
    chart.set_volume_visible(False)
    chart.flush()
    assert count_color(chart.grab().toImage(), DARK.volume_up) == 0
    chart.set_volume_visible(True)
    chart.flush()
    assert count_color(chart.grab().toImage(), DARK.volume_up) > 0


# ---------------------------------------------------------------------- paint


def test_a_real_paint_draws_up_and_down_candles(loaded: CandleChart) -> None:
    chart = loaded
    image = QImage(chart.size(), QImage.Format.Format_ARGB32)
    image.fill(0)
    chart.render(image)
    assert count_color(image, DARK.up) > 100
    assert count_color(image, DARK.down) > 100
    visible = chart.visible_candles()
    # Every candle whose body overlaps the view is drawn, one by one (not aggregated).
    assert len(visible) <= chart.drawn_count() <= len(visible) + 2
    assert not chart.candle_item.last_frame().aggregated


def test_zoomed_out_draws_at_most_one_bucket_per_pixel(chart: CandleChart) -> None:
    n = 200_000
    rng = np.random.default_rng(7)
    close = 100 + np.cumsum(rng.normal(0, 0.2, n))
    open_ = np.r_[100.0, close[:-1]]
    high = np.maximum(open_, close) + rng.random(n)
    low = np.minimum(open_, close) - rng.random(n)
    volume = rng.random(n)
    times = T0 + np.arange(n) * TF
    chart.set_history_arrays(times, open_, high, low, close, volume)
    chart.flush()
    chart.price_view.setXRange(times[0] - TF, times[-1] + TF, padding=0)
    image = chart.grab().toImage()
    width = chart.price_view.width()
    assert 0 < chart.drawn_count() <= width
    frame = chart.candle_item.last_frame()
    assert frame.aggregated
    ends = np.append(frame.starts[1:], n - 1)
    assert frame.starts[0] == 0 and ends[-1] == n - 1  # every history candle is in a bucket
    for j in range(frame.count):
        a, b = frame.starts[j], ends[j]
        assert frame.high[j] == np.max(high[a:b])
        assert frame.low[j] == np.min(low[a:b])
    assert count_color(image, DARK.up) > 0 and count_color(image, DARK.down) > 0
    # The y range covers everything in view.
    y0, y1 = y_range(chart)
    assert y0 < low.min() and y1 > high.max()
