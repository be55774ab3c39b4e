"""Error codes and limits the local RTM server answers with (spec ``rtm-server-api.md`` §5)."""

from __future__ import annotations

from typing import Final

from rtm.fpnn.errors import FPNNError

# FPNN framework codes (spec §5.1, FPNN-CPP behaviour).
KEY_NOT_FOUND: Final = 10009
TYPE_CONVERT: Final = 10010
UNKNOWN_METHOD: Final = 20004

# RTM codes (spec §5.1).
INVALID_PIDORUID: Final = 200001
INVALID_PID_OR_SIGN: Final = 200002
INVALID_FILE_OR_SIGN_OR_TOKEN: Final = 200003
ATTRS_WITHOUT_SIGN_OR_EXT: Final = 200004
INVALID_MTYPE: Final = 200005
SAME_SIGN: Final = 200006
INVALID_FILE_MTYPE: Final = 200007
INVALID_SERVER_TIME: Final = 200008
UNAUTHORIZED: Final = 200022
DUPLICATED_AUTH: Final = 200023
PERMISSION_DENIED: Final = 200021
AUTH_DENIED: Final = 200024
ADMIN_LOGIN: Final = 200025
LARGE_MESSAGE_OR_ATTRS: Final = 200030
LARGE_FILE_OR_ATTRS: Final = 200031
TOO_MANY_ITEMS_IN_PARAMETERS: Final = 200032
EMPTY_PARAMETER: Final = 200033
INVALID_PARAMETER: Final = 200034
SEND_TO_SELF: Final = 200052
MESSAGE_NOT_FOUND: Final = 200070
UNKNOWN_ERROR: Final = 200999

# Limits (spec §5.3).
MAX_MSG_BYTES: Final = 20480
MAX_ATTRS_BYTES: Final = 2048
MAX_FILE_BYTES: Final = 5_242_880
MAX_FILE_ATTRS_BYTES: Final = 2048
MAX_RECIPIENTS: Final = 2000
MAX_LIST_ITEMS: Final = 100  # friends, fuids, group uids per call
MAX_ONLINE_QUERY: Final = 200
MTYPE_MIN: Final = 1
MTYPE_MAX: Final = 127
FILE_MTYPE_MIN: Final = 40  # current file attrs need a file mtype (spec current §5.5)
FILE_MTYPE_MAX: Final = 50


def rtm_error(code: int, message: str) -> FPNNError:
    """The exception a handler raises to send the error answer ``{code, ex: message}``."""
    return FPNNError(message, code)
