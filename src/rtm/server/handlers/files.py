"""Files (spec §4.4): the file token of the server API (the client gate's ``filetoken``
issues its tokens through :func:`file_token`)."""

from __future__ import annotations

from rtm.fpnn.server import ServerConnection
from rtm.server import codes
from rtm.server.core import Answer, ServerCore
from rtm.server.handlers.base import HandlerBase
from rtm.server.params import (
    Params,
    check_id,
    check_ids,
    check_list,
)
from rtm.server.store import FILE_CMDS

#: The file commands a server-API ``filetoken`` is for (``uploadfile`` is a client's).
SERVER_FILE_CMDS = FILE_CMDS - {"uploadfile"}


def check_file_cmd(cmd: str, allowed: frozenset[str]) -> None:
    """200034 when ``cmd`` is not one of ``allowed``, naming them."""
    if cmd not in allowed:
        raise codes.rtm_error(
            codes.INVALID_PARAMETER,
            f"invalid cmd {cmd!r}: expected one of {', '.join(sorted(allowed))}")


async def file_token(core: ServerCore, pid: int, from_uid: int, cmd: str,
                     target: int | list[int] | None, *, client: bool = False) -> Answer:
    """The ``filetoken`` answer: a one-shot token for ``cmd`` to ``target`` (the store runs
    the checks of the matching send) and the file gate's endpoint as clients reach it."""
    token = await core.store.issue_file_token(pid, from_uid, cmd, target,
                                              core.config.file_token_ttl, client=client)
    return {"token": token, "endpoint": core.file_endpoint}


class FilesHandlers(HandlerBase):
    COMMANDS: tuple[str, ...] = (
        "filetoken",
    )

    async def filetoken(self, conn: ServerConnection, p: Params, pid: int) -> Answer:
        from_uid, cmd = p.int_("from"), p.str_("cmd")
        check_file_cmd(cmd, SERVER_FILE_CMDS)
        target = file_target(p, cmd)
        check_id("from", from_uid)
        # A file send is a P2P send of the server API: the same self-send rule as sendmsg(s).
        if self.config.forbid_server_self_send and (
                target == from_uid or (isinstance(target, list) and from_uid in target)):
            raise codes.rtm_error(codes.SEND_TO_SELF, "can not send to myself")
        return await file_token(self.core, pid, from_uid, cmd, target)


def file_target(p: Params, cmd: str) -> int | list[int] | None:
    """The target of a file command; only the key that belongs to ``cmd`` is read (PYHEAD's
    ``filetoken`` also sends unrelated ``gid``/``rid``/``to`` keys)."""
    if cmd == "sendfile":
        to = p.int_("to")
        check_id("to", to)
        return to
    if cmd == "sendfiles":
        tos = p.ints("tos")
        check_ids("tos", tos)
        check_list("tos", tos, codes.MAX_RECIPIENTS)
        return tos
    if cmd == "sendgroupfile":
        gid = p.int_("gid")
        check_id("gid", gid)
        return gid
    if cmd == "sendroomfile":
        rid = p.int_("rid")
        check_id("rid", rid)
        return rid
    return None
