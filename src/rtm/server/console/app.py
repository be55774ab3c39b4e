"""The console's aiohttp application, on the server's own event loop.

Routes: ``/`` (projects), ``/p/<pid>/<page>[/<subject>]`` (pages made of panels),
``/p/<pid>/open/<page>?id=`` (jump to a detail page), ``POST /p/<pid>/do/<action>`` (forms),
``/p/<pid>/live/ws`` (the live stream), ``/p/<pid>/live/event/<seq>`` (one event's masked
params and answer), ``/p/<pid>/file/<id>`` (download), ``/static/<name>``.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib.resources
import json
import logging
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Final
from urllib.parse import urlencode

from aiohttp import WSMsgType, web

from rtm.server.config import is_loopback_host as is_loopback
from rtm.server.console import areas
from rtm.server.console.live import LiveFilter, Subscription, batch_message
from rtm.server.console.markup import Html, join, link, page, tag
from rtm.server.console.panels import REGISTRY, ConsoleApi, ConsoleError, Ctx, parse_fields
from rtm.server.console.security import CSRF_FIELD, Guard
from rtm.server.gate_http import DOWNLOAD_CONTENT_TYPE, download_headers

if TYPE_CHECKING:
    from rtm.server.core import ServerCore

logger = logging.getLogger("rtm.server.console")

#: How often a live page receives a batch (seconds), and at most how many events per batch.
LIVE_INTERVAL: Final = 0.25
LIVE_CAP: Final = 50
MAX_LIVE_PAGES: Final = 32
#: Pages whose (small) panels are laid out side by side.
GRID_PAGES: Final = frozenset({"user", "group", "room"})
_STATIC: Final = {"console.css": "text/css", "live.js": "text/javascript"}
_SUBJECT: Final = re.compile(r"^[A-Za-z0-9_-]{1,64}$")

assert areas  # imported for its registrations


def _static_files() -> dict[str, bytes]:
    root = importlib.resources.files("rtm.server.console").joinpath("static")
    return {name: root.joinpath(name).read_bytes() for name in _STATIC}


class ConsoleServer:
    """The web console of one running server. ``await start()`` binds it (port 0 = a free
    one); :attr:`url` is what to open (with the token when one is needed)."""

    def __init__(self, core: ServerCore, *, host: str = "127.0.0.1", port: int = 0,
                 token: str | None = None, endpoints: Mapping[str, str] | None = None) -> None:
        if core.live is None:
            raise RuntimeError("the server core records no live stream (console_port unset)")
        if token is None and not is_loopback(host):
            token = Guard.new_token()
        self.core = core
        self.live = core.live
        self.host = host
        self.port = port
        self.guard = Guard(host, token)
        self.endpoints = dict(endpoints or {})
        self.api = ConsoleApi(core)
        self._static = _static_files()
        self._runner: web.AppRunner | None = None
        self._sockets: set[web.WebSocketResponse] = set()

    # ------------------------------------------------------------------ lifecycle

    def app(self) -> web.Application:
        app = web.Application(middlewares=[self.guard.middleware()],
                              client_max_size=256 * 1024)
        app.router.add_get("/", self.home)
        app.router.add_get("/static/{name}", self.static)
        app.router.add_get(r"/p/{pid:\d+}", self.project_home)
        app.router.add_get(r"/p/{pid:\d+}/live/ws", self.live_socket)
        app.router.add_get(r"/p/{pid:\d+}/live/event/{seq:\d+}", self.live_event)
        app.router.add_get(r"/p/{pid:\d+}/file/{file_id}", self.download)
        app.router.add_get(r"/p/{pid:\d+}/open/{page}", self.open_subject)
        app.router.add_post(r"/p/{pid:\d+}/do/{action}", self.do_action)
        app.router.add_get(r"/p/{pid:\d+}/{page}", self.show_page)
        app.router.add_get(r"/p/{pid:\d+}/{page}/{subject}", self.show_page)
        return app

    async def start(self) -> None:
        runner = web.AppRunner(self.app(), access_log=None, handle_signals=False)
        await runner.setup()
        site = web.TCPSite(runner, self.host, self.port, reuse_address=True)
        try:
            await site.start()
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner
        for address in runner.addresses:
            if isinstance(address, tuple) and len(address) >= 2:
                self.port = int(address[1])
                break
        self.guard.port = self.port

    async def close(self) -> None:
        runner, self._runner = self._runner, None
        for ws in list(self._sockets):
            with contextlib.suppress(Exception):
                await ws.close(code=1001, message=b"server stopping")
        if runner is not None:
            await runner.cleanup()

    @property
    def token(self) -> str | None:
        return self.guard.token

    @property
    def url(self) -> str:
        """The address to open (``?token=`` included when one is required)."""
        host = self.host
        if host in ("", "0.0.0.0", "::"):
            host = "127.0.0.1"
        if ":" in host and not host.startswith("["):
            host = f"[{host}]"
        base = f"http://{host}:{self.port}/"
        return f"{base}?{urlencode({'token': self.token})}" if self.token else base

    # ------------------------------------------------------------------ helpers

    def _pid(self, request: web.Request) -> int:
        pid = int(request.match_info["pid"])
        if pid not in self.core.projects:
            raise web.HTTPNotFound(text=f"project {pid} is not served here")
        return pid

    def _chrome(self, request: web.Request, pid: int | None, current: str | None) -> dict[
            str, Html]:
        projects = join(link(f"/p/{p}/live", p, class_="current" if p == pid else None)
                        for p in sorted(self.core.projects))
        nav = Html("")
        if pid is not None:
            nav = join(link(f"/p/{pid}/{pg.key}", pg.title,
                            class_="current" if pg.key == current else None)
                       for pg in REGISTRY.nav())
        notice = Html("")
        if request.query.get("notice"):
            notice = tag("p", request.query["notice"], class_="notice ok", role="status")
        if request.query.get("error"):
            notice = tag("p", request.query["error"], class_="notice error", role="alert")
        return {"nav": nav, "projects": tag("span", Html("projects " + projects),
                                            class_="projects"), "notice": notice}

    @staticmethod
    def _html(text: str, status: int = 200) -> web.Response:
        return web.Response(text=text, status=status, content_type="text/html",
                            charset="utf-8")

    # ------------------------------------------------------------------ pages

    async def home(self, request: web.Request) -> web.Response:
        rows = []
        for pid in sorted(self.core.projects):
            online = len(self.core.hub.clients.get(pid, {}))
            recorded = self.live.last_seq(pid)
            rows.append(tag("tr", join([
                tag("td", link(f"/p/{pid}/live", pid)), tag("td", online),
                tag("td", f"{recorded:,}"),
                tag("td", join((link(f"/p/{pid}/{pg.key}", pg.title)
                                for pg in REGISTRY.nav()), " · ")),
            ])))
        table = tag("table", Html(
            tag("thead", tag("tr", join(tag("th", c) for c in (
                "project", "online users", "quests and pushes seen", "pages"))))
            + tag("tbody", join(rows))))
        gates = tag("ul", join(tag("li", f"{name}: {endpoint}")
                               for name, endpoint in self.endpoints.items()))
        body = Html(tag("h2", "Gates") + gates + tag("h2", "Projects") + table + tag(
            "p", "Project secrets are never shown here.", class_="hint"))
        return self._html(page("Local RTM server", body, **self._chrome(request, None, None)))

    async def project_home(self, request: web.Request) -> web.Response:
        raise web.HTTPSeeOther(f"/p/{self._pid(request)}/live")

    async def show_page(self, request: web.Request) -> web.Response:
        pid = self._pid(request)
        key = request.match_info["page"]
        subject = request.match_info.get("subject")
        spec = REGISTRY.pages.get(key)
        if spec is None or (spec.subject is None) != (subject is None):
            raise web.HTTPNotFound(text=f"no console page {request.path}")
        if subject is not None and not _SUBJECT.match(subject):
            raise web.HTTPNotFound(text="bad page subject")
        ctx = Ctx(core=self.core, api=self.api, pid=pid, page_key=key, subject=subject,
                  query=dict(request.query), csrf=self.guard.csrf_of(request),
                  path=request.path_qs)
        sections = []
        status = 200
        for pn in REGISTRY.panels_of(key):
            try:
                body = await pn.query(ctx)
                rendered = body if isinstance(body, Html) else body.render()
            except ConsoleError as exc:
                rendered, status = tag("p", str(exc), class_="notice error"), 400
            sections.append(tag("section", Html(tag("h2", pn.title) + rendered),
                                class_=f"panel panel-{pn.key}", id=f"panel-{pn.key}"))
        title = spec.title.format(subject=subject or "")
        head = Html(tag("script", "", src="/static/live.js", defer=True)) if key == "live" \
            else Html("")
        layout = "panels grid" if key in GRID_PAGES else "panels"
        body = tag("div", join(sections), class_=f"{layout} page-{key}")
        text = page(f"{title} · project {pid}", body, head=head,
                    **self._chrome(request, pid, key if spec.subject is None else None))
        return self._html(text, status)

    async def open_subject(self, request: web.Request) -> web.Response:
        pid = self._pid(request)
        key = request.match_info["page"]
        subject = request.query.get("id", "").strip()
        spec = REGISTRY.pages.get(key)
        if spec is None or spec.subject is None:
            raise web.HTTPNotFound(text=f"no console page {key!r} with a subject")
        if not _SUBJECT.match(subject):
            raise web.HTTPSeeOther(f"/p/{pid}/{REGISTRY.nav()[0].key}?" + urlencode(
                {"error": f"{spec.subject}: expected an id, got {subject!r}"}))
        raise web.HTTPSeeOther(f"/p/{pid}/{key}/{subject}")

    async def do_action(self, request: web.Request) -> web.Response:
        pid = self._pid(request)
        form = {k: v for k, v in (await request.post()).items() if isinstance(v, str)}
        if not self.guard.csrf_ok(request, form.get(CSRF_FIELD, "")):
            return self._html(page("Refused", tag("p", "Missing or wrong CSRF token: reload "
                                                       "the page and try again.")), 403)
        spec = REGISTRY.actions.get(request.match_info["action"])
        if spec is None:
            raise web.HTTPNotFound(text="no such console action")
        back = form.get("_back", "")
        if not back.startswith(f"/p/{pid}/") or "//" in back or "\\" in back:
            back = f"/p/{pid}/live"
        ctx = Ctx(core=self.core, api=self.api, pid=pid, page_key="", subject=None,
                  query={}, csrf="", path=back)
        try:
            values = parse_fields(spec.fields, form)
            message, kind = await spec.run(ctx, values), "notice"
        except ConsoleError as exc:
            message, kind = str(exc), "error"
        base, _, query = back.partition("?")
        kept = [(k, v) for k, v in _query_pairs(query) if k not in ("notice", "error")]
        raise web.HTTPSeeOther(f"{base}?{urlencode([*kept, (kind, message)])}")

    # ------------------------------------------------------------------ live

    async def live_event(self, request: web.Request) -> web.Response:
        pid = self._pid(request)
        event = self.live.get(pid, int(request.match_info["seq"]))
        if event is None:
            return web.json_response({"error": "no longer kept (the ring keeps the latest "
                                               "events only)"}, status=404)
        return web.json_response(event.detail(), dumps=_dumps)

    async def live_socket(self, request: web.Request) -> web.StreamResponse:
        pid = self._pid(request)
        if len(self._sockets) >= MAX_LIVE_PAGES:
            raise web.HTTPServiceUnavailable(text="too many live pages open")
        ws = web.WebSocketResponse(heartbeat=30.0, max_msg_size=65536)
        await ws.prepare(request)
        self._sockets.add(ws)
        sub = Subscription(self.live, pid, cap=LIVE_CAP)
        sender = asyncio.get_running_loop().create_task(self._feed(ws, sub))
        try:
            async for msg in ws:
                if msg.type != WSMsgType.TEXT:
                    continue
                try:
                    self._control(sub, json.loads(msg.data))
                except (ValueError, TypeError) as exc:
                    await ws.send_json({"type": "error", "message": str(exc)})
        finally:
            sender.cancel()
            with contextlib.suppress(asyncio.CancelledError, ConnectionError):
                await sender
            self._sockets.discard(ws)
        return ws

    @staticmethod
    def _control(sub: Subscription, message: Any) -> None:
        if not isinstance(message, dict):
            raise ValueError("expected a JSON object")
        if message.get("type") == "filter":
            sub.set_filter(LiveFilter.parse(str(message.get("method", "")),
                                            str(message.get("uid", "")),
                                            bool(message.get("errors"))))
        elif message.get("type") == "pause":
            sub.paused = bool(message.get("paused"))
        else:
            raise ValueError(f"unknown message type {message.get('type')!r}")

    async def _feed(self, ws: web.WebSocketResponse, sub: Subscription) -> None:
        await ws.send_json({"type": "hello", "pid": sub.pid, "interval_ms":
                            int(LIVE_INTERVAL * 1000), "cap": sub.cap})
        while not ws.closed:
            batch = sub.next_batch()
            if batch is not None:
                await ws.send_str(_dumps(batch_message(batch)))
            await asyncio.sleep(LIVE_INTERVAL)

    # ------------------------------------------------------------------ files, static

    async def download(self, request: web.Request) -> web.Response:
        pid = self._pid(request)
        stored = await self.core.store.get_file(request.match_info["file_id"])
        if stored is None or stored.pid != pid:
            raise web.HTTPNotFound(text="no such file in this project")
        # Always an attachment of an opaque type: a stored HTML file never runs here.
        return web.Response(body=stored.content, content_type=DOWNLOAD_CONTENT_TYPE,
                            headers=download_headers(stored))

    async def static(self, request: web.Request) -> web.Response:
        name = request.match_info["name"]
        content_type = _STATIC.get(name)
        if content_type is None:
            raise web.HTTPNotFound()
        return web.Response(body=self._static[name], content_type=content_type,
                            charset="utf-8")


def _dumps(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


def _query_pairs(query: str) -> list[tuple[str, str]]:
    from urllib.parse import parse_qsl

    return parse_qsl(query, keep_blank_values=False)
