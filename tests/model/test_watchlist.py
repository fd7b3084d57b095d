"""WatchlistModel without a QApplication, on a fake clock."""

from __future__ import annotations

import pytest

from kucandle_gui.model import (
    FLASH_MIN_INTERVAL,
    FLASH_SECONDS,
    MAX_WATCHLIST,
    STALE_AFTER,
    WatchlistFull,
    WatchlistModel,
)
from kucandle_gui.protocol.snapshot import Ticker


class Clock:
    """Monotonic seconds the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Log:
    """Records every emission of the events it is connected to."""

    def __init__(self) -> None:
        self.calls: list[tuple] = []

    def __call__(self, *args: object) -> None:
        self.calls.append(args)


def ticker(
    symbol: str = "BTC-USDT",
    last: float = 100.0,
    time: int = 1_000,
    opened: float = 80.0,
    high: float = 110.0,
    low: float = 75.0,
    turnover: float = 5e6,
) -> Ticker:
    return Ticker(
        symbol=symbol,
        last=last,
        change_rate=round((last - opened) / opened, 4),
        change_price=last - opened,
        high=high,
        low=low,
        volume=turnover / last,
        turnover=turnover,
        time=time,
    )


def watching(*symbols: str, live: bool = True) -> tuple[WatchlistModel, Clock, dict[str, Log]]:
    clock = Clock()
    model = WatchlistModel(clock)
    model.set_symbols(symbols)
    model.set_live(live)
    logs = {"symbols": Log(), "rows": Log(), "order": Log()}
    model.symbols_changed.connect(logs["symbols"])
    model.rows_changed.connect(logs["rows"])
    model.order_changed.connect(logs["order"])
    return model, clock, logs


# -- names, order, limit -----------------------------------------------------------------------


def test_a_pair_is_validated_normalised_once_and_added_once() -> None:
    model, _, logs = watching()
    assert model.add(" btc-usdt ") == "BTC-USDT"
    assert model.add("BTC-USDT") == "BTC-USDT"  # already there: nothing to do
    assert model.symbols == ("BTC-USDT",)
    assert "BTC-USDT" in model and len(model) == 1
    assert logs["symbols"].calls == [(("BTC-USDT",), ())]
    assert logs["order"].calls == [()]
    with pytest.raises(ValueError, match="expected BASE-QUOTE"):
        model.add("BTC/USDT")
    assert model.symbols == ("BTC-USDT",)
    assert len(logs["symbols"].calls) == 1


def test_past_the_limit_a_pair_is_refused_with_a_reason_and_nothing_changes() -> None:
    names = [f"C{i}-USDT" for i in range(MAX_WATCHLIST)]
    model, _, logs = watching(*names)
    with pytest.raises(WatchlistFull) as refused:
        model.add("btc-usdt")
    message = str(refused.value)
    assert isinstance(refused.value, ValueError)
    assert "BTC-USDT cannot be added" in message
    assert f"at most {MAX_WATCHLIST} pairs" in message
    assert "400 live topics on one connection" in message
    assert "charts and alerts" in message
    assert model.add("C7-USDT") == "C7-USDT"  # a pair already watched is no news, full or not
    with pytest.raises(WatchlistFull, match="301 pairs cannot be watched"):
        model.set_symbols([*names, "BTC-USDT"])
    assert model.symbols == tuple(names)
    assert [log.calls for log in logs.values()] == [[], [], []]  # nothing emitted


def test_rows_are_inserted_moved_and_removed_where_asked() -> None:
    model, _, logs = watching("A-USDT", "B-USDT", "C-USDT")
    model.add("D-USDT", index=1)
    model.add("E-USDT", index=-5)  # clamped to the top
    assert model.symbols == ("E-USDT", "A-USDT", "D-USDT", "B-USDT", "C-USDT")
    assert model.move("E-USDT", 99)  # clamped to the bottom
    assert not model.move("E-USDT", 4)  # already there
    assert not model.move("X-USDT", 0)  # not watched
    assert model.move("C-USDT", 0)
    assert model.symbols == ("C-USDT", "A-USDT", "D-USDT", "B-USDT", "E-USDT")
    assert [model.index(s) for s in model.symbols] == [0, 1, 2, 3, 4]
    assert model.index("X-USDT") == -1
    assert model.remove("A-USDT")
    assert not model.remove("A-USDT")
    assert model.symbols == ("C-USDT", "D-USDT", "B-USDT", "E-USDT")
    assert model.index("B-USDT") == 2
    assert [row.symbol for row in model.rows()] == list(model.symbols)
    assert logs["symbols"].calls == [
        (("D-USDT",), ()),
        (("E-USDT",), ()),
        ((), ("A-USDT",)),
    ]
    assert len(logs["order"].calls) == 5  # two adds, two moves, one removal


def test_replacing_the_list_tells_the_feed_only_the_difference_and_keeps_kept_rows() -> None:
    model, _, logs = watching("A-USDT", "B-USDT", "C-USDT")
    model.apply_tickers([ticker("B-USDT", last=7.0)])
    row = model.row("B-USDT")
    model.set_symbols(["b-usdt", "D-USDT", "B-USDT", "a-usdt"])
    assert model.symbols == ("B-USDT", "D-USDT", "A-USDT")
    assert model.row("B-USDT") is row and row.last == 7.0
    assert model.row("C-USDT") is None
    assert logs["symbols"].calls == [(("D-USDT",), ("C-USDT",))]
    assert len(logs["order"].calls) == 1
    model.set_symbols(["B-USDT", "A-USDT", "D-USDT"])  # reordered only
    assert len(logs["symbols"].calls) == 1 and len(logs["order"].calls) == 2
    model.set_symbols(["B-USDT", "A-USDT", "D-USDT"])  # the same: no news
    assert len(logs["order"].calls) == 2
    with pytest.raises(ValueError, match="'X_Y'"):
        model.set_symbols(["E-USDT", "X_Y"])
    assert model.symbols == ("B-USDT", "A-USDT", "D-USDT")
    assert len(logs["symbols"].calls) == 1


# -- tickers -----------------------------------------------------------------------------------


def test_tickers_update_their_rows_in_one_event_and_unknown_ones_are_ignored() -> None:
    model, clock, logs = watching("BTC-USDT", "ETH-USDT")
    clock.now = 1001.0
    model.apply_tickers([ticker("BTC-USDT", time=5_000), ticker("XRP-USDT"), ticker("ETH-USDT")])
    assert logs["rows"].calls == [(("BTC-USDT", "ETH-USDT"),)]
    row = model.row("BTC-USDT")
    assert (row.last, row.change_rate, row.high, row.low, row.turnover) == (
        100.0,
        0.25,
        110.0,
        75.0,
        5e6,
    )
    assert row.updated_at == 1001.0
    clock.now = 1002.0
    model.apply_tickers([ticker("XRP-USDT")])
    model.apply_tickers([])
    assert len(logs["rows"].calls) == 1
    assert row.last == 100.0 and row.updated_at == 1001.0
    # The feed orders each pair's tickers: a first push after a REST value is news even when
    # its time (when the statistics were computed) is earlier than the reply's.
    model.apply_tickers([ticker("BTC-USDT", last=101.0, time=4_000)])
    assert logs["rows"].calls[-1] == (("BTC-USDT",),)
    assert row.last == 101.0 and row.ticker.time == 4_000 and row.updated_at == 1002.0


def test_a_refused_row_stays_refused_until_it_is_added_again() -> None:
    model, _, logs = watching("NOPE-USDT", "BTC-USDT")
    model.refused("NOPE-USDT")
    model.refused("NOPE-USDT")  # said again: no news
    model.refused("XRP-USDT")  # not watched
    assert logs["rows"].calls == [(("NOPE-USDT",),)]
    model.apply_tickers([ticker("NOPE-USDT")])
    model.candle_close("NOPE-USDT", 3.0)
    row = model.row("NOPE-USDT")
    assert row.refused and row.ticker is None and row.last is None
    assert not model.is_stale("NOPE-USDT")  # refused, which is not stale
    assert len(logs["rows"].calls) == 1
    model.remove("NOPE-USDT")
    model.add("NOPE-USDT")
    assert not model.row("NOPE-USDT").refused
    assert logs["symbols"].calls[-1] == (("NOPE-USDT",), ())  # the feed tries again


# -- flashes -----------------------------------------------------------------------------------


def test_a_changed_price_flashes_its_direction_at_most_once_per_interval() -> None:
    model, clock, _ = watching("BTC-USDT")
    model.apply_tickers([ticker(last=100.0, time=1)])
    row = model.row("BTC-USDT")
    assert row.flash == 0 and row.flashing(clock.now) == 0  # a first value is no change
    clock.now += 1.0
    model.apply_tickers([ticker(last=101.0, time=2)])
    assert (row.flash, row.flashed_at) == (1, clock.now)
    assert row.flashing(clock.now + FLASH_SECONDS / 2) == 1
    assert row.flashing(clock.now + FLASH_SECONDS + 0.01) == 0
    flashed = clock.now
    clock.now += FLASH_MIN_INTERVAL / 2
    model.apply_tickers([ticker(last=99.0, time=3)])  # too soon: no second flash
    model.candle_close("BTC-USDT", 98.0)
    assert (row.flash, row.flashed_at) == (1, flashed)
    assert row.last == 98.0
    clock.now = flashed + FLASH_MIN_INTERVAL + 0.01
    model.candle_close("BTC-USDT", 97.0)
    assert (row.flash, row.flashed_at) == (-1, clock.now)
    clock.now += 1.0
    model.apply_tickers([ticker(last=120.0, time=4)])  # the chart's close stays the price
    assert (row.last, row.flash) == (97.0, -1)


# -- staleness ---------------------------------------------------------------------------------


def test_a_row_is_stale_without_a_live_link_without_a_ticker_or_after_stale_after() -> None:
    model, clock, logs = watching("BTC-USDT", "ETH-USDT", live=False)
    model.apply_tickers([ticker("BTC-USDT")])
    assert model.is_stale("BTC-USDT")  # the link is not live
    model.set_live(True)
    model.set_live(True)  # said again: no news
    assert logs["rows"].calls[-1] == (("BTC-USDT", "ETH-USDT"),)
    assert len(logs["rows"].calls) == 2
    assert not model.is_stale("BTC-USDT")
    assert model.is_stale("ETH-USDT")  # no ticker yet
    assert not model.is_stale("XRP-USDT")  # not watched
    assert not model.is_stale("BTC-USDT", clock.now + STALE_AFTER)
    assert model.is_stale("BTC-USDT", clock.now + STALE_AFTER + 0.01)
    clock.now += STALE_AFTER + 0.01
    assert model.is_stale("BTC-USDT")  # now from the model's clock
    model.set_live(False)
    assert logs["rows"].calls[-1] == (("BTC-USDT", "ETH-USDT"),)


def test_stale_changes_lists_only_rows_whose_staleness_flipped() -> None:
    model, clock, _ = watching("A-USDT", "B-USDT", "C-USDT", live=False)
    assert model.stale_changes() == ("A-USDT", "B-USDT", "C-USDT")  # first poll: all stale
    assert model.stale_changes() == ()
    model.set_live(True)
    model.apply_tickers([ticker("C-USDT"), ticker("A-USDT")])
    model.refused("B-USDT")
    assert model.stale_changes() == ("A-USDT", "B-USDT", "C-USDT")
    clock.now += 2.0
    model.apply_tickers([ticker("A-USDT", time=2_000)])
    assert model.stale_changes(clock.now + STALE_AFTER - 1.0) == ("C-USDT",)
    assert model.stale_changes(clock.now + STALE_AFTER + 1.0) == ("A-USDT",)
    assert [model.is_stale(s, clock.now + STALE_AFTER + 1.0) for s in model.symbols] == [
        True,
        False,
        True,
    ]
    model.set_live(False)
    model.remove("A-USDT")
    assert model.stale_changes(clock.now) == ()  # C stale anyway, A gone, B refused


# -- the chart's last price --------------------------------------------------------------------


def test_the_charts_close_is_the_last_price_and_the_rest_follows_from_it() -> None:
    model, _, logs = watching("BTC-USDT")
    model.apply_tickers([ticker(last=100.0, opened=80.0, high=110.0, low=75.0)])
    model.candle_close("BTC-USDT", 120.0)
    row = model.row("BTC-USDT")
    assert logs["rows"].calls[-1] == (("BTC-USDT",),)
    assert (row.last, row.high, row.low) == (120.0, 120.0, 75.0)
    assert row.change_rate == pytest.approx(0.5)
    model.candle_close("BTC-USDT", 70.0)
    assert (row.last, row.high, row.low) == (70.0, 110.0, 70.0)
    assert row.change_rate == pytest.approx(-0.125)
    rows = len(logs["rows"].calls)
    model.candle_close("BTC-USDT", 70.0)  # the same close: no news
    assert len(logs["rows"].calls) == rows
    model.apply_tickers([ticker(last=70.0, time=2_000, high=111.0)])
    assert (row.last, row.high, row.change_rate) == (70.0, 111.0, -0.125)  # the exchange's
    model.candle_released("BTC-USDT")
    model.apply_tickers([ticker(last=101.0, time=3_000)])
    assert row.last == 101.0  # the chart left the pair: the ticker's price again


def test_releasing_the_chart_shows_the_tickers_last_price_at_once() -> None:
    model, _, logs = watching("BTC-USDT")
    model.apply_tickers([ticker(last=100.0)])
    model.candle_close("BTC-USDT", 104.0)
    model.candle_released("BTC-USDT")
    row = model.row("BTC-USDT")
    assert (row.last, row.change_rate, row.high) == (100.0, 0.25, 110.0)
    assert logs["rows"].calls[-1] == (("BTC-USDT",),)
    rows = len(logs["rows"].calls)
    model.candle_released("BTC-USDT")  # nothing held before: no news
    model.candle_released("ETH-USDT")
    assert len(logs["rows"].calls) == rows


def test_a_pair_added_while_the_chart_shows_it_agrees_with_the_chart_at_once() -> None:
    model, _, logs = watching()
    model.candle_close("BTC-USDT", 104.0)  # not watched: remembered, nothing emitted
    assert logs["rows"].calls == []
    model.add("BTC-USDT")
    row = model.row("BTC-USDT")
    assert row.last == 104.0 and row.change_rate is None and row.flash == 0
    model.apply_tickers([ticker(last=100.0)])
    assert row.last == 104.0 and row.flash == 0 and row.high == 110.0


def test_restart_forgets_every_value_and_refusal_but_keeps_the_pairs() -> None:
    model, clock, logs = watching("BTC-USDT", "NOPE-USDT")
    model.apply_tickers([ticker(last=100.0, time=9_000)])
    clock.now += 1.0
    model.candle_close("BTC-USDT", 101.0)
    model.refused("NOPE-USDT")
    btc = model.row("BTC-USDT")
    model.restart()
    assert logs["rows"].calls[-1] == (("BTC-USDT", "NOPE-USDT"),)
    assert logs["symbols"].calls == []  # the new feed is built watching the same pairs
    assert model.row("BTC-USDT") is btc
    assert (btc.ticker, btc.last, btc.change_rate, btc.updated_at, btc.flash) == (
        None,
        None,
        None,
        None,
        0,
    )
    assert not model.row("NOPE-USDT").refused
    assert model.is_stale("BTC-USDT")
    model.apply_tickers([ticker(last=50.0, time=10)])  # the new exchange's time, far older
    assert btc.last == 50.0 and btc.flash == 0  # not the old close, and no flash
