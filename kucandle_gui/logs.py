"""Log handlers that can neither crash the app nor write a URL's credentials.

A log that cannot be written (a full disk, a closed console) is no reason to end a run, nor
to end every quit in a traceback and exit code 1: the first failure of a handler is said once
on stderr, later ones are dropped, and closing or flushing it never raises. Every line is
passed through :func:`kucandle_gui.urls.redact` on its way out, whichever module wrote it, so
a password given in ``--api-url`` reaches neither the console nor the file.
"""

from __future__ import annotations

import logging
import sys
from logging.handlers import RotatingFileHandler
from typing import TextIO

from kucandle_gui.urls import redact


class RedactingFormatter(logging.Formatter):
    """A formatter whose output (message, arguments and traceback alike) has no credentials."""

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


class _FailQuietly(logging.Handler):
    """The failure handling shared by the handlers below (a mixin: put it first)."""

    _failed = False

    def handleError(self, record: logging.LogRecord | None) -> None:
        if self._failed:
            return
        self._failed = True
        reason = sys.exc_info()[1]
        try:
            sys.stderr.write(
                f"kucandle-gui: cannot write the log to {self._target()}: {reason}; "
                "log lines that cannot be written are dropped\n"
            )
            sys.stderr.flush()
        except (OSError, ValueError):
            pass  # stderr is gone too: there is no one left to tell

    def _target(self) -> str:
        return "the console"

    def flush(self) -> None:
        try:
            super().flush()
        except (OSError, ValueError):
            self.handleError(None)

    def close(self) -> None:
        try:
            super().close()
        except (OSError, ValueError):
            self.handleError(None)


class SafeStreamHandler(_FailQuietly, logging.StreamHandler[TextIO]):
    """A console handler (stderr by default) that fails quietly; see the module docstring."""

    def __init__(self, stream: TextIO | None = None) -> None:
        super().__init__(stream if stream is not None else sys.stderr)


class SafeRotatingFileHandler(_FailQuietly, RotatingFileHandler):
    """A rotating log file that fails quietly; see the module docstring."""

    def _target(self) -> str:
        return redact(self.baseFilename)
