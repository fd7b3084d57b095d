"""Everything the screen shows, for every series at once.

``MonitorModel`` holds one :class:`SeriesModel` per series some view needs (the charts, and the
1min series of every pair with an active alert), so a series shown twice is held once and a
series no view needs is let go. What it holds is what the feed must be subscribed to:
``subscriptions_changed`` tells the worker layer, which never decides that itself. What the
feed delivers comes back through :meth:`apply` and friends; anything for a series not held
(still in flight from before a switch) is dropped here, in one place.

It also owns the :class:`WatchlistModel` (fed tickers, not candles) and hands it the newest
close of every series the exchange is pushing (held, subscribed, not refused), so a watched
pair's last price agrees with its chart; once no series of a pair is pushed, the ticker's price
is shown again (a chart's close frozen by a lost subscription or a refusal is not a price).

And it owns the :class:`AlertBook`, telling it what the book cannot see itself: which 1min
candles arrived, when a pair's subscription was lost (a gap) and when its history is complete
again while subscribed (the gap is filled: the book catches up). When the series does not reach
back to where the catch-up starts, the book asks for older candles (``AlertBook.older_wanted``):
the monitor asks them through the series, as a chart scrolling left does (``older_requested``,
answered by :meth:`MonitorModel.older_loaded` / :meth:`MonitorModel.older_failed`), and tells
the book what came, or that nothing will (a failure, nothing older, nobody connected to
``older_requested``: the book then catches up from what is held and reports the rest
``unchecked``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from kucandle_gui.protocol import Candle

from .alerts import ALERT_TIMEFRAME, AlertBook
from .chart_model import ChartModel
from .events import Event
from .indicators import Study, unique_studies
from .keys import SeriesKey
from .price_scale import ScaleMode
from .series_model import SeriesModel, SeriesState
from .watchlist import WatchlistModel

#: Candles asked for each time a view scrolls past the oldest one held.
OLDER_PAGE = 500


class MonitorModel:
    """Series held (with their holders), the charts, and the requests they make."""

    #: ``(added, removed)``: tuples of ``SeriesKey`` the feed must (no longer) carry.
    subscriptions_changed = Event()
    #: ``(key, before, count)``: load up to ``count`` candles of ``key`` older than ``before``.
    older_requested = Event()
    #: ``simulated``: prices now come from another exchange (real, the local simulated one,
    #: or a recording played back: :attr:`replay`); every held series started over.
    source_changed = Event()
    #: ``key``: the exchange has no candles of a held series older than those held.
    no_older = Event()
    #: ``key``: candles the feed delivered for a held series were applied (changed or not).
    candles_applied = Event()

    def __init__(
        self,
        max_candles: int | None = 100_000,
        older_page: int = OLDER_PAGE,
        watchlist: WatchlistModel | None = None,
        alerts: AlertBook | None = None,
    ) -> None:
        self.max_candles = max_candles
        self.older_page = older_page
        #: Whether the prices come from a simulated exchange: views say so on screen.
        self.simulated = False
        #: Whether they are a recording played back (simulated too: not live prices; views
        #: say REPLAY rather than SIMULATED).
        self.replay = False
        self.charts: list[ChartModel] = []
        self._held: dict[SeriesKey, SeriesModel] = {}
        self._holders: dict[SeriesKey, int] = {}
        #: Pairs whose last price in the watchlist is a pushed series' close.
        self._priced: set[str] = set()
        #: The followed pairs and their 24 h statistics (tests pass one with a fake clock).
        self.watchlist = WatchlistModel() if watchlist is None else watchlist
        #: Pairs whose 1min series is subscribed and complete since (no gap in it): an alert
        #: added on such a pair catches up at once, no history load will come.
        self._complete: set[str] = set()
        #: Every alert, evaluated on the 1min series this model holds for it.
        self.alerts = AlertBook() if alerts is None else alerts
        self.alerts.symbols_changed.connect(self._alert_symbols_changed)
        self.alerts.older_wanted.connect(self._alert_older_wanted)
        self._alert_symbols_changed(self.alerts.symbols(), ())

    # -- what is held ----------------------------------------------------------------------

    def wanted(self) -> tuple[SeriesKey, ...]:
        """Every series held: the subscriptions the feed should have."""
        return tuple(self._held)

    def series(self, key: SeriesKey) -> SeriesModel | None:
        return self._held.get(key)

    def hold(self, key: SeriesKey) -> SeriesModel:
        """Count one more holder of ``key`` (held and subscribed from the first one on)."""
        self._holders[key] = self._holders.get(key, 0) + 1
        series = self._held.get(key)
        if series is None:
            series = SeriesModel(key, self.max_candles)
            series.older_wanted.connect(self._relay_older)
            series.no_older.connect(self.no_older.emit)
            self._held[key] = series
            self.subscriptions_changed.emit((key,), ())
        return series

    def release(self, key: SeriesKey) -> None:
        """One holder fewer; the last one lets the series (and its subscription) go."""
        count = self._holders.get(key, 0) - 1
        if count > 0:
            self._holders[key] = count
            return
        self._holders.pop(key, None)
        if self._held.pop(key, None) is not None:
            if key.timeframe == ALERT_TIMEFRAME:
                self._complete.discard(key.symbol)
                self.alerts.released(key.symbol)
            self._unprice(key.symbol)
            self.subscriptions_changed.emit((), (key,))

    def set_source(self, simulated: bool, *, replay: bool = False) -> None:
        """Another exchange feeds the monitor: every held series starts over (no candle of one
        exchange is ever shown beside another's), and views learn whether it is simulated.
        ``replay``: a recording played back, which is never live (simulated whatever
        ``simulated`` says): what is made of it (alerts, drawings) is the demo's, never saved."""
        self.simulated = simulated or replay
        self.replay = replay
        for series in self._held.values():
            series.restart()
        self._priced.clear()
        self._complete.clear()
        self.watchlist.restart()
        self.alerts.set_simulated(self.simulated)
        self.source_changed.emit(self.simulated)

    # -- charts ------------------------------------------------------------------------------

    def add_chart(
        self,
        symbol: str,
        timeframe: str,
        studies: Iterable[Study] = (),
        scale: ScaleMode = ScaleMode.LINEAR,
    ) -> ChartModel:
        """A chart showing ``symbol`` ``timeframe`` (``ValueError`` names what is valid).

        Everything is checked before the series is held: a chart that cannot open leaves no
        subscription behind."""
        key = SeriesKey.of(symbol, timeframe)
        studies, scale = unique_studies(studies), ScaleMode(scale)
        chart = ChartModel(self.hold(key), studies, scale)
        self.charts.append(chart)
        return chart

    def remove_chart(self, chart: ChartModel) -> None:
        """The chart goes: its indicators stop, its series is released (kept while another
        chart or an alert holds it). ``ValueError`` when it is not one of :attr:`charts`."""
        self._check_held(chart)
        self.charts.remove(chart)
        chart.close()
        self.release(chart.key)

    def show(self, chart: ChartModel, symbol: str, timeframe: str) -> bool:
        """Point ``chart`` at another series; False when it already shows it.

        Validated here, once (``ValueError`` names what is valid; so is a chart removed
        already, whose series was let go: switching it would release its old series a second
        time, a series another chart may still show). The new series is held before the old
        one is released, so switching between two views' series never drops a subscription
        that is still needed.
        """
        key = SeriesKey.of(symbol, timeframe)
        self._check_held(chart)
        if key == chart.key:
            return False
        old = chart.key
        chart._switch(self.hold(key))
        self.release(old)
        return True

    def _check_held(self, chart: ChartModel) -> None:
        """``ValueError`` unless ``chart`` is one of :attr:`charts` (each holds its series)."""
        if chart not in self.charts:
            raise ValueError(f"the chart of {chart.key} is not one of this monitor's")

    # -- what the feed delivers (UI thread) --------------------------------------------------

    def apply(self, symbol: str, timeframe: str, candles: Sequence[Candle]) -> None:
        """Candles of one series from the feed; dropped unless the series is held.

        While the series is pushed (subscribed, not refused), the newest candle's close is the
        pair's last price for the watchlist: handed over when that candle changed (a trade, or a
        new candle) or when the pair's price is not a close yet; a late update of an older
        candle is not the last price.
        """
        key = SeriesKey(symbol, timeframe)
        series = self._held.get(key)
        if series is not None:
            newest = series.candles.last()
            series.apply(candles)
            latest = series.candles.last()
            if (
                latest is not None
                and (latest != newest or symbol not in self._priced)
                and _pushed(series)
            ):
                self._priced.add(symbol)
                self.watchlist.candle_close(symbol, latest.close)
            self.candles_applied.emit(key)
            if timeframe == ALERT_TIMEFRAME:
                self.alerts.candles(symbol, candles)

    def history_loaded(self, symbol: str, timeframe: str, complete: bool = True) -> None:
        """The feed's REST history (or backfill) of a series is in; ``complete``: no other
        load of it is outstanding, so a subscribed series has no hole (an alert gap is filled)."""
        series = self._held.get(SeriesKey(symbol, timeframe))
        if series is None:
            return
        if series.state is SeriesState.LOADING:
            series.set_state(SeriesState.READY)
        if timeframe == ALERT_TIMEFRAME and complete and series.subscribed:
            self._complete.add(symbol)
            self.alerts.filled(symbol, series.candles)

    def subscribed(self, symbol: str, timeframe: str, on: bool) -> None:
        """The feed's subscription of a series was acknowledged (``on``) or is gone (a lost
        connection, an unsubscribe still on its way)."""
        series = self._held.get(SeriesKey(symbol, timeframe))
        if series is not None:
            series.set_subscribed(on)
            if not on:
                self._unprice(symbol)
                if timeframe == ALERT_TIMEFRAME:
                    self._complete.discard(symbol)
                    self.alerts.gap(symbol)

    def refused(self, symbol: str, timeframe: str) -> None:
        """The exchange will not serve a series (the feed dropped its subscription)."""
        series = self._held.get(SeriesKey(symbol, timeframe))
        if series is not None:
            series.set_state(SeriesState.REFUSED)
            self._unprice(symbol)
            if timeframe == ALERT_TIMEFRAME:
                self._complete.discard(symbol)
                self.alerts.refused(symbol)

    def older_loaded(self, symbol: str, timeframe: str, candles: Sequence[Candle]) -> None:
        """Older candles of a series arrived (none: the exchange has nothing older)."""
        series = self._held.get(SeriesKey(symbol, timeframe))
        if series is not None:
            series.older_loaded(candles)
            if timeframe == ALERT_TIMEFRAME:
                if candles:
                    self.alerts.older_loaded(symbol, series.candles)
                else:
                    self.alerts.older_missing(symbol, series.candles)

    def older_failed(self, symbol: str, timeframe: str) -> None:
        """A request for older candles failed (a view may ask again; an alert catch-up goes
        on without them)."""
        series = self._held.get(SeriesKey(symbol, timeframe))
        if series is not None:
            series.older_failed()
            if timeframe == ALERT_TIMEFRAME:
                self.alerts.older_missing(symbol, series.candles)

    def _alert_symbols_changed(self, added: tuple[str, ...], removed: tuple[str, ...]) -> None:
        """Hold the 1min series of pairs that gained an alert, release those that lost their
        last; a series already complete is caught up at once (no load will say so)."""
        for symbol in added:
            series = self.hold(SeriesKey(symbol, ALERT_TIMEFRAME))
            if symbol in self._complete:
                self.alerts.filled(symbol, series.candles)
            elif series.refused:
                self.alerts.refused(symbol)
        for symbol in removed:
            self.release(SeriesKey(symbol, ALERT_TIMEFRAME))

    def _alert_older_wanted(self, symbol: str, before: int) -> None:
        """An alert catch-up wants older 1min candles: asked through the series (an answer to
        a request a chart made for the same edge serves both); when none will come, the book
        learns it at once."""
        series = self._held.get(SeriesKey(symbol, ALERT_TIMEFRAME))
        if series is None:
            return
        if not len(self.older_requested) or not series.want_older(before):
            self.alerts.older_missing(symbol, series.candles)

    def _relay_older(self, key: SeriesKey, before: int) -> None:
        self.older_requested.emit(key, before, self.older_page)

    def _unprice(self, symbol: str) -> None:
        """A series of ``symbol`` stopped being pushed: another one that still is gives the
        price (its newest close; kept as is while it has none yet), else the watchlist shows
        the ticker's price again (the next pushed candle brings the close back)."""
        if symbol not in self._priced:
            return
        pushed = [s for k, s in self._held.items() if k.symbol == symbol and _pushed(s)]
        if not pushed:
            self._priced.discard(symbol)
            self.watchlist.candle_released(symbol)
            return
        newest = next((c for s in pushed if (c := s.candles.last()) is not None), None)
        if newest is not None:
            self.watchlist.candle_close(symbol, newest.close)


def _pushed(series: SeriesModel) -> bool:
    """Whether the exchange pushes ``series`` now (subscribed, not refused): only then is its
    newest close the pair's last price."""
    return series.subscribed and not series.refused
