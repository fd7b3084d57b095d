"""The alerts' words: prices grouped in the pair's precision, an alert's status in each state,
a firing in the log, several in one desktop message, a span not checked, the already-crossed
question (a typed price is the model's to read: ``tests/model``). Times are made from local
wall-clock values, so the tests hold in any time zone."""

from __future__ import annotations

from datetime import datetime

import pytest

from kucandle_gui.model import Alert, AlertSpec, AlertState, Arming, Condition, Firing
from kucandle_gui.ui.alerts.texts import (
    alert_text,
    condition_text,
    crossed_question,
    firing_detail,
    firing_title,
    firings_summary,
    price_text,
    repeat_text,
    status_text,
    unchecked_text,
)

#: 1 May 2024, 14:32:05 local time, and "now" later that day.
FIRED = datetime(2024, 5, 1, 14, 32, 5).timestamp()
NOW = datetime(2024, 5, 1, 18, 0).timestamp()


def alert(condition: str = "above", price: float = 70000.0, **state: object) -> Alert:
    spec = AlertSpec.of("BTC-USDT", condition, price, repeat=bool(state.pop("repeat", False)))
    made = Alert(1, spec, created_at=FIRED - 3600)
    for name, value in state.items():
        setattr(made, name, value)
    return made


@pytest.mark.parametrize(
    ("value", "decimals", "text"),
    [
        (70000.0, 1, "70,000.0"),
        (1234567.891, None, "1,234,567.891"),
        (999.5, 2, "999.50"),
        (0.05506, 5, "0.05506"),
        (0.00000001, None, "0.00000001"),
    ],
)
def test_prices_are_grouped_in_the_pairs_precision(value, decimals, text):
    assert price_text(value, decimals) == text


def test_an_alert_in_a_sentence():
    assert condition_text(Condition.ABOVE) == "rises to"
    assert condition_text(Condition.BELOW) == "falls to"
    assert alert_text(alert(), 1) == "BTC-USDT rises to 70,000.0"
    assert alert_text(alert("below", 3000.5), None) == "BTC-USDT falls to 3,000.5"
    assert repeat_text(alert()) == "Once"
    assert repeat_text(alert(repeat=True)) == "Every 5 min"


def test_the_status_in_each_state():
    def status(**state: object) -> str:
        condition = str(state.pop("condition", "above"))
        return status_text(alert(condition, **state), 1, NOW)

    assert status() == "Waiting for the first price"
    assert status(arming=Arming.ARMED) == "Armed"
    assert status(arming=Arming.WAITING) == "Waiting for the price to go back below 70,000.0"
    assert status(arming=Arming.WAITING, condition="below") == (
        "Waiting for the price to go back above 70,000.0"
    )
    cooling = datetime(2024, 5, 1, 18, 40).timestamp()
    assert status(arming=Arming.WAITING, cooling_until=cooling) == "Cooling down until 18:40"
    over = NOW - 1  # the cool-down is over: the price must still come back
    assert status(arming=Arming.WAITING, cooling_until=over).startswith("Waiting for the price")
    assert status(arming=Arming.ARMED, unserved=True) == "Pair not served"
    assert status(state=AlertState.TRIGGERED, last_fired_at=FIRED) == "Triggered 14:32:05"
    yesterday = datetime(2024, 4, 30, 9, 5, 1).timestamp()
    fired = status(state=AlertState.TRIGGERED, last_fired_at=yesterday)
    assert fired == "Triggered 2024-04-30 09:05:01"  # not today: the date too
    assert status(state=AlertState.EXPIRED, unserved=True) == "Expired"


def firing(**fields: object) -> Firing:
    values: dict[str, object] = {
        "alert_id": 1,
        "symbol": "BTC-USDT",
        "condition": Condition.ABOVE,
        "price": 70000.0,
        "candle_time": int(datetime(2024, 5, 1, 14, 32).timestamp()),
        "reached_at": FIRED,
        "late": False,
    }
    values.update(fields)
    return Firing(**values)  # type: ignore[arg-type]


def test_a_firing_in_the_log():
    assert firing_title(firing(), 1) == "BTC-USDT rose to 70,000.0"
    assert firing_title(firing(condition=Condition.BELOW, price=3000.0), 2) == (
        "BTC-USDT fell to 3,000.00"
    )
    assert firing_detail(firing(), NOW) == "candle 14:32 · live"
    late = firing(late=True)
    assert firing_detail(late, NOW) == "reached at 14:32 while the connection was down"
    closed = firing(late=True, while_closed=True, candle_time=int(FIRED - 11 * 3600 - 1205))
    assert firing_detail(closed, NOW) == "reached at 03:12 while kucandle-gui was not running"
    demo = firing(simulated=True, note="take profit")
    assert firing_detail(demo, NOW) == "candle 14:32 · live · SIMULATED · take profit"
    next_day = datetime(2024, 5, 2, 8, 0).timestamp()
    assert firing_detail(firing(), next_day) == "candle 2024-05-01 14:32 · live"


def test_the_already_crossed_question():
    assert crossed_question("BTC-USDT", Condition.ABOVE, 70000.0, 71000.0, 1) == (
        "BTC-USDT is at 71,000.0, already above 70,000.0. Arm it anyway? It fires once the "
        "price has gone back below and rises to it again."
    )
    assert crossed_question("ETH-USDT", Condition.BELOW, 3000.0, 2900.0, None) == (
        "ETH-USDT is at 2,900, already below 3,000. Arm it anyway? It fires once the "
        "price has gone back above and falls to it again."
    )


def test_several_firings_in_one_desktop_message():
    titles = [f"BTC-USDT rose to {p:,}.0" for p in (70000, 70100, 70200, 70300)]
    assert firings_summary(titles[:2]) == (
        "2 alerts fired",
        "BTC-USDT rose to 70,000.0\nBTC-USDT rose to 70,100.0",
    )
    assert firings_summary(titles) == (
        "4 alerts fired",
        "BTC-USDT rose to 70,000.0\nBTC-USDT rose to 70,100.0\nBTC-USDT rose to 70,200.0\n"
        "and 1 more, in the alerts panel",
    )


def test_a_span_not_checked():
    start = datetime(2024, 5, 1, 3, 10).timestamp()
    end = datetime(2024, 5, 1, 5, 40).timestamp()
    assert unchecked_text("BTC-USDT", int(start), int(end), NOW) == (
        "BTC-USDT: alerts could not be checked from 03:10 to 05:40 (no candles for that time)"
    )
