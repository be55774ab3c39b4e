"""Error codes and limits the local RTM server answers with (spec ``rtm-server-api.md`` §5)."""

from __future__ import annotations

from typing import Final

from rtm.api.codes import *  # noqa: F403  (the RTM codes, defined once there)
from rtm.fpnn.errors import FPNNError

# FPNN framework codes (spec §5.1, FPNN-CPP behaviour).
KEY_NOT_FOUND: Final = 10009
TYPE_CONVERT: Final = 10010
UNKNOWN_METHOD: Final = 20004


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
# Limits of the current generation (spec ``rtm-server-api-current.md`` §4, §10).
MAX_INFO_BYTES: Final = 65535  # oinfo / pinfo of users, groups, rooms
MAX_DATA_KEY_BYTES: Final = 128
MAX_DATA_VALUE_BYTES: Final = 65535
FILE_MTYPE_MIN: Final = 40  # current file attrs need a file mtype (spec current §5.5)
FILE_MTYPE_MAX: Final = 50


def rtm_error(code: int, message: str) -> FPNNError:
    """The exception a handler raises to send the error answer ``{code, ex: message}``."""
    return FPNNError(message, code)
