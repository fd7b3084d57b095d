"""The window's menus and their actions, with every keyboard shortcut in one place.

Building the menus here keeps ``main_window`` a wiring of parts: it connects these actions
to what they do. The Pair menu's first watchlist pairs and recent pairs change while the app
runs; they are rebuilt from lists and report a pick through ``pairPicked``. The Indicators
menu's quick entries and one entry per study are the indicators keeper's (they follow the
studies); its fixed entries are here.

The Layout menu's entries act on the whole chart area, the other menus' on the active chart;
"2 charts side by side" chosen again (Ctrl+Shift+2 twice) stacks the two, like a price scale
chosen again goes back to linear.

A menu's Alt+letter must not be an action's shortcut too (Qt then runs neither): Alt+A is the
alert at the crosshair (so *Ale&rts*), Alt+T the trend line (so *Ti&meframe*), Alt+H the
horizontal line (so *H&elp*), Alt+L the log scale (so *La&yout*).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TypeVar

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QMainWindow, QMenu

from kucandle_gui.model.layout import LayoutKind
from kucandle_gui.model.price_scale import ScaleMode
from kucandle_gui.protocol import TIMEFRAMES

from .theme import DARK, LIGHT

T = TypeVar("T")

#: Alt+digit for the ten shorter timeframes, Ctrl+Alt+digit for the four longest.
TIMEFRAME_SHORTCUTS: dict[str, str] = {
    **{tf: f"Alt+{(n + 1) % 10}" for n, tf in enumerate(TIMEFRAMES[:10])},
    **{tf: f"Ctrl+Alt+{n + 1}" for n, tf in enumerate(TIMEFRAMES[10:])},
}
#: View → Price scale: each mode's entry and shortcut (none: the others' toggle back to it).
SCALES: tuple[tuple[ScaleMode, str, str | None], ...] = (
    (ScaleMode.LINEAR, "&Linear", None),
    (ScaleMode.LOG, "L&ogarithmic", "Alt+L"),
    (ScaleMode.PERCENT, "&Percent (from the first visible candle)", "Alt+C"),
)
#: The Layout menu's shortcuts (stacked has none: Ctrl+Shift+2 again switches to it).
LAYOUT_SHORTCUTS: dict[LayoutKind, str] = {
    LayoutKind.SINGLE: "Ctrl+Shift+1",
    LayoutKind.SIDE_BY_SIDE: "Ctrl+Shift+2",
    LayoutKind.THREE: "Ctrl+Shift+3",
    LayoutKind.GRID: "Ctrl+Shift+4",
}
#: The watchlist's first pairs (its saved order) are in the Pair menu, with Ctrl+1 … Ctrl+9.
WATCHLIST_IN_MENU = 9


class WindowActions(QObject):
    """Every action of the main window's menu bar; see the module docstring."""

    #: A watchlist or recent pair was picked from the Pair menu.
    pairPicked = Signal(str)

    def __init__(
        self,
        window: QMainWindow,
        watchlist_toggle: QAction,
        alerts_toggle: QAction,
        notice_switches: Sequence[QAction],
    ) -> None:
        """``watchlist_toggle``/``alerts_toggle`` show and hide the docks (their own actions);
        ``notice_switches`` turn the channels of an alert's notice on and off."""
        super().__init__(window)
        self._window = window
        bar = window.menuBar()

        file_menu = bar.addMenu("&File")
        self.save_screenshot = self._action(file_menu, "Save &screenshot (PNG)…", "Ctrl+S")
        self.export_csv = self._action(file_menu, "&Export visible candles (CSV)…", "Ctrl+E")
        file_menu.addSeparator()
        self.quit = self._action(file_menu, "&Quit", "Ctrl+Q")

        self.pair_menu = bar.addMenu("&Pair")
        self.choose_pair = self._action(self.pair_menu, "&Choose pair…", "Ctrl+P")
        self.watch = self._action(self.pair_menu, "&Add to watchlist", "Ctrl+D")
        self.watch.setStatusTip("Add the active chart's pair to the watchlist, or remove it")
        self.pair_menu.addSection("Watchlist")
        self._recent_section = self.pair_menu.addSection("Recent")
        self.watchlist_actions: list[QAction] = []
        self.recent_actions: list[QAction] = []

        timeframe_menu = bar.addMenu("Ti&meframe")
        self.timeframe_group = QActionGroup(self)
        self.timeframe_group.setExclusive(True)
        self.timeframes = self._choices(
            timeframe_menu,
            self.timeframe_group,
            [(tf, tf, TIMEFRAME_SHORTCUTS[tf]) for tf in TIMEFRAMES],
        )
        timeframe_menu.addSeparator()
        self.shorter_timeframe = self._action(timeframe_menu, "S&horter", "[")
        self.longer_timeframe = self._action(timeframe_menu, "&Longer", "]")

        view_menu = bar.addMenu("&View")
        self.watchlist = watchlist_toggle
        self.watchlist.setText("&Watchlist")
        self.watchlist.setShortcut(QKeySequence("Ctrl+L"))
        view_menu.addAction(self.watchlist)
        self.alerts = alerts_toggle
        self.alerts.setText("&Alerts panel")
        self.alerts.setShortcut(QKeySequence("Ctrl+Shift+A"))
        view_menu.addAction(self.alerts)
        self.follow_live = self._action(view_menu, "&Follow live", "End")
        self.follow_live.setCheckable(True)
        self.follow_live.setChecked(True)
        self.volume = self._action(view_menu, "&Volume pane", "Ctrl+Shift+V")
        self.volume.setCheckable(True)
        self.reset_zoom = self._action(view_menu, "&Reset zoom", "Ctrl+0")
        self.scale_menu = view_menu.addMenu("Price &scale")
        # Optional: choosing the checked mode again unchecks it, which means linear (so Alt+L
        # toggles the log scale on and off).
        self.scale_group = QActionGroup(self)
        self.scale_group.setExclusionPolicy(QActionGroup.ExclusionPolicy.ExclusiveOptional)
        self.scales = self._choices(self.scale_menu, self.scale_group, SCALES)
        self.link_crosshair = self._action(view_menu, "Link &crosshairs", None)
        self.link_crosshair.setCheckable(True)
        self.link_crosshair.setStatusTip("Show the time under the mouse in every chart")
        view_menu.addSeparator()
        self.theme_group = QActionGroup(self)
        self.themes = self._choices(
            view_menu,
            self.theme_group,
            [(DARK, "&Dark theme", None), (LIGHT, "L&ight theme", None)],
        )

        layout_menu = bar.addMenu("La&yout")
        self.layout_group = QActionGroup(self)
        self.layout_group.setExclusive(True)
        self.layouts = self._choices(
            layout_menu,
            self.layout_group,
            [(kind, kind.title, LAYOUT_SHORTCUTS.get(kind)) for kind in LayoutKind],
        )
        layout_menu.addSeparator()
        self.next_chart = self._action(layout_menu, "&Next chart", "Ctrl+Tab")
        self.previous_chart = self._action(layout_menu, "&Previous chart", "Ctrl+Shift+Tab")

        self.indicators_menu = bar.addMenu("&Indicators")
        self.add_indicator = self._action(self.indicators_menu, "&Add indicator…", "Ctrl+I")
        self.indicators_menu.addSection("On the chart")
        # Not "Remove &all": Alt+A in this menu is "Add indicator…".
        self.remove_indicators = self._action(self.indicators_menu, "Remove a&ll", None)

        draw_menu = bar.addMenu("&Draw")
        self.tool_group = QActionGroup(self)
        self.tool_group.setExclusionPolicy(QActionGroup.ExclusionPolicy.ExclusiveOptional)
        self.hline_tool = self._action(draw_menu, "&Horizontal line", "Alt+H")
        self.trend_tool = self._action(draw_menu, "&Trend line", "Alt+T")
        for action in (self.hline_tool, self.trend_tool):
            action.setCheckable(True)
            self.tool_group.addAction(action)
        self.measure_note = self._action(draw_menu, "Measure: Shift+drag on the chart", None)
        self.measure_note.setEnabled(False)
        draw_menu.addSeparator()
        self.delete_drawings = self._action(draw_menu, "&Delete all drawings on this pair", None)

        # Not "&Alerts": Alt+A is the alert at the crosshair, which the issue asks for.
        alerts_menu = bar.addMenu("Ale&rts")
        self.new_alert = self._action(alerts_menu, "&New alert…", "Ctrl+Shift+N")
        self.alert_at_crosshair = self._action(alerts_menu, "Alert at the &crosshair", "Alt+A")
        alerts_menu.addAction(self.alerts)
        alerts_menu.addSection("Notices")
        alerts_menu.addActions(list(notice_switches))

        help_menu = bar.addMenu("H&elp")
        self.open_log_folder = self._action(help_menu, "Open &log folder", None)
        self.about = self._action(help_menu, "&About kucandle-gui", None)

    def _action(self, menu: QMenu, text: str, shortcut: str | None) -> QAction:
        action = QAction(text, self._window)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
        menu.addAction(action)
        return action

    def _choices(
        self,
        menu: QMenu,
        group: QActionGroup,
        choices: Iterable[tuple[T, str, str | None]],
    ) -> dict[T, QAction]:
        """One checkable entry of ``group`` per (value, text, shortcut), carrying its value."""
        actions: dict[T, QAction] = {}
        for value, text, shortcut in choices:
            action = self._action(menu, text, shortcut)
            action.setCheckable(True)
            action.setData(value)
            group.addAction(action)
            actions[value] = action
        return actions

    def set_pairs(self, watchlist: Sequence[str], recent: list[str], current: str) -> None:
        """Rebuild the Pair menu's watchlist (its first pairs) and recent pairs, and say what
        the watch action does to ``current``."""
        for action in (*self.watchlist_actions, *self.recent_actions):
            self.pair_menu.removeAction(action)
            action.deleteLater()
        first = list(watchlist[:WATCHLIST_IN_MENU])
        self.watchlist_actions = [
            self._pair_action(pair, f"Ctrl+{n + 1}") for n, pair in enumerate(first)
        ]
        self.recent_actions = [
            self._pair_action(pair, None) for pair in recent if pair not in first
        ]
        self.pair_menu.insertActions(self._recent_section, self.watchlist_actions)
        self.pair_menu.addActions(self.recent_actions)
        watched = current in watchlist
        self.watch.setText(
            f"&Remove {current} from watchlist" if watched else f"&Add {current} to watchlist"
        )

    def _pair_action(self, pair: str, shortcut: str | None) -> QAction:
        action = QAction(pair, self._window)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(lambda _checked=False, p=pair: self.pairPicked.emit(p))
        return action

    def check_timeframe(self, timeframe: str) -> None:
        self.timeframes[timeframe].setChecked(True)

    def check_scale(self, mode: ScaleMode) -> None:
        self.scales[mode].setChecked(True)

    def check_layout(self, layout: LayoutKind) -> None:
        self.layouts[layout].setChecked(True)

    def picked_scale(self, action: QAction) -> ScaleMode:
        """The mode an entry of the Price scale menu chose: unchecking one means linear."""
        return action.data() if action.isChecked() else ScaleMode.LINEAR


def step_timeframe(current: str, step: int) -> str | None:
    """The timeframe ``step`` places from ``current``, or None past either end."""
    index = TIMEFRAMES.index(current) + step
    return TIMEFRAMES[index] if 0 <= index < len(TIMEFRAMES) else None
