"""``python -m kucandle_gui``: the same as the ``kucandle-gui`` command."""

import sys

from kucandle_gui.cli import main

sys.exit(main())
