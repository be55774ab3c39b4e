"""The ``rtm`` command (console script ``rtm = rtm.cli:main``; also ``python -m rtm.cli``).

One subcommand group per area of the server API (``send``, ``history``, ``friends``,
``group``, ``room``, ``ban``, ``message``, ``kickout``, ``token``, ``online``, ``device``,
``file``), ``listen`` to print pushes, ``config`` to show the settings in effect, plus
``server`` (the local RTM server) and ``demo``. ``rtm --help`` and ``rtm COMMAND --help``
describe each level. See ``docs/cli.md``.

Exit codes: 0 success, 1 RTM or transport error (one ``error: [code NAME] ...`` line on
stderr), 2 usage error, 130 interrupted.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from rtm._cli.parser import build_parser, run

__all__ = ["build_parser", "main", "run"]


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``rtm`` with ``argv`` (default ``sys.argv[1:]``) and return the exit code."""
    return run(argv)


if __name__ == "__main__":
    sys.exit(main())
