"""The keys the chart's parts answer on the price pane (the alert lines, the drawings)."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt

#: Keys that ask to remove the selected line.
REMOVE_KEYS = frozenset({Qt.Key.Key_Delete, Qt.Key.Key_Backspace})
#: Modifiers that make a key another command (Shift+Delete is not Delete).
CHORD = (
    Qt.KeyboardModifier.ShiftModifier
    | Qt.KeyboardModifier.ControlModifier
    | Qt.KeyboardModifier.AltModifier
    | Qt.KeyboardModifier.MetaModifier
)
#: The events a key comes in (``ShortcutOverride`` first: the key is taken before a shortcut).
KEY_EVENTS = (QEvent.Type.KeyPress, QEvent.Type.ShortcutOverride)
