"""Presence, listen registry and push fan-out of the local RTM server (spec §4, §6.3-§6.5;
client spec §5).

Every push is a two-way quest sent from a background task and awaited with
``push_timeout``: the sender's answer never waits for it, and a peer that never answers only
costs a timer. A failed or timed-out push is logged (and, with ``push_retry``, re-sent once
with identical params on timeout). A second answer to a push (the Android SDK answers ``{}``
and then an error when its parser throws) finds no pending quest and is dropped by the FPNN
session.

Client-gate connections get only the wire methods the client SDKs dispatch
(:data:`CLIENT_PUSH_METHODS`; the web SDK throws on any other), in the forms of client spec
§5: ``pushmsg`` carries ``to``, and a chat message (mtype 30) arrives as the map
``{source, target, sourceText, targetText}`` translated into the receiver's language
(:func:`rtm.server.services.chat_translation`). Server-gate listeners and history keep the
message as sent.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from collections.abc import Coroutine, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from rtm.fpnn.errors import FPNNError, FPNNTimeoutError
from rtm.fpnn.server import ServerConnection
from rtm.fpnn.session import WriteBufferFull
from rtm.server.config import ServerConfig
from rtm.server.listen import ListenState
from rtm.server.services import ServicesRegistry, chat_translation
from rtm.server.store import Kind, Store

if TYPE_CHECKING:
    from rtm.server.console.live import LiveRecorder

Payload = str | bytes

_STATE_UID = "uid"
_STATE_PID = "pid"
_STATE_LISTEN = "listen"
#: When a client-gate connection logged in (ms; the console shows it).
STATE_LOGIN_MS = "login_ms"
_STATE_VERSION = "version"
_STATE_ATTRS = "attrs"
_STATE_LANG = "lang"
_STATE_KICKED = "kicked"

#: The only methods ever pushed to a client-gate connection (client spec §5, §1.3).
CLIENT_PUSH_METHODS = frozenset({
    "ping", "kickout", "kickoutroom", "pushmsg", "pushgroupmsg", "pushroommsg",
    "pushbroadcastmsg",
})
#: Chat text: pushed to end users as a translation map (client spec §5).
MTYPE_CHAT = 30


@dataclass(frozen=True, slots=True)
class Delivery:
    """One stored message to deliver. ``target``: to uid / gid / rid / 0 (broadcast)."""

    pid: int
    kind: Kind
    from_uid: int
    target: int
    mid: int
    mtype: int
    msg: Payload
    attrs: Payload
    mtime: int
    ftype: int = 0


def client_uid(conn: ServerConnection) -> int | None:
    """The uid an authenticated client-gate connection is bound to."""
    uid = conn.state.get(_STATE_UID)
    return uid if isinstance(uid, int) else None


def client_kicked(conn: ServerConnection) -> bool:
    """The connection was kicked out: logged out, closing (see :meth:`Hub.kick`)."""
    return bool(conn.state.get(_STATE_KICKED))


def client_pid(conn: ServerConnection) -> int | None:
    pid = conn.state.get(_STATE_PID)
    return pid if isinstance(pid, int) else None


def client_version(conn: ServerConnection) -> str:
    """The SDK ``version`` the connection sent at ``auth`` ("" when none; e.g.
    ``Android-2.7.0``: ``getattrs`` answers in the form that SDK reads)."""
    version = conn.state.get(_STATE_VERSION)
    return version if isinstance(version, str) else ""


def client_attrs(conn: ServerConnection) -> dict[str, str]:
    """The connection's attributes (``auth`` ``attrs``, then ``addattrs``); the live dict:
    ``addattrs`` updates it in place."""
    attrs: dict[str, str] = conn.state.setdefault(_STATE_ATTRS, {})
    return attrs


def client_lang(conn: ServerConnection) -> str:
    """The ``lang`` this connection sent at ``auth`` ("" when none). The user's language,
    which chat pushes use, is :meth:`Hub.user_lang`."""
    lang = conn.state.get(_STATE_LANG)
    return lang if isinstance(lang, str) else ""


class Hub:
    """Who is online, who listens, and the background tasks that push to them."""

    def __init__(self, config: ServerConfig, store: Store, logger: logging.Logger,
                 services: ServicesRegistry | None = None) -> None:
        self.config = config
        self.store = store
        self.logger = logger
        #: the content services that translate chat pushes
        self.services = services or ServicesRegistry(config.services)
        #: pid -> uid -> language of the online users that have one (the store keeps it)
        self._langs: dict[int, dict[int, str]] = {}
        self.now_ms = config.clock()
        #: pid -> uid -> connection id -> client-gate connection (authenticated only)
        self.clients: dict[int, dict[int, dict[int, ServerConnection]]] = {}
        #: server-gate connections (their listen state lives in ``conn.state``)
        self.servers: dict[int, ServerConnection] = {}
        self._tasks: set[asyncio.Task[Any]] = set()
        self.closing = False
        #: pushes sent / failed (statistics, also handy in tests)
        self.pushes_sent = 0
        self.pushes_failed = 0
        #: The console's live stream (None without console).
        self.live: LiveRecorder | None = None
        #: The projects served (pid -> secret; the core's dict): a removed project's logouts
        #: write nothing (its data is being erased).
        self.projects: Mapping[int, str] | None = None

    # ------------------------------------------------------------------ tasks

    def spawn(self, coro: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._task_done)
        return task

    def _task_done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            self.logger.error("background task failed", exc_info=task.exception())

    async def close(self) -> None:
        self.closing = True
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)

    # ------------------------------------------------------------------ server connections

    def server_connected(self, conn: ServerConnection) -> None:
        self.servers[conn.id] = conn

    def server_closed(self, conn: ServerConnection) -> None:
        self.servers.pop(conn.id, None)

    @staticmethod
    def listen_state(conn: ServerConnection, pid: int) -> ListenState:
        states: dict[int, ListenState] = conn.state.setdefault(_STATE_LISTEN, {})
        state = states.get(pid)
        if state is None:
            state = states[pid] = ListenState()
        return state

    def has_audience(self, pid: int, to_servers: bool) -> bool:
        """Whether a message of project ``pid`` could be pushed to anybody now: an online end
        user of the project, or (``to_servers``) a server connection that set a listen."""
        if self.clients.get(pid):
            return True
        if to_servers:
            for conn in self.servers.values():
                if conn.state.get(_STATE_LISTEN):
                    return True
        return False

    def _listeners(self, pid: int) -> Iterable[tuple[ServerConnection, ListenState]]:
        for conn in list(self.servers.values()):
            if conn.closed:
                continue
            states: dict[int, ListenState] | None = conn.state.get(_STATE_LISTEN)
            if states:
                state = states.get(pid)
                if state is not None:
                    yield conn, state

    # ------------------------------------------------------------------ presence

    def login(self, conn: ServerConnection, pid: int, uid: int, *, version: str = "",
              attrs: dict[str, str] | None = None, lang: str = "",
              user_lang: str = "") -> None:
        """Bind ``conn`` to ``uid`` with what ``auth`` sent (``version``, ``attrs``,
        ``lang``); ``user_lang`` is the user's language as stored (see :meth:`user_lang`)."""
        conn.state[_STATE_PID] = pid
        conn.state[_STATE_UID] = uid
        conn.state[STATE_LOGIN_MS] = self.now_ms()
        conn.state[_STATE_VERSION] = version
        conn.state[_STATE_ATTRS] = dict(attrs or {})
        conn.state[_STATE_LANG] = lang
        self.clients.setdefault(pid, {}).setdefault(uid, {})[conn.id] = conn
        self._cache_lang(pid, uid, user_lang)
        conn.mark_authenticated()  # the login deadline ends, the gate's pings start
        self.logger.info("uid %d of project %d logged in from %s", uid, pid, conn.peer)
        self.emit_event(pid, "login", uid, conn.peer)

    def client_closed(self, conn: ServerConnection) -> None:
        uid, pid = client_uid(conn), client_pid(conn)
        if uid is None or pid is None:
            return
        users = self.clients.get(pid, {})
        conns = users.get(uid)
        if conns is not None:
            conns.pop(conn.id, None)
            if not conns:
                del users[uid]
                self._cache_lang(pid, uid, "")
        if not users:
            self.clients.pop(pid, None)
        if self.closing:
            return
        self.logger.info("uid %d of project %d logged out (%s)", uid, pid, conn.peer)
        self.emit_event(pid, "logout", uid, conn.peer)
        if not self.is_online(pid, uid):
            self._user_left(pid, uid)

    def _user_left(self, pid: int, uid: int) -> None:
        """The user's last connection logged out: what it received so far counts as read
        (client spec §3.3), and it leaves its rooms unless ``keep_rooms_on_logout``."""
        if self.projects is not None and pid not in self.projects:
            return
        self.spawn(self.store.mark_read(pid, uid, logout=True))
        if not self.config.keep_rooms_on_logout:
            self.spawn(self._leave_rooms(pid, uid))

    async def _leave_rooms(self, pid: int, uid: int) -> None:
        for rid in await self.store.user_rooms(pid, uid):
            if self.is_online(pid, uid):  # logged in again meanwhile
                return
            await self.store.del_room_member(pid, rid, uid)

    # ------------------------------------------------------------------ languages

    def _cache_lang(self, pid: int, uid: int, lang: str) -> None:
        langs = self._langs.setdefault(pid, {})
        if lang and self.is_online(pid, uid):
            langs[uid] = lang
        else:
            langs.pop(uid, None)
        if not langs:
            del self._langs[pid]

    def user_lang(self, pid: int, uid: int) -> str:
        """The language of an online user ("" when unset or offline: chat is translated only
        for users who receive pushes); offline users' is ``store.user_lang``."""
        return self._langs.get(pid, {}).get(uid, "")

    async def set_user_lang(self, pid: int, uid: int, lang: str) -> None:
        """Make ``lang`` the user's language ("" unsets it): stored, and used for the chat
        pushed to it from now on (auth ``lang``, ``setlang``)."""
        await self.store.set_user_lang(pid, uid, lang)
        self._cache_lang(pid, uid, lang)

    def connections(self, pid: int, uid: int) -> list[ServerConnection]:
        return list(self.clients.get(pid, {}).get(uid, {}).values())

    def is_online(self, pid: int, uid: int) -> bool:
        return bool(self.clients.get(pid, {}).get(uid))

    def online_subset(self, pid: int, uids: Iterable[int]) -> list[int]:
        users = self.clients.get(pid, {})
        return [uid for uid in dict.fromkeys(uids) if users.get(uid)]

    def kick(self, conn: ServerConnection) -> None:
        """One-way ``kickout`` push; the session ends at once (``logout``, no more pushes,
        quests refused), the socket when the client closes it or ``client_kickout_grace``
        seconds later: closing right behind the push would lose it in the web SDK (see
        :class:`~rtm.server.config.ServerConfig`), which would then log in again."""
        if conn.closed or client_kicked(conn):
            return
        with contextlib.suppress(FPNNError):
            conn.send_oneway("kickout", {})
            if self.live is not None:
                self.live.record_oneway(conn, "kickout", {})
        self.client_closed(conn)
        conn.state[_STATE_KICKED] = True
        conn.state.pop(_STATE_UID, None)  # the close that follows logs out nothing more
        conn.state.pop(_STATE_PID, None)
        grace = self.config.client_kickout_grace
        if grace > 0:
            asyncio.get_running_loop().call_later(grace, conn.close)
        else:
            conn.close()

    def kick_user(self, pid: int, uid: int, ce: str = "") -> int:
        """Kick every connection of ``uid`` (or only the one whose "ip:port" is ``ce``)."""
        conns = [c for c in self.connections(pid, uid) if not ce or c.peer == ce]
        for conn in conns:
            self.logger.info("kicking uid %d of project %d (%s)", uid, pid, conn.peer)
            self.kick(conn)
        return len(conns)

    def kick_from_room(self, pid: int, rid: int, uid: int) -> None:
        """Optional one-way ``kickoutroom`` to the user's connections (spec §6.3)."""
        for conn in self.connections(pid, uid):
            with contextlib.suppress(FPNNError):
                conn.send_oneway("kickoutroom", {"rid": rid})
                if self.live is not None:
                    self.live.record_oneway(conn, "kickoutroom", {"rid": rid})

    # ------------------------------------------------------------------ pushes

    def push(self, conn: ServerConnection, method: str, payload: dict[str, Any]) -> None:
        if conn.closed or self.closing:
            return
        if method not in CLIENT_PUSH_METHODS and client_uid(conn) is not None:
            # an official client SDK would throw on it (client spec §5)
            self.logger.error("not pushing %s to end user %s: not a client push", method,
                              conn.peer)
            return
        if self.live is not None:
            self.spawn(self.live.observe_push(conn, method, payload,
                                              functools.partial(self._push, conn, method,
                                                                payload)))
        else:
            self._send_push(conn, method, payload, 1)

    def _send_push(self, conn: ServerConnection, method: str, payload: dict[str, Any],
                   attempt: int) -> None:
        """Send one push and follow its answer with a callback: no task per push, so a
        message to a large group costs one frame and one future per member connection."""
        try:
            fut = conn.send_quest(method, payload, self.config.push_timeout)
        except WriteBufferFull:  # a session with an outbound limit: wait for room
            self.spawn(self._push(conn, method, payload))
            return
        except FPNNError as exc:
            self.logger.debug("push %s to %s failed: %s", method, conn.peer, exc)
            self.pushes_failed += 1
            return
        fut.add_done_callback(functools.partial(self._push_done, conn, method, payload,
                                                attempt))

    def _push_done(self, conn: ServerConnection, method: str, payload: dict[str, Any],
                   attempt: int, fut: asyncio.Future[Any]) -> None:
        if fut.cancelled():
            self.pushes_failed += 1
            return
        exc = fut.exception()
        if exc is None:
            self.pushes_sent += 1
            return
        if isinstance(exc, FPNNTimeoutError):
            attempts = 2 if self.config.push_retry else 1
            self.logger.warning("push %s to %s timed out (attempt %d of %d)", method,
                                conn.peer, attempt, attempts)
            if attempt < attempts and not conn.closed and not self.closing:
                self._send_push(conn, method, payload, attempt + 1)
                return
        else:
            self.logger.debug("push %s to %s failed: %s", method, conn.peer, exc)
        self.pushes_failed += 1

    async def _push(self, conn: ServerConnection, method: str, payload: dict[str, Any]) -> int:
        """Send one push; 0 once answered, else the code of the last failure."""
        attempts = 2 if self.config.push_retry else 1
        code = 0
        for attempt in range(attempts):
            try:
                await conn.quest(method, payload, timeout=self.config.push_timeout)
                self.pushes_sent += 1
                return 0
            except FPNNTimeoutError as exc:
                code = exc.code
                self.logger.warning("push %s to %s timed out (attempt %d of %d)", method,
                                    conn.peer, attempt + 1, attempts)
                if conn.closed:
                    break
            except FPNNError as exc:
                code = exc.code
                self.logger.debug("push %s to %s failed: %s", method, conn.peer, exc)
                break
        self.pushes_failed += 1
        return code

    def emit_event(self, pid: int, event: str, uid: int, endpoint: str) -> None:
        if self.closing:
            return
        payload: dict[str, Any] = {
            "pid": pid, "event": event, "uid": uid, "time": self.now_ms() // 1000,
            "endpoint": endpoint, "data": "",
        }
        for conn, state in self._listeners(pid):
            if state.wants_event(event):
                self.push(conn, "pushevent", payload)

    def deliver(self, d: Delivery, *, to_servers: bool = True) -> None:
        """Push a freshly stored message to listening server connections and to the online
        clients of its recipients (never to the sender's own uid)."""
        if self.closing:
            return
        if to_servers:
            self._push_servers(d)
        users = self.clients.get(d.pid)
        if not users:
            return
        if d.kind == Kind.P2P:
            if d.target != d.from_uid and d.target in users:
                self._push_clients(d, [d.target], "pushmsg", {"to": d.target})
        elif d.kind == Kind.BROADCAST:
            self._push_clients(d, [u for u in users if u != d.from_uid], "pushbroadcastmsg", {})
        else:
            self.spawn(self._deliver_members(d))

    async def _deliver_members(self, d: Delivery) -> None:
        # One store operation per message (members, minus the banned ones when bans block
        # receiving), then one push per online member connection.
        receivers = await self.store.receivers(d.pid, int(d.kind), d.target,
                                               drop_banned=self.config.ban_blocks_receive)
        if d.kind == Kind.GROUP:
            method, extra = "pushgroupmsg", {"gid": d.target}
        else:
            method, extra = "pushroommsg", {"rid": d.target}
        users = self.clients.get(d.pid, {})
        self._push_clients(d, [u for u in receivers if u != d.from_uid and users.get(u)],
                           method, extra)

    def _push_clients(self, d: Delivery, uids: Iterable[int], method: str,
                      extra: dict[str, Any]) -> None:
        """Client spec §5's params, plus ``ftype`` (the 2018 client document's file type,
        read by the legacy SDK; the others ignore it)."""
        users = self.clients.get(d.pid)
        if not users:
            return
        payload: dict[str, Any] = {
            "from": d.from_uid, "mid": d.mid, "mtype": d.mtype, "ftype": d.ftype,
            "msg": d.msg, "attrs": d.attrs, "mtime": d.mtime, **extra,
        }
        push = self.push
        text = _chat_text(d)
        if text is None:
            for uid in uids:
                conns = users.get(uid)
                if conns:
                    for conn in list(conns.values()):
                        push(conn, method, payload)
            return
        config = self.services.get(d.pid)
        by_lang: dict[str, dict[str, Any]] = {}  # one translation per receiving language
        for uid in uids:
            conns = users.get(uid)
            if not conns:
                continue
            lang = self.user_lang(d.pid, uid)
            chat = by_lang.get(lang)
            if chat is None:
                chat = by_lang[lang] = {**payload,
                                        "msg": chat_translation(config, text, lang)}
            for conn in list(conns.values()):
                push(conn, method, chat)

    def _push_servers(self, d: Delivery) -> None:
        """What listeners get is unchanged by the client forms (chat stays its text)."""
        if d.kind == Kind.BROADCAST or not self.servers:
            return  # no broadcast push for server connections (spec §4.1)
        wanting = []
        for conn, state in self._listeners(d.pid):
            if d.kind == Kind.P2P:
                wanted = state.wants_p2p(d.from_uid, d.target)
            elif d.kind == Kind.GROUP:
                wanted = state.wants_group(d.target)
            else:
                wanted = state.wants_room(d.target)
            if wanted:
                wanting.append(conn)
        if not wanting:
            return
        if d.kind == Kind.P2P:
            method, key = "pushmsg", "to"
        elif d.kind == Kind.GROUP:
            method, key = "pushgroupmsg", "gid"
        else:
            method, key = "pushroommsg", "rid"
        payload: dict[str, Any] = {
            "from": d.from_uid, key: d.target, "mtype": d.mtype, "mid": d.mid, "msg": d.msg,
            "attrs": d.attrs, "mtime": d.mtime,
        }
        if key != "to":  # CPP reads ``to`` from every push kind (spec current §7.1)
            payload["to"] = d.target
        for conn in wanting:
            self.push(conn, method, payload)


def _chat_text(d: Delivery) -> str | None:
    """The text of a chat message (mtype 30), which end users get as a translation map;
    None for any other message (and for a chat body that is not UTF-8, pushed as sent)."""
    if d.mtype != MTYPE_CHAT:
        return None
    if isinstance(d.msg, str):
        return d.msg
    try:
        return d.msg.decode()
    except UnicodeDecodeError:
        return None
