"""Saved drawings: a book through a settings file and back, damaged values kept aside."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import QSettings

from kucandle_gui.model.drawings import DrawingBook, HorizontalLine, TrendLine
from kucandle_gui.ui.drawings_store import BOOK_KEY, MAX_BACKUPS, MAX_BOOK_CHARS, DrawingStore

T0 = 1_700_000_040  # 2023-11-14 22:14:00 UTC
BACKUP_AT_T0 = "drawings/book-backup-20231114T221400"
KEPT_AT_T0 = f"the saved text is kept in the settings as {BACKUP_AT_T0}"


@pytest.fixture
def ini(tmp_path) -> str:
    return str(tmp_path / "settings.ini")


def settings(path: str) -> QSettings:
    return QSettings(path, QSettings.Format.IniFormat)


def reopened(store: QSettings) -> QSettings:
    """The file as the next start reads it."""
    store.sync()
    return settings(store.fileName())


def backups(store: QSettings) -> dict[str, object]:
    store.beginGroup("drawings")
    names = [name for name in store.childKeys() if name.startswith("book-backup")]
    store.endGroup()
    return {f"drawings/{name}": store.value(f"drawings/{name}") for name in names}


def shapes(book: DrawingBook, pair: str) -> list[tuple]:
    """The drawings without their ids (a load gives new ones)."""
    out = []
    for d in book.drawings(pair):
        if isinstance(d, HorizontalLine):
            out.append(("hline", d.price))
        else:
            out.append(("trend", d.t1, d.p1, d.t2, d.p2, d.extend_right))
    return out


def test_nothing_saved_is_no_problem(ini: str) -> None:
    store = settings(ini)
    book = DrawingBook()
    assert DrawingStore(store).load_into(book) == []
    assert len(book) == 0 and backups(store) == {}


def test_drawings_come_back_per_pair(ini: str) -> None:
    book = DrawingBook()
    book.add("BTC-USDT", HorizontalLine(70_123.45))
    book.add("BTC-USDT", TrendLine(T0, 69_000.0, T0 + 3600, 71_000.5, True))
    book.add("ETH-USDT", HorizontalLine(3_000.0))
    store = settings(ini)
    DrawingStore(store).save(book)

    again = DrawingBook()
    assert DrawingStore(reopened(store)).load_into(again) == []
    assert again.symbols() == ("BTC-USDT", "ETH-USDT")
    assert shapes(again, "BTC-USDT") == shapes(book, "BTC-USDT")
    assert shapes(again, "ETH-USDT") == [("hline", 3000.0)]
    assert backups(reopened(store)) == {}


def test_unreadable_text_is_kept_aside_and_loads_nothing(ini: str) -> None:
    store = settings(ini)
    raw = '{"version": 1, "pairs": {"BTC-USDT": [{"kind": "hline", "pri'
    store.setValue(BOOK_KEY, raw)
    book = DrawingBook()
    problems = DrawingStore(store, clock=lambda: T0).load_into(book)
    assert problems[0].startswith("the saved drawings could not be read: ")
    assert problems[-1] == KEPT_AT_T0
    assert len(book) == 0
    # The next save writes the (empty) book; the damaged text stays in the backup.
    DrawingStore(store).save(book)
    again = reopened(store)
    assert backups(again) == {BACKUP_AT_T0: raw}
    assert json.loads(again.value(BOOK_KEY)) == {"version": 1, "pairs": {}}


def test_one_bad_drawing_costs_only_itself(ini: str) -> None:
    store = settings(ini)
    raw = json.dumps(
        {
            "version": 1,
            "pairs": {
                "BTC-USDT": [
                    {"kind": "hline", "price": 100.0},
                    {"kind": "hline", "price": -1},
                ]
            },
        }
    )
    store.setValue(BOOK_KEY, raw)
    book = DrawingBook()
    assert DrawingStore(store, clock=lambda: T0).load_into(book) == [
        "BTC-USDT drawing #2: price -1 is not a positive price: skipped",
        KEPT_AT_T0,
    ]
    assert shapes(book, "BTC-USDT") == [("hline", 100.0)]
    assert backups(reopened(store)) == {BACKUP_AT_T0: raw}


def test_a_value_that_is_not_text_or_too_long_is_not_read(ini: str) -> None:
    store = settings(ini)
    store.setValue(BOOK_KEY, ["not", "json"])
    assert DrawingStore(store, clock=lambda: T0).load_into(DrawingBook()) == [
        "the saved drawings could not be read: a list is not JSON text",
        KEPT_AT_T0,
    ]
    store = settings(ini + "2")
    store.setValue(BOOK_KEY, " " * (MAX_BOOK_CHARS + 1))
    problems = DrawingStore(store, clock=lambda: T0).load_into(DrawingBook())
    assert problems[0] == (
        f"the saved drawings could not be read: {MAX_BOOK_CHARS + 1:,} characters, "
        f"more than the {MAX_BOOK_CHARS:,} read"
    )


def test_each_start_with_a_problem_keeps_its_own_backup_the_newest_five(ini: str) -> None:
    store = settings(ini)
    damaged = [f"damaged {k}" for k in range(MAX_BACKUPS + 2)]
    for k, raw in enumerate(damaged):
        store.setValue(BOOK_KEY, raw)
        DrawingStore(store, clock=lambda k=k: T0 + 3600 * k).load_into(DrawingBook())
    kept = DrawingStore(store).backups()
    assert len(kept) == MAX_BACKUPS
    assert [backups(store)[key] for key in kept] == damaged[2:]
    # Two problems within one second keep both texts.
    store = settings(ini + "2")
    for raw in ("first", "second"):
        store.setValue(BOOK_KEY, raw)
        DrawingStore(store, clock=lambda: T0).load_into(DrawingBook())
    assert backups(reopened(store)) == {BACKUP_AT_T0: "first", f"{BACKUP_AT_T0}-2": "second"}
