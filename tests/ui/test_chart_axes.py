"""The chart's axes: ticks in local time (including odd offsets and DST), value ticks."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import datetime

import pytest

from kucandle_gui.ui.chart.axis_ticks import (
    DAY,
    HOUR,
    MINUTE,
    WEEK,
    choose_step,
    time_ticks,
    value_label,
    value_ticks,
)

#: 2024-03-31 00:00 UTC: Central Europe changes to summer time at 01:00 UTC that day.
DST_DAY = 1_711_843_200


@pytest.fixture
def local_tz(monkeypatch) -> Iterator[callable]:
    """Set the process's local time zone (POSIX TZ rules, no tz database needed)."""

    def set_zone(rule: str) -> None:
        monkeypatch.setenv("TZ", rule)
        time.tzset()

    yield set_zone
    monkeypatch.undo()
    time.tzset()


def test_hour_ticks_are_local_whole_hours_in_a_half_hour_zone(local_tz) -> None:
    local_tz("IST-5:30")  # UTC+5:30: UTC-aligned ticks would fall on local half hours
    x0 = 1_700_000_000
    (unit, step), ticks = time_ticks(x0, x0 + 12 * HOUR, width_px=1200)
    assert (unit, step) == ("s", HOUR)
    assert len(ticks) >= 11
    for t, label in ticks:
        assert (t + 5 * HOUR + 30 * MINUTE) % HOUR == 0
        lt = time.localtime(t)
        assert lt.tm_min == 0 and lt.tm_sec == 0
        if lt.tm_hour:
            assert label == time.strftime("%H:%M", lt)
        else:  # local midnight shows the date
            assert label == time.strftime("%d %b", lt).lstrip("0")
    assert [t for t, _ in ticks] == sorted({t for t, _ in ticks})


def test_ticks_follow_a_dst_change(local_tz) -> None:
    local_tz("CET-1CEST,M3.5.0,M10.5.0/3")
    (_, step), ticks = time_ticks(DST_DAY - 6 * HOUR, DST_DAY + 18 * HOUR, width_px=900)
    assert step == 2 * HOUR
    hours = [time.localtime(t).tm_hour for t, _ in ticks]
    assert all(h % 2 == 0 for h in hours)  # even local hours on both sides of the change
    assert {time.localtime(t).tm_isdst for t, _ in ticks} == {0, 1}
    assert all(time.localtime(t).tm_min == 0 for t, _ in ticks)


def test_midnight_ticks_show_the_date_and_longer_steps(local_tz) -> None:
    local_tz("EST+5")
    x0 = 1_700_000_000
    (_, step), ticks = time_ticks(x0, x0 + 3 * DAY, width_px=1200)
    assert step == 6 * HOUR
    midnights = [(t, label) for t, label in ticks if time.localtime(t).tm_hour == 0]
    assert midnights
    for t, label in midnights:
        assert label == datetime.fromtimestamp(t).strftime("%d %b").lstrip("0")
    (_, step), ticks = time_ticks(x0, x0 + 60 * DAY, width_px=600)
    assert step == WEEK
    assert all(time.localtime(t).tm_wday == 0 for t, _ in ticks)  # Mondays
    (unit, months), ticks = time_ticks(x0, x0 + 3 * 365 * DAY, width_px=600)
    assert (unit, months) == ("M", 6)
    assert all(time.localtime(t).tm_mday == 1 for t, _ in ticks)
    assert any(label.isdigit() for _, label in ticks)  # January shows the year
    (unit, _), ticks = time_ticks(x0, x0 + 40 * 365 * DAY, width_px=600)
    assert unit == "Y"
    assert all(label.isdigit() for _, label in ticks)


def test_step_choice_keeps_labels_apart() -> None:
    assert choose_step(1.0, 70) == ("s", 2 * MINUTE)  # 70 s needed -> 2 min
    assert choose_step(60.0, 70) == ("s", 2 * HOUR)
    assert choose_step(DAY / 10, 70) == ("s", WEEK)
    assert time_ticks(10, 5, 100) == (("s", 1), [])


def test_value_ticks() -> None:
    step, values, decimals = value_ticks(99.3, 104.6, height_px=400, min_px=40)
    assert step == 1.0 and decimals == 0
    assert values == [100.0, 101.0, 102.0, 103.0, 104.0]
    step, values, decimals = value_ticks(0.000123, 0.000187, height_px=400, min_px=40)
    assert decimals == 5 and step == pytest.approx(1e-5)
    assert values == [0.00013, 0.00014, 0.00015, 0.00016, 0.00017, 0.00018]
    assert all(0.000123 <= v <= 0.000187 for v in values)
    assert value_label(43250.0, 0) == "43250"
    assert value_label(1_500_000, 0, compact=True) == "1.5M"
    assert value_label(250, 0, compact=True) == "250"
