"""File-message helpers: the file checksum, the ``attrs`` JSON, and reading file messages.

Two ``attrs`` layouts, both serialised like Go's ``json.Marshal`` (keys sorted, no whitespace,
``<``/``>``/``&`` escaped as ``\\u003c``...):

* 0.1.0 (:func:`file_attrs`): a flat object of strings. Go 0.1.0 writes the filename-derived
  extension under the key ``exit`` (a typo); ``legacy=True`` reproduces it.
* current (:func:`file_attrs_current`, spec §5.4): ``{"custom": <C>, "rtm": {...}}``.

:func:`parse_file_info` reads what a stored file message carries (spec §5.6).
"""

from __future__ import annotations

import hashlib
import json
import math
from typing import Any

from rtm.api.models import MTYPE_AUDIO, AudioInfo, FileInfo

__all__ = [
    "file_attrs",
    "file_attrs_current",
    "file_sign",
    "go_json",
    "go_json_string",
    "parse_file_info",
    "split_extension",
]

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


def _go_number(value: int | float) -> str:
    # Go decodes JSON numbers into float64 and writes them back in the shortest form
    # ('e' notation outside [1e-6, 1e21)).
    f = float(value)
    if not math.isfinite(f):
        raise ValueError(f"JSON has no representation for {value!r}")
    if f == 0:
        return "0"
    if 1e-6 <= abs(f) < 1e21:
        if f == int(f):
            return str(int(f))
        return repr(f)
    mantissa, _, exponent = repr(f).partition("e")
    if not exponent:
        mantissa, _, exponent = f"{f:e}".partition("e")
    exp = int(exponent)
    return f"{mantissa.rstrip('0').rstrip('.') if '.' in mantissa else mantissa}e{exp:+03d}"


def go_json(value: Any) -> str:
    """``value`` (decoded JSON) serialised like Go's ``json.Marshal`` of the same data
    decoded into ``interface{}``: objects with sorted keys, no whitespace, Go's escaping."""
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, str):
        return go_json_string(value)
    if isinstance(value, (int, float)):
        return _go_number(value)
    if isinstance(value, dict):
        body = ",".join(f"{go_json_string(str(k))}:{go_json(v)}"
                        for k, v in sorted(value.items()))
        return "{" + body + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(go_json(v) for v in value) + "]"
    raise TypeError(f"not a JSON value: {type(value).__name__}")


def custom_attrs_value(attrs: str) -> Any:
    """The ``custom`` value of current file attrs (spec §5.4): ``attrs`` parsed as a JSON
    object when it is one, else the string itself (``""`` stays ``""``)."""
    if attrs:
        try:
            parsed = json.loads(attrs)
        except ValueError:
            return attrs
        if isinstance(parsed, dict):
            return parsed
    return attrs


def file_attrs_current(
    sign: str,
    filename: str,
    extension: str | None,
    custom: str = "",
    audio: AudioInfo | None = None,
) -> str:
    """The current file ``attrs`` (spec §5.4): ``{"custom": <C>, "rtm": {...}}``.

    ``rtm`` has ``sign``, ``filename`` / ``ext`` by the same rules as the 0.1.0 layout (but
    always ``ext``), and with ``audio`` the RTM-audio keys ``type: "audiomsg"``, ``codec``,
    ``srate``, ``lang``, ``duration`` (numbers as JSON numbers). ``custom`` is the caller's
    attrs: a JSON object when it parses as one, else the string.
    """
    rtm: dict[str, Any] = {"sign": sign}
    if filename:
        if extension:
            rtm["filename"] = filename
        else:
            parts = split_extension(filename)
            if parts is None:
                rtm["filename"] = filename
            else:
                rtm["filename"], rtm["ext"] = parts
    if extension:
        rtm["ext"] = extension
    if audio is not None:
        rtm.update(type="audiomsg", codec=audio.codec, srate=audio.srate, lang=audio.lang,
                   duration=audio.duration)
    return go_json({"custom": custom_attrs_value(custom), "rtm": rtm})


def _json_object(text: str | bytes) -> dict[str, Any] | None:
    try:
        value = json.loads(text)
    except (ValueError, UnicodeDecodeError):
        return None
    return value if isinstance(value, dict) else None


def _int_field(obj: dict[str, Any], key: str) -> int:
    value = obj.get(key)
    if isinstance(value, bool):
        return 0
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return 0


def _str_field(obj: dict[str, Any], key: str) -> str:
    value = obj.get(key)
    return value if isinstance(value, str) else ""


def parse_file_info(mtype: int, msg: str | bytes, attrs: str | bytes) -> FileInfo:
    """What a file message carries (spec §5.6), read like Go 0.9.20 reads it.

    ``msg`` is the JSON ``{"url", "size", "surl"}``; the audio fields come from
    ``attrs.rtm`` for an mtype-41 "audiomsg"; ``custom_attrs`` is ``attrs.custom`` (an object
    as JSON text, a string as is, anything else ``""``). Unparsable parts stay empty, and a
    legacy file message whose ``msg`` is a plain URL gets that URL. Unlike Go, ``srate`` and
    ``duration`` are read as the numbers they are (Go's type assertion always gives 0).
    """
    body = _json_object(msg)
    url = surl = ""
    size = 0
    if body is not None:
        url, surl, size = _str_field(body, "url"), _str_field(body, "surl"), _int_field(
            body, "size")
    elif isinstance(msg, str) and "://" in msg:
        url = msg
    is_audio = False
    codec = lang = custom = ""
    srate = duration = 0
    outer = _json_object(attrs)
    if outer is not None:
        value = outer.get("custom")
        if isinstance(value, dict):
            custom = go_json(value)
        elif isinstance(value, str):
            custom = value
        rtm = outer.get("rtm")
        if mtype == MTYPE_AUDIO and isinstance(rtm, dict) and rtm.get("type") == "audiomsg":
            is_audio = True
            codec, lang = _str_field(rtm, "codec"), _str_field(rtm, "lang")
            srate, duration = _int_field(rtm, "srate"), _int_field(rtm, "duration")
    return FileInfo(url, size, surl, is_audio, codec, srate, lang, duration, custom)
