"""The saved layout: a workspace through a settings file and back, the one chart of an earlier
version migrated, damaged values kept aside with a usable chart opening, splitter sizes bounded."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import QSettings

from kucandle_gui.model import SeriesKey, Study, parse_indicator_spec
from kucandle_gui.model.indicators import studies_to_data
from kucandle_gui.model.layout import CellSpec, LayoutKind, WorkspaceSpec
from kucandle_gui.model.price_scale import ScaleMode
from kucandle_gui.ui.indicators import STUDIES_KEY
from kucandle_gui.ui.layout_store import (
    MAX_SIZE,
    MAX_WORKSPACE_CHARS,
    SIZES_KEY,
    WORKSPACE_KEY,
    LayoutStore,
)
from kucandle_gui.ui.settings import AppSettings

T0 = 1_700_000_040  # 2023-11-14 22:14:00 UTC
STAMP = "20231114T221400"
EMA = Study(parse_indicator_spec("ema:20"), "#ff9800", True)
MACD = Study(parse_indicator_spec("macd:12:26:9"), "#2196f3", False)
LEGACY = {"series/symbol": "ETH-BTC", "series/timeframe": "4hour", "chart/scale": "log"}


@pytest.fixture
def ini(tmp_path) -> str:
    return str(tmp_path / "settings.ini")


def settings_at(path: str, values: dict[str, object] | None = None) -> AppSettings:
    """The settings file as the next start reads it, ``values`` written first."""
    store = QSettings(path, QSettings.Format.IniFormat)
    for key, value in (values or {}).items():
        store.setValue(key, value)
    store.sync()
    return AppSettings(QSettings(path, QSettings.Format.IniFormat))


def layout_store(settings: AppSettings) -> LayoutStore:
    return LayoutStore(settings, clock=lambda: T0)


def kept(key: str) -> str:
    return f"the saved text is kept in the settings as {key}-backup-{STAMP}"


def test_a_first_start_opens_one_default_chart_saying_nothing(ini: str) -> None:
    settings = settings_at(ini)
    assert layout_store(settings).load() == (WorkspaceSpec.single("BTC-USDT", "1min"), [])
    assert not settings.store.contains(WORKSPACE_KEY)


def test_every_cell_spare_ones_too_and_the_active_one_come_back(ini: str) -> None:
    spec = WorkspaceSpec(
        LayoutKind.SIDE_BY_SIDE,
        (
            CellSpec(SeriesKey("ETH-BTC", "1hour"), (EMA, MACD), ScaleMode.PERCENT),
            CellSpec(SeriesKey("ETH-BTC", "1day"), (), ScaleMode.LOG),
            CellSpec(SeriesKey("SOL-USDT", "5min"), (MACD,)),
        ),
        active=1,
    )
    settings = settings_at(ini)
    layout_store(settings).save(spec)
    settings.sync()
    again = layout_store(settings_at(ini))
    assert again.load() == (spec, [])
    assert again.backups() == []


def test_the_one_chart_of_an_earlier_version_is_migrated(ini: str) -> None:
    studies = json.dumps(studies_to_data([EMA, MACD]))
    settings = settings_at(ini, {**LEGACY, STUDIES_KEY: studies})
    spec, problems = layout_store(settings).load()
    assert problems == []
    assert spec == WorkspaceSpec(
        LayoutKind.SINGLE, (CellSpec(SeriesKey("ETH-BTC", "4hour"), (EMA, MACD), ScaleMode.LOG),)
    )
    # What the earlier version saved stays as it was: nothing the user saved is lost.
    assert settings.store.value(STUDIES_KEY) == studies
    assert settings.store.value("chart/scale") == "log"


def test_damaged_earlier_indicators_migrate_what_can_be_read_and_are_kept_aside(ini: str) -> None:
    raw = json.dumps([*studies_to_data([EMA]), {"spec": "sma:1"}])
    settings = settings_at(ini, {**LEGACY, STUDIES_KEY: raw})
    spec, problems = layout_store(settings).load()
    assert spec.cells == (CellSpec(SeriesKey("ETH-BTC", "4hour"), (EMA,), ScaleMode.LOG),)
    assert problems[0].startswith("indicator 2 skipped: ")
    assert problems[-1] == kept(STUDIES_KEY)
    assert settings.store.value(f"{STUDIES_KEY}-backup-{STAMP}") == raw


def test_a_saved_layout_wins_over_what_an_earlier_version_saved(ini: str) -> None:
    spec = WorkspaceSpec.single("SOL-USDT", "15min", (MACD,))
    settings = settings_at(ini, {**LEGACY, STUDIES_KEY: "{damaged"})
    layout_store(settings).save(spec)
    assert layout_store(settings).load() == (spec, [])


@pytest.mark.parametrize(
    ("raw", "said"),
    [
        ('{"layout": "2x2", "cells": [{"sym', "the saved layout could not be read: "),
        ("[[[[" * 50_000, "the saved layout could not be read: "),
        (" " * (MAX_WORKSPACE_CHARS + 1), f"{MAX_WORKSPACE_CHARS + 1:,} characters, more than"),
        ('["BTC-USDT", "1min"]', "expected an object, got list"),
        ('{"layout": "2x2", "cells": []}', "no chart could be read"),
        ('{"cells": [{"symbol": "BTCUSDT", "timeframe": "1min"}]}', "chart 1 skipped: "),
    ],
)
def test_an_unreadable_layout_is_kept_aside_and_the_last_active_series_opens(
    ini: str, raw: str, said: str
) -> None:
    settings = settings_at(ini, {**LEGACY, WORKSPACE_KEY: raw})
    spec, problems = layout_store(settings).load()
    assert spec == WorkspaceSpec.single("ETH-BTC", "4hour")
    assert said in problems[0]
    assert problems[-2:] == ["one chart of ETH-BTC 4hour opens instead", kept(WORKSPACE_KEY)]
    assert settings.store.value(f"{WORKSPACE_KEY}-backup-{STAMP}") == raw
    assert settings.store.value(WORKSPACE_KEY) == raw  # untouched until the next save


def test_a_layout_that_is_not_text_is_kept_aside(ini: str) -> None:
    settings = settings_at(ini)
    settings.store.setValue(WORKSPACE_KEY, ["not", "json"])
    spec, problems = layout_store(settings).load()
    assert spec == WorkspaceSpec.single("BTC-USDT", "1min")
    assert problems == [
        "the saved layout could not be read: a list is not JSON text",
        "one chart of BTC-USDT 1min opens instead",
        kept(WORKSPACE_KEY),
    ]


def test_a_bad_cell_costs_only_itself(ini: str) -> None:
    good = CellSpec(SeriesKey("ETH-BTC", "1hour"), (EMA,))
    raw = json.dumps(
        {
            "layout": "1x2",
            "active": 1,
            "cells": [good.to_data(), {"symbol": "SOL-USDT", "timeframe": "2min"}],
        }
    )
    settings = settings_at(ini, {WORKSPACE_KEY: raw})
    spec, problems = layout_store(settings).load()
    assert spec == WorkspaceSpec(LayoutKind.SINGLE, (good,))
    assert problems[0].startswith("chart 2 skipped: unknown timeframe '2min'")
    assert problems[-1] == kept(WORKSPACE_KEY)
    assert "opens instead" not in " ".join(problems)
    assert layout_store(settings).backups() == [f"{WORKSPACE_KEY}-backup-{STAMP}"]


# -- splitter sizes ------------------------------------------------------------------------


def test_splitter_sizes_come_back_for_their_layout(ini: str) -> None:
    settings = settings_at(ini)
    assert layout_store(settings).sizes(LayoutKind.GRID) is None
    sizes = [[640, 1], [300, MAX_SIZE], [1, 2, 3, 4]]
    layout_store(settings).save_sizes(LayoutKind.GRID, sizes)
    layout_store(settings).save_sizes(LayoutKind.SIDE_BY_SIDE, [[900, 300]])
    settings.sync()
    again = layout_store(settings_at(ini))
    assert again.sizes(LayoutKind.GRID) == sizes
    assert again.sizes(LayoutKind.SIDE_BY_SIDE) == [[900, 300]]
    # Widths of two charts side by side are no heights of two stacked ones.
    assert again.sizes(LayoutKind.STACKED) is None
    layout_store(settings).save_sizes(LayoutKind.SINGLE, [])  # one cell: no splitter
    assert layout_store(settings).sizes(LayoutKind.SINGLE) == []


@pytest.mark.parametrize(
    "bad",
    [
        [[0, 100]],
        [[100, MAX_SIZE + 1]],
        [[100, True]],
        [[100, 1.5]],
        [[1, 2, 3, 4, 5]],
        [[1]] * 5,
        [100, 200],
    ],
)
def test_sizes_out_of_bounds_are_not_saved(ini: str, bad: list) -> None:
    settings = settings_at(ini)
    store = layout_store(settings)
    store.save_sizes(LayoutKind.SIDE_BY_SIDE, [[500, 500]])
    store.save_sizes(LayoutKind.SIDE_BY_SIDE, bad)
    assert store.sizes(LayoutKind.SIDE_BY_SIDE) == [[500, 500]]  # what was saved stays


@pytest.mark.parametrize(
    "raw",
    [
        "[[500, 0]]",
        "[[500, 500]",
        "[[[[" * 50_000,
        '{"sizes": [[500, 500]]}',
        "[[500, 500]]" + " " * 2000,
        json.dumps([[1]] * 5),
    ],
)
def test_damaged_sizes_are_ignored(ini: str, raw: str, caplog) -> None:
    settings = settings_at(ini, {f"{SIZES_KEY}/2x2": raw})
    assert layout_store(settings).sizes(LayoutKind.GRID) is None
    assert f"{SIZES_KEY}/2x2 is unreadable" in caplog.text


def test_a_load_says_whether_it_migrated_an_earlier_versions_chart(ini: str) -> None:
    # The window names the problems of a migration "indicators" (the earlier version's saved
    # studies), those of a saved layout "layout".
    settings = settings_at(ini, {**LEGACY, STUDIES_KEY: "{damaged"})
    store = layout_store(settings)
    assert not store.migrated  # nothing loaded yet
    _, problems = store.load()
    assert store.migrated and problems[-1] == kept(STUDIES_KEY)
    store.save(WorkspaceSpec.single("SOL-USDT", "15min"))
    again = layout_store(settings)
    again.load()
    assert not again.migrated
    settings.store.setValue(WORKSPACE_KEY, "{damaged")
    again.load()  # a saved layout, unreadable: still no migration
    assert not again.migrated
