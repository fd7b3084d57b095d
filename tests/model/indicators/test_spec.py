"""SPEC texts: what is accepted, how it is printed and labelled, what a refusal says."""

from __future__ import annotations

import pytest

from kucandle_gui.model.indicators import (
    VALID_FORMS,
    IndicatorSpec,
    IndicatorSpecError,
    Kind,
    Pane,
    parse_indicator_spec,
)

BANDS = ("lower", "middle", "upper")
LINES = ("macd", "signal", "histogram")


@pytest.mark.parametrize(
    ("text", "kind", "params", "canonical", "label", "pane", "outputs"),
    [
        ("sma:50", Kind.SMA, (50,), "sma:50", "SMA 50", Pane.PRICE, ("value",)),
        (" EMA : 20 ", Kind.EMA, (20,), "ema:20", "EMA 20", Pane.PRICE, ("value",)),
        ("bb:20:2", Kind.BB, (20, 2.0), "bb:20:2", "BB 20 2", Pane.PRICE, BANDS),
        ("bb:20:2.50", Kind.BB, (20, 2.5), "bb:20:2.5", "BB 20 2.5", Pane.PRICE, BANDS),
        ("Bb:10:.5", Kind.BB, (10, 0.5), "bb:10:0.5", "BB 10 0.5", Pane.PRICE, BANDS),
        ("vwap", Kind.VWAP, (), "vwap", "VWAP", Pane.PRICE, ("value",)),
        ("rsi:14", Kind.RSI, (14,), "rsi:14", "RSI 14", Pane.OWN, ("value",)),
        ("macd:12:26:9", Kind.MACD, (12, 26, 9), "macd:12:26:9", "MACD 12 26 9", Pane.OWN, LINES),
        ("volsma:20", Kind.VOLSMA, (20,), "volsma:20", "Vol SMA 20", Pane.VOLUME, ("value",)),
        ("sma:2", Kind.SMA, (2,), "sma:2", "SMA 2", Pane.PRICE, ("value",)),
        ("ema:1000", Kind.EMA, (1000,), "ema:1000", "EMA 1000", Pane.PRICE, ("value",)),
        ("bb:20:10", Kind.BB, (20, 10.0), "bb:20:10", "BB 20 10", Pane.PRICE, BANDS),
    ],
)
def test_valid_specs(
    text: str,
    kind: Kind,
    params: tuple,
    canonical: str,
    label: str,
    pane: Pane,
    outputs: tuple[str, ...],
) -> None:
    spec = parse_indicator_spec(text)
    assert spec == IndicatorSpec(kind, params)
    assert (spec.text, spec.label, spec.pane, spec.outputs) == (canonical, label, pane, outputs)
    assert str(spec) == canonical
    assert parse_indicator_spec(spec.text) == spec  # the text reads back as the same spec


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("wma:20", "unknown indicator 'wma'"),
        ("sma", "sma takes 1 parameter"),
        ("sma:20:3", "sma takes 1 parameter"),
        ("vwap:20", "vwap takes 0 parameter"),
        ("macd:12:26", "macd takes 3 parameter"),
        ("sma:1", "from 2 to 1000, got 1"),
        ("sma:1001", "from 2 to 1000, got 1001"),
        ("ema:20.0", "whole number"),
        ("ema:-5", "whole number"),
        ("ema:x", "whole number"),
        ("rsi:", "whole number"),
        ("bb:20:0", "above 0 and at most 10"),
        ("bb:20:10.5", "above 0 and at most 10"),
        ("bb:20:-1", "above 0 and at most 10"),
        ("bb:20:nan", "finite"),
        ("bb:20:inf", "finite"),
        ("bb:20:two", "bb k must be a number"),
        ("macd:26:12:9", "FAST (26) must be less than SLOW (12)"),
        ("macd:12:12:9", "FAST (12) must be less than SLOW (12)"),
    ],
)
def test_invalid_specs_say_what_is_wrong_then_every_valid_form(text: str, words: str) -> None:
    with pytest.raises(IndicatorSpecError) as caught:
        parse_indicator_spec(text)
    message = str(caught.value)
    assert words in message
    assert message.endswith(VALID_FORMS)
    assert isinstance(caught.value, ValueError)


def test_specs_made_directly_are_checked_too_and_hash_by_value() -> None:
    with pytest.raises(IndicatorSpecError, match="from 2 to 1000"):
        IndicatorSpec(Kind.SMA, (0,))
    with pytest.raises(IndicatorSpecError, match="takes 1 parameter"):
        IndicatorSpec(Kind.EMA, ())
    with pytest.raises(IndicatorSpecError):
        IndicatorSpec(Kind.SMA, (True,))
    assert IndicatorSpec(Kind.BB, (20, 2)) == parse_indicator_spec("bb:20:2.0")
    assert len({parse_indicator_spec(t) for t in ("ema:20", "EMA:20", "ema: 20")}) == 1


def test_the_valid_forms_name_every_kind() -> None:
    for kind in Kind:
        assert kind.value in VALID_FORMS
