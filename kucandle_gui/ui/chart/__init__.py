"""The candlestick chart: a price pane, a volume pane and study panes, drawn incrementally.

Public API (the window codes against this)::

    from kucandle_gui.ui.chart import AlertLine, CandleChart, ChartTheme, DARK, LIGHT

    chart = CandleChart(parent=None, theme=DARK)   # keyword-only extra: max_candles=None
    chart.followChanged        # Signal(bool): following the newest candle turned on/off
    chart.olderHistoryWanted   # Signal(int): the view nears the oldest held candle (its start
                               # time); said on every check that finds it near (redraws, range
                               # changes): the series' owner asks once per distinct oldest time
    chart.priceMenuRequested   # Signal(QPoint, float): right click in the price pane (global
                               # position, price there); the menu is the owner's
    chart.crosshairMoved       # Signal(float): the candle time under the mouse, NaN once the
                               # crosshair goes (the layout's linked crosshair listens)

    chart.set_series(symbol, timeframe, timeframe_seconds, store=None)
                                   # resets follow and zoom; with store: draw that series and
                                   # only read it (its owner writes it, then calls data_changed);
                                   # without: an empty store of the chart's own
    chart.data_changed()           # the store changed: one coalesced redraw at the next frame
    chart.set_history(candles)     # own store only: replace everything (any order)
    chart.apply(candle)            # own store only: upsert one candle by start time
    chart.apply_many(candles)      # own store only
    chart.clear()                  # own store only
    chart.candle_count() -> int
    chart.candles() -> list[Candle]            # all held, oldest first
    chart.visible_candles() -> list[Candle]    # starts within the current x range
    chart.last_price() -> float | None
    chart.follow_live() -> bool
    chart.set_follow_live(on)      # True snaps the view back to the newest candle (zoom kept)
    chart.reset_zoom()             # the newest candles at the default zoom, follow live
    chart.set_volume_visible(on)
    chart.set_theme(theme)
    chart.set_loading(text | None)     # centred note over the price pane
    chart.set_watermark(text | None)   # big translucent text, e.g. "SIMULATED"
    chart.readout_text() -> str        # the readout (candle under the crosshair, else the newest)
    chart.show_readout_at(time)        # crosshair on the candle at/nearest x=time
    chart.export_csv(path) -> int      # visible candles; header
                                       # time,unix,open,high,low,close,volume,turnover
                                       # (time: ISO 8601 local with offset); returns rows
    chart.save_png(path) -> bool
    chart.flush()                  # run a pending coalesced redraw now
    chart.drawn_count() -> int     # candles or zoomed-out buckets drawn by the last paint
    chart.crosshair_price() -> float | None   # the price under the crosshair (price pane only)
    chart.show_linked_time(time | None)       # another cell's crosshair time: a vertical
                                              # line only (no tag, no readout); None hides it
    chart.linked_time() -> float | None       # tests: an observation point

Studies, price scale, countdown, drawings (issue 12)::

    chart.set_indicators(indicators | None, studies)   # an IndicatorSet the owner keeps bound
                                   # to the store shown (ChartModel.indicators), and the Study
                                   # records (spec, colour, visible) to draw from it. The chart
                                   # calls indicators.sync() at each redraw; invisible studies
                                   # draw nothing. RSI and MACD get a pane each under the volume
    chart.indicators() -> IndicatorSet | None;  chart.studies() -> tuple[Study, ...]
    chart.readout_text()           # second line: the visible studies' values at the candle
    chart.scale                    # the price pane's PriceScale (the chart's own)
    chart.set_scale_mode(ScaleMode.LINEAR | LOG | PERCENT);  chart.scale_mode()
                                   # percent: of the first visible candle's close (follows pans)
    chart.countdown_label() -> str | None   # time left on the last-price tag ("mm:ss", or
                                            # "hh:mm" beyond 1hour candles)
    chart.drawings                 # DrawingLayer (ui/chart/drawings): set_book, set_tool, ...;
                                   # set_series tells it the pair

Alert lines (the chart knows prices, not alerts; ``ui/alerts/chart_alerts.py`` binds them)::

    lines = chart.alert_lines                  # AlertLines
    lines.set_lines([AlertLine(key, price, label), ...])   # replaces all; cheap when unchanged
    lines.lineMoved            # Signal(int, float): a line dragged and let go (key, price);
                               # a line its owner does not move goes back where it was
    lines.removeRequested      # Signal(int): Delete/Backspace, a line selected, chart focused
    lines.selected() -> int | None;  lines.select(key | None)   # click selects, Escape lets go
    lines.line_near(price, pixels=5) -> int | None   # the line under a click
    lines.set_price_format(fn)  # how the price-axis tags write a price

Additions beyond the brief (all optional to use)::

    chart.set_history_arrays(time, open, high, low, close, volume, turnover=None)  # numpy bulk
    chart.volume_visible() -> bool;  chart.theme() -> ChartTheme
    chart.loading_text() -> str | None;  chart.watermark_text() -> str | None
    chart.last_price_label() -> str    # the last-price tag on the price axis ("" if empty)
    chart.store                        # the store shown (read-only use)
    chart.price_view, chart.volume_view, chart.graphics_view, chart.time_axis,
    chart.candle_item, chart.volume_item   # internals, for tests and benchmarks
    chart.study_views(), chart.study_view(spec), chart.study_item(spec), chart.countdown

Coordinates: x is the candle's start time in Unix seconds, labelled in LOCAL time by our own
:class:`~.axes.TimeAxis` (pyqtgraph's ``DateAxisItem`` also shows local time, but is slow to
regenerate, which a following chart does on every new candle). The candle is centred on its
start time and its body is 0.8 timeframe wide. Up means close ≥ open.

How it is laid out, and how it stays fast (figures in BENCHMARKS.md):

* :mod:`kucandle_gui.model.viewport` — the view policy, Qt-free: follow the newest candle
  only while the view shows it; fit y on view changes, not per tick; ask for older history
  near the left edge.
* :mod:`.sampling` — only the visible candles are drawn; beyond one candle per pixel they are
  reduced to per-pixel buckets (``numpy.minimum/maximum.reduceat``). Qt-free.
* :mod:`.items` — one ``drawRects`` call per colour and part (wicks, bodies) over numpy-backed
  arrays of filled rectangles (no pens: filling is several times cheaper than stroking); the
  arrays are rebuilt only when the view or the history changes, the live candle is drawn apart.
* :mod:`.axes` — date/time and value axes that regenerate cheaply and share their ticks with
  a one-call grid (:mod:`.grid`); the ticks and labels themselves: :mod:`.axis_ticks` (Qt-free).
* :mod:`.panes` — the panes (price, volume, one per oscillator; dates on the lowest),
  linked in x by the chart, moved without a signal cascade.
* :mod:`.studies`, :mod:`.indicator_items` — indicator lines: one persistent item per study,
  the visible window only (per-pixel first/low/high/last when zoomed out), history cached
  by the frame and the set's ``history_version``, the forming candle's segment drawn apart;
  :mod:`.oscillator_panes` — RSI's and MACD's own panes (fixed or fitted y, guides, label).
* :mod:`.markers`, :mod:`.overlays` — crosshair, last-price line and tag, text: placed in
  pixels, a ``setPos`` per tick or mouse move.
* :mod:`.alert_lines` — alert lines (draggable ``pg.InfiniteLine``) and their axis tags.
* :mod:`.scaled` — the parts that place prices follow the price scale through one mixin;
  :mod:`.keys` — the keys and modifiers the alert lines and drawings share.
* :mod:`.readout`, :mod:`.export` — the readout text, CSV and PNG.
* :mod:`.countdown` — the tag's countdown timer (whole seconds, no chart redraw).
* :mod:`.widget` — ``CandleChart``: one redraw per screen frame at most (a single-shot
  ``QTimer``, its interval from :mod:`.frames`) that applies what the viewport decides;
  with :mod:`.hover` (crosshair, readout), :mod:`.parts` (read access),
  :mod:`.own_store` (writing a store of its own) as mixins.
"""

from kucandle_gui.ui.chart.alert_lines import AlertLine, AlertLines
from kucandle_gui.ui.chart.theme import DARK, LIGHT, ChartTheme
from kucandle_gui.ui.chart.widget import CandleChart

__all__ = ["DARK", "LIGHT", "AlertLine", "AlertLines", "CandleChart", "ChartTheme"]
