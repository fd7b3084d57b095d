"""What an indicator is: a kind and its parameters, written and read as one SPEC text.

The same text is typed on the command line (``--indicator ema:20``), keys the values printed by
``--headless``, and is what the window saves, so it is parsed and printed in one place, and
every refusal names what is wrong and then every valid form.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import Enum

#: Every form a SPEC may take, ending every refusal.
VALID_FORMS = "sma:N, ema:N, bb:N:K, vwap, rsi:N, macd:FAST:SLOW:SIGNAL, volsma:N"

MIN_PERIOD = 2
MAX_PERIOD = 1000
MAX_BB_K = 10.0


class IndicatorSpecError(ValueError):
    """A SPEC that is not valid; the message ends with :data:`VALID_FORMS`."""


class Kind(Enum):
    SMA = "sma"
    EMA = "ema"
    BB = "bb"
    VWAP = "vwap"
    RSI = "rsi"
    MACD = "macd"
    VOLSMA = "volsma"


class Pane(Enum):
    """Where an indicator is drawn."""

    PRICE = "price"
    VOLUME = "volume"
    OWN = "own"  # a pane of its own under the price


#: Per kind: parameter names (the form's placeholders), pane, outputs, label prefix.
_FORMS: dict[Kind, tuple[tuple[str, ...], Pane, tuple[str, ...], str]] = {
    Kind.SMA: (("N",), Pane.PRICE, ("value",), "SMA"),
    Kind.EMA: (("N",), Pane.PRICE, ("value",), "EMA"),
    Kind.BB: (("N", "K"), Pane.PRICE, ("lower", "middle", "upper"), "BB"),
    Kind.VWAP: ((), Pane.PRICE, ("value",), "VWAP"),
    Kind.RSI: (("N",), Pane.OWN, ("value",), "RSI"),
    Kind.MACD: (("FAST", "SLOW", "SIGNAL"), Pane.OWN, ("macd", "signal", "histogram"), "MACD"),
    Kind.VOLSMA: (("N",), Pane.VOLUME, ("value",), "Vol SMA"),
}


def _refuse(problem: str) -> IndicatorSpecError:
    return IndicatorSpecError(f"{problem}; valid forms: {VALID_FORMS}")


def _number_text(value: float) -> str:
    """``2`` for 2.0, ``2.5`` for 2.5: the shortest text that reads back the same."""
    return str(int(value)) if float(value).is_integer() else repr(float(value))


@dataclass(frozen=True)
class IndicatorSpec:
    """One indicator: ``kind`` and ``params`` (periods as ints; Bollinger's k a float).

    Validated when made, so an instance is always drawable; equal specs hash equal.
    """

    kind: Kind
    params: tuple[float, ...] = ()

    def __post_init__(self) -> None:
        names = _FORMS[self.kind][0]
        if len(self.params) != len(names):
            raise _refuse(f"{self.kind.value} takes {len(names)} parameter(s), got {self.params}")
        for name, value in zip(names, self.params, strict=True):
            if isinstance(value, bool):
                raise _refuse(f"{self.kind.value} {name} must be a number, got {value!r}")
            if name == "K":
                if not (isinstance(value, int | float) and math.isfinite(value)):
                    raise _refuse(f"bb k must be a finite number, got {value!r}")
                if not 0 < value <= MAX_BB_K:
                    raise _refuse(f"bb k must be above 0 and at most {MAX_BB_K:g}, got {value:g}")
            elif not (isinstance(value, int) and MIN_PERIOD <= value <= MAX_PERIOD):
                raise _refuse(
                    f"{self.kind.value} {name} must be a whole number from {MIN_PERIOD} to "
                    f"{MAX_PERIOD}, got {value!r}"
                )
        if self.kind is Kind.BB:  # one type for k, so equal specs print alike
            object.__setattr__(self, "params", (self.params[0], float(self.params[1])))
        if self.kind is Kind.MACD and self.params[0] >= self.params[1]:
            raise _refuse(f"macd FAST ({self.params[0]}) must be less than SLOW ({self.params[1]})")

    @property
    def text(self) -> str:
        """The canonical SPEC: ``sma:50``, ``bb:20:2.5``, ``vwap``."""
        return ":".join([self.kind.value, *(_number_text(p) for p in self.params)])

    @property
    def pane(self) -> Pane:
        return _FORMS[self.kind][1]

    @property
    def outputs(self) -> tuple[str, ...]:
        """Names of the values per candle: ``("value",)`` or the bands / MACD lines."""
        return _FORMS[self.kind][2]

    @property
    def label(self) -> str:
        """Human text: ``EMA 20``, ``BB 20 2``, ``Vol SMA 20``, ``VWAP``."""
        return " ".join([_FORMS[self.kind][3], *(_number_text(p) for p in self.params)])

    def __str__(self) -> str:
        return self.text


def parse_indicator_spec(text: str) -> IndicatorSpec:
    """``"ema:20"`` (any case, spaces around the parts) as an :class:`IndicatorSpec`.

    Raises :class:`IndicatorSpecError` naming what is wrong, then :data:`VALID_FORMS`.
    """
    if not isinstance(text, str):
        raise _refuse(f"an indicator SPEC is text, got {type(text).__name__}")
    parts = [part.strip() for part in text.strip().lower().split(":")]
    if parts == [""]:
        raise _refuse("empty indicator SPEC")
    try:
        kind = Kind(parts[0])
    except ValueError:
        raise _refuse(f"unknown indicator {parts[0]!r} in {text.strip()!r}") from None
    names = _FORMS[kind][0]
    given = parts[1:]
    if len(given) != len(names):
        form = ":".join([kind.value, *names])
        raise _refuse(
            f"{kind.value} takes {len(names)} parameter(s) ({form}), got {len(given)} "
            f"in {text.strip()!r}"
        )
    params: list[float] = []
    for name, raw in zip(names, given, strict=True):
        if name == "K":
            try:
                value = float(raw)
            except ValueError:
                raise _refuse(f"bb k must be a number, got {raw!r}") from None
            params.append(value)
        elif raw.isascii() and raw.isdigit():
            params.append(int(raw))
        else:
            raise _refuse(
                f"{kind.value} {name} must be a whole number from {MIN_PERIOD} to "
                f"{MAX_PERIOD}, got {raw!r}"
            )
    return IndicatorSpec(kind, tuple(params))


def as_spec(spec: IndicatorSpec | str) -> IndicatorSpec:
    """``spec`` itself, or parsed when given as text."""
    return spec if isinstance(spec, IndicatorSpec) else parse_indicator_spec(spec)
