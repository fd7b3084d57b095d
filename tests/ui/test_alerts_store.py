"""Saved alerts: a real book through a settings file and back, damaged values kept aside, the
notice switches."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QWidget

from kucandle_gui.feed import CandleSeries
from kucandle_gui.model import AlertBook, AlertSpec, AlertState, Arming
from kucandle_gui.protocol import Candle
from kucandle_gui.ui.alerts.notifier import AlertNotifier
from kucandle_gui.ui.alerts.sound import AlertSound
from kucandle_gui.ui.alerts.store import (
    BACKUP_KEY,
    BOOK_KEY,
    CHANNELS_KEY,
    MAX_BOOK_CHARS,
    AlertStore,
)
from kucandle_gui.ui.alerts.toast import ToastStack

T0 = 1_700_000_040  # a 1min candle start
NOW = T0 + 75.0


def candle(start: int, low: float, high: float, close: float) -> Candle:
    return Candle(start, low, high, low, close, 1.0, close)


@pytest.fixture
def ini(tmp_path) -> str:
    return str(tmp_path / "settings.ini")


def settings(path: str) -> QSettings:
    return QSettings(path, QSettings.Format.IniFormat)


def reopened(store: QSettings) -> QSettings:
    """The file as the next start reads it."""
    store.sync()
    return settings(store.fileName())


def book_with_a_triggered_alert() -> AlertBook:
    """BTC-USDT rises to 70,000 (fired by a live candle) and a repeating ETH-USDT one."""
    book = AlertBook(clock=lambda: NOW, session_start=T0)
    book.add(AlertSpec.of("BTC-USDT", "above", 70000, note="take profit"))
    book.add(AlertSpec.of("ETH-USDT", "below", "3000.5", repeat=True, cooldown=600))
    series = CandleSeries("BTC-USDT", "1min", max_candles=None)
    series.merge([candle(T0, 69000.0, 69500.0, 69400.0)])
    book.filled("BTC-USDT", series)  # armed at T0, below the price
    book.candles("BTC-USDT", [candle(T0 + 60, 69400.0, 70100.0, 69900.0)])
    assert [a.state for a in book.alerts()] == [AlertState.TRIGGERED, AlertState.ACTIVE]
    return book


def what_is_kept(book: AlertBook) -> list[tuple]:
    return [
        (a.id, a.spec, a.state, a.arming, a.since, a.fire_count, a.last_fired_candle)
        for a in book.alerts()
    ]


def test_nothing_saved_is_no_problem(ini):
    store = settings(ini)
    book = AlertBook()

    assert AlertStore(store).load_into(book) == []
    assert book.alerts() == []
    assert not store.contains(BACKUP_KEY)


def test_alerts_come_back_as_they_were_a_triggered_one_stays_triggered(ini):
    book = book_with_a_triggered_alert()
    store = settings(ini)
    AlertStore(store).save(book)

    again = AlertBook(clock=lambda: NOW + 3600)
    problems = AlertStore(reopened(store)).load_into(again)

    assert problems == []
    assert what_is_kept(again) == what_is_kept(book)
    assert again.alerts()[0].state is AlertState.TRIGGERED
    assert again.alerts()[0].last_fired_candle == T0 + 60
    assert again.alerts()[1].arming is Arming.PENDING  # no price of ETH-USDT yet
    assert again.log == book.log
    assert len(again.log) == 1
    assert not reopened(store).contains(BACKUP_KEY)


def test_unreadable_text_is_kept_aside_and_loads_nothing(ini):
    raw = '{"version": 1, "alerts": [{"id": 1, "symbol": "BTC-'
    store = settings(ini)
    store.setValue(BOOK_KEY, raw)
    book = AlertBook()

    problems = AlertStore(store).load_into(book)

    assert len(problems) == 1
    assert problems[0].startswith("the saved alerts could not be read: ")
    assert book.alerts() == []
    assert book.log == []
    again = reopened(store)
    assert again.value(BACKUP_KEY) == raw
    assert again.value(BOOK_KEY) == raw  # left for the next save to replace, not erased


def test_one_bad_alert_costs_only_itself_and_the_text_is_kept_aside(ini):
    data = book_with_a_triggered_alert().to_dict()
    data["alerts"][1]["price"] = "abc"
    raw = json.dumps(data)
    store = settings(ini)
    store.setValue(BOOK_KEY, raw)
    book = AlertBook()

    problems = AlertStore(store).load_into(book)

    assert len(problems) == 1
    assert "abc" in problems[0]
    assert [(a.symbol, a.state) for a in book.alerts()] == [("BTC-USDT", AlertState.TRIGGERED)]
    assert reopened(store).value(BACKUP_KEY) == raw


def test_a_value_that_is_not_text_is_refused(ini):
    store = settings(ini)
    store.setValue(BOOK_KEY, ["not", "json"])
    book = AlertBook()

    problems = AlertStore(store).load_into(book)

    assert problems == ["the saved alerts could not be read: a list is not JSON text"]
    assert book.alerts() == []
    assert reopened(store).value(BACKUP_KEY) == ["not", "json"]


def test_an_oversize_value_is_not_read(ini):
    good = json.dumps(book_with_a_triggered_alert().to_dict())
    raw = good + " " * (MAX_BOOK_CHARS + 1 - len(good))  # valid JSON, one character too long
    store = settings(ini)
    store.setValue(BOOK_KEY, raw)
    book = AlertBook()

    problems = AlertStore(store).load_into(book)

    assert len(problems) == 1
    assert "more than the 2,097,152 read" in problems[0]
    assert book.alerts() == []
    assert reopened(store).value(BACKUP_KEY) == raw


def test_a_value_just_inside_the_bound_is_read(ini):
    good = json.dumps(book_with_a_triggered_alert().to_dict())
    store = settings(ini)
    store.setValue(BOOK_KEY, good + " " * (MAX_BOOK_CHARS - len(good)))
    book = AlertBook()

    assert AlertStore(store).load_into(book) == []
    assert len(book.alerts()) == 2


# -- the notice switches ------------------------------------------------------------------------


@pytest.fixture
def make_notifier(qtbot):
    host = QWidget()
    qtbot.addWidget(host)

    def make() -> AlertNotifier:
        return AlertNotifier(host, ToastStack(host), AlertSound(), lambda symbol: None)

    return make


def test_the_notice_switches_are_saved(ini, make_notifier):
    store = settings(ini)
    notifier = make_notifier()
    notifier.actions["desktop"].setChecked(False)
    notifier.actions["sound"].setChecked(False)
    AlertStore(store).save_channels(notifier.actions)

    again = make_notifier()
    AlertStore(reopened(store)).load_channels(again.actions)

    assert {k: a.isChecked() for k, a in again.actions.items()} == {
        "toast": True,
        "desktop": False,
        "taskbar": True,
        "sound": False,
    }
    assert not again.mute_all.isChecked()


def test_all_switches_saved_off_come_back_muted(ini, make_notifier):
    store = settings(ini)
    notifier = make_notifier()
    notifier.mute_all.trigger()
    AlertStore(store).save_channels(notifier.actions)

    again = make_notifier()
    AlertStore(reopened(store)).load_channels(again.actions)

    assert not any(a.isChecked() for a in again.actions.values())
    assert again.mute_all.isChecked()


@pytest.mark.parametrize("saved", ["not json", '["toast"]', '{"sound": "off", "toast": false}'])
def test_damaged_switches_change_only_what_is_clear(ini, make_notifier, saved):
    store = settings(ini)
    store.setValue(CHANNELS_KEY, saved)
    notifier = make_notifier()

    AlertStore(store).load_channels(notifier.actions)

    expected_toast = saved != '{"sound": "off", "toast": false}'
    assert notifier.actions["toast"].isChecked() is expected_toast
    assert notifier.actions["sound"].isChecked()
