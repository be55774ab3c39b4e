"""Declarative pages, panels and actions: how every kind of state gets into the console.

A **page** has a URL and a title: a project page (``/p/<pid>/<key>``, listed in the
navigation) or a detail page of one subject (``/p/<pid>/<key>/<subject>``: a user, a group, a
room, a conversation). A **panel** is one box on a page: an async query of the server state
that returns a :class:`~rtm.server.console.markup.Table` (or markup). An **action** is a form
posting to ``/p/<pid>/do/<name>``: typed fields, then a function that changes state through
the server API's own handlers (:meth:`Ctx.call`), so pushes and events happen as for an SDK
call.

Adding a kind of state is one module in :mod:`rtm.server.console.areas` that calls
:func:`page`, :func:`panel` and :func:`action`, e.g.::

    @panel("user", "blocks", "Blocked users", order=35)
    async def blocks(ctx: Ctx) -> Table:
        uids = await ctx.store.get_blacks(ctx.pid, ctx.subject_id())
        return Table(["uid"], [[ctx.user_link(u)] for u in uids])
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar, cast

from rtm.fpnn.errors import FPNNError
from rtm.server.console.markup import Field, FormSpec, Html, Table, link, render_form, url
from rtm.server.params import Params
from rtm.server.store import Store, StoreError

if TYPE_CHECKING:
    from rtm.fpnn.server import ServerConnection
    from rtm.server.core import ServerCore
    from rtm.server.pushes import Hub

PanelBody = Table | Html
PanelQuery = Callable[["Ctx"], Awaitable[PanelBody]]
ActionRun = Callable[["Ctx", dict[str, Any]], Awaitable[str]]
F = TypeVar("F", bound=Callable[..., Any])


class ConsoleError(Exception):
    """A refused console request: bad input, or an API error (shown to the user)."""


@dataclass(frozen=True)
class Page:
    """``subject``: what the URL's last part names (``"uid"``, ``"gid"``, ...) for a detail
    page, None for a project page in the navigation. ``title`` may use ``{subject}``."""

    key: str
    title: str
    subject: str | None = None
    order: int = 100


@dataclass(frozen=True)
class Panel:
    page: str
    key: str
    title: str
    query: PanelQuery
    order: int = 100


@dataclass(frozen=True)
class Action:
    name: str
    fields: Sequence[Field]
    run: ActionRun


class Registry:
    def __init__(self) -> None:
        self.pages: dict[str, Page] = {}
        self.panels: dict[tuple[str, str], Panel] = {}
        self.actions: dict[str, Action] = {}

    def add_page(self, p: Page) -> None:
        if p.key in self.pages:
            raise ValueError(f"console page {p.key!r} registered twice")
        self.pages[p.key] = p

    def add_panel(self, p: Panel) -> None:
        if (p.page, p.key) in self.panels:
            raise ValueError(f"console panel {p.page}/{p.key} registered twice")
        self.panels[(p.page, p.key)] = p

    def add_action(self, a: Action) -> None:
        if a.name in self.actions:
            raise ValueError(f"console action {a.name!r} registered twice")
        self.actions[a.name] = a

    def nav(self) -> list[Page]:
        return sorted((p for p in self.pages.values() if p.subject is None),
                      key=lambda p: (p.order, p.key))

    def panels_of(self, page_key: str) -> list[Panel]:
        return sorted((p for p in self.panels.values() if p.page == page_key),
                      key=lambda p: (p.order, p.key))


#: The registry the areas fill in when imported.
REGISTRY = Registry()


def page(key: str, title: str, *, subject: str | None = None, order: int = 100) -> None:
    REGISTRY.add_page(Page(key, title, subject, order))


def panel(page_key: str, key: str, title: str, *, order: int = 100) -> Callable[[F], F]:
    """Decorator registering ``async def query(ctx) -> Table | Html`` as a panel."""

    def register(fn: F) -> F:
        REGISTRY.add_panel(Panel(page_key, key, title, cast(PanelQuery, fn), order))
        return fn

    return register


def action(name: str, *fields: Field) -> Callable[[F], F]:
    """Decorator registering ``async def run(ctx, values) -> notice`` as a form action;
    ``values`` holds the parsed ``fields`` (see :func:`parse_fields`)."""

    def register(fn: F) -> F:
        REGISTRY.add_action(Action(name, fields, cast(ActionRun, fn)))
        return fn

    return register


# ---------------------------------------------------------------------------- input


def parse_fields(fields: Sequence[Field], form: Mapping[str, str]) -> dict[str, Any]:
    """Typed values of a posted form; ConsoleError names the field and what was expected."""
    values: dict[str, Any] = {}
    for f in fields:
        raw = form.get(f.name, "").strip()
        if f.kind == "bool":
            values[f.name] = raw not in ("", "0")
            continue
        if not raw:
            if f.required:
                raise ConsoleError(f"{f.label}: a value is required")
            values[f.name] = None
            continue
        if f.kind in ("id", "int"):
            values[f.name] = parse_int(f.label, raw, positive=f.kind == "id")
        elif f.kind == "ids":
            items = raw.replace(",", " ").split()
            values[f.name] = [parse_int(f.label, item, positive=True) for item in items]
        elif f.kind == "choice":
            allowed = [value for value, _text in f.choices]
            if raw not in allowed:
                raise ConsoleError(f"{f.label}: expected one of {', '.join(allowed)}, "
                                   f"got {raw!r}")
            values[f.name] = raw
        else:
            values[f.name] = form.get(f.name, "")  # texts keep their spaces
    return values


def parse_int(label: str, text: str, *, positive: bool = False) -> int:
    try:
        value = int(text.strip())
    except ValueError:
        what = "a positive integer id" if positive else "an integer"
        raise ConsoleError(f"{label}: expected {what}, got {text!r}") from None
    if positive and value <= 0:
        raise ConsoleError(f"{label}: expected a positive integer id, got {value}")
    if not -(2**63) <= value < 2**63:
        raise ConsoleError(f"{label}: {value} does not fit in 64 bits")
    return value


# ---------------------------------------------------------------------------- API calls

#: Server-API commands the console may run: those whose handler does not use the calling
#: connection (the listen commands do, so they are not here).
CONSOLE_COMMANDS = frozenset({
    "sendmsg", "sendmsgs", "sendgroupmsg", "sendroommsg", "broadcastmsg", "delmsg",
    "addfriends", "delfriends", "addgroupmembers", "delgroupmembers", "delgroup",
    "addgroupban", "removegroupban", "addroommember", "delroommember", "addroomban",
    "removeroomban", "kickout", "addprojectblack", "removeprojectblack", "removetoken",
    "adddevice", "removedevice",
    # current generation
    "addblacks", "delblacks", "setuserinfo", "dataset", "datadel", "addsessions",
    "removesessions", "kickoutFromRTCRoom", "closeRTCRoom", "pullIntoRTCRoom",
    "addprojectban", "removeprojectban", "addoption", "removeoption", "setgroupinfo",
    "setroominfo", "addroommembers", "delroommembers", "editmsg",
})

_mids = itertools.count(time.time_ns() // 1000)


def new_mid() -> int:
    """A message id for a console send (microseconds since the epoch, unique per process)."""
    return next(_mids)


class ConsoleApi:
    """Runs server-API commands through the server gate's handlers, like a signed quest
    (without the signature); each call is recorded on the live stream as gate ``console``."""

    def __init__(self, core: ServerCore) -> None:
        from rtm.server.gate_server import ServerGate

        self.core = core
        self._handlers = ServerGate(core).handlers()

    async def call(self, pid: int, method: str, params: Mapping[str, Any]) -> dict[str, Any]:
        if method not in CONSOLE_COMMANDS:
            raise ConsoleError(f"the console does not run {method!r}")
        handler = self._handlers[method]
        payload = dict(params)
        live = self.core.live
        started = time.perf_counter()
        try:
            # The connection argument is only read by the listen handlers (not allowed here).
            answer = await handler(cast("ServerConnection", None), Params(payload, method), pid)
        except (FPNNError, StoreError) as exc:
            code, message = exc.code, exc.message
            if live is not None:
                live.record("in", "console", method, pid, payload, None, code, message,
                            time.perf_counter() - started, "console", None)
            raise ConsoleError(f"{method} refused: [{code}] {message}") from None
        except Exception:  # as the gates' wrap(): an internal error, logged, not a crash
            self.core.logger.exception("internal error while running %s from the console",
                                       method)
            raise ConsoleError(f"{method} failed: internal server error (see the server "
                               "log)") from None
        result = dict(answer or {})
        if live is not None:
            live.record("in", "console", method, pid, payload, result, 0, "",
                        time.perf_counter() - started, "console", None)
        return result


# ---------------------------------------------------------------------------- context


class Ctx:
    """What a panel or an action sees: the project, the page's subject, the request's query,
    the server state, and helpers for links and forms."""

    def __init__(self, *, core: ServerCore, api: ConsoleApi, pid: int, page_key: str,
                 subject: str | None, query: Mapping[str, str], csrf: str,
                 path: str) -> None:
        self.core = core
        self.api = api
        self.pid = pid
        self.page_key = page_key
        self.subject = subject
        self.query = query
        self.csrf = csrf
        self.path = path  # this page with its query: where forms come back to

    @property
    def store(self) -> Store:
        return self.core.store

    @property
    def hub(self) -> Hub:
        return self.core.hub

    async def call(self, method: str, **params: Any) -> dict[str, Any]:
        """Run a server-API command for this project (see :class:`ConsoleApi`)."""
        return await self.api.call(self.pid, method, params)

    def subject_id(self) -> int:
        if self.subject is None:
            raise ConsoleError("this page needs an id")
        return parse_int(REGISTRY.pages[self.page_key].subject or "id", self.subject,
                         positive=True)

    def query_int(self, name: str, default: int = 0, *, positive: bool = False) -> int:
        raw = self.query.get(name, "").strip()
        return parse_int(name, raw, positive=positive) if raw else default

    def href(self, page_key: str, subject: object = None, **query: object) -> str:
        path = f"/p/{self.pid}/{page_key}"
        if subject is not None:
            path += f"/{subject}"
        return url(path, **query)

    def user_link(self, uid: int) -> Html:
        return link(self.href("user", uid), uid)

    def group_link(self, gid: int) -> Html:
        return link(self.href("group", gid), gid)

    def room_link(self, rid: int) -> Html:
        return link(self.href("room", rid), rid)

    def form(self, name: str, button: str, *, hidden: Mapping[str, object] | None = None,
             danger: bool = False, inline: bool = False, fields: Sequence[Field] | None = None,
             ) -> Html:
        """The form of action ``name``: its registered fields minus the ``hidden`` ones."""
        spec = REGISTRY.actions[name]
        hidden = dict(hidden or {})
        shown = [f for f in (spec.fields if fields is None else fields)
                 if f.name not in hidden]
        return render_form(FormSpec(name, button, shown, hidden, danger, inline),
                           pid=self.pid, csrf=self.csrf, back=self.path)
