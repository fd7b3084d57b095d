"""The deterministic market and the push decisions, without sockets."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

import pytest

from kucandle_gui.protocol import Candle, candle_start, format_number
from kucandle_gui.sim.market import LATE_UPDATE_SHARE, Market, UnknownSymbolError
from kucandle_gui.sim.pushes import CandleFeed
from kucandle_gui.sim.symbols import CATALOG, spec_for

NOW = 1_750_000_020.5
LISTED_DAYS = 3
BUSY = [s for s in CATALOG if s != "QUIET-USDT"]


def make_market(seed: int = 1, listed_days: float = LISTED_DAYS) -> Market:
    return Market(seed, list(CATALOG.values()), NOW - listed_days * 86400)


@pytest.fixture(scope="module")
def market() -> Market:
    return make_market()


def test_same_seed_gives_same_candles_and_another_seed_other_ones(market: Market) -> None:
    window = (int(NOW) - 6 * 3600, int(NOW))
    again = make_market(seed=1).candles("BTC-USDT", "5min", *window, NOW)
    other = make_market(seed=2).candles("BTC-USDT", "5min", *window, NOW)
    assert market.candles("BTC-USDT", "5min", *window, NOW) == again
    assert again != other


def test_a_candle_is_the_same_whatever_range_it_is_computed_in(market: Market) -> None:
    wide = market.candles("ETH-USDT", "1min", int(NOW) - 86400, int(NOW), NOW)
    narrow = market.candles("ETH-USDT", "1min", wide[700].time, wide[705].time, NOW)
    assert narrow == wide[700:706]
    assert all(market.candle("ETH-USDT", "1min", c.time, NOW) == c for c in wide[-50:-1])
    # Closed candles do not change as time goes on.
    later = market.candles("ETH-USDT", "1min", wide[0].time, wide[-2].time, NOW + 7200)
    assert later == wide[:-1]


def test_the_open_candle_grows_trade_by_trade_into_its_final_state(market: Market) -> None:
    start = candle_start("1min", NOW) + 60
    states = [market.candle("BTC-USDT", "1min", start, start + s) for s in (5, 20, 40, 59.99)]
    assert all(state is not None for state in states)
    for before, after in itertools.pairwise(states):
        assert after.open == before.open
        assert after.volume > before.volume and after.turnover > before.turnover
        assert after.high >= before.high and after.low <= before.low
    final = market.candle("BTC-USDT", "1min", start, start + 3600)
    assert final == states[-1]


@pytest.mark.parametrize("symbol", ["BTC-USDT", "QUIET-USDT"])
def test_a_minute_so_far_adds_up_its_trades_to_that_second(market: Market, symbol: str) -> None:
    """The cut of the current minute (24 h statistics, open candles) at every second equals
    the minute's listed trades up to it, added up here in plain Python."""
    minute = int(NOW) // 60 + 1
    while True:  # a minute with trades (QUIET-USDT has long silences)
        seconds, ticks, sizes = (a.tolist() for a in market.trades(symbol, minute, 1))
        if len(seconds) >= 2:
            break
        minute += 1
    for second in range(minute * 60, minute * 60 + 60):
        count = sum(1 for s in seconds if s <= second)
        span = market.minute_so_far(symbol, second)
        if count == 0:
            assert not span.traded
            continue
        done_ticks, done_sizes = ticks[:count], sizes[:count]
        assert span == (
            True,
            done_ticks[0],
            done_ticks[-1],
            max(done_ticks),
            min(done_ticks),
            sum(done_sizes),
            sum(t * z for t, z in zip(done_ticks, done_sizes, strict=True)),
        )


@pytest.mark.parametrize(("coarse", "fine"), [("1hour", "1min"), ("1day", "1hour")])
def test_coarse_candles_aggregate_the_fine_ones(market: Market, coarse: str, fine: str) -> None:
    big = market.candles("SOL-USDT", coarse, int(NOW) - 2 * 86400, int(NOW), NOW)
    assert len(big) >= 2
    for candle in big:
        end = candle.time + (3600 if coarse == "1hour" else 86400) - 1
        parts = market.candles("SOL-USDT", fine, candle.time, end, NOW)
        assert candle.open == parts[0].open and candle.close == parts[-1].close
        assert candle.high == max(p.high for p in parts)
        assert candle.low == min(p.low for p in parts)
        assert candle.volume == pytest.approx(sum(p.volume for p in parts), rel=1e-12)
        assert candle.turnover == pytest.approx(sum(p.turnover for p in parts), rel=1e-12)


def test_nothing_trades_before_the_listing_time(market: Market) -> None:
    listing = market.listing_time
    minutes = market.candles("BTC-USDT", "1min", 0, int(NOW), NOW)
    assert minutes[0].time >= listing
    assert market.candles("BTC-USDT", "1min", 0, listing - 1, NOW) == []
    # The day candle that holds the listing counts only what traded after it.
    day = market.candles("BTC-USDT", "1day", 0, listing, NOW)[0]
    assert day.time == candle_start("1day", listing) < listing
    listed_part = [m for m in minutes if m.time < day.time + 86400]
    assert day.volume == pytest.approx(sum(m.volume for m in listed_part), rel=1e-12)


def test_silent_minutes_have_no_candle_and_no_candle_is_empty(market: Market) -> None:
    span = (int(NOW) - 2 * 86400, int(NOW) - 60)
    slots = (span[1] - span[0]) // 60
    for symbol in CATALOG:
        candles = market.candles(symbol, "1min", *span, NOW)
        assert all(c.volume > 0 and c.turnover > 0 and c.is_consistent() for c in candles)
        missing = 1 - len(candles) / slots
        if symbol == "QUIET-USDT":
            assert missing > 0.5
            times = [c.time for c in candles]
            assert max(b - a for a, b in itertools.pairwise(times)) >= 15 * 60
        else:
            assert 0.005 < missing < 0.1, symbol


def test_prices_and_sizes_sit_on_the_pairs_increments(market: Market) -> None:
    for symbol, spec in CATALOG.items():
        for candle in market.candles(symbol, "1min", int(NOW) - 3600, int(NOW), NOW):
            for price in (candle.open, candle.high, candle.low, candle.close):
                assert len(format_number(price).partition(".")[2]) <= spec.price_decimals
            assert len(format_number(candle.volume).partition(".")[2]) <= spec.size_decimals


def test_prices_stay_plausible_over_a_month() -> None:
    month = make_market(listed_days=30)
    expected = {"BTC-USDT": (40_000, 90_000), "ETH-BTC": (0.03, 0.075), "DOGE-USDT": (0.1, 0.22)}
    for symbol, (low, high) in expected.items():
        days = month.candles(symbol, "1day", 0, int(NOW), NOW)
        assert len(days) in (30, 31)
        assert low < min(d.low for d in days) and max(d.high for d in days) < high


def test_weeks_start_on_monday_and_months_on_the_first() -> None:
    month = make_market(listed_days=30)
    for candle in month.candles("KCS-USDT", "1week", 0, int(NOW), NOW):
        moment = datetime.fromtimestamp(candle.time, tz=UTC)
        assert (moment.weekday(), moment.hour, moment.minute) == (0, 0, 0)
    months = month.candles("KCS-USDT", "1month", 0, int(NOW), NOW)
    assert len(months) == 2
    assert all(datetime.fromtimestamp(c.time, tz=UTC).day == 1 for c in months)


def test_limit_keeps_the_newest_candles(market: Market) -> None:
    everything = market.candles("XRP-USDT", "1min", 0, int(NOW), NOW)
    assert len(everything) > 1500
    assert market.candles("XRP-USDT", "1min", 0, int(NOW), NOW, limit=1500) == everything[-1500:]
    assert market.candles("XRP-USDT", "1min", 0, int(NOW), NOW, limit=3) == everything[-3:]


def test_an_unlisted_pair_is_refused_and_unknown_names_get_a_stable_made_up_spec(
    market: Market,
) -> None:
    with pytest.raises(UnknownSymbolError):
        market.candles("NOPE-USDT", "1min", 0, int(NOW), NOW)
    assert spec_for("FOO-USDT") == spec_for("FOO-USDT")
    made_up = Market(1, [spec_for("FOO-USDT")], NOW - 3600)
    assert made_up.candles("FOO-USDT", "1min", 0, int(NOW), NOW)


def test_about_one_rollover_in_ten_is_late(market: Market) -> None:
    starts = range(int(NOW) // 60 * 60, int(NOW) // 60 * 60 + 3000 * 60, 60)
    late = sum(market.is_late_rollover("BTC-USDT", "1min", s) for s in starts)
    assert LATE_UPDATE_SHARE * 0.6 < late / 3000 < LATE_UPDATE_SHARE * 1.4


def _run_feed(market: Market, symbol: str, timeframe: str, times: list[float]) -> list[Candle]:
    feed = CandleFeed(market, symbol, timeframe, times[0])
    return [candle for now in times[1:] for candle in feed.due(now)]


def test_a_feed_pushes_only_changes_and_ends_each_period_on_its_final_state() -> None:
    market = make_market()
    times = [NOW + 7 * i for i in range(60)]  # a round every 7 simulated seconds, 7 minutes
    sent = _run_feed(market, "BTC-USDT", "1min", times)
    last_by_start: dict[int, Candle] = {}
    for candle in sent:
        assert last_by_start.get(candle.time) != candle, "identical repeat"
        last_by_start[candle.time] = candle
    closed = market.candles("BTC-USDT", "1min", int(NOW) + 1, int(times[-1]) - 60, times[-1])
    assert len(closed) >= 5
    assert all(last_by_start[c.time] == c for c in closed)


def test_a_late_rollover_pushes_the_new_candle_before_the_old_ones_final_state() -> None:
    market = make_market()
    first = int(NOW) // 60 * 60 + 60
    late_start = next(
        s
        for s in range(first + 60, first + 6000, 60)
        if market.is_late_rollover("ETH-USDT", "1min", s)
    )
    on_time_start = next(
        s
        for s in range(first + 60, first + 6000, 60)
        if not market.is_late_rollover("ETH-USDT", "1min", s)
    )
    for rollover, late in ((late_start, True), (on_time_start, False)):
        feed = CandleFeed(market, "ETH-USDT", "1min", rollover - 30)
        feed.due(rollover - 10)
        order = [c.time for c in feed.due(rollover + 10)]
        assert order == ([rollover, rollover - 60] if late else [rollover - 60, rollover])


def test_a_round_that_spans_several_periods_pushes_each_closed_one_in_order() -> None:
    market = make_market()
    start = candle_start("1min", NOW)
    feed = CandleFeed(market, "DOGE-USDT", "1min", NOW)
    pushed = feed.due(start + 10 * 60 + 5)
    closed = market.candles("DOGE-USDT", "1min", start, start + 9 * 60, start + 10 * 60 + 5)
    opened = market.candle("DOGE-USDT", "1min", start + 600, start + 605)
    assert sorted(pushed, key=lambda c: c.time) == sorted([*closed, opened], key=lambda c: c.time)
