"""How problems in saved data are said: briefly, and not too many of them.

Alerts, drawings, indicators and the layout are read back from settings a user may have edited
by hand or another version may have written. Each problem is one sentence quoting only enough of
the bad value to recognise it (a damaged file may hold a megabyte of text or a 400-digit number),
and a list of them is cut at :data:`MAX_PROBLEMS` with a count of the rest: the window shows
them in a tooltip, which must stay readable.
"""

from __future__ import annotations

import reprlib

#: Problems said one by one; the rest are counted.
MAX_PROBLEMS = 20


def quote(value: object) -> str:
    """``value`` in a message, bounded."""
    try:
        return reprlib.repr(value)
    except ValueError:  # an int past Python's digit limit for str()
        return f"a whole number of about {int(value).bit_length() * 0.30103:.0f} digits"  # type: ignore[call-overload]


def at_most(problems: list[str]) -> list[str]:
    """The first :data:`MAX_PROBLEMS` problems and, past them, how many more there were."""
    if len(problems) <= MAX_PROBLEMS:
        return problems
    return [*problems[:MAX_PROBLEMS], f"and {len(problems) - MAX_PROBLEMS:,} more problems"]
