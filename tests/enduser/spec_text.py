"""The params of every client command as ``rtm-client-api.md`` writes them.

Read from the spec's text (``tests/data/spec/rtm-client-api.md``, a copy of
``shared/spec/rtm-client-api.md`` so that the tests need nothing beside the clone):

* the tables of §3.1-§3.11: the ``method`` column names one or more methods, the ``params``
  column their keys (``key?`` optional, ``key:type``, ``—`` none). ``a\\|b\\|c`` as a key
  gives the i-th method of the row the i-th key (a method past the last alternative has none
  of them); ``p / q`` with as many parts as the row has methods pairs them likewise;
  ``(+ U: `…`)`` adds U's optional extras and ``(+ U as above)`` the previous row's;
* the prose forms ``method {a, b}`` of §1.3, §2, §3.9 and §3.13, where ``a / b {…}`` gives
  both methods the params, a bare ``imclient_x`` has none, and "the same set for rooms"
  (§3.13) is every IM group command again with ``room``/``rid``/``rids``;
* ``auth`` from the SDKs' forms of §2: a key is required when every form sends it unmarked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

SPEC = Path(__file__).resolve().parents[1] / "data" / "spec" / "rtm-client-api.md"

__all__ = ["SPEC", "SpecParam", "parse_params", "spec_params"]


@dataclass(frozen=True, slots=True)
class SpecParam:
    """One key as the spec writes it; ``type`` is the spec's type text ("" when unstated)."""

    key: str
    optional: bool
    type: str = ""


_ITEM = re.compile(r"([A-Za-z_]\w*(?:\\?\|[A-Za-z_]\w*)*)(\?)?(?:\s*:\s*(.*))?$", re.S)
_TABLE_SECTIONS = tuple(f"3.{n}" for n in range(1, 12))
_PROSE_SECTIONS = ("1.3", "2", "3.9", "3.13")


def _sections(text: str) -> dict[str, str]:
    out: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in text.splitlines():
        heading = re.match(r"#{2,3} (\d+(?:\.\d+)?)\.? ", line)
        if heading:
            current = out.setdefault(heading.group(1), [])
        elif current is not None:
            current.append(line)
    return {number: "\n".join(lines) for number, lines in out.items()}


def _split_top(text: str) -> list[str]:
    """``text`` split on the commas outside brackets (``type:int (0 p2p, 1 group)``)."""
    parts, depth, current = [], 0, ""
    for ch in text:
        depth += (ch in "([{") - (ch in ")]}")
        if ch == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += ch
    parts.append(current)
    return [p.strip() for p in parts if p.strip()]


def _items(chunk: str) -> list[tuple[list[str], SpecParam]]:
    """The keys of one backquoted chunk: (alternative keys, the param of the first)."""
    out = []
    for part in _split_top(chunk):
        match = _ITEM.match(part)
        if not match:  # a value such as "sendfiles", not a key
            continue
        keys = match.group(1).replace("\\|", "|").split("|")
        spec_type = (match.group(3) or "").strip()
        out.append((keys, SpecParam(keys[0], bool(match.group(2)), spec_type)))
    return out


def parse_params(text: str) -> dict[str, SpecParam]:
    """A params text in the spec's notation (``a, b?, c:[int]``) as key -> param."""
    return {param.key: param for _, param in _items(text)}


def _chunks(text: str) -> list[str]:
    return re.findall(r"`([^`]*)`", text)


def _row_params(methods: list[str], cell: str, previous_extras: list[str]
                ) -> tuple[dict[str, dict[str, SpecParam]], list[str]]:
    extras: list[str] = []
    plus = re.search(r"\(\+ U: (.*?)\)(?!`)", cell)
    if plus:
        extras = _chunks(plus.group(1))
        cell = cell.replace(plus.group(0), "")
    elif "(+ U as above)" in cell:
        extras = previous_extras
        cell = cell.replace("(+ U as above)", "")
    out: dict[str, dict[str, SpecParam]] = {m: {} for m in methods}
    if cell.strip() in ("—", "-"):
        return out, extras
    parts = [cell]
    if len(methods) > 1:
        split = re.split(r"(?<=`) / (?=`)", cell)
        if len(split) == len(methods):
            parts = split
    for i, method in enumerate(methods):
        part = parts[i] if len(parts) > 1 else parts[0]
        for chunk in [*_chunks(part), *extras]:
            for keys, param in _items(chunk):
                if len(keys) > 1:  # gid|rid|ouid: one key per method of the row
                    if i >= len(keys):
                        continue
                    param = SpecParam(keys[i], param.optional, param.type)
                out[method][param.key] = param
    return out, extras


def _tables(section: str) -> tuple[dict[str, dict[str, SpecParam]], set[str]]:
    """The table rows of a section; and the methods whose params say "as the server API"."""
    out: dict[str, dict[str, SpecParam]] = {}
    unread: set[str] = set()
    extras: list[str] = []
    for line in section.splitlines():
        if not line.startswith("|") or line.startswith("|---"):
            continue
        cells = [c.strip() for c in re.split(r"(?<!\\)\|", line)[1:-1]]
        methods = re.findall(r"`(\w+)`", cells[0])
        if not methods:  # the header row
            continue
        if "as the server API" in cells[1]:
            unread.update(methods)
            continue
        rows, extras = _row_params(methods, cells[1], extras)
        out.update(rows)
    return out, unread


def _prose(section: str, number: str) -> dict[str, dict[str, SpecParam]]:
    out: dict[str, dict[str, SpecParam]] = {}
    text = " ".join(section.split())
    for first, second, params in re.findall(r"`(\w+)` / `(\w+) \{([^}]*)\}`", text):
        out[first] = out[second] = parse_params(params)
    for method, params in re.findall(r"`(\w+) \{([^}`]*)\}`", text):
        out[method] = parse_params(params)
    if number == "3.13":
        for method in re.findall(r"`(imclient_\w+)`", text):
            out.setdefault(method, {})
        for method, params in list(out.items()):  # "the same set for rooms"
            if "group" in method and "grouproom" not in method:
                out[method.replace("group", "room")] = {
                    {"gid": "rid", "gids": "rids"}.get(k, k):
                        SpecParam({"gid": "rid", "gids": "rids"}.get(k, k), p.optional, p.type)
                    for k, p in params.items()}
    return out


def _auth(section: str) -> dict[str, SpecParam]:
    """``auth`` from the SDKs' bullets of §2: each bullet's first chunk is that SDK's form,
    later chunks keys of a second form only ("C: as U" repeats U's)."""
    forms: list[dict[str, SpecParam]] = []
    later: dict[str, SpecParam] = {}
    bullets = re.findall(r"^ +- [A-Z]: (.*(?:\n {4,}\S.*)*)", section, re.M)
    for bullet in bullets:
        chunks = _chunks(" ".join(bullet.split()))
        if bullet.startswith("as "):
            continue
        forms.append(parse_params(chunks[0]))
        for chunk in chunks[1:]:
            later.update(parse_params(chunk))
    keys = {key: p for form in forms for key, p in form.items()} | later
    return {key: SpecParam(key, key in later or not all(
        key in form and not form[key].optional for form in forms), p.type)
        for key, p in keys.items()}


def spec_params() -> tuple[dict[str, dict[str, SpecParam]], set[str]]:
    """Method -> its params as the spec writes them; and the methods whose params the spec
    gives only as "as the server API"."""
    sections = _sections(SPEC.read_text(encoding="utf-8"))
    out: dict[str, dict[str, SpecParam]] = {}
    unread: set[str] = set()
    for number in _TABLE_SECTIONS:
        rows, as_server = _tables(sections[number])
        out.update(rows)
        unread |= as_server
    for number in _PROSE_SECTIONS:
        for method, params in _prose(sections[number], number).items():
            assert out.get(method, params) == params, (
                f"§{number} gives {method} other params than a table: {params}")
            out[method] = params
    out["auth"] = _auth(sections["2"])
    return out, unread
