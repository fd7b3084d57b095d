"""kucandle-gui: live KuCoin spot candlesticks on the desktop.

Layers, each depending only on the ones before it:

- :mod:`kucandle_gui.protocol` -- KuCoin message shapes and the ``Candle`` type (no I/O),
  shared by the feed and the local exchange; :mod:`kucandle_gui.urls` -- URLs checked and
  shown without credentials; :mod:`kucandle_gui.recording` -- the recording file format, its
  writer (the feed's tap) and reader; :mod:`kucandle_gui.loopback` -- an aiohttp server on
  its own loop thread;
- :mod:`kucandle_gui.feed` -- REST, WebSocket connection and gap-free series (plain Python);
- :mod:`kucandle_gui.sim` -- a local KuCoin-compatible exchange for tests, benchmarks and demo;
  :mod:`kucandle_gui.replay` -- a recording played back as a local exchange (neither imports
  the feed, nor each other);
- :mod:`kucandle_gui.model` -- what the screen shows, Qt-free; :mod:`kucandle_gui.worker` --
  the feed on a QThread; :mod:`kucandle_gui.ui` -- the widgets; :mod:`kucandle_gui.app` --
  the composition root;
- :mod:`kucandle_gui.headless` -- the command-line mode printing JSON lines;
  :mod:`kucandle_gui.stopping` and :mod:`kucandle_gui.logs` -- SIGINT/SIGTERM and log lines
  for every mode.
"""

from pathlib import Path

__version__ = "0.1.0"

#: The series shown the first time, before any is saved or given on the command line.
DEFAULT_SYMBOL = "BTC-USDT"
DEFAULT_TIMEFRAME = "1min"


def resources_dir() -> Path:
    """The ``resources`` folder beside the package (the bundle keeps the same layout)."""
    return Path(__file__).resolve().parent.parent / "resources"
