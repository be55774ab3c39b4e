"""Output of the ``rtm`` command: human lines and tables, ``--json`` lines, progress, errors.

Results go to stdout: with ``--json`` one JSON object per line (per result, history message
or push), flushed at once so ``rtm listen --json | jq`` streams. Everything meant for a
human only (status notes, progress, errors) goes to stderr; the progress indicator is drawn
only when stderr is a terminal.
"""

from __future__ import annotations

import base64
import itertools
import json
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any, TextIO

__all__ = ["MAX_SAFE_INTEGER", "Output", "Progress", "fmt_ms", "fmt_s", "one_line", "to_json"]


def _json_default(value: object) -> object:
    if isinstance(value, (bytes, bytearray, memoryview)):
        return {"base64": base64.b64encode(bytes(value)).decode("ascii")}
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    raise TypeError(f"cannot encode {type(value).__name__} as JSON")


#: the largest integer every JSON reader holds exactly (a double's 53-bit mantissa)
MAX_SAFE_INTEGER = 2**53 - 1


def _safe_integers(value: Any) -> Any:
    """``value`` with each integer a double cannot hold exactly written as a string."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return str(value) if abs(value) > MAX_SAFE_INTEGER else value
    if isinstance(value, Mapping):
        return {k: _safe_integers(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_safe_integers(v) for v in value]
    if isinstance(value, (set, frozenset)):
        return [_safe_integers(v) for v in sorted(value)]
    return value


def to_json(obj: Mapping[str, Any]) -> str:
    """One JSON line; ``bytes`` (non-UTF-8 message bodies) become ``{"base64": "..."}``.

    Integers beyond 2^53 - 1 (most generated mids) are strings: jq 1.6, JavaScript and any
    reader that parses numbers as doubles would round them, and a rounded id names another
    message."""
    return json.dumps(_safe_integers(obj), default=_json_default, ensure_ascii=False,
                      separators=(", ", ": "))


def fmt_ms(ms: int) -> str:
    """Milliseconds since the epoch as local ``YYYY-MM-DD HH:MM:SS.mmm`` (raw if absurd)."""
    try:
        moment = datetime.fromtimestamp(ms / 1000).astimezone()
    except (OverflowError, OSError, ValueError):
        return str(ms)
    return moment.strftime("%Y-%m-%d %H:%M:%S.") + f"{ms % 1000:03d}"


def fmt_s(seconds: int) -> str:
    """Seconds since the epoch as local ``YYYY-MM-DD HH:MM:SS``."""
    try:
        return datetime.fromtimestamp(seconds).astimezone().strftime("%Y-%m-%d %H:%M:%S")
    except (OverflowError, OSError, ValueError):
        return str(seconds)


_CONTROL = {i: f"\\x{i:02x}" for i in range(32)} | {10: "\\n", 13: "\\r", 9: "\\t", 127: "\\x7f"}


def one_line(value: str | bytes, limit: int | None = None) -> str:
    """A message body on one line: control characters escaped, binary summarised."""
    if isinstance(value, bytes):
        return f"<{len(value)} bytes of binary>"
    text = value.translate(_CONTROL)
    if limit is not None and len(text) > limit:
        text = text[: limit - 1] + "…"
    return text


class Progress:
    """A one-line progress indicator on stderr; silent unless stderr is a terminal."""

    _FRAMES = "|/-\\"

    def __init__(self, stream: TextIO, enabled: bool, label: str) -> None:
        self._stream = stream
        self.enabled = enabled
        self._label = label
        self._lock = threading.Lock()
        self._width = 0
        self._start = time.monotonic()

    def update(self, text: str) -> None:
        if not self.enabled:
            return
        line = f"{self._label}: {text}"
        with self._lock:
            pad = max(0, self._width - len(line))
            self._stream.write("\r" + line + " " * pad)
            self._stream.flush()
            self._width = len(line)

    def clear(self) -> None:
        if not self.enabled or not self._width:
            return
        with self._lock:
            self._stream.write("\r" + " " * self._width + "\r")
            self._stream.flush()
            self._width = 0

    @contextmanager
    def spinning(self, text: str) -> Iterator[None]:
        """Animate ``text`` with a spinner and the elapsed time while the body runs."""
        if not self.enabled:
            yield
            return
        stop = threading.Event()

        def spin() -> None:
            for frame in itertools.cycle(self._FRAMES):
                elapsed = time.monotonic() - self._start
                self.update(f"{text} {frame} {elapsed:.1f}s")
                if stop.wait(0.1):
                    return

        thread = threading.Thread(target=spin, name="rtm-progress", daemon=True)
        thread.start()
        try:
            yield
        finally:
            stop.set()
            thread.join()
            self.clear()


class Output:
    """Where and how the command prints."""

    def __init__(self, json_mode: bool, stdout: TextIO, stderr: TextIO) -> None:
        self.json = json_mode
        self.stdout = stdout
        self.stderr = stderr
        self._lock = threading.Lock()

    def result(self, obj: Mapping[str, Any], text: str | None = None) -> None:
        """Print one result: ``obj`` as a JSON line with ``--json``, else ``text`` (if any)."""
        line = to_json(obj) if self.json else text
        if line is None:
            return
        with self._lock:
            print(line, file=self.stdout, flush=True)

    def lines(self, obj: Mapping[str, Any], values: Sequence[object]) -> None:
        """A list result: ``obj`` with ``--json``, else one value per line."""
        if self.json:
            self.result(obj)
            return
        with self._lock:
            for value in values:
                print(value, file=self.stdout)
            self.stdout.flush()

    def table(self, headers: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
        """An aligned text table (human mode only); the last column is not padded."""
        cells = [list(map(str, headers))] + [[str(c) for c in row] for row in rows]
        widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
        with self._lock:
            for row in cells:
                parts = [c.ljust(w) for c, w in zip(row[:-1], widths[:-1], strict=True)]
                print("  ".join([*parts, row[-1]]).rstrip(), file=self.stdout)
            self.stdout.flush()

    def note(self, text: str) -> None:
        """A status line for humans, on stderr."""
        with self._lock:
            print(text, file=self.stderr, flush=True)

    def error(self, text: str) -> None:
        with self._lock:
            print(f"error: {text}", file=self.stderr, flush=True)

    def progress(self, label: str) -> Progress:
        isatty = getattr(self.stderr, "isatty", None)
        enabled = bool(isatty and isatty())
        return Progress(self.stderr, enabled, label)


class CountedPrinter:
    """Prints pushes (from a monitor's thread) until ``count`` of them, a final one (a
    kickout) or a closed output; then sets ``done``. Late pushes are ignored."""

    def __init__(self, out: Output, count: int | None, done: threading.Event) -> None:
        self.out = out
        self.remaining = count
        self.done = done
        self.broken_pipe = False
        self._lock = threading.Lock()

    def _emit(self, obj: dict[str, Any], text: str, *, final: bool = False) -> None:
        with self._lock:
            if self.done.is_set():
                return  # --count reached or output closed: ignore late pushes
            try:
                self.out.result(obj, text)
            except BrokenPipeError:  # rtm listen | head -3
                self.broken_pipe = True
                self.done.set()
                return
            if self.remaining is not None:
                self.remaining -= 1
                if self.remaining <= 0:
                    self.done.set()
            if final:
                self.done.set()

