"""Fixtures for the ``rtm`` command tests.

The local server and a fresh project per test come from the SDK's pytest plugin
(``rtm_server`` / ``rtm_project``, loaded from the ``pytest11`` entry point). ``cli`` runs
the command in-process through :func:`rtm.cli.run` with that project in its environment;
``cli_env`` is the same environment for subprocesses.
"""

from __future__ import annotations

import io
import json
import os
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from rtm.cli import run
from rtm.testing import RTMProject

PYTHON = sys.executable


@dataclass
class Result:
    code: int
    out: str
    err: str

    def json(self) -> list[dict[str, Any]]:
        """Every stdout line parsed as one JSON object."""
        return [json.loads(line) for line in self.out.splitlines() if line.strip()]

    def one(self) -> dict[str, Any]:
        objs = self.json()
        assert len(objs) == 1, self.out
        return objs[0]

    def ok(self) -> Result:
        assert self.code == 0, f"exit {self.code}\nstdout: {self.out}\nstderr: {self.err}"
        return self


Cli = Callable[..., Result]


def project_env(project: RTMProject, home: Path) -> dict[str, str]:
    """RTM_* for ``project``; HOME/XDG point at an empty dir so no user config is read."""
    return {
        "RTM_ENDPOINT": project.endpoint,
        "RTM_PID": str(project.pid),
        "RTM_SECRET": project.secret,
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / ".config"),
    }


def invoke(env: Mapping[str, str], *args: object, input: str | bytes = "") -> Result:
    """Run ``rtm *args`` in-process; ``input`` is stdin (bytes: a binary stream with a
    ``.buffer``, like the real one)."""
    out, err = io.StringIO(), io.StringIO()
    stdin = (io.TextIOWrapper(io.BytesIO(input), encoding="utf-8") if isinstance(input, bytes)
             else io.StringIO(input))
    code = run([str(a) for a in args], stdout=out, stderr=err, stdin=stdin, env=env)
    return Result(code, out.getvalue(), err.getvalue())


@pytest.fixture
def env(rtm_project: RTMProject, tmp_path: Path) -> dict[str, str]:
    return project_env(rtm_project, tmp_path)


@pytest.fixture
def cli(env: dict[str, str]) -> Cli:
    """``cli("send", "p2p", 1, 2, "hi")`` -> Result (in-process, this test's project)."""

    def call(*args: object, input: str | bytes = "",
             extra_env: Mapping[str, str] | None = None) -> Result:
        return invoke({**env, **(extra_env or {})}, *args, input=input)

    return call


@pytest.fixture
def cli_env(env: dict[str, str]) -> dict[str, str]:
    """Full environment for ``rtm`` subprocesses talking to this test's project."""
    merged = dict(os.environ)
    for key in ("RTM_CONFIG", "RTM_PEM", "RTM_TIMEOUT"):
        merged.pop(key, None)
    merged.update(env)
    merged["PYTHONUNBUFFERED"] = "1"
    return merged
