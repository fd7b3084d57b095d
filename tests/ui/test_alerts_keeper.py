"""The window's alerts keeper against the local exchange: what it tells the user at the start
about saved alerts it could not read, and about a span the alerts could not be checked over."""

from __future__ import annotations

import logging
from datetime import datetime

from PySide6.QtCore import QSettings

from kucandle_gui.ui.alerts.store import BACKUP_PREFIX, BOOK_KEY

ERROR_COLOUR = "#e01b24"


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
    assert key.startswith(BACKUP_PREFIX)
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
