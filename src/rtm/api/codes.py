"""RTM error codes (spec §5.1 of both generations, §10): the one definition the SDK and the
local server share."""

from __future__ import annotations

from typing import Final

INVALID_PIDORUID: Final = 200001
INVALID_PID_OR_SIGN: Final = 200002
INVALID_FILE_OR_SIGN_OR_TOKEN: Final = 200003
ATTRS_WITHOUT_SIGN_OR_EXT: Final = 200004
INVALID_MTYPE: Final = 200005
SAME_SIGN: Final = 200006
INVALID_FILE_MTYPE: Final = 200007
INVALID_SERVER_TIME: Final = 200008
FREQUENCY_LIMITED: Final = 200010
REFRESH_SCREEN_LIMITED: Final = 200011
KICKOUT_SELF: Final = 200012
FORBIDDEN_METHOD: Final = 200020
PERMISSION_DENIED: Final = 200021
UNAUTHORIZED: Final = 200022
DUPLICATED_AUTH: Final = 200023
AUTH_DENIED: Final = 200024
ADMIN_LOGIN: Final = 200025
ADMIN_ONLY: Final = 200026
INVALID_AUTH_TOKEN: Final = 200027
LARGE_MESSAGE_OR_ATTRS: Final = 200030
LARGE_FILE_OR_ATTRS: Final = 200031
TOO_MANY_ITEMS_IN_PARAMETERS: Final = 200032
EMPTY_PARAMETER: Final = 200033
INVALID_PARAMETER: Final = 200034
NOT_IN_ROOM: Final = 200040
NOT_GROUP_MEMBER: Final = 200041
MAX_GROUP_MEMBER_COUNT: Final = 200042
NOT_FRIEND: Final = 200043
BANNED_IN_GROUP: Final = 200044
BANNED_IN_ROOM: Final = 200045
EMPTY_GROUP: Final = 200046
MAX_ROOM_COUNT: Final = 200047
MAX_FRIEND_COUNT: Final = 200048
BLOCKED_USER: Final = 200049
UNSUPPORTED_LANGUAGE: Final = 200050
EMPTY_TRANSLATION: Final = 200051
SEND_TO_SELF: Final = 200052
DUPLICATED_MID: Final = 200053
SENSITIVE_WORDS: Final = 200054
NOT_ONLINE: Final = 200055
TRANSLATION_ERROR: Final = 200056
PROFANITY_STOP: Final = 200057
NO_CONFIG_IN_CONSOLE: Final = 200060
UNSUPPORTED_TRANSCRIBE_TYPE: Final = 200061
MESSAGE_NOT_FOUND: Final = 200070
UNKNOWN_ERROR: Final = 200999

#: code -> (constant name without ``RTM_EC_``, the server's documented text)
RTM_CODES: Final[dict[int, tuple[str, str]]] = {
    INVALID_PIDORUID: ("INVALID_PIDORUID", "invalid pid or uid"),
    INVALID_PID_OR_SIGN: ("INVALID_PID_OR_SIGN", "invalid pid or sign"),
    INVALID_FILE_OR_SIGN_OR_TOKEN: (
        "INVALID_FILE_OR_SIGN_OR_TOKEN", "invalid file or sign or token"),
    ATTRS_WITHOUT_SIGN_OR_EXT: ("ATTRS_WITHOUT_SIGN_OR_EXT", "attrs should contain sign and ext"),
    INVALID_MTYPE: ("INVALID_MTYPE", "invalid mtype, should be in [1-127]"),
    SAME_SIGN: ("SAME_SIGN", "same sign"),
    INVALID_FILE_MTYPE: ("INVALID_FILE_MTYPE", "invalid file mtype"),
    INVALID_SERVER_TIME: ("INVALID_SERVER_TIME", "invalid server time"),
    FREQUENCY_LIMITED: ("FREQUENCY_LIMITED", "frequency limited"),
    REFRESH_SCREEN_LIMITED: ("REFRESH_SCREEN_LIMITED", "refresh screen limited"),
    KICKOUT_SELF: ("KICKOUT_SELF", "kickout self"),
    FORBIDDEN_METHOD: ("FORBIDDEN_METHOD", "method forbidden"),
    PERMISSION_DENIED: ("PERMISSION_DENIED", "permission denied"),
    UNAUTHORIZED: ("UNAUTHORIZED", "unauthorized"),
    DUPLICATED_AUTH: ("DUPLICATED_AUTH", "auth already"),
    AUTH_DENIED: ("AUTH_DENIED", "auth denied"),
    ADMIN_LOGIN: ("ADMIN_LOGIN", "admin id can not login"),
    ADMIN_ONLY: ("ADMIN_ONLY", "not admin user"),
    INVALID_AUTH_TOKEN: ("INVALID_AUTH_TOKEN", "invalid auth token"),
    LARGE_MESSAGE_OR_ATTRS: ("LARGE_MESSAGE_OR_ATTRS", "too large msg or attrs"),
    LARGE_FILE_OR_ATTRS: ("LARGE_FILE_OR_ATTRS", "too large file or attrs"),
    TOO_MANY_ITEMS_IN_PARAMETERS: (
        "TOO_MANY_ITEMS_IN_PARAMETERS", "parameter contain too many members"),
    EMPTY_PARAMETER: ("EMPTY_PARAMETER", "parameter is empty"),
    INVALID_PARAMETER: ("INVALID_PARAMETER", "invalid parameter"),
    NOT_IN_ROOM: ("NOT_IN_ROOM", "not in room"),
    NOT_GROUP_MEMBER: ("NOT_GROUP_MEMBER", "not group member"),
    MAX_GROUP_MEMBER_COUNT: ("MAX_GROUP_MEMBER_COUNT", "exceed max group members"),
    NOT_FRIEND: ("NOT_FRIEND", "not friend"),
    BANNED_IN_GROUP: ("BANNED_IN_GROUP", "banned in group"),
    BANNED_IN_ROOM: ("BANNED_IN_ROOM", "banned in room"),
    EMPTY_GROUP: ("EMPTY_GROUP", "group member empty"),
    MAX_ROOM_COUNT: ("MAX_ROOM_COUNT", "enter too many rooms"),
    MAX_FRIEND_COUNT: ("MAX_FRIEND_COUNT", "exceed max friends"),
    BLOCKED_USER: ("BLOCKED_USER", "blocked user"),
    UNSUPPORTED_LANGUAGE: ("UNSUPPORTED_LANGUAGE", "not supported translate lang"),
    EMPTY_TRANSLATION: ("EMPTY_TRANSLATION", "translate text empty"),
    SEND_TO_SELF: ("SEND_TO_SELF", "can not send to myself"),
    DUPLICATED_MID: ("DUPLICATED_MID", "duplicated mid"),
    SENSITIVE_WORDS: ("SENSITIVE_WORDS", "sensitiveWords matched"),
    NOT_ONLINE: ("NOT_ONLINE", "not online"),
    TRANSLATION_ERROR: ("TRANSLATION_ERROR", "translation error"),
    PROFANITY_STOP: ("PROFANITY_STOP", "profanity stop"),
    NO_CONFIG_IN_CONSOLE: ("NO_CONFIG_IN_CONSOLE", "need enable config in console"),
    UNSUPPORTED_TRANSCRIBE_TYPE: ("UNSUPPORTED_TRANSCRIBE_TYPE", "unsupported transcribe type"),
    MESSAGE_NOT_FOUND: ("MESSAGE_NOT_FOUND", "message not found"),
    200099: ("UNKNOWN_ERROR", "unknown error"),
    UNKNOWN_ERROR: ("UNKNOWN_ERROR", "unknown error"),
}
