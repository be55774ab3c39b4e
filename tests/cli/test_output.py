"""Output details: JSON encoding, one-line rendering, the progress indicator on a TTY."""

from __future__ import annotations

import io
import json
from pathlib import Path

from rtm._cli.output import Output, fmt_ms, one_line, to_json
from rtm.api.models import HistoryMessageUnit

from .conftest import Cli, invoke


class FakeTTY(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_json_lines_encode_binary_as_base64() -> None:
    unit = HistoryMessageUnit(1, 2, 30, 4, False, b"\xff\x00", "", 5)
    line = to_json({"message": unit.message, "text": "é"})
    assert json.loads(line) == {"message": {"base64": "/wA="}, "text": "é"}
    assert "\n" not in to_json({"m": "a\nb"})


def test_one_line_and_times() -> None:
    assert one_line("a\nb\tc\x01") == "a\\nb\\tc\\x01"
    assert one_line(b"\xff" * 3) == "<3 bytes of binary>"
    assert one_line("x" * 50, 10) == "x" * 9 + "…"
    assert fmt_ms(0)[:4] in ("1969", "1970")
    assert fmt_ms(10**30) == str(10**30)


def test_table_alignment() -> None:
    out = io.StringIO()
    Output(False, out, io.StringIO()).table(["A", "BB", "C"], [[1, 22, "x y"], [333, 4, ""]])
    assert out.getvalue().splitlines() == ["A    BB  C", "1    22  x y", "333  4"]


def test_progress_only_on_a_tty(cli: Cli, env: dict[str, str], tmp_path: Path) -> None:
    cli("group", "add", 3, 1).ok()
    for i in range(5):
        cli("send", "group", 1, 3, f"m{i}").ok()
    tty, out = FakeTTY(), io.StringIO()
    from rtm.cli import run

    assert run(["history", "group", "3", "--all", "--num", "2"], stdout=out, stderr=tty,
               env=env) == 0
    assert "\rfetching history: 2 messages, 1 page" in tty.getvalue()
    assert "\rfetching history: 5 messages, 3 pages" in tty.getvalue()
    assert tty.getvalue().endswith("5 messages\n")  # the progress line was cleared first
    assert "\r" not in out.getvalue()
    # not a TTY: no progress at all
    plain = invoke(env, "history", "group", 3, "--all", "--num", 2)
    assert "\r" not in plain.err and plain.err == "5 messages\n"

    path = tmp_path / "big.bin"
    path.write_bytes(b"x" * 300_000)
    tty = FakeTTY()
    assert run(["file", "send", "p2p", "1", "2", str(path)], stdout=io.StringIO(), stderr=tty,
               env=env) == 0
    assert "\rsending big.bin: 293.0 KiB" in tty.getvalue()
    assert tty.getvalue().endswith("\r")  # cleared
