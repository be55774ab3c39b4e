"""Shared test configuration.

Tests that take one of these arguments are run once per FPNN frame vector of
``tests/data/fpnn-vectors.json`` (each value is ``(name, entry)``):

* ``frame_vector``: every frame of ``frames``, ``go_only_frames`` and ``cpp_only_frames``;
* ``canonical_vector``: the canonical frames (``frames``), which our encoder must reproduce;
* ``go_sdk_vector``: the canonical frames that also have a ``go_sdk_hex`` encoding.

The ``fpnn_vectors`` fixture is the whole parsed file.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from rtm.server.clientgate import ClientGate

# Every client-gate answer in the suite is checked against its command's description.
ClientGate.check_answers = True

FPNN_VECTORS: dict[str, Any] = json.loads(
    (Path(__file__).parent / "data" / "fpnn-vectors.json").read_text()
)


def _entries(*sections: str) -> list[tuple[str, dict[str, Any]]]:
    return [(name, entry) for section in sections for name, entry in FPNN_VECTORS[section].items()]


_PARAMS = {
    "frame_vector": _entries("frames", "go_only_frames", "cpp_only_frames"),
    "canonical_vector": _entries("frames"),
    "go_sdk_vector": [(n, e) for n, e in _entries("frames") if "go_sdk_hex" in e],
}


@pytest.fixture(scope="session")
def fpnn_vectors() -> dict[str, Any]:
    """The whole parsed vector file."""
    return FPNN_VECTORS


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    for argname, values in _PARAMS.items():
        if argname in metafunc.fixturenames:
            metafunc.parametrize(argname, values, ids=[name for name, _ in values])
