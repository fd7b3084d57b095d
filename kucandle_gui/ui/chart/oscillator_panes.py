"""The oscillators' own panes (RSI, MACD): what :class:`~.studies.StudyLayer` draws in them
besides the study item, and how their y range is kept.

* RSI: fixed 0..100 with a small margin, dashed guides at 30 and 70, labelled there, and at
  0 and 100 when the pane is tall enough.
* MACD (any pane without a fixed range): y fitted to what is in view, on view changes, and
  on a tick only when the forming candle's values leave the range; never narrower than a
  millionth of the price, so a flat MACD is not float noise blown up.
* Each: the study's label at the top left, and the crosshair's vertical line.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QGraphicsItem

from kucandle_gui.model.viewport import Y_LOOSE, Y_PADDING
from kucandle_gui.ui.chart.indicator_items import GuideLines, StudyItem
from kucandle_gui.ui.chart.overlays import OverlayText, ViewLine, cosmetic_pen
from kucandle_gui.ui.chart.panes import Pane, Panes
from kucandle_gui.ui.chart.sampling import Sampler
from kucandle_gui.ui.chart.theme import DARK, ChartTheme

if TYPE_CHECKING:
    from kucandle_gui.model.indicators import IndicatorSpec, Study

#: The RSI pane's fixed range (0 to 100 with a margin, so that the 0 and 100 labels fit when
#: the pane is tall enough) and guide levels.
RSI_RANGE = (-5.0, 105.0)
RSI_GUIDES = (30.0, 70.0)
#: The RSI axis' labels, by priority: at the guides, then at the ends when there is room.
RSI_LABELS = (RSI_GUIDES, (0.0, 100.0))
#: The least y span of a fitted oscillator pane (MACD, in price units), as a fraction of the
#: newest close: far above float noise, below a price tick.
MIN_SPAN_OF_PRICE = 1e-6

Range = tuple[float, float]


@dataclass(eq=False)
class _OwnPane:
    """An oscillator's pane and what is drawn in it besides the study item."""

    pane: Pane
    item: StudyItem
    label: OverlayText
    cursor: ViewLine
    guides: GuideLines | None
    fixed: Range | None
    color: str = "#ffffff"
    y: Range = (0.0, 1.0)
    fitted_for: object = None  # the item's samples key at the last fit


def _is_rsi(spec: IndicatorSpec) -> bool:
    return spec.kind.name == "RSI"


class OscillatorPanes:
    """The panes of the oscillator studies drawn, by spec; see the module docstring."""

    def __init__(self, panes: Panes, sampler: Sampler) -> None:
        self._panes = panes
        self._sampler = sampler
        self._theme = DARK
        self._own: dict[IndicatorSpec, _OwnPane] = {}

    def new_pane(self, spec: IndicatorSpec) -> Pane:
        """A pane for ``spec`` (off the layout until the panes' ``set_studies`` lists it)."""
        return self._panes.new_study_pane(RSI_LABELS if _is_rsi(spec) else ())

    def add(self, pane: Pane, item: StudyItem, study: Study) -> None:
        """Keep ``pane`` (from :meth:`new_pane`) as ``study``'s, drawn by ``item``."""
        box = pane.box
        label = OverlayText(box, point_size=8.0)
        label.setPos(4, 2)
        label.setZValue(60)
        label.set_text(study.spec.label)
        # Static text: blitted from a pixmap on the repaints of every tick.
        label.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        cursor = ViewLine(box, vertical=True)
        cursor.setZValue(50)
        cursor.hide()
        is_rsi = _is_rsi(study.spec)
        guides = GuideLines(box, RSI_GUIDES) if is_rsi else None
        own = _OwnPane(pane, item, label, cursor, guides, RSI_RANGE if is_rsi else None)
        own.color = study.color
        self._style(own)
        if own.fixed is not None:
            own.y = own.fixed
            self._panes.move(box, y=own.fixed)
        self._own[study.spec] = own

    def set_color(self, spec: IndicatorSpec, color: str) -> None:
        """The label's colour of ``spec``'s pane (none: nothing to do)."""
        own = self._own.get(spec)
        if own is not None:
            own.color = color
            self._style(own)

    def drop(self, spec: IndicatorSpec) -> bool:
        """Forget ``spec``'s pane; True when it had one."""
        return self._own.pop(spec, None) is not None

    def pane(self, spec: IndicatorSpec) -> Pane | None:
        own = self._own.get(spec)
        return own.pane if own is not None else None

    def fit(self, *, exact: bool) -> None:
        """Fit the panes' y to what they show (see the module docstring)."""
        for own in self._own.values():
            if own.fixed is not None:
                continue
            item = own.item
            item.samples()  # brings its key up to date
            key = item.data_key
            y0, y1 = own.y
            if not exact and key == own.fitted_for:
                live = item.live_values()
                if all(y0 <= v <= y1 for v in live if math.isfinite(v)):
                    continue
            own.fitted_for = key
            extent = item.extent()
            if extent is None:
                continue
            low, high = self._at_least_min_span(*extent)
            if exact or low < y0 or high > y1 or (high - low) < Y_LOOSE * (y1 - y0):
                pad = (high - low) * Y_PADDING or abs(high) * 0.01 or 1.0
                own.y = (low - pad, high + pad)
                self._panes.move(own.pane.box, y=own.y)

    def _at_least_min_span(self, low: float, high: float) -> Range:
        """``low, high`` widened about their middle to :data:`MIN_SPAN_OF_PRICE` of the price
        level (a fitted oscillator is in price units): a flat MACD is a line across the
        middle of its pane, not float noise (1e-14) stretched over the pane."""
        store = self._sampler.store
        if not len(store):
            return low, high
        span = abs(float(store.close[-1])) * MIN_SPAN_OF_PRICE
        if not (high - low < span and math.isfinite(span)):
            return low, high
        middle = (low + high) / 2
        return middle - span / 2, middle + span / 2

    def place_cursor(self, time: float | None) -> None:
        """The crosshair's vertical line through the panes (None: hidden)."""
        for own in self._own.values():
            box = own.pane.box
            (x0, x1), _ = box.viewRange()
            if time is None or x1 <= x0:
                own.cursor.hide()
                continue
            x = (time - x0) / (x1 - x0) * box.width()
            own.cursor.setPos(x, 0.0)
            own.cursor.setVisible(0.0 <= x <= box.width())

    def set_theme(self, theme: ChartTheme) -> None:
        self._theme = theme
        for own in self._own.values():
            self._style(own)

    def _style(self, own: _OwnPane) -> None:
        theme = self._theme
        own.cursor.set_pen(cosmetic_pen(theme.crosshair, style=Qt.PenStyle.DashLine))
        if own.guides is not None:
            own.guides.set_color(theme.crosshair)
        plate = QColor(theme.background)
        plate.setAlpha(190)
        own.label.set_color(own.color, plate)
