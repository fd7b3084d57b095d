"""The window's alerts keeper: against the local exchange, what it tells the user at the start
about saved alerts it could not read, and about a span the alerts could not be checked over;
with no exchange at all (nothing arrives but what the test gives the book), when it wakes to
expire alerts and when it writes a firing."""

from __future__ import annotations

import logging
import time
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QApplication

from kucandle_gui.feed import CandleSeries
from kucandle_gui.model import AlertSpec, AlertState, Condition
from kucandle_gui.protocol import Candle
from kucandle_gui.ui.alerts.keeper import (
    LONGEST_WAIT_MS,
    SAVE_SOON_MS,
    AlertsKeeper,
)
from kucandle_gui.ui.alerts.store import BOOK_KEY
from kucandle_gui.ui.settings_json import SAVE_DELAY_MS

ERROR_COLOUR = "#e01b24"
#: Nothing listens there: the window's feed only retries, no candle ever comes.
NOWHERE = "http://127.0.0.1:9"
PAIR = "BTC-USDT"


def active_timers(keeper: AlertsKeeper) -> list[QTimer]:
    return [timer for timer in keeper.findChildren(QTimer) if timer.isActive()]


def live(book, *candles: Candle) -> None:
    """The pair's gap filled with ``candles`` (none: no trade yet), as the monitor does once
    its history is loaded: its alerts are evaluated live from now on."""
    series = CandleSeries(PAIR, "1min")
    series.merge(candles)
    book.filled(PAIR, series)


def test_saved_alerts_that_cannot_be_read_are_said_with_where_they_are_kept(
    make_window, exchange, settings_path
):
    damaged = '{"version": 1, "alerts": [{"id": 1, "symbol": "BTC-'
    saved = QSettings(settings_path, QSettings.Format.IniFormat)
    saved.setValue(BOOK_KEY, damaged)
    saved.sync()

    window = make_window(exchange.base_url)

    label = window.status_bar.message_label
    said = label.text()
    assert said.startswith("Saved alerts: the saved alerts could not be read: ")
    assert ERROR_COLOUR in label.styleSheet()
    key = said.rsplit("; the saved text is kept in the settings as ", 1)[1]
    assert key.startswith(f"{BOOK_KEY}-backup-")
    window.alerts.save()  # the next save replaces the book, not the backup
    reread = QSettings(settings_path, QSettings.Format.IniFormat)
    assert reread.value(key) == damaged
    assert reread.value(BOOK_KEY) != damaged


def test_a_span_the_alerts_could_not_check_is_an_error_and_logged(make_window, exchange, caplog):
    window = make_window(exchange.base_url)
    start = int(datetime(2024, 5, 1, 3, 10).timestamp())
    end = int(datetime(2024, 5, 1, 5, 40).timestamp())
    caplog.set_level(logging.WARNING, logger="kucandle_gui.ui.alerts.keeper")

    window.monitor.alerts.unchecked.emit("BTC-USDT", start, end)  # as the book's catch-up does

    date = datetime(2024, 5, 1).strftime("%Y-%m-%d")
    text = (
        f"BTC-USDT: alerts could not be checked from {date} 03:10 to {date} 05:40 "
        "(no candles for that time)"
    )
    label = window.status_bar.message_label
    assert label.text() == text
    assert ERROR_COLOUR in label.styleSheet()
    assert [r.getMessage() for r in caplog.records] == [f"alerts: {text}"]
    assert window.alerts.panel.log_lines() == [text]


def test_no_wake_up_without_an_alert_that_expires(qtbot, make_window):
    window = make_window(NOWHERE)
    keeper, book = window.alerts, window.monitor.alerts
    assert keeper.expiry_wait_ms() is None
    assert active_timers(keeper) == []

    book.add(AlertSpec.of(PAIR, Condition.ABOVE, 100.0), last_price=90.0)
    live(book)
    keeper.save()  # the change is written: nothing left to do
    qtbot.waitUntil(lambda: active_timers(keeper) == [], timeout=2000)
    assert keeper.expiry_wait_ms() is None

    # One far away: a wake-up five minutes on at most (and then again), not an hour: a suspend
    # or a step of the wall clock must not leave it shown active long past its time.
    far = book.add(
        AlertSpec.of(PAIR, Condition.ABOVE, 110.0, expires_at=time.time() + 3 * 3600),
        last_price=90.0,
    )
    qtbot.waitUntil(lambda: keeper.expiry_wait_ms() is not None, timeout=2000)
    assert LONGEST_WAIT_MS == 5 * 60 * 1000
    assert LONGEST_WAIT_MS - 2000 < keeper.expiry_wait_ms() <= LONGEST_WAIT_MS
    book.remove(far.id)
    qtbot.waitUntil(lambda: keeper.expiry_wait_ms() is None, timeout=2000)


def test_an_alert_expires_at_its_time_with_nothing_else_happening(qtbot, make_window):
    window = make_window(NOWHERE)
    keeper, book = window.alerts, window.monitor.alerts
    alert = book.add(
        AlertSpec.of(PAIR, Condition.ABOVE, 100.0, expires_at=time.time() + 1.0),
        last_price=90.0,
    )
    live(book)  # live, but no candle will come: only the clock can expire it
    qtbot.waitUntil(lambda: keeper.expiry_wait_ms() is not None, timeout=2000)
    assert 0 < keeper.expiry_wait_ms() <= 1100
    assert alert.state is AlertState.ACTIVE

    qtbot.waitUntil(lambda: alert.state is AlertState.EXPIRED, timeout=5000)
    assert keeper.expiry_wait_ms() is None  # no active alert expires any more
    assert time.time() >= alert.expires_at


def test_an_alert_past_its_time_in_a_gap_waits_for_the_gap_not_a_poll(qtbot, make_window):
    window = make_window(NOWHERE)
    keeper, book = window.alerts, window.monitor.alerts
    alert = book.add(
        AlertSpec.of(PAIR, Condition.ABOVE, 100.0, expires_at=time.time() + 0.3),
        last_price=90.0,
    )  # its pair in a gap (never loaded): the book keeps it for the catch-up
    keeper.save()  # the change written: no save left to wait for
    qtbot.waitUntil(lambda: keeper.expiry_wait_ms() is not None, timeout=2000)
    # Its time comes, the book keeps it: no timer is left to look at it again and again.
    qtbot.waitUntil(
        lambda: time.time() > alert.expires_at and keeper.expiry_wait_ms() is None,
        timeout=2000,
    )
    assert alert.state is AlertState.ACTIVE
    assert active_timers(keeper) == []

    # The gap filled: the book's change is what expires it (no candle comes after).
    minute = int(time.time() // 60) * 60
    live(book, Candle(minute, 95.0, 96.0, 94.0, 95.0, 1.0, 95.0))
    qtbot.waitUntil(lambda: alert.state is AlertState.EXPIRED, timeout=2000)
    assert keeper.expiry_wait_ms() is None


def test_a_firing_is_written_and_synced_soon_not_a_second_later(qtbot, make_window, settings_path):
    window = make_window(NOWHERE)
    keeper, book = window.alerts, window.monitor.alerts
    alert = book.add(AlertSpec.of(PAIR, Condition.ABOVE, 100.0), last_price=90.0)
    minute = int(time.time() // 60) * 60
    live(book, Candle(minute, 95.0, 96.0, 94.0, 95.0, 1.0, 95.0))
    keeper.save()
    saved = Path(settings_path)
    qtbot.waitUntil(saved.is_file, timeout=2000)
    assert "triggered" not in saved.read_text()
    fired = []
    book.fired.connect(fired.append)

    book.candles(PAIR, [Candle(minute + 60, 95.0, 101.0, 94.0, 99.0, 1.0, 99.0)])

    assert [f.alert_id for f in fired] == [alert.id]
    assert alert.state is AlertState.TRIGGERED
    # On the disk, well before the delayed save would have written it.
    qtbot.waitUntil(lambda: "triggered" in saved.read_text(), timeout=SAVE_DELAY_MS - 200)
    assert not keeper._save_timer.isActive()  # and not written again a second later


def count_writes(keeper: AlertsKeeper, monkeypatch) -> tuple[list[dict], list[int]]:
    """What the keeper writes from now on: the books saved, and the settings file's syncs."""
    writes: list[dict] = []
    syncs: list[int] = []
    store, settings = keeper._store, keeper._settings_store
    real_save, real_sync = store.save, settings.sync

    def save(book) -> None:
        writes.append(book.to_dict())
        real_save(book)

    def sync() -> None:
        syncs.append(len(writes))
        real_sync()

    monkeypatch.setattr(store, "save", save)
    monkeypatch.setattr(settings, "sync", sync)
    return writes, syncs


def test_a_burst_of_firings_over_many_turns_is_written_once_not_each_turn(
    qtbot, make_window, monkeypatch
):
    window = make_window(NOWHERE)
    keeper, book = window.alerts, window.monitor.alerts
    pairs = [f"P{n:02d}-USDT" for n in range(40)]
    minute = int(time.time() // 60) * 60
    for pair in pairs:
        book.add(AlertSpec.of(pair, Condition.ABOVE, 100.0), last_price=90.0)
        series = CandleSeries(pair, "1min")
        series.merge([Candle(minute, 95.0, 96.0, 94.0, 95.0, 1.0, 95.0)])
        book.filled(pair, series)
    keeper.save()
    qtbot.waitUntil(lambda: active_timers(keeper) == [], timeout=2000)
    writes, syncs = count_writes(keeper, monkeypatch)

    started = time.monotonic()
    for pair in pairs:  # a market-wide move: one push per pair, each in a turn of its own
        book.candles(pair, [Candle(minute + 60, 95.0, 101.0, 94.0, 99.0, 1.0, 99.0)])
        QApplication.processEvents()  # the rest of the turn (its zero timers, posted events)
    span_ms = (time.monotonic() - started) * 1000

    assert all(alert.state is AlertState.TRIGGERED for alert in book.alerts())
    qtbot.waitUntil(lambda: active_timers(keeper) == [] and len(writes) > 0, timeout=2000)
    # One write per SAVE_SOON_MS of the burst at most (one, unless this machine is slow)...
    assert len(writes) <= 1 + span_ms // SAVE_SOON_MS
    assert syncs == list(range(1, len(writes) + 1))  # ...each synced: a crash loses nothing
    assert {a["state"] for a in writes[-1]["alerts"]} == {"triggered"}  # every firing in it


def test_demo_alerts_and_their_firings_write_nothing(qtbot, make_window, monkeypatch):
    window = make_window(NOWHERE)
    keeper, monitor, book = window.alerts, window.monitor, window.monitor.alerts
    book.add(AlertSpec.of("ETH-USDT", Condition.BELOW, 2000.0), last_price=2500.0)
    keeper.save()
    qtbot.waitUntil(lambda: active_timers(keeper) == [], timeout=2000)
    real = book.to_dict()
    writes, syncs = count_writes(keeper, monkeypatch)

    monitor.set_source(True)  # demo mode: a separate book, never saved
    alert = book.add(AlertSpec.of(PAIR, Condition.ABOVE, 100.0), last_price=90.0)
    minute = int(time.time() // 60) * 60
    live(book, Candle(minute, 95.0, 96.0, 94.0, 95.0, 1.0, 95.0))
    book.candles(PAIR, [Candle(minute + 60, 95.0, 101.0, 94.0, 99.0, 1.0, 99.0)])
    assert alert.state is AlertState.TRIGGERED
    qtbot.waitUntil(lambda: keeper.toasts.count() == 1, timeout=2000)  # the user is told

    qtbot.waitUntil(lambda: active_timers(keeper) == [], timeout=2000)  # nothing left to write
    assert (writes, syncs) == ([], [])
    assert book.to_dict() == real  # the real book, unchanged, is what a close would write
