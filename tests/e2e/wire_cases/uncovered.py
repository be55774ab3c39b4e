"""Golden lines of go-latest-full-wire.jsonl no wire case covers: (line index, wire method).

None: every line is covered (the coverage test checks this set stays exact).
"""

UNCOVERED: set[tuple[int, str]] = set()
