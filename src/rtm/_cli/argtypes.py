"""argparse types of the ``rtm`` command: ids, id lists, message types and times."""

from __future__ import annotations

import argparse
import re
import time
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta, timezone

__all__ = ["flatten", "id_list", "int64", "int_range", "positive_float", "time_ms"]

_I64_MIN, _I64_MAX = -(2**63), 2**63 - 1


def int64(text: str) -> int:
    """An int64 id (uid, group id, room id, mid)."""
    try:
        value = int(text, 10)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer id: {text!r}") from None
    if not _I64_MIN <= value <= _I64_MAX:
        raise argparse.ArgumentTypeError(
            f"must be a positive int64 (1..2^63-1) for an id, got {text}")
    return value


def id_list(text: str) -> list[int]:
    """One id or a comma-separated list of ids (``2,3,4``)."""
    parts = [p.strip() for p in text.split(",")]
    if not any(parts):
        raise argparse.ArgumentTypeError(f"expected ids like 2,3,4, got {text!r}")
    return [int64(p) for p in parts if p]


def flatten(lists: Iterable[list[int]] | None) -> list[int]:
    """Flatten repeated/comma-separated id arguments, keeping the first occurrence order."""
    out: list[int] = []
    seen: set[int] = set()
    for chunk in lists or ():
        for value in chunk:
            if value not in seen:
                seen.add(value)
                out.append(value)
    return out


def int_range(lo: int, hi: int, what: str) -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            value = int(text, 10)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{what} must be an integer, got {text!r}") from None
        if not lo <= value <= hi:
            raise argparse.ArgumentTypeError(f"{what} must be in {lo}..{hi}, got {value}")
        return value

    parse.__name__ = what  # argparse names the type in its messages
    return parse


def positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of seconds, got {text!r}") from None
    if not 0 < value < float("inf"):
        raise argparse.ArgumentTypeError(f"expected a number of seconds > 0, got {text!r}")
    return value


_RELATIVE = re.compile(r"^-(\d+(?:\.\d+)?)(ms|s|m|h|d|w)$")
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_UNIT_MS = {"ms": 1, "s": 1000, "m": 60_000, "h": 3_600_000, "d": 86_400_000, "w": 604_800_000}


def time_ms(text: str, *, now: Callable[[], float] = time.time) -> int:
    """A point in time as milliseconds since the Unix epoch.

    Accepts milliseconds (``1714557600000``), ``0`` (the server default), ``now``, a time
    relative to now (``-30s``, ``-15m``, ``-2h``, ``-7d``, ``-1w``) or an ISO 8601 date/time
    (``2024-05-01``, ``2024-05-01T12:00``, ``2024-05-01 12:00:00.250Z``,
    ``2024-05-01T12:00+08:00``); an ISO time without offset is local time.
    """
    value = text.strip()
    if re.fullmatch(r"\d+", value):
        return int(value)
    if value.lower() == "now":
        return int(now() * 1000)
    rel = _RELATIVE.match(value.lower())
    if rel:
        return int(now() * 1000 - float(rel.group(1)) * _UNIT_MS[rel.group(2)])
    iso = value[:-1] + "+00:00" if value[-1:] in ("Z", "z") else value
    try:
        moment = datetime.fromisoformat(iso)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"not a time: {text!r} (use milliseconds, 'now', -15m/-2h/-7d, or ISO 8601 "
            "like 2024-05-01T12:00:00Z)"
        ) from None
    if moment.tzinfo is None:
        moment = moment.astimezone()  # local time
    return (moment - _EPOCH) // timedelta(milliseconds=1)
