"""Indicators as a chart shows them: a spec, a colour, shown or hidden; saved as plain data.

A study hidden is still computed (its spec stays in the chart's :class:`IndicatorSet`): showing
it again is immediate, and a few hidden indicators cost little.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from ..saved_data import quote
from .spec import IndicatorSpec, IndicatorSpecError, parse_indicator_spec

#: Studies read back for one chart: more lines than this would make a chart unreadable, and
#: each is computed over the whole series when the chart opens.
MAX_STUDIES = 50
#: The longest SPEC text read back (``macd:1000:1000:1000`` is 19 characters).
MAX_SPEC_CHARS = 64

#: Line colours given to new studies in turn (distinct on the dark and the light theme).
DEFAULT_COLORS: tuple[str, ...] = (
    "#f5a623",
    "#4a90e2",
    "#bd10e0",
    "#50e3c2",
    "#e94e77",
    "#7ed321",
    "#9013fe",
    "#f8e71c",
)

_COLOR = re.compile(r"#[0-9a-f]{6}")


def default_color(index: int) -> str:
    """The ``index``-th colour of :data:`DEFAULT_COLORS`, cycling."""
    return DEFAULT_COLORS[index % len(DEFAULT_COLORS)]


def _check_color(color: object) -> str:
    if not isinstance(color, str) or not _COLOR.fullmatch(color.lower()):
        raise ValueError(f"colour must be #rrggbb, got {quote(color)}")
    return color.lower()


@dataclass(frozen=True)
class Study:
    """One indicator on a chart: what it computes and how it is drawn."""

    spec: IndicatorSpec
    color: str
    visible: bool = True

    def __post_init__(self) -> None:
        if not isinstance(self.spec, IndicatorSpec):
            raise TypeError(f"spec must be an IndicatorSpec, got {self.spec!r}")
        object.__setattr__(self, "color", _check_color(self.color))
        object.__setattr__(self, "visible", bool(self.visible))


def next_color(studies: Iterable[Study]) -> str:
    """The first palette colour no study uses (all used: round the palette again)."""
    used = [study.color.lower() for study in studies]
    for color in DEFAULT_COLORS:
        if color.lower() not in used:
            return color
    return DEFAULT_COLORS[len(used) % len(DEFAULT_COLORS)]


def with_specs(studies: Iterable[Study], specs: Iterable[IndicatorSpec]) -> tuple[Study, ...]:
    """``studies`` showing every one of ``specs``: a missing one added in the next colour, a
    hidden one shown in its own colour (a chart opens with the indicators asked for)."""
    out = list(studies)
    for spec in specs:
        found = next((n for n, study in enumerate(out) if study.spec == spec), None)
        if found is None:
            out.append(Study(spec, next_color(out), True))
        elif not out[found].visible:
            out[found] = Study(spec, out[found].color, True)
    return tuple(out)


def unique_studies(studies: Iterable[Study]) -> tuple[Study, ...]:
    """``studies`` with each spec once (the first kept): one line per indicator."""
    seen: set[IndicatorSpec] = set()
    out = []
    for study in studies:
        if study.spec not in seen:
            seen.add(study.spec)
            out.append(study)
    return tuple(out)


def studies_to_data(studies: Iterable[Study]) -> list[dict[str, Any]]:
    """Plain JSON data: ``[{"spec": "ema:20", "color": "#4a90e2", "visible": true}, ...]``."""
    return [
        {"spec": study.spec.text, "color": study.color, "visible": study.visible}
        for study in studies
    ]


def studies_from_data(data: object) -> tuple[tuple[Study, ...], list[str]]:
    """Studies read back from :func:`studies_to_data`'s form, and what was wrong.

    Never raises: an entry that is not right (not an object, a bad SPEC or colour, a spec
    already read) is skipped and described; a missing colour takes :func:`default_color` of
    its place, a missing ``visible`` is true. At most :data:`MAX_STUDIES` are read (a hand
    edit could list thousands, each computed over the whole series at start), so at most one
    problem each and one for the rest; each quotes the bad value in part.
    """
    if not isinstance(data, list):
        return (), [f"expected a list of indicators, got {type(data).__name__}"]
    studies: list[Study] = []
    problems: list[str] = []
    seen: set[IndicatorSpec] = set()
    if len(data) > MAX_STUDIES:
        problems.append(
            f"{len(data) - MAX_STUDIES:,} indicators past the first {MAX_STUDIES} skipped"
        )
    for n, entry in enumerate(data[:MAX_STUDIES], 1):
        try:
            study = _study(entry, len(studies))
        except (IndicatorSpecError, ValueError, TypeError) as exc:
            problems.append(f"indicator {n} skipped: {exc}")
            continue
        if study.spec in seen:
            problems.append(f"indicator {n} skipped: {study.spec.text} is already listed")
            continue
        seen.add(study.spec)
        studies.append(study)
    return tuple(studies), problems


def _study(entry: object, index: int) -> Study:
    if not isinstance(entry, Mapping):
        raise TypeError(f"expected an object, got {type(entry).__name__}")
    text = entry.get("spec")
    if not isinstance(text, str):
        raise TypeError(f"'spec' must be text, got {quote(text)}")
    if len(text) > MAX_SPEC_CHARS:  # the parser's messages quote the whole text
        raise ValueError(f"'spec' {quote(text)} is too long to be an indicator")
    color = entry.get("color", default_color(index))
    visible = entry.get("visible", True)
    if not isinstance(visible, bool):
        raise TypeError(f"'visible' must be true or false, got {quote(visible)}")
    return Study(parse_indicator_spec(text), color, visible)
