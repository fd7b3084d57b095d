"""AlertSpec validation and the text form of an alert (the command line's)."""

from __future__ import annotations

import math
import re

import pytest

from kucandle_gui.model import (
    DEFAULT_COOLDOWN,
    AlertError,
    AlertSpec,
    AlreadyCrossed,
    Condition,
    Firing,
    parse_alert_spec,
    parse_price,
)


def test_of_normalises_what_the_user_typed() -> None:
    spec = AlertSpec.of(" btc-usdt", "Above", " 70,000.5 ", note="  breakout ")
    assert spec == AlertSpec("BTC-USDT", Condition.ABOVE, 70000.5, "breakout")
    assert spec.cooldown == DEFAULT_COOLDOWN and not spec.repeat and spec.expires_at is None


@pytest.mark.parametrize(
    ("kwargs", "field", "words"),
    [
        ({"symbol": "BTC/USDT"}, "symbol", "expected BASE-QUOTE"),
        ({"condition": "sideways"}, "condition", '"above" or "below"'),
        ({"price": "abc"}, "price", "'abc' is not a number"),
        ({"price": -1}, "price", "positive finite"),
        ({"price": 0}, "price", "positive finite"),
        ({"price": math.inf}, "price", "positive finite"),
        ({"price": True}, "price", "must be a number"),
        ({"note": "x" * 201}, "note", "at most 200"),
        ({"cooldown": 0.5}, "cooldown", "1 min to 24 h"),
        (
            {"cooldown": 59.9},
            "cooldown",
            r"1 min to 24 h \(60 to 86400 s; an alert fires at most once",
        ),
        ({"cooldown": 86_401}, "cooldown", "1 min to 24 h"),
        ({"expires_at": math.nan}, "expires", "positive finite"),
    ],
)
def test_of_names_the_field_and_what_is_valid(kwargs: dict, field: str, words: str) -> None:
    args = {"symbol": "BTC-USDT", "condition": "above", "price": 1.0, **kwargs}
    with pytest.raises(AlertError, match=words) as info:
        AlertSpec.of(**args)
    assert info.value.field == field


def test_replace_validates_again() -> None:
    spec = AlertSpec.of("BTC-USDT", "below", 3)
    assert spec.replace(price="4").price == 4.0
    with pytest.raises(AlertError) as info:
        spec.replace(price="x")
    assert info.value.field == "price"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("BTC-USDT above 70000", AlertSpec("BTC-USDT", Condition.ABOVE, 70000.0)),
        ("eth-usdt below 3000.5", AlertSpec("ETH-USDT", Condition.BELOW, 3000.5)),
        (
            "ETH-USDT BELOW 3000 every 10m",
            AlertSpec("ETH-USDT", Condition.BELOW, 3000.0, "", True, 600.0),
        ),
        ("KCS-USDT above 9 every 90s", AlertSpec("KCS-USDT", Condition.ABOVE, 9.0, "", True, 90.0)),
        ("KCS-USDT above 9 every 60", AlertSpec("KCS-USDT", Condition.ABOVE, 9.0, "", True, 60.0)),
        (
            "KCS-USDT above 9 every 2h",
            AlertSpec("KCS-USDT", Condition.ABOVE, 9.0, "", True, 7200.0),
        ),
    ],
)
def test_parse_alert_spec(text: str, expected: AlertSpec) -> None:
    assert parse_alert_spec(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "BTC-USDT above",
        "BTC-USDT sideways 1",
        "BTC-USDT above abc",
        "BTC above 1 every x",
        "BTC-USDT above 1 every 0s",
        "BTC-USDT above 1 every 30s",
        "BTC-USDT above 1 every 59",
        "BTC/USDT above 1",
    ],
)
def test_a_malformed_alert_says_what_is_valid(text: str) -> None:
    with pytest.raises(AlertError, match=re.escape('expected "PAIR above|below PRICE')) as info:
        parse_alert_spec(text)
    assert info.value.field == "spec"


def test_condition_words() -> None:
    assert (Condition.ABOVE.verb, Condition.ABOVE.past) == ("rises to", "rose to")
    assert (Condition.BELOW.verb, Condition.BELOW.past) == ("falls to", "fell to")


def test_a_firing_as_the_headless_line() -> None:
    firing = Firing(3, "BTC-USDT", Condition.BELOW, 90.0, 1_700_000_040, 1_700_000_071.5, False)
    assert firing.as_dict() == {
        "type": "alert",
        "symbol": "BTC-USDT",
        "condition": "below",
        "price": 90.0,
        "candle_time": 1_700_000_040,
        "reached_at": 1_700_000_071.5,
        "late": False,
    }


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("70000", 70000.0),
        (" 70,000.5 ", 70000.5),
        ("1,000,000", 1e6),
        ("0.5", 0.5),
        (".5", 0.5),
        ("1e-8", 1e-8),
    ],
)
def test_parse_price_reads_a_point_and_thousands_grouped_by_three(
    text: str, expected: float
) -> None:
    assert parse_price(text) == expected


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("0,5", "write decimals with a point"),
        ("1,5", "write decimals with a point"),
        ("7,0,0,0", "write decimals with a point"),
        ("70,00.5", "write decimals with a point"),
        ("1_000", "is not a number"),
        ("abc", "is not a number"),
        ("nan", "is not a number"),
        ("", "enter a price"),
        ("-1", "positive finite"),
        ("2e15", "at most 1e15"),
    ],
)
def test_parse_price_refuses_what_it_cannot_read_exactly(text: str, words: str) -> None:
    with pytest.raises(AlertError, match=words) as info:
        parse_price(text)
    assert info.value.field == "price"


def test_the_command_line_and_the_spec_read_prices_by_the_same_rule() -> None:
    with pytest.raises(AlertError, match="write decimals with a point"):
        parse_alert_spec("BTC-USDT above 0,5")
    with pytest.raises(AlertError, match="write decimals with a point"):
        AlertSpec.of("BTC-USDT", "above", "1,5")
    assert AlertSpec.of("BTC-USDT", "above", "70,000").price == 70000.0


@pytest.mark.parametrize("price", [2e15, 10**400, "1000000000000001"], ids=["float", "int", "text"])
def test_a_price_past_the_bound_says_the_range(price: object) -> None:
    with pytest.raises(AlertError, match=re.escape("at most 1e15")) as info:
        AlertSpec.of("BTC-USDT", "above", price)  # type: ignore[arg-type]
    assert info.value.field == "price"
    assert len(str(info.value)) < 200
    assert AlertSpec.of("BTC-USDT", "above", 1e15).price == 1e15


def test_already_crossed_shows_the_prices_exactly() -> None:
    spec = AlertSpec.of("BTC-USDT", "above", 70000.004)
    assert str(AlreadyCrossed(spec, 70000.0041)) == (
        "the last price 70000.0041 is already at or above 70000.004"
    )
