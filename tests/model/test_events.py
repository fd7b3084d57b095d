"""model.events: per-instance callbacks, in order, synchronous, removable."""

from __future__ import annotations

import pytest

from kucandle_gui.model.events import Event


class Thing:
    moved = Event()
    renamed = Event()


def test_each_instance_has_its_own_callbacks_called_in_order() -> None:
    a, b = Thing(), Thing()
    seen: list[tuple[str, object]] = []
    a.moved.connect(lambda x: seen.append(("first", x)))
    a.moved.connect(lambda x: seen.append(("second", x)))
    b.moved.connect(lambda x: seen.append(("other", x)))
    a.moved.emit(1)
    a.renamed.emit("ignored")
    assert seen == [("first", 1), ("second", 1)]
    assert (len(a.moved), len(b.moved), len(a.renamed)) == (2, 1, 0)


def test_disconnect_removes_one_connection_and_refuses_a_stranger() -> None:
    thing = Thing()
    seen: list[int] = []
    thing.moved.connect(seen.append)
    thing.moved.disconnect(seen.append)
    thing.moved.emit(1)
    assert seen == []
    with pytest.raises(ValueError, match=r"not connected to Thing\.moved"):
        thing.moved.disconnect(seen.append)


def test_a_callback_may_disconnect_another_while_the_event_is_delivered() -> None:
    thing = Thing()
    seen: list[str] = []

    def second() -> None:
        seen.append("second")

    def first() -> None:
        seen.append("first")
        if second_connected:
            thing.moved.disconnect(second)
            second_connected.clear()

    second_connected = [True]

    thing.moved.connect(first)
    thing.moved.connect(second)
    thing.moved.emit()  # this delivery still reaches both
    thing.moved.emit()
    assert seen == ["first", "second", "first"]
