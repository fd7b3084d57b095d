"""kucandle-gui: live KuCoin spot candlesticks on the desktop.

Layers, each depending only on the ones before it:

- :mod:`kucandle_gui.protocol` -- KuCoin message shapes and the ``Candle`` type (no I/O),
  shared by the feed and the local exchange;
- :mod:`kucandle_gui.feed` -- REST, WebSocket connection and gap-free series (plain Python);
- :mod:`kucandle_gui.sim` -- a local KuCoin-compatible exchange for tests, benchmarks and demo;
- :mod:`kucandle_gui.headless` -- the command-line mode printing JSON lines.
"""

__version__ = "0.1.0"

#: The series shown the first time, before any is saved or given on the command line.
DEFAULT_SYMBOL = "BTC-USDT"
DEFAULT_TIMEFRAME = "1min"
