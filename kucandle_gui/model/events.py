"""Events of the model: a Qt-like signal on plain Python objects, without Qt.

Declared on a class (``changed = Event()``), each instance gets its own list of callbacks;
``connect``, ``disconnect`` and ``emit`` run synchronously on the caller's thread (the UI
thread, for the model). Callbacks are held strongly: a view disconnects when it goes away
(``ChartBinding.unbind``), so nothing depends on when the garbage collector runs.

Why not psygnal (napari's choice, tried first): with it the frozen bundle crashed at interpreter
exit now and then (a segfault clearing weak references in ``Py_FinalizeEx`` after a successful
``kucandle-gui --self-test``), and the model needs none of its extras.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, overload

Callback = Callable[..., Any]


class EventInstance:
    """One object's callbacks for one event, called in the order they were connected."""

    __slots__ = ("_callbacks", "name")

    def __init__(self, name: str) -> None:
        self.name = name
        self._callbacks: list[Callback] = []

    def connect(self, callback: Callback) -> Callback:
        self._callbacks.append(callback)
        return callback

    def disconnect(self, callback: Callback) -> None:
        """Remove one connection of ``callback`` (``ValueError`` if it is not connected)."""
        try:
            self._callbacks.remove(callback)
        except ValueError:
            raise ValueError(f"{callback!r} is not connected to {self.name}") from None

    def emit(self, *args: Any) -> None:
        # A copy: a callback may connect or disconnect others while the event is delivered.
        for callback in tuple(self._callbacks):
            callback(*args)

    def __len__(self) -> int:
        return len(self._callbacks)


class Event:
    """Declares an event on a class; each instance gets its :class:`EventInstance`."""

    def __set_name__(self, owner: type, name: str) -> None:
        self._name = name
        self._attribute = f"_event_{name}"

    @overload
    def __get__(self, instance: None, owner: type) -> Event: ...

    @overload
    def __get__(self, instance: object, owner: type) -> EventInstance: ...

    def __get__(self, instance: object | None, owner: type) -> Event | EventInstance:
        if instance is None:
            return self
        try:
            return instance.__dict__[self._attribute]
        except KeyError:
            event = instance.__dict__[self._attribute] = EventInstance(
                f"{type(instance).__name__}.{self._name}"
            )
            return event
