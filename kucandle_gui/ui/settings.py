"""What the window remembers between runs, over ``QSettings``.

Everything read back is checked and bounded: a settings file edited by hand, written by another
version or damaged must never stop the app from starting nor slow it down. A bad value falls
back to the default; the pair lists keep at most a menu's worth of valid, distinct names.
Command-line flags win over what was saved (see :func:`start_series`).
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QByteArray, QSettings

from kucandle_gui import DEFAULT_SYMBOL, DEFAULT_TIMEFRAME
from kucandle_gui.protocol import InvalidSymbolError, validate_symbol, validate_timeframe

from .theme import DARK, THEMES

log = logging.getLogger(__name__)

ORGANISATION = "kucandle"
APPLICATION = "kucandle-gui"

#: Recent pairs kept in the Pair menu, newest first.
MAX_RECENT = 10
#: Favourites kept (the first ones): the Pair menu lists them all and is rebuilt on every
#: switch; past a screenful a menu is no shortcut any more (Ctrl+1…9 open the first nine).
MAX_FAVOURITES = 50
#: Entries of a saved pair list looked at: a damaged or hand-made list of any length costs
#: no more than this to read.
MAX_LIST_ENTRIES = 500
#: Largest saved window geometry or layout passed to Qt (Qt's own are a few hundred bytes).
MAX_LAYOUT_BYTES = 64 * 1024

_SYMBOL = "series/symbol"
_TIMEFRAME = "series/timeframe"
_FAVOURITES = "pairs/favourites"
_RECENT = "pairs/recent"


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

    def _tidy_pair_lists(self) -> None:
        """Write back the pair lists checked and bounded, so every later read is cheap."""
        for key, limit in ((_FAVOURITES, MAX_FAVOURITES), (_RECENT, MAX_RECENT)):
            raw = self.store.value(key)
            clean = _symbol_list(raw, limit)
            if _as_list(raw) != clean:
                log.info("settings: %s cut to %d valid pairs", key, len(clean))
                self.store.setValue(key, clean)

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

    # -- pairs ---------------------------------------------------------------------------

    @property
    def favourites(self) -> list[str]:
        return _symbol_list(self.store.value(_FAVOURITES), MAX_FAVOURITES)

    @favourites.setter
    def favourites(self, value: list[str]) -> None:
        """Saved checked and bounded like a read: the first :data:`MAX_FAVOURITES` count."""
        self.store.setValue(_FAVOURITES, _symbol_list(list(value), MAX_FAVOURITES))

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

    def sync(self) -> None:
        self.store.sync()


def start_series(
    settings: AppSettings, symbol: str | None, timeframe: str | None
) -> tuple[str, str]:
    """The pair and timeframe to open with: a command-line flag wins over the saved value."""
    return (
        validate_symbol(symbol) if symbol else settings.symbol,
        validate_timeframe(timeframe) if timeframe else settings.timeframe,
    )


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
    found: list[str] = []
    for item in _as_list(value)[:MAX_LIST_ENTRIES]:
        symbol = _valid_symbol(item)
        if symbol is not None and symbol not in found:
            found.append(symbol)
            if len(found) == limit:
                break
    return found


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
