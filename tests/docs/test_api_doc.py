"""docs/api.md matches the code: every method documented with its real signature, and every
python block of the page runs against the local server."""

from __future__ import annotations

import ast
import asyncio
import inspect
import re
import time
from pathlib import Path
from typing import Any

import pytest

from rtm import AsyncRTMServerClient, RTMServerClient
from rtm.api.call import Method
from rtm.api.methods import api_methods
from rtm.fpnn.crypto import generate_private_key
from rtm.testing import RTMProject, new_project, start_test_server

API_MD = Path(__file__).resolve().parents[2] / "docs" / "api.md"


def methods() -> dict[str, Method[Any, Any]]:
    return {n: v for n, v in api_methods().items() if isinstance(v, Method)}


def rendered_signature(name: str, method: Method[Any, Any]) -> str:
    sig = inspect.signature(method._build)
    parts, star = [], False
    for i, p in enumerate(sig.parameters.values()):
        if i == 0:
            continue  # self
        if p.kind is p.KEYWORD_ONLY and not star:
            parts.append("*")
            star = True
        ann = str(p.annotation).strip("'")
        parts.append(f"{p.name}: {ann}" + ("" if p.default is p.empty else f" = {p.default!r}"))
    result = re.sub(r"^Call\[(.*)\]$", r"\1", str(sig.return_annotation).strip("'"))
    return f"{name}({', '.join(parts)}) -> {result}"


def test_every_method_is_documented_with_its_signature() -> None:
    text = API_MD.read_text()
    for name, method in methods().items():
        if name == "send_boradcast_message":
            assert name in text
            continue
        assert f"#### `{name}`" in text, name
        assert rendered_signature(name, method) in text, name


def python_blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", API_MD.read_text(), re.S)


def test_the_page_has_python_examples() -> None:
    assert len(python_blocks()) >= 4


@pytest.fixture(scope="module")
def encrypted() -> Any:
    key = generate_private_key("secp256k1")
    server = start_test_server(ecc_key=key)
    yield server, key.public_pem()
    server.stop()


@pytest.mark.parametrize("index", range(len(python_blocks())))
def test_python_block_runs(index: int, encrypted: Any, tmp_path: Path,
                           monkeypatch: pytest.MonkeyPatch,
                           capsys: pytest.CaptureFixture[str]) -> None:
    """Each block runs with `client` / `async_client` connected to a fresh test project."""
    server, pem = encrypted
    project = new_project(server)  # encryption examples need a server with a key
    (tmp_path / "server-public.pem").write_bytes(pem)
    monkeypatch.chdir(tmp_path)
    source = python_blocks()[index]
    client = RTMServerClient(project.pid, project.secret, project.endpoint)
    loop = asyncio.new_event_loop()
    async_client = loop.run_until_complete(_make_async(project))
    namespace: dict[str, Any] = {
        "client": client, "async_client": async_client, "pem_bytes": pem,
        "group_id": 10, "room_id": 20,
    }
    client.add_group_members(10, [1001, 1002])
    try:
        code = compile(source, f"docs/api.md block {index}", "exec",
                       flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
        result = eval(code, namespace)
        if inspect.iscoroutine(result):
            loop.run_until_complete(result)
        if "callback=" in source:  # callbacks run later, on SDK worker threads
            printed = re.search(r"# prints: (.+)", source)  # else the send example's text
            _wait_for_output(capsys, printed.group(1).strip() if printed else "stored at")
    finally:
        client.close()
        loop.run_until_complete(async_client.close())
        loop.close()


async def _make_async(project: RTMProject) -> AsyncRTMServerClient:
    return AsyncRTMServerClient(project.pid, project.secret, project.endpoint)


def _wait_for_output(capsys: pytest.CaptureFixture[str], text: str) -> None:
    seen = ""
    deadline = time.monotonic() + 5
    while text not in seen and time.monotonic() < deadline:
        time.sleep(0.02)
        seen += capsys.readouterr().out
    assert text in seen and "failed" not in seen, seen
