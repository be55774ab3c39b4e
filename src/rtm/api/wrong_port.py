"""Errors that mean the client talks to the wrong port, told as such.

An RTM deployment (and the local server) has several ports next to the server API: a client
gate and a file gate (FPNN, but answering end users' methods) and HTTP ports (file downloads,
the local server's console). Pointed at one of those, the SDK gets errors that name the
symptom, not the cause: ``20004 Unknow method:gettoken`` (a gate that does not know the
server API), or ``bad magic b'HTTP'`` (an HTTP server answered). :func:`explain` returns the
same error with the likely cause added, and the endpoint for a lost connection.
"""

from __future__ import annotations

import re
from typing import Final

from rtm.fpnn.errors import (
    CORE_UNKNOWN_METHOD,
    ClientClosedError,
    FPNNAnswerError,
    FPNNConnectionError,
    FPNNError,
    FPNNProtocolError,
)

__all__ = ["NOT_SERVER_API", "SERVER_API_COMMANDS", "explain", "unknown_server_api_method"]

#: Server-API commands of the 0.1.0 generation: every RTM server gate answers them, so an
#: "unknown method" for one of them means the peer is not a server gate. (Later commands are
#: left out: an older server may not know them. So are the file-gate commands: the file gate
#: knows those.)
SERVER_API_COMMANDS: Final = frozenset({
    "adddevice", "addfriends", "addgroupban", "addgroupmembers", "addlisten", "addprojectblack",
    "addroomban", "addroommember", "broadcastmsg", "delfriends", "delgroup", "delgroupmembers",
    "delmsg", "delroommember", "filetoken", "getbroadcastmsg", "getfriends", "getgroupmembers",
    "getgroupmsg", "getonlineusers", "getp2pmsg", "getroommsg", "gettoken", "getusergroups",
    "isbanofgroup", "isbanofroom", "isfriend", "isfriends", "isgroupmember", "isprojectblack",
    "kickout", "removedevice", "removegroupban", "removelisten", "removeprojectblack",
    "removeroomban", "sendgroupmsg", "sendmsg", "sendmsgs", "sendroommsg", "setlisten",
})  # fmt: skip

#: in the hint of an "unknown method" answer (a front end with its own hint may drop it)
NOT_SERVER_API: Final = "is not a server API port"
_UNKNOWN_METHOD = re.compile(r"unknow(?:n)? method:\s*(\w+)", re.IGNORECASE)
_HTTP_MAGIC = "bad magic b'HTTP"


def unknown_server_api_method(exc: FPNNError) -> str | None:
    """The server-API command an "unknown method" answer names, if it is one."""
    if exc.code != CORE_UNKNOWN_METHOD:
        return None
    match = _UNKNOWN_METHOD.search(exc.message)
    if match and match.group(1).lower() in SERVER_API_COMMANDS:
        return match.group(1)
    return None


def explain(exc: FPNNError, endpoint: str) -> FPNNError:
    """``exc`` with what it likely means added to its message (the same class and code), or
    ``exc`` itself when there is nothing to add."""
    if isinstance(exc, FPNNAnswerError) and unknown_server_api_method(exc):
        return _with(exc, f"{exc.message} ({endpoint} {NOT_SERVER_API}: it does not know "
                          "the server API; likely the client gate or file gate port)")
    if _HTTP_MAGIC in exc.message:
        return _with(exc, f"{exc.message} ({endpoint} answered in HTTP: it is an HTTP port, "
                          "likely the file download or web console port, not the server API)")
    if (isinstance(exc, FPNNConnectionError) and not isinstance(exc, ClientClosedError)
            and endpoint not in exc.message):
        return _with(exc, f"{exc.message} (server {endpoint})")
    return exc


def _with(exc: FPNNError, message: str) -> FPNNError:
    if isinstance(exc, FPNNAnswerError):
        new: FPNNError = FPNNAnswerError(message, exc.code, exc.raiser)
    elif isinstance(exc, FPNNProtocolError):
        new = FPNNProtocolError(message, exc.code)
    elif isinstance(exc, FPNNConnectionError):
        new = FPNNConnectionError(message, exc.code)
    else:
        return exc
    new.__cause__ = exc.__cause__
    return new
