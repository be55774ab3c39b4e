"""Server gate: the RTM server API (spec §2), signed per quest (spec §1).

Check order for every quest: signature (§1: 10009/10010 on pid/salt/sign/ts, 200001 pid <= 0,
200002 unknown pid or bad sign, 200008 ts window, 200006 replay) -> parameter presence and
types (10009/10010) -> ids > 0 (200001) -> mtype (200005) -> sizes (200030) -> list sizes
(200033/200032) -> state checks in the store (membership, bans, admin, friends, limits).
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable

from rtm.fpnn.server import FPNNServer, ServerConnection
from rtm.server.core import Answer
from rtm.server.handlers import AREAS
from rtm.server.handlers.admin import AdminHandlers
from rtm.server.handlers.blacklist import BlacklistHandlers
from rtm.server.handlers.data import DataHandlers
from rtm.server.handlers.devices import DevicesHandlers
from rtm.server.handlers.files import FilesHandlers, file_target
from rtm.server.handlers.friends import FriendsHandlers
from rtm.server.handlers.groups import GroupsHandlers
from rtm.server.handlers.history import HistoryHandlers
from rtm.server.handlers.imlib import IMLibHandlers
from rtm.server.handlers.listen import ListenHandlers
from rtm.server.handlers.messages import MessagesHandlers, check_message, read_message
from rtm.server.handlers.rooms import RoomsHandlers
from rtm.server.handlers.rtc import RTCHandlers
from rtm.server.handlers.services import ServicesHandlers
from rtm.server.handlers.users import UsersHandlers
from rtm.server.params import Params

__all__ = ["ServerGate", "SignedHandler", "check_message", "file_target", "read_message"]

SignedHandler = Callable[[ServerConnection, Params, int], Awaitable[Answer]]


class ServerGate(
    MessagesHandlers,
    HistoryHandlers,
    FilesHandlers,
    FriendsHandlers,
    BlacklistHandlers,
    GroupsHandlers,
    RoomsHandlers,
    UsersHandlers,
    AdminHandlers,
    DataHandlers,
    DevicesHandlers,
    ListenHandlers,
    ServicesHandlers,
    RTCHandlers,
    IMLibHandlers,
):
    """Every signed command of the server API, each answered by its area's handler."""

    def register(self, server: FPNNServer) -> None:
        for method, fn in self.handlers().items():
            server.register(method, self.core.wrap(method, self._signed(method, fn)))

    def _signed(self, method: str, fn: SignedHandler
                ) -> Callable[[ServerConnection, Params], Awaitable[Answer]]:
        auth = self.core.auth

        if inspect.iscoroutinefunction(fn):
            async def handler(conn: ServerConnection, p: Params) -> Answer:
                pid = auth.check(p, method)
                return await fn(conn, p, pid)

            return handler

        def answer_now(conn: ServerConnection, p: Params) -> Awaitable[Answer]:
            # The send commands: checks now, the answer is the store's future.
            pid = auth.check(p, method)
            return fn(conn, p, pid)

        return answer_now

    def handlers(self) -> dict[str, SignedHandler]:
        """Wire command -> handler, in spec order."""
        found: dict[str, SignedHandler] = {}
        for area in AREAS:
            for command in area.COMMANDS:
                if command in found:
                    raise RuntimeError(f"command {command!r} has two handlers")
                found[command] = getattr(self, command)
        return found
