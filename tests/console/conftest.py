"""Fixtures of the console tests: a local server with its console on, and a real headless
Chromium from the system packages driven by Playwright (no browser download: the system
binary is used). Without Chromium the browser tests are skipped, except in CI (CI=true)
where they fail: CI must run them (``.ci/run`` installs Chromium with apt-get)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from rtm.server import ServerThread

ROOT = Path(__file__).resolve().parents[2]
#: Where the screenshots of docs/console.md live; written when RTM_UPDATE_SCREENSHOTS=1.
DOC_IMAGES = ROOT / "docs" / "img"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def chromium_executable() -> str | None:
    """$RTM_CHROMIUM, else the Debian/Ubuntu package's binary on PATH."""
    configured = os.environ.get("RTM_CHROMIUM")
    if configured:
        return configured if Path(configured).exists() else None
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    return None


def unavailable(reason: str) -> None:
    if IN_CI:
        pytest.fail(f"{reason} (CI must run the browser tests: .ci/run installs Chromium)")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("playwright is not installed (pip install -e '.[dev]')")
    executable = chromium_executable()
    if executable is None:
        unavailable("no Chromium found: apt-get install chromium (or set RTM_CHROMIUM)")
    manager = sync_playwright().start()
    try:
        # --no-sandbox: Chromium's sandbox cannot start as root (CI runs as root).
        chromium = manager.chromium.launch(
            executable_path=executable, headless=True,
            args=["--no-sandbox"] if os.geteuid() == 0 else [])
        try:
            yield chromium
        finally:
            chromium.close()
    finally:
        manager.stop()


class Shots:
    """Screenshots: always taken (to tmp), copied to docs/img when RTM_UPDATE_SCREENSHOTS=1."""

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.update = os.environ.get("RTM_UPDATE_SCREENSHOTS") == "1"

    def __call__(self, page: Any, name: str) -> Path:
        path = self.tmp / f"console-{name}.png"
        page.screenshot(path=str(path))
        assert path.stat().st_size > 5000, f"screenshot {name} looks empty"
        if self.update:
            DOC_IMAGES.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, DOC_IMAGES / path.name)
        return path


@pytest.fixture
def shots(tmp_path: Path) -> Shots:
    return Shots(tmp_path)


PID, SECRET = 11000079, "console-browser-secret-5e1f"


@pytest.fixture(scope="module")
def console_server() -> Iterator[ServerThread]:
    server = ServerThread(projects={PID: SECRET}, console_port=0).start()
    try:
        yield server
    finally:
        server.stop()
