"""The short chime of a firing alert, without QtMultimedia.

PySide6-Essentials has no QtMultimedia (``QSoundEffect`` is in PySide6-Addons, which would
add well over 100 MB to the bundle for one chime), and the Python audio packages are C
extensions with their own platform troubles. Every desktop already has a player of WAV
files, so we use it:

- Windows: ``winsound.PlaySound(path, SND_FILENAME | SND_ASYNC)``, in the standard library;
  it returns at once and plays on the system's own thread.
- macOS: ``afplay``, part of every macOS.
- Linux: the first found of ``pw-play`` (PipeWire), ``paplay`` (PulseAudio, also served by
  PipeWire) and ``aplay`` (ALSA).

A player program is started with ``QProcess.startDetached``: the UI thread never waits on it,
and the detached process is not our child, so it leaves no zombie behind. Where none is found
(or the sound file is missing) the sound is ``QApplication.beep()``. At most one sound a
second: a burst of firings makes one chime, not a din. Nothing here raises; a player that
fails only costs the chime (the other notices still go out), and the log says so.

``resources/alert.wav`` (0.35 s, 16-bit mono 22050 Hz) was made once with the standard
library: two sine tones, E5 (659 Hz) then B5 (988 Hz) 0.11 s later, each with a soft second
harmonic, a 4 ms attack and an exponential decay, summed and written with ``wave``.
"""

from __future__ import annotations

import logging
import shutil
import sys
import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QProcess
from PySide6.QtWidgets import QApplication

from kucandle_gui import resources_dir

log = logging.getLogger(__name__)

SOUND_FILE = "alert.wav"
#: Shortest time between two sounds, seconds.
MIN_INTERVAL = 1.0
#: Linux players looked for, in this order.
LINUX_PLAYERS: tuple[str, ...] = ("pw-play", "paplay", "aplay")
WINSOUND = "winsound"
BEEP = "beep"


class AlertSound:
    """Plays the alert chime with the platform's player; see the module docstring."""

    def __init__(
        self,
        path: Path | None = None,
        *,
        platform: str = sys.platform,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """The player is chosen once, here, from ``platform`` and the programs on the PATH
        now; ``clock`` (monotonic seconds) spaces the sounds."""
        if path is None:
            path = resources_dir() / SOUND_FILE
        self.path = path
        self._clock = clock
        self._last: float | None = None
        self._program: str | None = None
        self._player = BEEP
        if not self.path.is_file():
            log.warning("alert sound: %s is missing; the sound is the system beep", self.path)
        elif platform == "win32":
            self._player = WINSOUND
        else:
            names = ("afplay",) if platform == "darwin" else LINUX_PLAYERS
            for name in names:
                found = shutil.which(name)
                if found is not None:
                    self._program, self._player = found, name
                    break
        log.info("alert sound: %s", self.player())

    def player(self) -> str:
        """What plays the sound: ``"pw-play"``, ``"paplay"``, ``"aplay"``, ``"afplay"``,
        ``"winsound"`` or ``"beep"``."""
        return self._player

    def play(self) -> bool:
        """Start the chime unless one started less than :data:`MIN_INTERVAL` ago; says whether
        it was started. Returns at once."""
        now = self._clock()
        if self._last is not None and now - self._last < MIN_INTERVAL:
            return False
        self._last = now
        try:
            if self._program is not None:
                started, _pid = QProcess.startDetached(self._program, [str(self.path)])
                if not started:
                    log.warning("alert sound: %s could not be started", self._program)
                return bool(started)
            if self._player == WINSOUND:
                import winsound  # Windows only

                winsound.PlaySound(str(self.path), winsound.SND_FILENAME | winsound.SND_ASYNC)
                return True
            QApplication.beep()
            return True
        except Exception:  # a chime must never break the notice of a firing
            log.exception("alert sound: %s failed", self._player)
            return False
