"""The client gate (``rtm-client-api.md``): end users log in with a token and use the client
protocol; one module per area, each command read through its one description
(:mod:`rtm.enduser.commands`).

Every quest except those described with ``login=False`` (``auth``, ``ping``, ``bye``,
``which``, ``whichall``) needs a logged-in connection (200022); ``auth`` on a logged-in
connection is 200023.
"""

from __future__ import annotations

import logging
from typing import Any, ClassVar

from rtm.enduser.spec import Command
from rtm.fpnn.server import FPNNServer, ServerConnection
from rtm.server import codes
from rtm.server.clientgate.base import ClientArea, OpenHandler, User, UserHandler
from rtm.server.clientgate.data import DataArea
from rtm.server.clientgate.files import FilesArea
from rtm.server.clientgate.friends import FriendsArea
from rtm.server.clientgate.groups import GroupsArea
from rtm.server.clientgate.history import HistoryArea
from rtm.server.clientgate.imclient import IMClientArea
from rtm.server.clientgate.messages import MessagesArea
from rtm.server.clientgate.reading import read_params
from rtm.server.clientgate.rooms import RoomsArea
from rtm.server.clientgate.services import ServicesArea
from rtm.server.clientgate.session import SessionArea
from rtm.server.clientgate.system import SystemArea
from rtm.server.clientgate.unread import UnreadArea
from rtm.server.clientgate.users import UsersArea
from rtm.server.core import Answer, ServerCore
from rtm.server.params import Params
from rtm.server.pushes import client_kicked, client_pid, client_uid

__all__ = ["AREAS", "ClientGate", "User"]

#: The client gate's areas, in spec order.
AREAS: tuple[type[ClientArea], ...] = (
    SessionArea, MessagesArea, HistoryArea, UnreadArea, FilesArea, FriendsArea, GroupsArea,
    RoomsArea, UsersArea, DataArea, SystemArea, ServicesArea, IMClientArea,
)


logger = logging.getLogger("rtm.server")


class ClientGate:
    #: Check every answer against its command's description and answer 200999 (logged) when
    #: it does not match: the project's own tests turn it on, so a handler and the
    #: description it answers for cannot drift.
    check_answers: ClassVar[bool] = False

    def __init__(self, core: ServerCore) -> None:
        self.core = core
        self.areas = [area(core) for area in AREAS]

    def commands(self) -> dict[str, Command]:
        """Every command the gate serves, by wire method."""
        return {c.method: c for area in self.areas for c in area.COMMANDS}

    def register(self, server: FPNNServer) -> None:
        for area in self.areas:
            for command in area.COMMANDS:
                fn = area.handler(command)
                handler = (self._open(command, fn) if not command.login
                           else self._logged_in(command, fn))
                server.register(command.method, self.core.wrap(command.method, handler))

    @classmethod
    def _open(cls, command: Command, fn: OpenHandler) -> Any:
        async def handler(conn: ServerConnection, p: Params) -> Answer:
            if command.method == "auth" and client_uid(conn) is not None:
                raise codes.rtm_error(codes.DUPLICATED_AUTH, "auth already")
            if command.method == "auth" and client_kicked(conn):
                raise codes.rtm_error(codes.UNAUTHORIZED, "kicked out: this connection closes")
            answer = await fn(conn, read_params(command, p))
            return _checked(command, answer) if cls.check_answers else answer

        return handler

    @classmethod
    def _logged_in(cls, command: Command, fn: UserHandler) -> Any:
        async def handler(conn: ServerConnection, p: Params) -> Answer:
            uid, pid = client_uid(conn), client_pid(conn)
            if uid is None or pid is None:
                raise codes.rtm_error(codes.UNAUTHORIZED,
                                      "kicked out: this connection closes" if client_kicked(conn)
                                      else "unauthorized: send auth first")
            answer = await fn(User(conn, pid, uid), read_params(command, p))
            return _checked(command, answer) if cls.check_answers else answer

        return handler


def _checked(command: Command, answer: Answer) -> Answer:
    problems = command.answer_problems(answer or {})
    if problems:
        logger.error("client gate answer does not match its description: %s",
                     "; ".join(problems))
        raise codes.rtm_error(codes.UNKNOWN_ERROR, "; ".join(problems))
    return answer
