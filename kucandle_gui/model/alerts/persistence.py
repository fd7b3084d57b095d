"""The real exchange's alerts as JSON-able data, and back, tolerant of a damaged file.

Loading never raises on any JSON-able data (huge whole numbers, NaN, nested lists, wrong types
included): each entry that cannot be taken is skipped and described in the problems returned
(the user sees them; values quoted bounded, by ``spec.quote``), and every good entry is kept,
so one corrupt line never costs the other alerts.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TypeVar

from kucandle_gui.protocol import validate_symbol

from ..saved_data import quote
from .alert import Alert, AlertState, Arming, Firing
from .spec import MAX_ALERT_PAIRS, MAX_ALERTS, MAX_LOG, AlertError, AlertSpec

_E = TypeVar("_E", AlertState, Arming)

VERSION = 1
#: Whole numbers saved (ids, candle starts, counts) are exact floats: larger ones are damage.
_MAX_WHOLE = 2**53


def dump(alerts: Iterable[Alert], log: Iterable[Firing], watermarks: Mapping[str, int]) -> dict:
    return {
        "version": VERSION,
        "alerts": [_alert_dict(a) for a in alerts],
        "log": [_firing_dict(f) for f in log],
        "watermarks": dict(watermarks),
    }


def _alert_dict(alert: Alert) -> dict:
    spec = alert.spec
    return {
        "id": alert.id,
        "symbol": spec.symbol,
        "condition": str(spec.condition),
        "price": spec.price,
        "note": spec.note,
        "repeat": spec.repeat,
        "cooldown": spec.cooldown,
        "expires_at": spec.expires_at,
        "created_at": alert.created_at,
        "state": str(alert.state),
        "arming": str(alert.arming),
        "since": alert.since,
        "base": alert.base,
        "cooling_until": alert.cooling_until,
        "last_fired_at": alert.last_fired_at,
        "last_fired_candle": alert.last_fired_candle,
        "fire_count": alert.fire_count,
    }


def _firing_dict(firing: Firing) -> dict:
    return {
        "alert_id": firing.alert_id,
        "symbol": firing.symbol,
        "condition": str(firing.condition),
        "price": firing.price,
        "candle_time": firing.candle_time,
        "reached_at": firing.reached_at,
        "late": firing.late,
        "note": firing.note,
        "while_closed": firing.while_closed,
    }


@dataclass
class Loaded:
    alerts: list[Alert] = field(default_factory=list)
    log: list[Firing] = field(default_factory=list)
    watermarks: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


class _Bad(ValueError):
    """One field of one entry cannot be taken."""


def load(data: object) -> Loaded:
    """What :func:`dump` wrote, every entry checked; never raises on bad data."""
    out = Loaded()
    if not isinstance(data, Mapping):
        out.problems.append("the saved alerts are not an object: nothing loaded")
        return out
    if data.get("version") != VERSION:
        out.problems.append(
            f"the saved alerts have version {quote(data.get('version'))}, not {VERSION}: "
            "nothing loaded"
        )
        return out
    _load_alerts(data.get("alerts", []), out)
    _load_log(data.get("log", []), out)
    _load_watermarks(data.get("watermarks", {}), out)
    return out


def _load_alerts(entries: object, out: Loaded) -> None:
    if not isinstance(entries, list):
        out.problems.append("the saved alerts are not a list: no alert loaded")
        return
    ids: set[int] = set()
    pairs: set[str] = set()
    for n, entry in enumerate(entries, 1):
        given = entry.get("id") if isinstance(entry, Mapping) else None
        name = f"alert #{n}" if given is None else f"alert {quote(given)}"
        try:
            alert = _alert(entry)
        except (AlertError, _Bad) as exc:
            out.problems.append(f"{name}: {exc}")
            continue
        if alert.id in ids:
            out.problems.append(f"{name}: the id is used twice: skipped")
        elif len(out.alerts) >= MAX_ALERTS:
            out.problems.append(f"{name}: more than {MAX_ALERTS} alerts: skipped")
        elif alert.active and alert.symbol not in pairs and len(pairs) >= MAX_ALERT_PAIRS:
            out.problems.append(
                f"{name}: active alerts on more than {MAX_ALERT_PAIRS} pairs: skipped"
            )
        else:
            ids.add(alert.id)
            if alert.active:
                pairs.add(alert.symbol)
            out.alerts.append(alert)


def _alert(entry: object) -> Alert:
    if not isinstance(entry, Mapping):
        raise _Bad("not an object")
    alert_id = _int(entry, "id")
    if alert_id is None or alert_id < 1:
        raise _Bad(f"id {quote(entry.get('id'))} is not a positive whole number")
    spec = AlertSpec.of(
        entry.get("symbol", ""),
        entry.get("condition", ""),
        entry.get("price", ""),
        entry.get("note", ""),
        _bool(entry, "repeat"),
        entry.get("cooldown", 300.0),
        entry.get("expires_at"),
    )
    created_at = _number(entry, "created_at")
    if created_at is None:
        raise _Bad("created_at is missing")
    alert = Alert(
        alert_id,
        spec,
        created_at,
        state=_choice(entry, "state", AlertState),
        arming=_choice(entry, "arming", Arming),
        since=_int(entry, "since"),
        base=_number(entry, "base"),
        cooling_until=_number(entry, "cooling_until"),
        last_fired_at=_number(entry, "last_fired_at"),
        last_fired_candle=_int(entry, "last_fired_candle"),
        fire_count=_int(entry, "fire_count") or 0,
    )
    if alert.arming is Arming.ARMED and alert.since is None:
        raise _Bad("armed without the candle it was armed at")
    return alert


def _load_log(entries: object, out: Loaded) -> None:
    if not isinstance(entries, list):
        out.problems.append("the saved alert log is not a list: no firing loaded")
        return
    for n, entry in enumerate(entries[-MAX_LOG:], 1):
        try:
            if not isinstance(entry, Mapping):
                raise _Bad("not an object")
            spec = AlertSpec.of(
                entry.get("symbol", ""), entry.get("condition", ""), entry.get("price", "")
            )
            alert_id, candle_time = _int(entry, "alert_id"), _int(entry, "candle_time")
            reached_at = _number(entry, "reached_at")
            if alert_id is None or candle_time is None or reached_at is None:
                raise _Bad("alert_id, candle_time and reached_at are required")
            note = entry.get("note", "")
            out.log.append(
                Firing(
                    alert_id,
                    spec.symbol,
                    spec.condition,
                    spec.price,
                    candle_time,
                    reached_at,
                    _bool(entry, "late"),
                    note if isinstance(note, str) else "",
                    _bool(entry, "while_closed"),
                )
            )
        except (AlertError, _Bad) as exc:
            out.problems.append(f"log entry {n}: {exc}")


def _load_watermarks(entries: object, out: Loaded) -> None:
    if not isinstance(entries, Mapping):
        out.problems.append(
            "the saved watermarks are not an object: alerts catch up from when they were armed"
        )
        return
    for symbol, value in entries.items():
        try:
            pair = validate_symbol(str(symbol))
            time = _int({"watermark": value}, "watermark")
            if time is None:
                raise _Bad("watermark is missing")
        except (ValueError, _Bad) as exc:
            out.problems.append(f"watermark of {quote(symbol)}: {exc}")
            continue
        out.watermarks[pair] = time


def _int(entry: Mapping, key: str) -> int | None:
    value = entry.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _Bad(f"{key} {quote(value)} is not a whole number")
    if not -_MAX_WHOLE <= value <= _MAX_WHOLE:
        raise _Bad(f"{key} {quote(value)} is out of range")
    if isinstance(value, float) and not value.is_integer():
        raise _Bad(f"{key} {quote(value)} is not a whole number")
    return int(value)


def _number(entry: Mapping, key: str) -> float | None:
    value = entry.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _Bad(f"{key} {quote(value)} is not a number")
    if isinstance(value, int) and not -_MAX_WHOLE <= value <= _MAX_WHOLE:
        raise _Bad(f"{key} {quote(value)} is out of range")
    if not math.isfinite(value):
        raise _Bad(f"{key} {quote(value)} is not a number")
    return float(value)


def _bool(entry: Mapping, key: str) -> bool:
    value = entry.get(key, False)
    if not isinstance(value, bool):
        raise _Bad(f"{key} {quote(value)} is not true or false")
    return value


def _choice(entry: Mapping, key: str, kind: type[_E]) -> _E:
    value = entry.get(key)
    try:
        return kind(value)
    except (ValueError, TypeError):
        valid = ", ".join(str(m) for m in kind)
        raise _Bad(f"{key} {quote(value)} is not one of {valid}") from None
