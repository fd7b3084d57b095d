"""Fitting a row of fields into a width: a one-line label that elides its text to its room,
and the share-out that says which fields a row keeps and how wide each is.

The status bar (:mod:`.status_bar`) gives its fields in its order of importance as *claims*:
"raise this field to this many pixels". :func:`share_out` grants them in that order while the
room lasts. A field shown whole or not at all (a counter) is dropped when its claim does not
fit, and so is every such field after it: the least important go first, never a more important
one before a less important one that happens to be narrower. An elidable field (the connection
state, the message) takes what is left, down to a least useful width; a kept field (the DEMO
badge, the state) is never dropped. Plain functions and one label class: the bar measures, this
module decides.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QFontMetrics, QResizeEvent
from PySide6.QtWidgets import QLabel, QWidget

#: An elided field narrower than this says nothing worth the room ("con…"): dropped instead
#: (unless kept).
LEAST_ELIDED = 40


@dataclass(frozen=True)
class Claim:
    """One step of the share-out: raise field ``field`` to ``width`` pixels."""

    field: str
    width: int
    #: Granted even when the room is short (an elidable one is granted what is left, or its
    #: least width).
    kept: bool = False
    #: May be granted less than ``width`` (what is left of the room, if at least
    #: :data:`LEAST_ELIDED`); otherwise all or nothing.
    elidable: bool = False


def share_out(claims: Sequence[Claim], room: int, spacing: int = 0) -> dict[str, int]:
    """The width of every field kept, for ``claims`` in order of importance; a field missing
    from the result is dropped. ``spacing`` is the gap between two fields shown."""
    widths: dict[str, int] = {}
    used = -spacing  # n fields have n - 1 gaps
    blocked = False  # a whole-or-nothing field was dropped: so is every one after it
    for claim in claims:
        whole_or_nothing = not (claim.elidable or claim.kept)
        if blocked and whole_or_nothing:
            continue
        have = widths.get(claim.field)
        gap = spacing if have is None else 0
        have = have or 0
        if claim.width <= have:
            continue
        left = have + room - used - gap  # the most this field can have
        if claim.width <= left:
            grant = claim.width
        elif claim.elidable:
            least = min(LEAST_ELIDED, claim.width)
            if left < least and not claim.kept:
                continue
            grant = max(left, least)
        elif claim.kept:
            grant = claim.width
        else:
            blocked = True
            continue
        if grant > have:
            used += grant - have + gap
            widths[claim.field] = grant
    return widths


def text_width(metrics: QFontMetrics, text: str) -> int:
    """The width of one line of ``text`` as a label lays it out (whole pixels, rounded up)."""
    return metrics.size(Qt.TextFlag.TextSingleLine, text).width() if text else 0


class ElidedLabel(QLabel):
    """A one-line label that shows as much of its text as its room takes, ending in "…".

    :meth:`text` is the whole text (what it says); :meth:`shown` what is painted. The room is
    either the label's own width (``own_width``: a label the layout stretches, re-elided on
    every resize) or what :meth:`set_room` gives (then its size hint is that of the text
    shown, and the layout gives it that). Font metrics are kept until the font changes.
    """

    def __init__(self, parent: QWidget | None = None, *, own_width: bool = False) -> None:
        super().__init__(parent)
        self._whole = ""
        self._own_width = own_width
        #: Pixels for the whole label (None: the whole text, whatever it takes).
        self._room: int | None = None
        self._metrics = QFontMetrics(self.font())

    # QLabel's text() and setText() are replaced: callers read and write the whole text.
    def text(self) -> str:  # type: ignore[override]
        return self._whole

    def setText(self, text: str) -> None:  # type: ignore[override]
        self._whole = text
        self._elide()

    def clear(self) -> None:
        self.setText("")

    def shown(self) -> str:
        """The text painted: the whole text, or its start and "…"."""
        return super().text()

    def elided(self) -> bool:
        return self.shown() != self._whole

    def extra(self) -> int:
        """The label's width beyond its text's: margins and frame."""
        margins = self.contentsMargins()
        return margins.left() + margins.right() + 2 * self.margin()

    def whole_width(self, text: str | None = None) -> int:
        """The width of the label showing ``text`` (its own text by default) whole."""
        return text_width(self._metrics, self._whole if text is None else text) + self.extra()

    def chars_width(self, count: int) -> int:
        """The width of the label showing ``count`` average characters."""
        return count * self._metrics.averageCharWidth() + self.extra()

    def set_room(self, width: int | None) -> None:
        """Elide to ``width`` pixels for the whole label (None: show the whole text)."""
        if width != self._room:
            self._room = width
            self._elide()

    def _elide(self) -> None:
        if self._own_width:
            room: int | None = self.width()
        else:
            room = self._room
        shown = self._whole
        if room is not None and shown:
            text_room = room - self.extra()
            if text_width(self._metrics, shown) > text_room:
                shown = self._metrics.elidedText(shown, Qt.TextElideMode.ElideRight, text_room)
        if shown != super().text():
            super().setText(shown)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self._own_width and event.size().width() != event.oldSize().width():
            self._elide()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:
            self._metrics = QFontMetrics(self.font())
            self._elide()
