"""The chart parts that place prices through the chart's price scale, and follow its changes.

:class:`Scaled` is the part of them that is the same everywhere: a
:class:`~kucandle_gui.model.price_scale.PriceScale` of their own (linear) until told another
(``set_scale``), and ``_rescaled`` run whenever the one followed changes or is replaced. A
part calls :meth:`Scaled._follow_scale` in its ``__init__`` and says in ``_rescaled`` what a
new scale changes for it. (A method rather than ``__init__``: the parts are Qt objects too.)
"""

from __future__ import annotations

from kucandle_gui.model.price_scale import PriceScale


class Scaled:
    """A part that places prices through a scale it observes (linear until told)."""

    _scale: PriceScale

    def _follow_scale(self) -> None:
        """Start with a linear scale of its own; call once, from ``__init__``."""
        self._scale = PriceScale()
        self._scale.changed.connect(self._rescaled)

    def set_scale(self, scale: PriceScale) -> None:
        """Place through ``scale`` from now on, and again whenever it changes."""
        if scale is self._scale:
            return
        self._scale.changed.disconnect(self._rescaled)
        self._scale = scale
        scale.changed.connect(self._rescaled)
        self._rescaled()

    def _rescaled(self) -> None:
        """What a new scale, or a change of the one followed, changes for the part."""
        raise NotImplementedError
