"""Saved settings: round trip, defaults, bad values, what an earlier version saved."""

from __future__ import annotations

import logging

import pytest
from PySide6.QtCore import QByteArray, QSettings

from kucandle_gui.model import MAX_WATCHLIST
from kucandle_gui.model.price_scale import ScaleMode
from kucandle_gui.ui.settings import (
    DEFAULT_WATCHLIST,
    MAX_FAVOURITES,
    MAX_LAYOUT_BYTES,
    MAX_LIST_ENTRIES,
    MAX_RECENT,
    AppSettings,
)


@pytest.fixture
def ini(tmp_path):
    return str(tmp_path / "settings.ini")


def settings_at(path: str) -> AppSettings:
    return AppSettings(QSettings(path, QSettings.Format.IniFormat))


def test_defaults_on_an_empty_file(ini):
    settings = settings_at(ini)
    assert (settings.symbol, settings.timeframe, settings.theme) == ("BTC-USDT", "1min", "dark")
    assert settings.volume_visible is True
    assert settings.link_crosshair is False
    assert settings.scale is ScaleMode.LINEAR
    assert settings.favourites == []
    assert settings.watchlist == list(DEFAULT_WATCHLIST)
    assert settings.recent == []
    assert settings.geometry is None
    assert settings.watchlist_header is None


def test_round_trip_through_the_file(ini):
    settings = settings_at(ini)
    settings.symbol = "ETH-BTC"
    settings.timeframe = "4hour"
    settings.theme = "light"
    settings.volume_visible = False
    settings.link_crosshair = True
    settings.watchlist = ["SOL-USDT"]
    settings.add_recent("ETH-USDT")
    settings.geometry = QByteArray(b"\x01\x02geometry")
    settings.sync()

    again = settings_at(ini)
    assert (again.symbol, again.timeframe, again.theme) == ("ETH-BTC", "4hour", "light")
    assert again.volume_visible is False
    assert again.link_crosshair is True
    # A one-item list comes back from an INI file as a plain string; still a list here.
    assert again.watchlist == ["SOL-USDT"]
    assert again.recent == ["ETH-USDT"]
    assert bytes(again.geometry.data()) == b"\x01\x02geometry"


def test_recent_is_newest_first_unique_and_bounded(ini):
    settings = settings_at(ini)
    for n in range(MAX_RECENT + 3):
        settings.add_recent(f"C{n}-USDT")
    settings.add_recent("C5-USDT")
    recent = settings.recent
    assert recent[0] == "C5-USDT"
    assert len(recent) == MAX_RECENT
    assert recent.count("C5-USDT") == 1
    assert "C0-USDT" not in recent


def test_hand_edited_garbage_falls_back_to_defaults(tmp_path):
    path = tmp_path / "bad.ini"
    path.write_text(
        "[series]\nsymbol=not a pair\ntimeframe=2min\n"
        "[view]\ntheme=purple\nvolume=maybe\nlink_crosshair=1\n"
        "[pairs]\nfavourites=ETH-USDT, ???, eth-usdt\n"
        "[chart]\nscale=logarithmic\n"
    )
    settings = settings_at(str(path))
    assert (settings.symbol, settings.timeframe, settings.theme) == ("BTC-USDT", "1min", "dark")
    assert settings.volume_visible is True
    assert settings.link_crosshair is False
    assert settings.scale is ScaleMode.LINEAR
    assert settings.favourites == ["ETH-USDT"]


def test_the_scale_an_earlier_version_saved_is_read(tmp_path):
    path = tmp_path / "earlier.ini"
    path.write_text("[chart]\nscale=log\n[view]\nlink_crosshair=true\n")
    settings = settings_at(str(path))
    assert settings.scale is ScaleMode.LOG
    assert settings.link_crosshair is True


def test_pair_lists_read_back_bounded_valid_and_distinct(tmp_path):
    path = tmp_path / "many.ini"
    many = [f"C{n}-USDT" for n in range(5000)]
    store = QSettings(str(path), QSettings.Format.IniFormat)
    store.setValue("pairs/favourites", ["junk!", "c1-usdt", *many])
    store.setValue("pairs/recent", many)
    store.sync()
    settings = settings_at(str(path))
    assert settings.favourites == ["C1-USDT", "C0-USDT", *many[2:MAX_FAVOURITES]]
    assert settings.recent == many[:MAX_RECENT]
    # Written back as read: the next start reads a short list.
    again = QSettings(str(path), QSettings.Format.IniFormat)
    assert len(again.value("pairs/favourites")) == MAX_FAVOURITES
    assert len(again.value("pairs/recent")) == MAX_RECENT


def test_only_the_first_entries_of_a_saved_list_are_looked_at(ini):
    store = QSettings(ini, QSettings.Format.IniFormat)
    store.setValue("pairs/favourites", ["?"] * MAX_LIST_ENTRIES + ["ETH-USDT"])
    assert settings_at(ini).favourites == []


def test_the_watchlist_is_saved_bounded_and_checked(ini):
    settings = settings_at(ini)
    settings.watchlist = ["eth-usdt", "ETH-USDT", "bad pair", *(f"C{n}-BTC" for n in range(400))]
    assert settings.watchlist[:2] == ["ETH-USDT", "C0-BTC"]
    assert len(settings.watchlist) == MAX_WATCHLIST


def test_the_first_watchlist_is_the_saved_favourites_which_stay_saved(ini):
    store = QSettings(ini, QSettings.Format.IniFormat)
    store.setValue("pairs/favourites", ["SOL-USDT", "ETH-BTC"])
    store.sync()
    settings = settings_at(ini)
    assert settings.watchlist == ["SOL-USDT", "ETH-BTC"]
    settings.watchlist = ["ETH-BTC"]  # the user changes the watchlist
    settings.sync()
    again = settings_at(ini)
    assert again.watchlist == ["ETH-BTC"]
    assert again.favourites == ["SOL-USDT", "ETH-BTC"]  # nothing the user saved is lost


def test_an_emptied_watchlist_stays_empty(ini):
    settings = settings_at(ini)
    settings.watchlist = []
    settings.sync()
    assert settings_at(ini).watchlist == []


def test_malformed_watchlist_entries_are_dropped_with_the_reason_logged(tmp_path, caplog):
    path = tmp_path / "hand.ini"
    path.write_text("[General]\nwatchlist=ETH-USDT, ???, eth-usdt, SOL-USDT\n")
    with caplog.at_level(logging.WARNING, logger="kucandle_gui.ui.settings"):
        settings = settings_at(str(path))
    assert settings.watchlist == ["ETH-USDT", "SOL-USDT"]
    assert "2 entries of the saved watchlist dropped" in caplog.text
    assert "'???' (not a pair)" in caplog.text and "'eth-usdt' (repeated)" in caplog.text
    # Written back as read: the next start has nothing to say.
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="kucandle_gui.ui.settings"):
        assert settings_at(str(path)).watchlist == ["ETH-USDT", "SOL-USDT"]
    assert caplog.text == ""


def test_a_long_saved_watchlist_is_cut_to_the_limit(ini, caplog):
    store = QSettings(ini, QSettings.Format.IniFormat)
    store.setValue("watchlist", [f"C{n}-USDT" for n in range(MAX_WATCHLIST + 20)])
    store.sync()
    with caplog.at_level(logging.WARNING, logger="kucandle_gui.ui.settings"):
        settings = settings_at(ini)
    assert settings.watchlist == [f"C{n}-USDT" for n in range(MAX_WATCHLIST)]
    assert f"'C{MAX_WATCHLIST}-USDT' (past the {MAX_WATCHLIST} kept)" in caplog.text


def test_an_unreadable_watchlist_gives_the_first_list_and_says_so(tmp_path, caplog):
    path = tmp_path / "damaged.ini"
    path.write_text("[General]\nwatchlist=@Point(1 2)\n[pairs]\nfavourites=ETH-BTC\n")
    with caplog.at_level(logging.WARNING, logger="kucandle_gui.ui.settings"):
        settings = settings_at(str(path))
    assert settings.watchlist == ["ETH-BTC"]
    assert "the saved watchlist is unreadable" in caplog.text
    path.write_text("[General]\nwatchlist=@Point(1 2)\n")
    assert settings_at(str(path)).watchlist == list(DEFAULT_WATCHLIST)


def test_values_of_the_wrong_type_or_damaged_give_defaults(tmp_path):
    path = tmp_path / "damaged.ini"
    huge = "A" * (MAX_LAYOUT_BYTES + 1)
    path.write_text(
        "[series]\nsymbol=@Variant(\\0\\0\\0\\x7f\\0\\0\\0\\x5Bogus)\ntimeframe=@Point(1 2)\n"
        "[view]\ntheme=@Size(3 4)\nvolume=@Rect(1 2 3 4)\nlink_crosshair=@Point(1 2)\n"
        "[pairs]\nfavourites=@DateTime(garbage)\nrecent=@Point(1 2)\n"
        f"[window]\ngeometry=@ByteArray({huge})\nstate=1, 2, 3\n"
    )
    settings = settings_at(str(path))
    assert (settings.symbol, settings.timeframe, settings.theme) == ("BTC-USDT", "1min", "dark")
    assert (settings.volume_visible, settings.link_crosshair) == (True, False)
    assert (settings.favourites, settings.recent) == ([], [])
    assert (settings.geometry, settings.window_state) == (None, None)


def test_a_refused_series_is_not_the_one_opened_next_time(ini):
    settings = settings_at(ini)
    settings.remember_series("ETH-BTC", "5min")
    settings.remember_series("NOPE-USDT", "1hour")
    settings.series_refused("NOPE-USDT", "1hour")
    assert (settings.symbol, settings.timeframe) == ("ETH-BTC", "5min")
    assert settings.recent == ["ETH-BTC"]
    settings.sync()
    again = settings_at(ini)
    assert (again.symbol, again.timeframe) == ("ETH-BTC", "5min")


def test_a_refusal_after_switching_on_changes_nothing_saved(ini):
    settings = settings_at(ini)
    settings.remember_series("ETH-BTC", "5min")
    settings.remember_series("NOPE-USDT", "5min")
    settings.remember_series("SOL-USDT", "5min")
    settings.series_refused("NOPE-USDT", "5min")
    assert (settings.symbol, settings.timeframe) == ("SOL-USDT", "5min")
    assert settings.recent == ["SOL-USDT", "ETH-BTC"]
    # Nor is the refused pair the fallback should the one shown now be refused too.
    settings.series_refused("SOL-USDT", "5min")
    assert (settings.symbol, settings.timeframe) == ("BTC-USDT", "5min")


def test_a_refused_series_saved_by_an_earlier_run_gives_way_to_the_default(ini):
    earlier = settings_at(ini)
    earlier.remember_series("NOPE-USDT", "15min")
    earlier.sync()
    settings = settings_at(ini)  # this run opened what was saved, and it was refused
    settings.remember_series("NOPE-USDT", "15min")
    settings.series_refused("NOPE-USDT", "15min")
    assert (settings.symbol, settings.timeframe) == ("BTC-USDT", "15min")
    assert settings.recent == []
