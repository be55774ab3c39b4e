"""What every area of the client gate shares: the logged-in caller and the server's state."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, ClassVar

from rtm.enduser.spec import Command
from rtm.fpnn.server import ServerConnection
from rtm.server.clientgate.reading import Args
from rtm.server.core import Answer, ServerCore


@dataclass(frozen=True, slots=True)
class User:
    """The logged-in caller of a client-gate quest: its connection, project and uid."""

    conn: ServerConnection
    pid: int
    uid: int


UserHandler = Callable[[User, Args], Awaitable[Answer]]
OpenHandler = Callable[[ServerConnection, Args], Awaitable[Answer]]


class ClientArea:
    """Base of the client gate's per-area handlers. ``COMMANDS`` lists the area's command
    descriptions; the handler of each is the method named as its wire method:
    ``async def cmd(self, user: User, args) -> answer`` for a command that needs a login,
    ``async def cmd(self, conn, args) -> answer`` for one that does not."""

    COMMANDS: ClassVar[tuple[Command, ...]] = ()

    def __init__(self, core: ServerCore) -> None:
        self.core = core
        self.store = core.store
        self.hub = core.hub
        self.config = core.config

    def handler(self, command: Command) -> Any:
        return getattr(self, command.method)
