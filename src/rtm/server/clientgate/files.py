"""Files (spec §3.4, §4.1): ``filetoken`` for the caller; the file itself goes to the file
gate (:mod:`rtm.server.gate_file`), whose sends follow a client's rules for these tokens."""

from __future__ import annotations

from typing import Final

from rtm.enduser.commands import files as cmd
from rtm.server import codes
from rtm.server.clientgate.base import ClientArea, User
from rtm.server.clientgate.reading import Args
from rtm.server.core import Answer
from rtm.server.handlers.files import check_file_cmd, file_token

#: The key of each client file command's target (L's ``sendfiles`` sends ``tos``).
_TARGET_KEYS: Final = {
    "sendfile": "to",
    "sendfiles": "tos",
    "sendgroupfile": "gid",
    "sendroomfile": "rid",
    "uploadfile": None,
}
CLIENT_FILE_CMDS: Final = frozenset(_TARGET_KEYS)


class FilesArea(ClientArea):
    COMMANDS = cmd.COMMANDS

    async def filetoken(self, user: User, a: Args) -> Answer:
        command: str = a["cmd"]
        check_file_cmd(command, CLIENT_FILE_CMDS)
        key = _TARGET_KEYS[command]
        target: int | list[int] | None = None
        if key is not None:
            target = a[key]
            if target is None:
                raise codes.rtm_error(codes.KEY_NOT_FOUND,
                                      f"missing key '{key}' (cmd {command} needs it)")
            tos = target if isinstance(target, list) else [target]
            if key in ("to", "tos") and user.uid in tos:
                raise codes.rtm_error(codes.SEND_TO_SELF, "can not send to myself")
        return await file_token(self.core, user.pid, user.uid, command, target, client=True)
