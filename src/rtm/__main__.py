"""``python -m rtm``: the ``rtm`` command (same as the console script)."""

from __future__ import annotations

import sys

from rtm.cli import main

if __name__ == "__main__":
    sys.exit(main())
