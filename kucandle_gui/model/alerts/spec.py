"""What an alert asks for, validated once where it enters (the form, the command line, a file).

``AlertSpec.of`` turns user input into a spec or raises :class:`AlertError` naming the field
and what is valid, so every entry point says the same thing and nothing downstream checks again.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from enum import StrEnum

from kucandle_gui.protocol import validate_symbol

#: Alerts are evaluated on the pair's 1min candles: the finest KuCoin pushes.
ALERT_TIMEFRAME = "1min"
#: Alerts kept, in every state.
MAX_ALERTS = 500
#: Pairs with active alerts: each costs a subscription of the one connection.
MAX_ALERT_PAIRS = 100
#: Firings kept in the log.
MAX_LOG = 200
DEFAULT_COOLDOWN = 300.0
MIN_COOLDOWN = 1.0
MAX_COOLDOWN = 86_400.0
MAX_NOTE = 200

SPEC_FORM = 'expected "PAIR above|below PRICE [every 30s|10m|2h]", e.g. "BTC-USDT above 70000"'


class Condition(StrEnum):
    ABOVE = "above"
    BELOW = "below"

    @property
    def verb(self) -> str:
        return "rises to" if self is Condition.ABOVE else "falls to"

    @property
    def past(self) -> str:
        return "rose to" if self is Condition.ABOVE else "fell to"


class AlertError(ValueError):
    """Input an alert cannot take; ``field`` says where to show the message."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


class AlreadyCrossed(AlertError):
    """The last price is already past the alert's price: the caller may ask and force it."""

    def __init__(self, spec: AlertSpec, last_price: float) -> None:
        side = "at or above" if spec.condition is Condition.ABOVE else "at or below"
        super().__init__("price", f"the last price {last_price:g} is already {side} {spec.price:g}")
        self.spec = spec
        self.last_price = last_price


@dataclass(frozen=True, slots=True)
class AlertSpec:
    """Pair, condition, price and how the alert repeats and ends; build one with :meth:`of`."""

    symbol: str
    condition: Condition
    price: float
    note: str = ""
    repeat: bool = False
    cooldown: float = DEFAULT_COOLDOWN
    expires_at: float | None = None

    @classmethod
    def of(
        cls,
        symbol: str,
        condition: str | Condition,
        price: str | float,
        note: str = "",
        repeat: bool = False,
        cooldown: float = DEFAULT_COOLDOWN,
        expires_at: float | None = None,
    ) -> AlertSpec:
        """Validate and normalise; :class:`AlertError` names the field and what is valid."""
        try:
            symbol = validate_symbol(str(symbol))
        except ValueError as exc:
            raise AlertError("symbol", str(exc)) from None
        return cls(
            symbol,
            _condition(condition),
            _number(price, "price", "the price"),
            _note(note),
            bool(repeat),
            _cooldown(cooldown),
            None if expires_at is None else _number(expires_at, "expires", "the expiry time"),
        )

    def replace(self, **changes: object) -> AlertSpec:
        """A copy with ``changes``, validated again."""
        fields = {
            "symbol": self.symbol,
            "condition": self.condition,
            "price": self.price,
            "note": self.note,
            "repeat": self.repeat,
            "cooldown": self.cooldown,
            "expires_at": self.expires_at,
        }
        fields.update(changes)
        return AlertSpec.of(**fields)  # type: ignore[arg-type]


def _condition(value: str | Condition) -> Condition:
    try:
        return Condition(str(value).strip().lower())
    except ValueError:
        raise AlertError(
            "condition", f'invalid condition {value!r}: expected "above" or "below"'
        ) from None


def _number(value: object, field: str, what: str) -> float:
    if isinstance(value, bool):
        raise AlertError(field, f"{what} must be a number, got {value!r}")
    try:
        number = float(value.strip().replace(",", "") if isinstance(value, str) else value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise AlertError(field, f"{what} {value!r} is not a number") from None
    if not math.isfinite(number) or number <= 0:
        raise AlertError(field, f"{what} must be a positive finite number, got {value!r}")
    return number


def _note(note: object) -> str:
    if not isinstance(note, str):
        raise AlertError("note", "the note must be text")
    note = note.strip()
    if len(note) > MAX_NOTE:
        raise AlertError("note", f"the note is {len(note)} characters long: at most {MAX_NOTE}")
    return note


def _cooldown(value: object) -> float:
    seconds = _number(value, "cooldown", "the cool-down")
    if not MIN_COOLDOWN <= seconds <= MAX_COOLDOWN:
        raise AlertError(
            "cooldown",
            f"the cool-down must be 1 s to 24 h ({MAX_COOLDOWN:g} s), got {seconds:g} s",
        )
    return seconds


_SPEC_RE = re.compile(
    r"^\s*(?P<symbol>\S+)\s+(?P<condition>\S+)\s+(?P<price>\S+)"
    r"(?:\s+every\s+(?P<every>\d+(?:\.\d+)?)\s*(?P<unit>[smh]?))?\s*$",
    re.IGNORECASE,
)
_UNIT = {"": 1.0, "s": 1.0, "m": 60.0, "h": 3600.0}


def parse_alert_spec(text: str) -> AlertSpec:
    """``"BTC-USDT above 70000"``, ``"eth-usdt below 3000.5 every 10m"`` (headless, tests)."""
    match = _SPEC_RE.match(text)
    if match is None:
        raise AlertError("spec", f"invalid alert {text!r}: {SPEC_FORM}")
    every = match["every"]
    try:
        return AlertSpec.of(
            match["symbol"],
            match["condition"],
            match["price"],
            repeat=every is not None,
            cooldown=DEFAULT_COOLDOWN
            if every is None
            else float(every) * _UNIT[match["unit"].lower()],
        )
    except AlertError as exc:
        raise AlertError("spec", f"invalid alert {text!r}: {exc}; {SPEC_FORM}") from None
