"""Saved settings: round trip, defaults, bad values, and command-line flags winning."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QByteArray, QSettings

from kucandle_gui.protocol import InvalidSymbolError, InvalidTimeframeError
from kucandle_gui.ui.settings import MAX_RECENT, AppSettings, start_series


@pytest.fixture
def ini(tmp_path):
    return str(tmp_path / "settings.ini")


def settings_at(path: str) -> AppSettings:
    return AppSettings(QSettings(path, QSettings.Format.IniFormat))


def test_defaults_on_an_empty_file(ini):
    settings = settings_at(ini)
    assert (settings.symbol, settings.timeframe, settings.theme) == ("BTC-USDT", "1min", "dark")
    assert settings.volume_visible is True
    assert settings.favourites == []
    assert settings.recent == []
    assert settings.geometry is None


def test_round_trip_through_the_file(ini):
    settings = settings_at(ini)
    settings.symbol = "ETH-BTC"
    settings.timeframe = "4hour"
    settings.theme = "light"
    settings.volume_visible = False
    settings.favourites = ["SOL-USDT"]
    settings.add_recent("ETH-USDT")
    settings.geometry = QByteArray(b"\x01\x02geometry")
    settings.sync()

    again = settings_at(ini)
    assert (again.symbol, again.timeframe, again.theme) == ("ETH-BTC", "4hour", "light")
    assert again.volume_visible is False
    # A one-item list comes back from an INI file as a plain string; still a list here.
    assert again.favourites == ["SOL-USDT"]
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
        "[view]\ntheme=purple\nvolume=maybe\n"
        "[pairs]\nfavourites=ETH-USDT, ???, eth-usdt\n"
    )
    settings = settings_at(str(path))
    assert (settings.symbol, settings.timeframe, settings.theme) == ("BTC-USDT", "1min", "dark")
    assert settings.volume_visible is True
    assert settings.favourites == ["ETH-USDT"]


def test_flags_win_over_saved_settings(ini):
    settings = settings_at(ini)
    settings.symbol = "ETH-BTC"
    settings.timeframe = "1day"
    assert start_series(settings, None, None) == ("ETH-BTC", "1day")
    assert start_series(settings, "sol-usdt", None) == ("SOL-USDT", "1day")
    assert start_series(settings, None, "5min") == ("ETH-BTC", "5min")


def test_bad_flags_raise_with_what_is_valid(ini):
    settings = settings_at(ini)
    with pytest.raises(InvalidSymbolError):
        start_series(settings, "BTCUSDT", None)
    with pytest.raises(InvalidTimeframeError, match="1min"):
        start_series(settings, None, "2min")
