"""What the official client SDKs put on the wire (tests/data/golden/client/), against each
command's one description: every recorded key is described with a matching type, every
required key is sent, the gate reads the recorded params, and our end-user client builds the
same keys with the same types from them."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest

from rtm.enduser.commands import (
    COMMANDS,
    data,
    friends,
    groups,
    imclient,
    rooms,
    services,
    system,
    users,
)
from rtm.enduser.spec import Command, Kind
from rtm.server.clientgate.reading import read_params
from rtm.server.params import Params

from .test_wire import msgpack_family

GOLDEN = Path(__file__).parent.parent / "data" / "golden" / "client"
DESCRIBED: dict[str, Command] = {m: c for m, c in COMMANDS.items() if c.gate == "client"}
#: The areas of docs/client-commands-social.md.
SOCIAL = {c.method for area in (friends, groups, rooms, users, data, system, services, imclient)
          for c in area.COMMANDS}

#: The recorded msgpack families each kind may take.
FAMILIES = {
    Kind.ID: {"int"}, Kind.INT: {"int"}, Kind.I32: {"int"}, Kind.I16: {"int"}, Kind.I8: {"int"},
    Kind.BOOL: {"bool"},
    Kind.STR: {"str"}, Kind.BODY: {"str", "bin"}, Kind.BIN: {"bin"},
    Kind.IDS: {"array<int>"}, Kind.INTS: {"array<int>"}, Kind.STRS: {"array<str>"},
    Kind.STR_MAP: {"map<str,str>"},
}


def _value(entry: dict[str, Any]) -> Any:
    value = entry["value"]
    if entry["type"] == "bin" and isinstance(value, str) and value.startswith("base64:"):
        return base64.b64decode(value[len("base64:"):])
    return value


def _recorded() -> list[tuple[str, str, dict[str, Any]]]:
    quests = []
    for path in sorted(GOLDEN.glob("client-*-wire.jsonl")):
        sdk = path.name.split("-")[1]
        for line in path.read_text().splitlines():
            record = json.loads(line)
            if record.get("method") in DESCRIBED:
                quests.append((sdk, record["method"], record.get("params") or {}))
    return quests


RECORDED = _recorded()


def test_the_recordings_cover_the_commands() -> None:
    assert len({method for _, method, _ in RECORDED}) >= 60


@pytest.mark.parametrize(("sdk", "method", "params"),
                         [pytest.param(*r, id=f"{r[0]}-{r[1]}") for r in RECORDED])
def test_recorded_quest_matches_its_description(sdk: str, method: str,
                                                params: dict[str, Any]) -> None:
    command = DESCRIBED[method]
    described = {p.key: p for p in command.params}
    for key, entry in params.items():
        assert key in described, f"{sdk} {method} sends undescribed {key!r}"
        assert entry["type"] in FAMILIES[described[key].kind], (sdk, method, key, entry)
    for p in command.params:
        if not p.optional:
            assert p.key in params, f"{sdk} {method} does not send required {p.key!r}"
    values = {key: _value(entry) for key, entry in params.items()}
    read = read_params(command, Params(values, method))
    assert {k: v for k, v in read.items() if v is not None} == values
    # our client puts the same keys on the wire, with the same families
    built = command.quest(method, **{described[k].name: v for k, v in values.items()})
    assert {k: msgpack_family(v) for k, v in built.items()} == {
        k: "array<int>" if e["type"] == "array<int>" else e["type"]
        for k, e in params.items()}


def test_every_command_has_its_row_in_the_docs() -> None:
    from rtm.enduser import AsyncEndUserClient

    page = (Path(__file__).parent.parent.parent / "docs" / "client-commands-social.md")
    rows: dict[str, str] = {}
    for line in page.read_text().splitlines():
        cells = [c.strip().strip("`") for c in line.split(" | ")]
        if line.startswith("| `") and len(cells) >= 2:
            rows[cells[0].lstrip("| `")] = cells[1].split("(")[0]
    assert set(rows) == SOCIAL
    for method, name in rows.items():
        assert callable(getattr(AsyncEndUserClient, name, None)), (method, name)
