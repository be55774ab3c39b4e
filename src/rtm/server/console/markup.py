"""Server-side HTML: escaping by default, a few building blocks, one page template.

Every text goes through :func:`esc` unless it is already :class:`Html` (built here from
escaped parts). There is no inline script or style: the Content-Security-Policy forbids them.
"""

from __future__ import annotations

import html
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from string import Template
from typing import Final
from urllib.parse import urlencode


class Html(str):
    """Markup that is already safe (escaped where it had to be)."""

    __slots__ = ()


#: A table cell: Html as is, anything else escaped (None = empty).
Cell = object


def esc(value: object) -> Html:
    """Escaped text (``Html`` passes through; None is empty)."""
    if isinstance(value, Html):
        return value
    if value is None:
        return Html("")
    return Html(html.escape(str(value), quote=True))


def join(parts: Iterable[object], sep: str = "") -> Html:
    return Html(esc(sep).join(esc(p) for p in parts))


def tag(element: str, body: object = "", /, **attrs: object) -> Html:
    """``<name attrs>body</name>``; attribute names may end with ``_`` (``class_``); a False
    or None attribute is left out, True is written bare."""
    out = [f"<{element}"]
    for key, value in attrs.items():
        if value is None or value is False:
            continue
        key = key.rstrip("_").replace("_", "-")
        out.append(f" {key}" if value is True else f' {key}="{esc(value)}"')
    out.append(">")
    if element in ("input", "br", "meta", "link", "img"):
        return Html("".join(out))
    return Html(f"{''.join(out)}{esc(body)}</{element}>")


def link(href: str, text: object, **attrs: object) -> Html:
    return tag("a", text, href=href, **attrs)


def url(path: str, **query: object) -> str:
    """``path`` with the non-empty query values."""
    params = {k: str(v) for k, v in query.items() if v not in (None, "")}
    return f"{path}?{urlencode(params)}" if params else path


def when(ms: int | None, *, never: str = "never") -> str:
    """A ms timestamp as local date and time (None: ``never``)."""
    if ms is None:
        return never
    seconds, millis = divmod(int(ms), 1000)
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(seconds)) + f".{millis:03d}"


def short(text: str | bytes, limit: int = 160) -> str:
    """A message body for a table cell: bytes shown as such, long texts cut."""
    if isinstance(text, bytes):
        shown = text[:limit].decode("utf-8", "backslashreplace")
        return f"bin({len(text)}): {shown}{'…' if len(text) > limit else ''}"
    return text if len(text) <= limit else f"{text[:limit]}… ({len(text)} chars)"


def _cell(value: Cell) -> Html:
    """A table cell; an integer (an id, a mid, a count) is kept on one line (class ``int``),
    so a long text in the same row wraps instead of breaking the digits."""
    if (isinstance(value, int) and not isinstance(value, bool)) or (
            isinstance(value, str) and value.lstrip("-").isdigit()):
        return tag("td", value, class_="int")
    return tag("td", value)


@dataclass(frozen=True)
class Table:
    """A panel body: column titles and rows of cells."""

    columns: Sequence[str]
    rows: Sequence[Sequence[Cell]]
    empty: str = "Nothing here yet."
    footer: Html | None = None

    def render(self) -> Html:
        if not self.rows:
            body = tag("p", self.empty, class_="empty")
        else:
            head = tag("thead", tag("tr", join(tag("th", c) for c in self.columns)))
            rows = join(tag("tr", join(_cell(cell) for cell in row)) for row in self.rows)
            body = tag("table", Html(head + tag("tbody", rows)))
        return Html(body + (self.footer or ""))


@dataclass(frozen=True)
class Field:
    """One input of an action form: ``kind`` is ``id`` (int > 0), ``int``, ``text`` (one
    line), ``body`` (several lines), ``bool`` (checkbox) or ``choice`` (``choices``)."""

    name: str
    label: str
    kind: str = "id"
    required: bool = True
    choices: Sequence[tuple[str, str]] = ()
    default: str = ""
    placeholder: str = ""


@dataclass(frozen=True)
class FormSpec:
    """How to render one action form."""

    action: str
    button: str
    fields: Sequence[Field] = ()
    hidden: Mapping[str, object] = field(default_factory=dict)
    danger: bool = False
    inline: bool = False


def render_form(spec: FormSpec, *, pid: int, csrf: str, back: str) -> Html:
    parts: list[Html] = [
        tag("input", type="hidden", name="_csrf", value=csrf),
        tag("input", type="hidden", name="_back", value=back),
    ]
    for key, value in spec.hidden.items():
        parts.append(tag("input", type="hidden", name=key, value=value))
    for f in spec.fields:
        if f.kind == "bool":
            control = Html(tag("input", type="checkbox", name=f.name, value="1",
                               checked=f.default == "1") + esc(f" {f.label}"))
            parts.append(tag("label", control))
            continue
        if f.kind == "choice":
            options = join(tag("option", text, value=value, selected=value == f.default)
                           for value, text in f.choices)
            control = tag("select", options, name=f.name, required=f.required)
        elif f.kind == "body":
            control = tag("textarea", f.default, name=f.name, rows="2", required=f.required,
                          placeholder=f.placeholder or None)
        else:
            numeric = f.kind in ("id", "int")
            control = tag("input", type="text", name=f.name, value=f.default,
                          required=f.required, placeholder=f.placeholder or None,
                          inputmode="numeric" if numeric else None,
                          size="12" if numeric else "24")
        parts.append(tag("label", Html(esc(f.label) + " " + control)))
    parts.append(tag("button", spec.button, type="submit",
                     class_="danger" if spec.danger else None))
    classes = "action inline" if spec.inline else "action"
    return tag("form", join(parts), method="post", action=f"/p/{pid}/do/{spec.action}",
               class_=classes)


PAGE: Final = Template("""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>$title · RTM local server console</title>
<link rel="stylesheet" href="/static/console.css">
$head
</head>
<body>
<header>
<a class="brand" href="/">RTM local server</a>
$projects
<nav>$nav</nav>
</header>
<main>
$notice
<h1>$title</h1>
$body
</main>
<footer>Local RTM server console · secrets, signs and tokens are never shown</footer>
</body>
</html>
""")


_NOTHING: Final = Html("")


def page(title: str, body: Html, *, nav: Html = _NOTHING, projects: Html = _NOTHING,
         notice: Html = _NOTHING, head: Html = _NOTHING) -> str:
    return PAGE.substitute(title=esc(title), body=body, nav=nav, projects=projects,
                           notice=notice, head=head)
