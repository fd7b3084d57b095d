"""What the window remembers between runs, over ``QSettings``.

Everything read back is checked and bounded: a settings file edited by hand, written by another
version or damaged must never stop the app from starting nor slow it down. A bad value falls
back to the default; the pair lists keep at most a menu's worth of valid, distinct names, the
watchlist at most :data:`MAX_WATCHLIST`. The charts shown (the layout, each chart's series,
indicators and scale, the active one) are saved by :mod:`~kucandle_gui.ui.layout_store`; the
series kept here is the active chart's (what opens should the saved layout be unreadable), and
with the scale it is what earlier versions saved of their one chart, read once to migrate.

The watchlist took the place of the favourites: the first time, it starts from the saved
favourites, which stay saved as they were (nothing the user saved is lost).

A run that must change nothing the user saved (a replay: its charts, watchlist and window are
the recording's) works on a copy of the settings (:func:`settings_copy`).
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings

from kucandle_gui import DEFAULT_SYMBOL, DEFAULT_TIMEFRAME
from kucandle_gui.model import MAX_WATCHLIST
from kucandle_gui.model.price_scale import ScaleMode
from kucandle_gui.protocol import InvalidSymbolError, validate_symbol, validate_timeframe

from .theme import DARK, THEMES

log = logging.getLogger(__name__)

ORGANISATION = "kucandle"
APPLICATION = "kucandle-gui"

#: Recent pairs kept in the Pair menu, newest first.
MAX_RECENT = 10
#: Favourites read (the first ones): what an earlier version kept, the watchlist's first list.
MAX_FAVOURITES = 50
#: Entries of a saved pair list looked at: a damaged or hand-made list of any length costs
#: no more than this to read.
MAX_LIST_ENTRIES = 500
#: The watchlist of a first start without favourites: a few major pairs.
DEFAULT_WATCHLIST: tuple[str, ...] = (
    "BTC-USDT",
    "ETH-USDT",
    "SOL-USDT",
    "XRP-USDT",
    "DOGE-USDT",
    "KCS-USDT",
)
#: Dropped entries of a saved watchlist named in the log (the count says the rest).
_DROPS_NAMED = 5
#: Largest saved window geometry or layout passed to Qt (Qt's own are a few hundred bytes).
MAX_LAYOUT_BYTES = 64 * 1024

_SYMBOL = "series/symbol"
_TIMEFRAME = "series/timeframe"
_FAVOURITES = "pairs/favourites"
_RECENT = "pairs/recent"
_WATCHLIST = "watchlist"
_SCALE = "chart/scale"


class AppSettings:
    """Typed access to the saved settings; ``sync()`` writes them out."""

    def __init__(self, store: QSettings | None = None) -> None:
        # QSettings() takes the application's organisation and name, and the default format,
        # which lets tests redirect it with QSettings.setPath.
        self.store = store if store is not None else QSettings()
        #: The series saved before the one shown now: what to open next time if the exchange
        #: refuses the current one (see :meth:`series_refused`).
        self._fallback: tuple[str, str] | None = None
        self._tidy_pair_lists()
        self._tidy_watchlist()

    def _tidy_pair_lists(self) -> None:
        """Write back the pair lists checked and bounded, so every later read is cheap."""
        for key, limit in ((_FAVOURITES, MAX_FAVOURITES), (_RECENT, MAX_RECENT)):
            raw = self.store.value(key)
            clean = _symbol_list(raw, limit)
            if _as_list(raw) != clean:
                log.info("settings: %s cut to %d valid pairs", key, len(clean))
                self.store.setValue(key, clean)

    def _tidy_watchlist(self) -> None:
        """Write back the saved watchlist checked and bounded, saying in the log what was
        dropped and why; an unreadable one is removed (the first list is used instead)."""
        if not self.store.contains(_WATCHLIST):
            return
        raw = self.store.value(_WATCHLIST)
        if raw is not None and not isinstance(raw, str | list):
            log.warning(
                "settings: the saved watchlist is unreadable (%s); starting from %s",
                type(raw).__name__,
                "the favourites" if self.favourites else "the default pairs",
            )
            self.store.remove(_WATCHLIST)
            return
        clean, dropped = _checked_symbols(raw, MAX_WATCHLIST)
        if dropped:
            named = "; ".join(dropped[:_DROPS_NAMED])
            more = len(dropped) - _DROPS_NAMED
            log.warning(
                "settings: %d entries of the saved watchlist dropped: %s%s",
                len(dropped),
                named,
                f"; and {more} more" if more > 0 else "",
            )
            self.store.setValue(_WATCHLIST, clean)

    # -- the series ----------------------------------------------------------------------

    @property
    def symbol(self) -> str:
        return _valid_symbol(self.store.value(_SYMBOL)) or DEFAULT_SYMBOL

    @symbol.setter
    def symbol(self, value: str) -> None:
        self.store.setValue(_SYMBOL, value)

    @property
    def timeframe(self) -> str:
        value = self.store.value(_TIMEFRAME)
        try:
            return validate_timeframe(value) if isinstance(value, str) else DEFAULT_TIMEFRAME
        except ValueError:
            return DEFAULT_TIMEFRAME

    @timeframe.setter
    def timeframe(self, value: str) -> None:
        self.store.setValue(_TIMEFRAME, value)

    def remember_series(self, symbol: str, timeframe: str) -> None:
        """Save the series shown now as the one to open next time, and its pair as the most
        recent; the series saved before stays the fallback should the exchange refuse it."""
        saved = (self.symbol, self.timeframe)
        if saved != (symbol, timeframe):
            self._fallback = saved
        self.symbol = symbol
        self.timeframe = timeframe
        self.add_recent(symbol)

    def series_refused(self, symbol: str, timeframe: str) -> None:
        """The exchange refused ``symbol`` (asked for in ``timeframe``): the menu stops offering
        the pair, and if it is the pair saved for the next start, the series saved before it
        takes its place (the default pair when there was none)."""
        self.remove_recent(symbol)
        if self._fallback is not None and self._fallback[0] == symbol:
            self._fallback = None
        if self.symbol != symbol:
            return  # already switched on: what is saved now was not refused
        if self._fallback is None:
            self.store.remove(_SYMBOL)
        else:
            self.symbol, self.timeframe = self._fallback
        log.info(
            "settings: %s %s refused; the next start opens %s %s",
            symbol,
            timeframe,
            self.symbol,
            self.timeframe,
        )

    # -- the view ------------------------------------------------------------------------

    @property
    def theme(self) -> str:
        value = self.store.value("view/theme")
        return value if isinstance(value, str) and value in THEMES else DARK

    @theme.setter
    def theme(self, value: str) -> None:
        self.store.setValue("view/theme", value)

    @property
    def volume_visible(self) -> bool:
        return _as_bool(self.store.value("view/volume"), default=True)

    @volume_visible.setter
    def volume_visible(self, value: bool) -> None:
        self.store.setValue("view/volume", bool(value))

    @property
    def link_crosshair(self) -> bool:
        """Whether the crosshair's time shows in every chart (off until the user turns it on)."""
        return _as_bool(self.store.value("view/link_crosshair"), default=False)

    @link_crosshair.setter
    def link_crosshair(self, value: bool) -> None:
        self.store.setValue("view/link_crosshair", bool(value))

    @property
    def scale(self) -> ScaleMode:
        """The price scale an earlier version saved for its one chart (linear when unknown):
        read once, to migrate; each chart's scale is now part of the saved layout."""
        value = self.store.value(_SCALE)
        try:
            return ScaleMode(value) if isinstance(value, str) else ScaleMode.LINEAR
        except ValueError:
            return ScaleMode.LINEAR

    # -- pairs ---------------------------------------------------------------------------

    @property
    def favourites(self) -> list[str]:
        """What an earlier version saved as favourites (read only: the watchlist's first list)."""
        return _symbol_list(self.store.value(_FAVOURITES), MAX_FAVOURITES)

    @property
    def watchlist(self) -> list[str]:
        """The saved watchlist; before one was saved, the favourites, else
        :data:`DEFAULT_WATCHLIST`."""
        if not self.store.contains(_WATCHLIST):
            return self.favourites or list(DEFAULT_WATCHLIST)
        # An empty list is saved as an invalid value (INI: @Invalid()), read back as None.
        return _symbol_list(self.store.value(_WATCHLIST), MAX_WATCHLIST)

    @watchlist.setter
    def watchlist(self, value: list[str]) -> None:
        """Saved checked and bounded like a read: the first :data:`MAX_WATCHLIST` count."""
        self.store.setValue(_WATCHLIST, _symbol_list(list(value), MAX_WATCHLIST))

    @property
    def recent(self) -> list[str]:
        return _symbol_list(self.store.value(_RECENT), MAX_RECENT)

    def add_recent(self, symbol: str) -> list[str]:
        """Move ``symbol`` to the front of the recent pairs; returns the new list."""
        recent = _symbol_list([symbol, *self.recent], MAX_RECENT)
        self.store.setValue(_RECENT, recent)
        return recent

    def remove_recent(self, symbol: str) -> None:
        """Forget ``symbol`` (the exchange refused it: the menu should not offer it again)."""
        self.store.setValue(_RECENT, [s for s in self.recent if s != symbol])

    # -- the window ----------------------------------------------------------------------

    @property
    def geometry(self) -> QByteArray | None:
        return _as_bytes(self.store.value("window/geometry"))

    @geometry.setter
    def geometry(self, value: QByteArray) -> None:
        self.store.setValue("window/geometry", value)

    @property
    def window_state(self) -> QByteArray | None:
        return _as_bytes(self.store.value("window/state"))

    @window_state.setter
    def window_state(self, value: QByteArray) -> None:
        self.store.setValue("window/state", value)

    @property
    def watchlist_header(self) -> QByteArray | None:
        """The watchlist's column widths and sort."""
        return _as_bytes(self.store.value("window/watchlist_header"))

    @watchlist_header.setter
    def watchlist_header(self, value: QByteArray) -> None:
        self.store.setValue("window/watchlist_header", value)

    def sync(self) -> None:
        self.store.sync()


def settings_copy(path: Path) -> AppSettings:
    """The user's saved settings copied to the INI file ``path`` (which the caller removes
    afterwards): read like them, written instead of them."""
    saved = QSettings()
    copy = QSettings(str(path), QSettings.Format.IniFormat)
    for key in saved.allKeys():
        copy.setValue(key, saved.value(key))
    return AppSettings(copy)


def _valid_symbol(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    try:
        return validate_symbol(value)
    except InvalidSymbolError:
        return None


def _as_list(value: object) -> list[object]:
    """A saved list; an INI file holds a one-element list as a plain string."""
    if isinstance(value, str):
        return [value]
    return value if isinstance(value, list) else []


def _symbol_list(value: object, limit: int) -> list[str]:
    """The valid, distinct pair names of a saved list, in order, at most ``limit`` of them."""
    return _checked_symbols(value, limit)[0]


def _checked_symbols(value: object, limit: int) -> tuple[list[str], list[str]]:
    """The valid, distinct pair names of a saved list, in order, at most ``limit`` of them,
    and why each other entry looked at was dropped (``'BTC' (not a pair)``)."""
    found: list[str] = []
    seen: set[str] = set()
    dropped: list[str] = []
    items = _as_list(value)
    if len(items) > MAX_LIST_ENTRIES:
        dropped.append(f"{len(items) - MAX_LIST_ENTRIES} entries past the first {MAX_LIST_ENTRIES}")
    for item in items[:MAX_LIST_ENTRIES]:
        symbol = _valid_symbol(item)
        if symbol is None:
            why = "not a pair"
        elif symbol in seen:
            why = "repeated"
        elif len(found) == limit:
            why = f"past the {limit} kept"
        else:
            found.append(symbol)
            seen.add(symbol)
            continue
        dropped.append(f"{repr(item)[:40]} ({why})")
    return found, dropped


def _as_bool(value: object, *, default: bool) -> bool:
    """INI files give booleans back as the strings ``"true"``/``"false"``."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return default


def _as_bytes(value: object) -> QByteArray | None:
    if isinstance(value, QByteArray) and 0 < value.size() <= MAX_LAYOUT_BYTES:
        return value
    if isinstance(value, bytes) and 0 < len(value) <= MAX_LAYOUT_BYTES:
        return QByteArray(value)
    return None
