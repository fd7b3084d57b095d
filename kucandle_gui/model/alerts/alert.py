"""One alert and its state, and one firing of it: plain data the book mutates and views read."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from .spec import AlertSpec, Condition


class AlertState(StrEnum):
    ACTIVE = "active"
    TRIGGERED = "triggered"
    EXPIRED = "expired"


class Arming(StrEnum):
    """How far an active alert is from firing (see ``rules``)."""

    #: Nothing to arm from (no candle of the pair known): arms at the newest candle of the
    #: series filling its gap, or the first live one.
    PENDING = "pending"
    ARMED = "armed"  # fires when the price reaches the alert's from ``since`` on (``base``)
    WAITING = "waiting"  # the price must go back across first (and the cool-down pass)


@dataclass(slots=True, eq=False)
class Alert:
    """An alert; owned and mutated by :class:`AlertBook` only.

    ``since`` is the start of the candle from which the alert is evaluated: the candle it was
    armed at (``base`` is that candle's extreme then; None when armed at a minute floor, or
    saved by an older version: the whole candle counts), or, while WAITING, the first candle
    that may re-arm it (the one after a firing, or where it was armed fresh past its price).
    """

    id: int
    spec: AlertSpec
    created_at: float
    state: AlertState = AlertState.ACTIVE
    arming: Arming = Arming.PENDING
    since: int | None = None
    base: float | None = None
    cooling_until: float | None = None
    last_fired_at: float | None = None
    last_fired_candle: int | None = None
    fire_count: int = 0
    #: The exchange refused the pair's series: shown as a problem; the alert stays active.
    unserved: bool = False

    @property
    def symbol(self) -> str:
        return self.spec.symbol

    @property
    def condition(self) -> Condition:
        return self.spec.condition

    @property
    def price(self) -> float:
        return self.spec.price

    @property
    def note(self) -> str:
        return self.spec.note

    @property
    def repeat(self) -> bool:
        return self.spec.repeat

    @property
    def cooldown(self) -> float:
        return self.spec.cooldown

    @property
    def expires_at(self) -> float | None:
        return self.spec.expires_at

    @property
    def active(self) -> bool:
        return self.state is AlertState.ACTIVE


@dataclass(frozen=True, slots=True)
class Firing:
    """An alert fired: ``candle_time`` is the start of the candle that reached the price;
    ``late`` when found by a catch-up after a gap, ``while_closed`` when found by the pair's
    first catch-up after the saved book was loaded, on a candle starting before the minute the
    session started (the app was not running then)."""

    alert_id: int
    symbol: str
    condition: Condition
    price: float
    candle_time: int
    reached_at: float
    late: bool
    note: str = ""
    while_closed: bool = False
    simulated: bool = False

    @classmethod
    def of(
        cls,
        alert: Alert,
        candle_time: int,
        reached_at: float,
        late: bool,
        while_closed: bool,
        simulated: bool,
    ) -> Firing:
        """``alert`` fired on the candle starting at ``candle_time``."""
        spec = alert.spec
        return cls(
            alert.id,
            spec.symbol,
            spec.condition,
            spec.price,
            candle_time,
            reached_at,
            late,
            spec.note,
            while_closed,
            simulated,
        )

    def as_dict(self) -> dict:
        """The headless output line."""
        return {
            "type": "alert",
            "symbol": self.symbol,
            "condition": str(self.condition),
            "price": self.price,
            "candle_time": self.candle_time,
            "reached_at": self.reached_at,
            "late": self.late,
        }
