"""File-message helpers (spec §3.4): the file checksum and the ``attrs`` JSON.

``attrs`` is a flat JSON object serialised like Go's ``json.Marshal`` of a
``map[string]string`` (keys sorted, no whitespace, ``<``/``>``/``&`` escaped as ``\\u003c``...).
Go 0.1.0 writes the filename-derived extension under the key ``exit`` (a typo); this SDK
writes ``ext`` unless ``legacy=True`` asks for the byte-exact 0.1.0 form.
"""

from __future__ import annotations

import hashlib

__all__ = ["file_attrs", "file_sign", "go_json_string", "split_extension"]

FILE_MTYPE_DEFAULT = 50
MAX_FILE_SIZE = 5_242_880  # DOC-L; enforced by the server (200031), not here

_ESCAPES = {
    '"': '\\"',
    "\\": "\\\\",
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
    "<": "\\u003c",
    ">": "\\u003e",
    "&": "\\u0026",
    "\u2028": "\\u2028",
    "\u2029": "\\u2029",
}


def file_sign(content: bytes, token: str) -> str:
    """``LOWER_HEX(MD5(LOWER_HEX(MD5(content)) + ":" + token))`` (spec §3.4)."""
    inner = hashlib.md5(content, usedforsecurity=False).hexdigest()
    return hashlib.md5(f"{inner}:{token}".encode(), usedforsecurity=False).hexdigest()


def go_json_string(text: str) -> str:
    """``text`` as a JSON string literal exactly as Go's ``encoding/json`` writes it."""
    out = ['"']
    for ch in text:
        esc = _ESCAPES.get(ch)
        if esc is not None:
            out.append(esc)
        elif ch < " ":
            out.append(f"\\u{ord(ch):04x}")
        elif "\ud800" <= ch <= "\udfff":  # lone surrogate: Go writes U+FFFD for invalid UTF-8
            out.append("\ufffd")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def split_extension(filename: str) -> tuple[str, str] | None:
    """``"notes.txt"`` -> ``("notes", "txt")``: split at the last dot when it is neither the
    first nor the last character; ``None`` otherwise (GO010's rule)."""
    idx = filename.rfind(".")
    if 0 < idx < len(filename) - 1:
        return filename[:idx], filename[idx + 1 :]
    return None


def file_attrs(sign: str, filename: str, extension: str | None, *, legacy: bool = False) -> str:
    """The ``attrs`` of a file-gate quest (spec §3.4 table).

    * filename and explicit extension: ``filename`` (full) + ``ext``;
    * filename with a usable dot, no extension: ``filename`` (before the last dot) +
      ``ext`` = the part after it (``exit`` when ``legacy``, like Go 0.1.0);
    * filename without a usable dot: ``filename`` only; no filename: ``ext`` if given.
    Always ``sign``.
    """
    fields: dict[str, str] = {"sign": sign}
    if filename:
        if extension:
            fields["filename"] = filename
            fields["ext"] = extension
        else:
            parts = split_extension(filename)
            if parts is None:
                fields["filename"] = filename
            else:
                fields["filename"] = parts[0]
                fields["exit" if legacy else "ext"] = parts[1]
    elif extension:
        fields["ext"] = extension
    body = ",".join(f"{go_json_string(k)}:{go_json_string(v)}" for k, v in sorted(fields.items()))
    return "{" + body + "}"
