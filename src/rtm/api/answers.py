"""Answer parsing shared by the API builders: typed reads with the Go SDK's strictness."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, cast

from rtm.api.core import validate_endpoint
from rtm.api.errors import MalformedAnswerError
from rtm.api.files import parse_file_info
from rtm.api.models import (
    CheckResult,
    DevicePushOptions,
    HistoryMessageResult,
    HistoryMessageUnit,
    IMInviteGrant,
    MessageCount,
    ObjectInfo,
    ProfanityResult,
    RTCRoomMembers,
    SpeechToTextResult,
    TextCheckResult,
    TranslateResult,
    is_file_mtype,
)
from rtm.fpnn.errors import PROTO_KEY_NOT_FOUND, PROTO_TYPE_CONVERT

log = logging.getLogger("rtm.api")

# ---------------------------------------------------------------------------------------------
# answer parsing


def _malformed(method: str, key: str, problem: str, code: int) -> MalformedAnswerError:
    return MalformedAnswerError(f"{method} answer: {problem} {key!r}", code)


def _want(method: str, answer: dict[str, Any], key: str) -> Any:
    try:
        return answer[key]
    except (KeyError, TypeError, IndexError):
        if not isinstance(answer, dict):
            raise MalformedAnswerError(
                f"{method} answer: expected a map, got {type(answer).__name__}", PROTO_TYPE_CONVERT
            ) from None
        raise _malformed(method, key, "missing key", PROTO_KEY_NOT_FOUND) from None


def _as_int(method: str, key: str, value: Any) -> int:
    if type(value) is int:
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return int(value)
    got = type(value).__name__
    raise _malformed(method, key, f"expected an int, got {got} for", PROTO_TYPE_CONVERT)


def _as_text(method: str, key: str, value: Any, *, keep_bytes: bool) -> Any:
    if type(value) is str:
        return value
    if isinstance(value, (bytes, bytearray)):
        try:
            return bytes(value).decode("utf-8")
        except UnicodeDecodeError:
            if keep_bytes:
                return bytes(value)
            raise _malformed(method, key, "invalid UTF-8 in", PROTO_TYPE_CONVERT) from None
    if isinstance(value, str):
        return str(value)
    got = type(value).__name__
    raise _malformed(method, key, f"expected a str, got {got} for", PROTO_TYPE_CONVERT)


def _parse_none(answer: dict[str, Any]) -> None:
    return None


def _mtime_parser(method: str) -> Callable[[dict[str, Any]], int]:
    def parse(answer: dict[str, Any]) -> int:
        value = _want(method, answer, "mtime")
        if type(value) is int:
            return value
        return _as_int(method, "mtime", value)

    return parse


def _ok_parser(method: str) -> Callable[[dict[str, Any]], bool]:
    def parse(answer: dict[str, Any]) -> bool:
        value = _want(method, answer, "ok")
        if value is True or value is False:
            return value
        got = type(value).__name__
        raise _malformed(method, "ok", f"expected a bool, got {got} for", PROTO_TYPE_CONVERT)

    return parse


def _ids_parser(method: str, key: str) -> Callable[[dict[str, Any]], list[int]]:
    def parse(answer: dict[str, Any]) -> list[int]:
        value = _want(method, answer, key)
        if value is None:  # a nil Go slice
            return []
        if not isinstance(value, (list, tuple)):
            got = type(value).__name__
            raise _malformed(method, key, f"expected an array, got {got} for", PROTO_TYPE_CONVERT)
        return [_as_int(method, f"{key}[]", item) for item in value]

    return parse


def _parse_token(answer: dict[str, Any]) -> str:
    token = _as_text("gettoken", "token", _want("gettoken", answer, "token"), keep_bytes=False)
    return cast(str, token)


def _text(method: str, answer: dict[str, Any], key: str) -> str:
    return cast(str, _as_text(method, key, _want(method, answer, key), keep_bytes=False))


def _map(method: str, answer: dict[str, Any], key: str) -> dict[Any, Any]:
    value = _want(method, answer, key)
    if value is None:  # a nil Go map
        return {}
    if not isinstance(value, dict):
        got = type(value).__name__
        raise _malformed(method, key, f"expected a map, got {got} for", PROTO_TYPE_CONVERT)
    return value


def _id_key(method: str, key: str, raw: Any) -> int | None:
    """An id map key: decimal text (what RTM sends, spec §12 #3) or an int. Like the Go SDK,
    a key that is neither is dropped (logged), not fatal."""
    if isinstance(raw, int) and not isinstance(raw, bool):
        return int(raw)
    if isinstance(raw, (bytes, bytearray)):
        raw = bytes(raw).decode("utf-8", "replace")
    if isinstance(raw, str):
        try:
            return int(raw)
        except ValueError:
            pass
    log.warning("%s answer: key %r of %r is not a decimal id; dropped", method, raw, key)
    return None


def _info_parser(method: str) -> Callable[[dict[str, Any]], ObjectInfo]:
    def parse(answer: dict[str, Any]) -> ObjectInfo:
        return ObjectInfo(_text(method, answer, "oinfo"), _text(method, answer, "pinfo"))

    return parse


def _parse_group_count(answer: dict[str, Any]) -> int:
    return _as_int("getgroupcount", "cn", _want("getgroupcount", answer, "cn"))


def _parse_room_count(answer: dict[str, Any]) -> dict[int, int]:
    counts: dict[int, int] = {}
    for raw, value in _map("getroomcount", answer, "cn").items():
        rid = _id_key("getroomcount", "cn", raw)
        if rid is not None:
            counts[rid] = _as_int("getroomcount", f"cn[{rid}]", value)
    return counts


def _parse_public_infos(answer: dict[str, Any]) -> dict[int, str]:
    infos: dict[int, str] = {}
    for raw, value in _map("getuseropeninfo", answer, "info").items():
        uid = _id_key("getuseropeninfo", "info", raw)
        if uid is not None:
            infos[uid] = cast(str, _as_text("getuseropeninfo", f"info[{uid}]", value,
                                            keep_bytes=False))
    return infos


def _parse_data(answer: dict[str, Any]) -> str | None:
    value = answer.get("val") if isinstance(answer, dict) else _want("dataget", answer, "val")
    if value is None:  # no value stored for the key (spec §4.11: answer without ``val``)
        return None
    return cast(str, _as_text("dataget", "val", value, keep_bytes=False))


def _option_map(answer: dict[str, Any], key: str) -> dict[int, list[int]]:
    options: dict[int, list[int]] = {}
    for raw, value in _map("getoption", answer, key).items():
        xid = _id_key("getoption", key, raw)
        if xid is None:
            continue
        if value is None:
            value = []
        if not isinstance(value, (list, tuple)):
            got = type(value).__name__
            raise _malformed("getoption", f"{key}[{xid}]", f"expected an array, got {got} for",
                             PROTO_TYPE_CONVERT)
        options[xid] = sorted(_as_int("getoption", f"{key}[{xid}][]", m) for m in value)
    return options


def _parse_push_options(answer: dict[str, Any]) -> DevicePushOptions:
    return DevicePushOptions(_option_map(answer, "p2p"), _option_map(answer, "group"))


def _parse_filetoken(answer: dict[str, Any]) -> tuple[str, str]:
    token = _as_text("filetoken", "token", _want("filetoken", answer, "token"), keep_bytes=False)
    endpoint = _as_text(
        "filetoken", "endpoint", _want("filetoken", answer, "endpoint"), keep_bytes=False
    )
    try:
        validate_endpoint(endpoint)
    except (TypeError, ValueError):
        raise _malformed(
            "filetoken", "endpoint", f"not a 'host:port' ({endpoint!r}) in", PROTO_TYPE_CONVERT
        ) from None
    return token, endpoint


def _history_parser(
    method: str, p2p: tuple[int, int] | None = None
) -> Callable[[dict[str, Any]], HistoryMessageResult]:
    def parse(answer: dict[str, Any]) -> HistoryMessageResult:
        num = _as_int(method, "num", _want(method, answer, "num"))
        lastid = _as_int(method, "lastid", _want(method, answer, "lastid"))
        begin = _as_int(method, "begin", _want(method, answer, "begin"))
        end = _as_int(method, "end", _want(method, answer, "end"))
        raw = answer.get("msgs")
        if raw is None:
            if num != 0:
                raise _malformed(method, "msgs", f"missing (num={num}) key", PROTO_KEY_NOT_FOUND)
            raw = []
        if not isinstance(raw, (list, tuple)):
            got = type(raw).__name__
            raise _malformed(
                method, "msgs", f"expected an array, got {got} for", PROTO_TYPE_CONVERT
            )
        messages: list[HistoryMessageUnit] = []
        append = messages.append
        for i, entry in enumerate(raw):
            # Fast path: a well-formed entry (what servers send) is checked in one go; anything
            # else takes the full path below, which names the offending field.
            if type(entry) is list and len(entry) == 8:
                id_, from_uid, mtype, mid, deleted, msg, attrs, mtime = entry
                if (
                    type(id_) is int and type(from_uid) is int and type(mtype) is int
                    and type(mid) is int and type(mtime) is int
                    and (deleted is True or deleted is False)
                    and type(msg) is str and type(attrs) is str
                    and (p2p is None or from_uid == 1 or from_uid == 2)
                ):
                    if p2p is not None:
                        from_uid = p2p[0] if from_uid == 1 else p2p[1]
                    info = parse_file_info(mtype, msg, attrs) if is_file_mtype(mtype) else None
                    append(HistoryMessageUnit(id_, from_uid, mtype, mid, deleted, msg, attrs,
                                              mtime, info))
                    continue
            where = f"msgs[{i}]"
            if not isinstance(entry, (list, tuple)) or len(entry) != 8:
                raise _malformed(
                    method, where, "expected an 8-element array for", PROTO_TYPE_CONVERT
                )
            deleted = entry[4]
            if deleted is not True and deleted is not False:
                got = type(deleted).__name__
                raise _malformed(
                    method, f"{where}[4]", f"'deleted' expected a bool, got {got} for",
                    PROTO_TYPE_CONVERT,
                )  # fmt: skip
            from_uid = _as_int(method, f"{where}[1]", entry[1])
            if p2p is not None:
                if from_uid == 1:
                    from_uid = p2p[0]
                elif from_uid == 2:
                    from_uid = p2p[1]
                else:
                    log.warning(
                        "%s: unknown P2P direction %d in history entry %d "
                        "(uid=%d, peer=%d); kept as is",
                        method,
                        from_uid,
                        i,
                        p2p[0],
                        p2p[1],
                    )
            mtype = _as_int(method, f"{where}[2]", entry[2])
            msg = _as_text(method, f"{where}[5]", entry[5], keep_bytes=True)
            attrs = _as_text(method, f"{where}[6]", entry[6], keep_bytes=True)
            messages.append(
                HistoryMessageUnit(
                    _as_int(method, f"{where}[0]", entry[0]),
                    from_uid,
                    mtype,
                    _as_int(method, f"{where}[3]", entry[3]),
                    deleted,
                    msg,
                    attrs,
                    _as_int(method, f"{where}[7]", entry[7]),
                    parse_file_info(mtype, msg, attrs) if is_file_mtype(mtype) else None,
                )
            )
        return HistoryMessageResult(num, lastid, begin, end, messages)

    return parse


def _message_parser(
    from_uid: int, mid: int
) -> Callable[[dict[str, Any]], HistoryMessageUnit]:
    """``getmsg`` (msginfo shape, spec §2): ``id, mtype, msg, attrs, mtime``, all mandatory.
    The sender and mid of the request complete the unit; ``deleted`` is False (the server
    answers 200070 for a deleted message)."""

    def parse(answer: dict[str, Any]) -> HistoryMessageUnit:
        m = "getmsg"
        id_ = _as_int(m, "id", _want(m, answer, "id"))
        mtype = _as_int(m, "mtype", _want(m, answer, "mtype"))
        msg = _as_text(m, "msg", _want(m, answer, "msg"), keep_bytes=True)
        attrs = _as_text(m, "attrs", _want(m, answer, "attrs"), keep_bytes=True)
        mtime = _as_int(m, "mtime", _want(m, answer, "mtime"))
        info = parse_file_info(mtype, msg, attrs) if is_file_mtype(mtype) else None
        return HistoryMessageUnit(id_, from_uid, mtype, mid, False, msg, attrs, mtime, info)

    return parse


def _parse_msgnum(answer: dict[str, Any]) -> MessageCount:
    m = "getmsgnum"
    return MessageCount(_as_int(m, "sender", _want(m, answer, "sender")),
                        _as_int(m, "num", _want(m, answer, "num")))


_MTIME = {
    m: _mtime_parser(m)
    for m in (
        "sendmsg",
        "sendmsgs",
        "sendgroupmsg",
        "sendroommsg",
        "broadcastmsg",
        "sendfile",
        "sendfiles",
        "sendgroupfile",
        "sendroomfile",
        "broadcastfile",
    )
}
_HISTORY = {m: _history_parser(m) for m in ("getgroupmsg", "getroommsg", "getbroadcastmsg")}
_OK = {
    m: _ok_parser(m)
    for m in ("isfriend", "isgroupmember", "isbanofgroup", "isbanofroom", "isprojectblack",
              "isblack", "isprojectban")
}
_PARSE_FRIENDS = _ids_parser("getfriends", "uids")
_PARSE_IS_FRIENDS = _ids_parser("isfriends", "fuids")
_PARSE_MEMBERS = _ids_parser("getgroupmembers", "uids")
_PARSE_USER_GROUPS = _ids_parser("getusergroups", "gids")
_PARSE_ONLINE = _ids_parser("getonlineusers", "uids")
_PARSE_BLACKS = _ids_parser("getblacks", "uids")
_PARSE_IS_BLACKS = _ids_parser("isblacks", "buids")
_PARSE_ROOM_MEMBERS = _ids_parser("getroommembers", "uids")
_PARSE_ADDED_ROOM_MEMBERS = _ids_parser("addroommembers", "successedUids")
_PARSE_REMOVED_ROOM_MEMBERS = _ids_parser("delroommembers", "successedUids")
_INFO = {m: _info_parser(m) for m in ("getuserinfo", "getgroupinfo", "getroominfo")}
_PARSE_FILETOKEN = cast(Callable[[dict[str, Any]], int], _parse_filetoken)  # step 1 of Call[int]


def _empty_history() -> HistoryMessageResult:
    return HistoryMessageResult(0, 0, 0, 0, [])




# ---------------------------------------------------------------------------------------------
# content services, RTC rooms, IM library (spec rtm-server-api-current.md §2, §12 #1-#3)


def _want_text(method: str, answer: dict[str, Any], key: str) -> str:
    return cast(str, _as_text(method, key, _want(method, answer, key), keep_bytes=False))


def _want_int(method: str, answer: dict[str, Any], key: str) -> int:
    return _as_int(method, key, _want(method, answer, key))


def _opt_array(method: str, answer: dict[str, Any], key: str) -> list[Any]:
    """An optional array: absent or nil -> []."""
    value = answer.get(key) if isinstance(answer, dict) else None
    if value is None:
        return []
    if not isinstance(value, (list, tuple)):
        got = type(value).__name__
        raise _malformed(method, key, f"expected an array, got {got} for", PROTO_TYPE_CONVERT)
    return list(value)


def _opt_strs(method: str, answer: dict[str, Any], key: str) -> list[str]:
    return [
        cast(str, _as_text(method, f"{key}[]", item, keep_bytes=False))
        for item in _opt_array(method, answer, key)
    ]


def _tags(method: str, answer: dict[str, Any]) -> list[int]:
    """``tags`` as ints: servers send decimal strings (GO/CPP read strings), some ints (spec
    §2, §12 #1); an element that is neither is dropped with a warning, as GO does."""
    tags: list[int] = []
    for item in _opt_array(method, answer, "tags"):
        if isinstance(item, (bytes, bytearray)):
            item = bytes(item).decode("utf-8", "replace")
        if isinstance(item, int) and not isinstance(item, bool):
            tags.append(int(item))
            continue
        if isinstance(item, str):
            try:
                tags.append(int(item.strip()))
                continue
            except ValueError:
                pass
        log.warning("%s answer: dropped tag %r (not an integer)", method, item)
    return tags


def _parse_translate(answer: dict[str, Any]) -> TranslateResult:
    m = "translate"
    return TranslateResult(
        _want_text(m, answer, "source"),
        _want_text(m, answer, "target"),
        _want_text(m, answer, "sourceText"),
        _want_text(m, answer, "targetText"),
    )


def _parse_profanity(answer: dict[str, Any]) -> ProfanityResult:
    return ProfanityResult(
        _want_text("profanity", answer, "text"), _opt_strs("profanity", answer, "classification")
    )


def _parse_speech2text(answer: dict[str, Any]) -> SpeechToTextResult:
    m = "speech2text"
    return SpeechToTextResult(_want_text(m, answer, "text"), _want_text(m, answer, "lang"))


def _parse_tcheck(answer: dict[str, Any]) -> TextCheckResult:
    m = "tcheck"
    result = _want_int(m, answer, "result")
    text = answer.get("text")
    return TextCheckResult(
        result,
        "" if text is None else cast(str, _as_text(m, "text", text, keep_bytes=False)),
        _tags(m, answer),
        _opt_strs(m, answer, "wlist"),
    )


def _check_parser(method: str) -> Callable[[dict[str, Any]], CheckResult]:
    def parse(answer: dict[str, Any]) -> CheckResult:
        return CheckResult(_want_int(method, answer, "result"), _tags(method, answer))

    return parse


def _parse_rtc_members(answer: dict[str, Any]) -> RTCRoomMembers:
    m = "getRTCRoomMembers"
    uids = _ids_parser(m, "uids")(answer)
    # GO reads "administrators", PY and JAVA "managers" (spec §12 #2): accept either.
    admin_key = "managers" if "administrators" not in answer and "managers" in answer else (
        "administrators")
    admins = _ids_parser(m, admin_key)(answer)
    return RTCRoomMembers(uids, admins, _want_int(m, answer, "owner"))


def _int_parser(method: str, key: str) -> Callable[[dict[str, Any]], int]:
    def parse(answer: dict[str, Any]) -> int:
        return _want_int(method, answer, key)

    return parse


def _parse_invite_grant(answer: dict[str, Any]) -> IMInviteGrant:
    m = "imserver_getinvitegrant"
    return IMInviteGrant(
        _want_int(m, answer, "invite_type"), _want_int(m, answer, "invite_manage_type")
    )


def _nested_infos_parser(method: str) -> Callable[[dict[str, Any]], dict[int, dict[str, str]]]:
    """``infos: {"<id>": {k: v}}`` -> ``{id: {k: v}}`` (int keys, spec §12 #3). Inner entries
    that are not text are skipped, as GO does."""

    def parse(answer: dict[str, Any]) -> dict[int, dict[str, str]]:
        raw = _want(method, answer, "infos")
        if raw is None:
            return {}
        if not isinstance(raw, dict):
            got = type(raw).__name__
            raise _malformed(method, "infos", f"expected a map, got {got} for", PROTO_TYPE_CONVERT)
        out: dict[int, dict[str, str]] = {}
        for key, inner in raw.items():
            where = f"infos[{key!r}]"
            try:  # decimal strings on the wire (spec §12 #3); an int key is taken as is
                xid = key if type(key) is int else int(
                    _as_text(method, where, key, keep_bytes=False))
            except (ValueError, MalformedAnswerError):
                raise _malformed(
                    method, where, "expected a decimal id key in", PROTO_TYPE_CONVERT
                ) from None
            if not isinstance(inner, dict):
                got = type(inner).__name__
                raise _malformed(method, where, f"expected a map, got {got} for",
                                 PROTO_TYPE_CONVERT)
            values: dict[str, str] = {}
            for k, v in inner.items():
                if isinstance(k, (bytes, bytearray)):
                    k = bytes(k).decode("utf-8", "replace")
                if isinstance(v, (bytes, bytearray)):
                    v = bytes(v).decode("utf-8", "replace")
                if isinstance(k, str) and isinstance(v, str):
                    values[k] = v
            out[xid] = values
        return out

    return parse


_CHECK = {m: _check_parser(m) for m in ("icheck", "acheck", "vcheck")}
_PARSE_RTC_ROOMS = _ids_parser("getRTCRoomList", "rids")
_PARSE_RTC_COUNT = _int_parser("getRTCRoomMemberCount", "count")
_PARSE_APPLY_GRANT = _int_parser("imserver_getapplygrant", "grant_type")
_PARSE_IM_USER_INFOS = _nested_infos_parser("imserver_getuserinfos")
_PARSE_IM_GROUP_INFOS = _nested_infos_parser("imserver_getgroupinfos")
