"""What the user reads about alerts: an alert in a sentence, its status, a firing in the log,
the panel's messages and its already-crossed question.

One place for the words, so the panel, the toast and the chart say an alert the same way.
Plain functions without Qt (tested without a window); times are local, prices in the pair's
precision with thousands grouped ("70,000.0": a sentence is read, not compared in a column).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import datetime

from kucandle_gui.model import Alert, AlertState, Arming, Condition, Firing

from ..watchlist.formatting import format_price

#: Why the demo alerts are apart (the SIMULATED mark's tooltip).
SIMULATED_TOOLTIP = (
    "Demo mode: these alerts watch the demo exchange's prices. They are a separate set that "
    "starts empty and is never saved; your own alerts come back when you leave demo mode."
)
SIMULATED_MARK = "SIMULATED · demo alerts, not saved"


def price_text(value: float, decimals: int | None) -> str:
    """``70000.5`` → ``70,000.5`` in the pair's precision (the shortest form without one)."""
    text = format_price(value, decimals)
    whole, point, fraction = text.partition(".")
    sign = "-" if whole.startswith("-") else ""
    digits = whole.lstrip("-")
    if not digits.isdigit():  # "1e-08": left as it is
        return text
    return f"{sign}{int(digits):,}{point}{fraction}"


def condition_text(condition: Condition) -> str:
    """``rises to`` / ``falls to``."""
    return condition.verb


def alert_text(alert: Alert, decimals: int | None) -> str:
    """``BTC-USDT rises to 70,000.0``."""
    return f"{alert.symbol} {condition_text(alert.condition)} {price_text(alert.price, decimals)}"


def _side(condition: Condition) -> str:
    """The side of the price an alert arms from."""
    return "below" if condition is Condition.ABOVE else "above"


def clock_text(moment: float, now: float | None = None, *, seconds: bool = False) -> str:
    """``14:32`` (``14:32:05``) in local time; the date before it when not today."""
    local = datetime.fromtimestamp(moment)
    today = datetime.fromtimestamp(time.time() if now is None else now).date()
    text = local.strftime("%H:%M:%S" if seconds else "%H:%M")
    return text if local.date() == today else f"{local:%Y-%m-%d} {text}"


def status_text(alert: Alert, decimals: int | None, now: float | None = None) -> str:
    """Where an alert stands: ``Armed``, ``Waiting for the price to go back below 70,000.0``,
    ``Cooling down until 14:40``, ``Triggered 14:32:05``, ``Expired``, ``Pair not served``.
    ``now`` (default: the wall clock) tells a cool-down that is over and today's dates."""
    if alert.state is AlertState.EXPIRED:
        return "Expired"
    if alert.state is AlertState.TRIGGERED:
        fired = alert.last_fired_at
        return "Triggered" if fired is None else f"Triggered {clock_text(fired, now, seconds=True)}"
    if alert.unserved:
        return "Pair not served"
    if alert.arming is Arming.PENDING:
        return "Waiting for the first price"
    if alert.arming is Arming.ARMED:
        return "Armed"
    cooling = alert.cooling_until
    if cooling is not None and cooling > (time.time() if now is None else now):
        return f"Cooling down until {clock_text(cooling, now)}"
    side = _side(alert.condition)
    return f"Waiting for the price to go back {side} {price_text(alert.price, decimals)}"


def repeat_text(alert: Alert) -> str:
    """``Once`` or ``Every 5 min`` (the cool-down)."""
    if not alert.repeat:
        return "Once"
    seconds = alert.cooldown
    if seconds % 3600 == 0:
        return f"Every {seconds / 3600:g} h"
    if seconds % 60 == 0:
        return f"Every {seconds / 60:g} min"
    return f"Every {seconds:g} s"


def firing_title(firing: Firing, decimals: int | None) -> str:
    """``BTC-USDT rose to 70,000.0``."""
    price = price_text(firing.price, decimals)
    return f"{firing.symbol} {firing.condition.past} {price}"


def firing_detail(firing: Firing, now: float | None = None) -> str:
    """When and how it was seen: ``candle 14:32 · live``, ``reached at 14:32 while the
    connection was down``, ``reached at 03:12 while kucandle-gui was not running``; then
    `` · SIMULATED`` for a demo alert, and its note."""
    at = clock_text(firing.candle_time, now)
    if not firing.late:
        parts = [f"candle {at} · live"]
    elif firing.while_closed:
        parts = [f"reached at {at} while kucandle-gui was not running"]
    else:
        parts = [f"reached at {at} while the connection was down"]
    if firing.simulated:
        parts.append("SIMULATED")
    if firing.note:
        parts.append(firing.note)
    return " · ".join(parts)


def unchecked_text(symbol: str, start: int, end: int, now: float | None = None) -> str:
    """``BTC-USDT: alerts could not be checked from 03:10 to 05:40 (no candles for that
    time)``: a span of the pair's candles the catch-up could not load, so an alert may have
    been reached then unseen."""
    span = f"from {clock_text(start, now)} to {clock_text(end, now)}"
    return f"{symbol}: alerts could not be checked {span} (no candles for that time)"


#: Firings named in one desktop message for several.
NAMED_FIRINGS = 3


def firings_summary(titles: Sequence[str]) -> tuple[str, str]:
    """One desktop message for several firings told together (a catch-up): the title
    ``5 alerts fired``, the first :data:`NAMED_FIRINGS` firings' titles one a line, then
    ``and 2 more, in the alerts panel``."""
    lines = list(titles[:NAMED_FIRINGS])
    if len(titles) > NAMED_FIRINGS:
        lines.append(f"and {len(titles) - NAMED_FIRINGS} more, in the alerts panel")
    return f"{len(titles)} alerts fired", "\n".join(lines)


# -- the panel's sentences ------------------------------------------------------------------


def alert_set_text(alert: Alert, decimals: int | None) -> str:
    return f"Alert set: {alert_text(alert, decimals)}"


def alert_saved_text(alert: Alert, decimals: int | None) -> str:
    return f"Alert saved: {alert_text(alert, decimals)}"


def alert_rearmed_text(alert: Alert, decimals: int | None) -> str:
    return f"Alert re-armed: {alert_text(alert, decimals)}"


def alerts_deleted_text(texts: list[str]) -> str:
    """``Alert deleted: BTC-USDT rises to 70,000.0`` or ``3 alerts deleted``."""
    return f"Alert deleted: {texts[0]}" if len(texts) == 1 else f"{len(texts)} alerts deleted"


def crossed_question(
    symbol: str, condition: Condition, price: float, last: float, decimals: int | None
) -> str:
    """Asked when the price is already past the alert's: the alert would wait for it to go
    back first, which the user must know before arming it."""
    side = "above" if condition is Condition.ABOVE else "below"
    return (
        f"{symbol} is at {price_text(last, decimals)}, already {side} "
        f"{price_text(price, decimals)}. Arm it anyway? It fires once the price has gone back "
        f"{_side(condition)} and {condition_text(condition)} it again."
    )


def not_listed_text(symbol: str, simulated: bool) -> str:
    exchange = "The demo exchange" if simulated else "KuCoin"
    return f"{exchange} does not list {symbol}"
