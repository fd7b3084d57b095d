"""Fixtures shared by every test folder; the helpers tests import by name are in
``tests/helpers.py``."""

from __future__ import annotations

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
