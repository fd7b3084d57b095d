"""What the window remembers between runs, over ``QSettings``.

Everything read back is checked: a settings file edited by hand, or written by another
version, must never stop the app from starting. A bad value falls back to the default.
Command-line flags win over what was saved (see :func:`start_series`).
"""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QSettings

from kucandle_gui import DEFAULT_SYMBOL, DEFAULT_TIMEFRAME
from kucandle_gui.protocol import InvalidSymbolError, validate_symbol, validate_timeframe

from .theme import DARK, THEMES

ORGANISATION = "kucandle"
APPLICATION = "kucandle-gui"

#: Recent pairs kept in the Pair menu, newest first.
MAX_RECENT = 10


class AppSettings:
    """Typed access to the saved settings; ``sync()`` writes them out."""

    def __init__(self, store: QSettings | None = None) -> None:
        # QSettings() takes the application's organisation and name, and the default format,
        # which lets tests redirect it with QSettings.setPath.
        self.store = store if store is not None else QSettings()

    # -- the series ----------------------------------------------------------------------

    @property
    def symbol(self) -> str:
        return _valid_symbol(self.store.value("series/symbol")) or DEFAULT_SYMBOL

    @symbol.setter
    def symbol(self, value: str) -> None:
        self.store.setValue("series/symbol", value)

    @property
    def timeframe(self) -> str:
        value = self.store.value("series/timeframe")
        try:
            return validate_timeframe(str(value))
        except ValueError:
            return DEFAULT_TIMEFRAME

    @timeframe.setter
    def timeframe(self, value: str) -> None:
        self.store.setValue("series/timeframe", value)

    # -- the view ------------------------------------------------------------------------

    @property
    def theme(self) -> str:
        value = self.store.value("view/theme")
        return value if value in THEMES else DARK

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
        return _symbol_list(self.store.value("pairs/favourites"))

    @favourites.setter
    def favourites(self, value: list[str]) -> None:
        self.store.setValue("pairs/favourites", list(value))

    @property
    def recent(self) -> list[str]:
        return _symbol_list(self.store.value("pairs/recent"))[:MAX_RECENT]

    def add_recent(self, symbol: str) -> list[str]:
        """Move ``symbol`` to the front of the recent pairs; returns the new list."""
        recent = [symbol, *(s for s in self.recent if s != symbol)][:MAX_RECENT]
        self.store.setValue("pairs/recent", recent)
        return recent

    def remove_recent(self, symbol: str) -> None:
        """Forget ``symbol`` (the exchange refused it: the menu should not offer it again)."""
        self.store.setValue("pairs/recent", [s for s in self.recent if s != symbol])

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


def _symbol_list(value: object) -> list[str]:
    """A saved list of pairs; an INI file holds a one-element list as a plain string."""
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        return []
    found: list[str] = []
    for item in value:
        symbol = _valid_symbol(item)
        if symbol is not None and symbol not in found:
            found.append(symbol)
    return found


def _as_bool(value: object, *, default: bool) -> bool:
    """INI files give booleans back as the strings ``"true"``/``"false"``."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return default


def _as_bytes(value: object) -> QByteArray | None:
    if isinstance(value, QByteArray) and not value.isEmpty():
        return value
    if isinstance(value, bytes) and value:
        return QByteArray(value)
    return None
