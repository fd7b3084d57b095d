"""What an alert asks for, validated once where it enters (the form, the command line, a file).

``AlertSpec.of`` turns user input into a spec or raises :class:`AlertError` naming the field
and what is valid, so every entry point says the same thing and nothing downstream checks again.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from enum import StrEnum

from kucandle_gui.protocol import TIMEFRAME_SECONDS, format_number, validate_symbol

from ..saved_data import quote

#: Alerts are evaluated on the pair's 1min candles: the finest KuCoin pushes.
ALERT_TIMEFRAME = "1min"
#: Seconds between the starts of two of those candles.
ALERT_PERIOD = TIMEFRAME_SECONDS[ALERT_TIMEFRAME]
#: Alerts kept, in every state.
MAX_ALERTS = 500
#: Pairs with active alerts: each costs a subscription of the one connection.
MAX_ALERT_PAIRS = 100
#: Firings kept in the log.
MAX_LOG = 200
DEFAULT_COOLDOWN = 300.0
#: A repeating alert fires at most once per candle (a catch-up sees each candle once, in its
#: final state), so a shorter cool-down could not be honoured.
MIN_COOLDOWN = float(ALERT_PERIOD)
MAX_COOLDOWN = 86_400.0
MAX_NOTE = 200
#: No pair trades anywhere near this; a bound keeps absurd input (a pasted id) out.
MAX_PRICE = 1e15

SPEC_FORM = 'expected "PAIR above|below PRICE [every 1m|10m|2h]", e.g. "BTC-USDT above 70000"'


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
        super().__init__(
            "price",
            f"the last price {format_number(last_price)} is already {side} "
            f"{format_number(spec.price)}",
        )
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
        """Validate and normalise; :class:`AlertError` names the field and what is valid.

        A price given as text goes through :func:`parse_price`."""
        try:
            pair = validate_symbol(symbol) if isinstance(symbol, str) else ""
        except ValueError:
            pair = ""
        if not pair:
            raise AlertError(
                "symbol", f"invalid pair {quote(symbol)}: expected BASE-QUOTE, e.g. BTC-USDT"
            )
        return cls(
            pair,
            _condition(condition),
            parse_price(price) if isinstance(price, str) else _price(price),
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


def _condition(value: object) -> Condition:
    try:
        return Condition(value.strip().lower() if isinstance(value, str) else value)
    except (ValueError, TypeError):
        raise AlertError(
            "condition", f'invalid condition {quote(value)}: expected "above" or "below"'
        ) from None


#: A typed price: digits with an optional point and exponent, or thousands grouped by three
#: with commas ("70,000.5"); a comma anywhere else ("0,5", "7,0,0,0") is refused, never read
#: as a thousands separator (that would turn the decimal comma of "0,5" into 5).
_PLAIN = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_GROUPED = re.compile(r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d*)?")


def parse_price(text: str) -> float:
    """A typed price, the same in every locale and every entry point (the form, the command
    line, a file): ``70000.5``, ``70,000.5``, ``1e-8``; :class:`AlertError` (field "price")
    saying what is wrong otherwise."""
    typed = text.strip() if isinstance(text, str) else text
    if not isinstance(typed, str):
        raise AlertError("price", f"the price must be text or a number, got {quote(text)}")
    if not typed:
        raise AlertError("price", "enter a price, e.g. 70000.5")
    if _GROUPED.fullmatch(typed):
        typed = typed.replace(",", "")
    elif "," in typed:
        raise AlertError(
            "price",
            f"the price {quote(text)} is not a number: write decimals with a point (0.5) and "
            "group thousands by three (70,000.5)",
        )
    elif not _PLAIN.fullmatch(typed):
        raise AlertError("price", f"the price {quote(text)} is not a number")
    return _price(float(typed), text)


def _price(value: object, typed: object = None) -> float:
    shown = value if typed is None else typed
    too_big = isinstance(value, int) and not isinstance(value, bool) and value > MAX_PRICE
    if too_big or _number(value, "price", "the price", shown) > MAX_PRICE:
        raise AlertError(
            "price", f"the price must be at most 1e15 (1,000,000,000,000,000), got {quote(shown)}"
        )
    return float(value)  # type: ignore[arg-type]


def _number(value: object, field: str, what: str, shown: object = None) -> float:
    """A positive finite number given as a number (text prices go through parse_price)."""
    shown = value if shown is None else shown
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise AlertError(field, f"{what} must be a number, got {quote(shown)}")
    try:
        number = float(value)
    except OverflowError:  # a whole number past float's range
        number = math.inf
    if not math.isfinite(number) or number <= 0:
        raise AlertError(field, f"{what} must be a positive finite number, got {quote(shown)}")
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
            f"the cool-down must be 1 min to 24 h ({MIN_COOLDOWN:g} to {MAX_COOLDOWN:g} s; an "
            f"alert fires at most once per 1min candle), got {seconds:g} s",
        )
    return seconds


_SPEC_RE = re.compile(
    r"^\s*(?P<symbol>\S+)\s+(?P<condition>\S+)\s+(?P<price>\S+)"
    r"(?:\s+every\s+(?P<every>\d+(?:\.\d+)?)\s*(?P<unit>[smh]?))?\s*$",
    re.IGNORECASE,
)
_UNIT = {"": 1.0, "s": 1.0, "m": 60.0, "h": 3600.0}


def parse_alert_spec(text: str) -> AlertSpec:
    """``"BTC-USDT above 70000"``, ``"eth-usdt below 3000.5 every 10m"`` (headless, tests);
    the price as :func:`parse_price` reads it; the cool-down in s (the default), m or h, at
    least a minute (``every 90s`` is taken)."""
    match = _SPEC_RE.match(text)
    if match is None:
        raise AlertError("spec", f"invalid alert {quote(text)}: {SPEC_FORM}")
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
        raise AlertError("spec", f"invalid alert {quote(text)}: {exc}; {SPEC_FORM}") from None
