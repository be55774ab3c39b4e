"""The reliability suite (see docs/reliability.md). Its helper modules (harness, faultproxy,
scenarios, fuzz_targets) are imported as top-level modules, as ``make soak`` does."""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))
