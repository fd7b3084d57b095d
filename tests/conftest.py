"""Fixtures shared by every test folder; the helpers tests import by name are in
``tests/helpers.py``."""

from __future__ import annotations

import gc
import os

# Qt tests run without a screen; set before anything imports Qt.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Iterator

import pytest

from kucandle_gui.sim import LocalExchange
from tests.helpers import fast_sim_config


@pytest.fixture
def exchange() -> Iterator[LocalExchange]:
    """A running local exchange with the fast settings, stopped after the test."""
    with LocalExchange(fast_sim_config()) as running:
        yield running


@pytest.fixture(autouse=True)
def garbage_collected_on_the_main_thread() -> Iterator[None]:
    """Collect each test's garbage at its end, on the main thread.

    Python's cyclic collector runs on whichever thread happens to allocate: a closed window of
    an earlier test (its wrappers in reference cycles) finalized on a feed thread is deleted by
    Shiboken later on the main thread, at an arbitrary point; once that point was inside Qt,
    re-parenting an object under a Python event filter, and the deletion deadlocked the run.
    """
    yield
    gc.collect()
