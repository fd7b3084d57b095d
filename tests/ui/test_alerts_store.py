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
    BOOK_KEY,
    CHANNELS_KEY,
    MAX_BACKUPS,
    MAX_BOOK_CHARS,
    AlertStore,
)
from kucandle_gui.ui.alerts.toast import ToastStack

T0 = 1_700_000_040  # a 1min candle start: 2023-11-14 22:14:00 UTC
NOW = T0 + 75.0
#: Where a problem at T0 keeps the saved text.
BACKUP_AT_T0 = "alerts/book-backup-20231114T221400"
KEPT_AT_T0 = f"the saved text is kept in the settings as {BACKUP_AT_T0}"


def candle(start: int, low: float, high: float, close: float) -> Candle:
    return Candle(start, low, high, low, close, 1.0, close)


@pytest.fixture
def ini(tmp_path) -> str:
    return str(tmp_path / "settings.ini")


def settings(path: str) -> QSettings:
    return QSettings(path, QSettings.Format.IniFormat)


def alert_store(store: QSettings, at: float = T0) -> AlertStore:
    return AlertStore(store, clock=lambda: at)


def backups(store: QSettings) -> dict[str, object]:
    """The backups in the settings file, by key."""
    store.beginGroup("alerts")
    names = [name for name in store.childKeys() if name.startswith("book-backup")]
    store.endGroup()
    return {f"alerts/{name}": store.value(f"alerts/{name}") for name in names}


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

    assert alert_store(store).load_into(book) == []
    assert book.alerts() == []
    assert backups(store) == {}


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
    assert backups(reopened(store)) == {}


def test_unreadable_text_is_kept_aside_and_loads_nothing(ini):
    raw = '{"version": 1, "alerts": [{"id": 1, "symbol": "BTC-'
    store = settings(ini)
    store.setValue(BOOK_KEY, raw)
    book = AlertBook()

    problems = alert_store(store).load_into(book)

    assert len(problems) == 2
    assert problems[0].startswith("the saved alerts could not be read: ")
    assert problems[1] == KEPT_AT_T0
    assert book.alerts() == []
    assert book.log == []
    again = reopened(store)
    assert backups(again) == {BACKUP_AT_T0: raw}
    assert again.value(BOOK_KEY) == raw  # left for the next save to replace, not erased


def test_one_bad_alert_costs_only_itself_and_the_text_is_kept_aside(ini):
    data = book_with_a_triggered_alert().to_dict()
    data["alerts"][1]["price"] = "abc"
    raw = json.dumps(data)
    store = settings(ini)
    store.setValue(BOOK_KEY, raw)
    book = AlertBook()

    problems = alert_store(store).load_into(book)

    assert len(problems) == 2
    assert "abc" in problems[0]
    assert problems[1] == KEPT_AT_T0
    assert [(a.symbol, a.state) for a in book.alerts()] == [("BTC-USDT", AlertState.TRIGGERED)]
    assert backups(reopened(store)) == {BACKUP_AT_T0: raw}


def test_a_value_that_is_not_text_is_refused(ini):
    store = settings(ini)
    store.setValue(BOOK_KEY, ["not", "json"])
    book = AlertBook()

    problems = alert_store(store).load_into(book)

    assert problems == ["the saved alerts could not be read: a list is not JSON text", KEPT_AT_T0]
    assert book.alerts() == []
    assert backups(reopened(store)) == {BACKUP_AT_T0: ["not", "json"]}


def test_an_oversize_value_is_not_read(ini):
    good = json.dumps(book_with_a_triggered_alert().to_dict())
    raw = good + " " * (MAX_BOOK_CHARS + 1 - len(good))  # valid JSON, one character too long
    store = settings(ini)
    store.setValue(BOOK_KEY, raw)
    book = AlertBook()

    problems = alert_store(store).load_into(book)

    assert len(problems) == 2
    assert "more than the 2,097,152 read" in problems[0]
    assert book.alerts() == []
    assert backups(reopened(store)) == {BACKUP_AT_T0: raw}


def test_a_value_just_inside_the_bound_is_read(ini):
    good = json.dumps(book_with_a_triggered_alert().to_dict())
    store = settings(ini)
    store.setValue(BOOK_KEY, good + " " * (MAX_BOOK_CHARS - len(good)))
    book = AlertBook()

    assert alert_store(store).load_into(book) == []
    assert len(book.alerts()) == 2


def test_each_start_with_a_problem_keeps_its_own_backup_the_newest_five(ini):
    store = settings(ini)
    damaged = [f'{{"version": 1, "alerts": [{n}' for n in range(MAX_BACKUPS + 2)]
    kept: list[str] = []
    for n, raw in enumerate(damaged):
        store.setValue(BOOK_KEY, raw)
        at = T0 + 3600 * n  # one start an hour
        problems = alert_store(store, at).load_into(AlertBook())
        key = problems[-1].removeprefix("the saved text is kept in the settings as ")
        kept.append(key)
        store = reopened(store)

    assert kept[:2] == [BACKUP_AT_T0, "alerts/book-backup-20231114T231400"]
    assert len(set(kept)) == len(damaged)
    # The newest five, each with the text of its start; the two oldest went.
    assert backups(store) == dict(zip(kept[2:], damaged[2:], strict=True))


def test_two_problems_within_a_second_keep_both_texts(ini):
    store = settings(ini)
    store.setValue(BOOK_KEY, "first")
    first = alert_store(store).load_into(AlertBook())[-1]
    store.setValue(BOOK_KEY, "second")
    second = alert_store(store).load_into(AlertBook())[-1]

    assert first == KEPT_AT_T0
    assert second == f"{KEPT_AT_T0}-2"
    assert backups(reopened(store)) == {BACKUP_AT_T0: "first", f"{BACKUP_AT_T0}-2": "second"}


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
