"""Messages and chat (spec §4.2): P2P, multi, group, room and broadcast sends, and their
chat (mtype 30) and cmd (mtype 32) forms."""

from __future__ import annotations

from typing import Any

from rtm.api.answers import (
    _MTIME,
)
from rtm.api.args import (
    TOS_MAX,
    _attrs,
    _callback,
    _i64,
    _ids,
    _msg,
    _mtype,
    _timeout,
)
from rtm.api.call import Call, ResultCallback, api_method
from rtm.api.methods._base import AreaBase
from rtm.api.models import MTYPE_CHAT, MTYPE_CMD


class MessagesMethods(AreaBase):
    """Messages and chat"""

    def _rtm_send(
        self,
        fn: str,
        method: str,
        target_key: str | None,
        target: Any,
        from_uid: Any,
        mtype: Any,
        message: Any,
        attrs: Any,
        mid: Any,
        timeout: Any,
        callback: Any,
    ) -> Call[int]:
        params: dict[str, Any] = {
            "mtype": _mtype(fn, mtype),
            "from": _i64(fn, "from_uid", from_uid),
        }
        if target_key is not None:
            params[target_key] = target
        params["mid"] = self._mids.next() if mid is None else _i64(fn, "mid", mid)
        params["msg"] = _msg(fn, message)
        params["attrs"] = _attrs(fn, attrs)
        if timeout is not None or callback is not None:
            timeout = _timeout(fn, timeout)
            callback = _callback(fn, callback)
        return Call(method, params, _MTIME[method], 0, True, timeout, callback)

    @api_method
    def send_message(
        self,
        from_uid: int,
        to_uid: int,
        mtype: int,
        message: str | bytes,
        *,
        attrs: str = "",
        mid: int | None = None,
        timeout: float | None = None,
        callback: ResultCallback[int] | None = None,
    ) -> Call[int]:
        """Send a P2P message; returns the server ``mtime`` (ms). ``mid`` defaults to a new
        client-generated id."""
        return self._rtm_send(
            "send_message", "sendmsg", "to", _i64("send_message", "to_uid", to_uid),
            from_uid, mtype, message, attrs, mid, timeout, callback,
        )  # fmt: skip

    @api_method
    def send_messages(
        self,
        from_uid: int,
        to_uids: list[int] | tuple[int, ...],
        mtype: int,
        message: str | bytes,
        *,
        attrs: str = "",
        mid: int | None = None,
        timeout: float | None = None,
        callback: ResultCallback[int] | None = None,
    ) -> Call[int]:
        """Send one P2P message (one mid) to up to 2000 users; returns ``mtime``."""
        tos = _ids("send_messages", "to_uids", to_uids, TOS_MAX, required=True)
        return self._rtm_send(
            "send_messages", "sendmsgs", "tos", tos,
            from_uid, mtype, message, attrs, mid, timeout, callback,
        )  # fmt: skip

    @api_method
    def send_group_message(
        self,
        from_uid: int,
        group_id: int,
        mtype: int,
        message: str | bytes,
        *,
        attrs: str = "",
        mid: int | None = None,
        timeout: float | None = None,
        callback: ResultCallback[int] | None = None,
    ) -> Call[int]:
        """Send a group message (the sender must be a member); returns ``mtime``."""
        return self._rtm_send(
            "send_group_message", "sendgroupmsg", "gid",
            _i64("send_group_message", "group_id", group_id),
            from_uid, mtype, message, attrs, mid, timeout, callback,
        )  # fmt: skip

    @api_method
    def send_room_message(
        self,
        from_uid: int,
        room_id: int,
        mtype: int,
        message: str | bytes,
        *,
        attrs: str = "",
        mid: int | None = None,
        timeout: float | None = None,
        callback: ResultCallback[int] | None = None,
    ) -> Call[int]:
        """Send a room message (the sender must be in the room); returns ``mtime``."""
        return self._rtm_send(
            "send_room_message", "sendroommsg", "rid",
            _i64("send_room_message", "room_id", room_id),
            from_uid, mtype, message, attrs, mid, timeout, callback,
        )  # fmt: skip

    @api_method
    def send_broadcast_message(
        self,
        from_uid: int,
        mtype: int,
        message: str | bytes,
        *,
        attrs: str = "",
        mid: int | None = None,
        timeout: float | None = None,
        callback: ResultCallback[int] | None = None,
    ) -> Call[int]:
        """Broadcast a message to every user (``from_uid`` must be an admin uid); returns
        ``mtime``. Also available as ``send_boradcast_message`` (the 0.1.0 doc's spelling)."""
        return self._rtm_send(
            "send_broadcast_message", "broadcastmsg", None, None,
            from_uid, mtype, message, attrs, mid, timeout, callback,
        )  # fmt: skip

    send_boradcast_message = send_broadcast_message

    # ---------------------------------------------------------------- chat (30) and cmd (32)
    # Go 0.9.20's SendChat/SendCmd family: the same quests with the mtype fixed (spec §3).

    @api_method
    def send_chat(
        self,
        from_uid: int,
        to_uid: int,
        message: str | bytes,
        *,
        attrs: str = "",
        mid: int | None = None,
        timeout: float | None = None,
        callback: ResultCallback[int] | None = None,
    ) -> Call[int]:
        """Send a P2P chat message (mtype 30); returns ``mtime``."""
        fn = "send_chat"
        return self._rtm_send(
            fn, "sendmsg", "to", _i64(fn, "to_uid", to_uid),
            from_uid, MTYPE_CHAT, message, attrs, mid, timeout, callback,
        )  # fmt: skip

    @api_method
    def send_cmd(
        self,
        from_uid: int,
        to_uid: int,
        message: str | bytes,
        *,
        attrs: str = "",
        mid: int | None = None,
        timeout: float | None = None,
        callback: ResultCallback[int] | None = None,
    ) -> Call[int]:
        """Send a P2P cmd message (mtype 32); returns ``mtime``."""
        fn = "send_cmd"
        return self._rtm_send(
            fn, "sendmsg", "to", _i64(fn, "to_uid", to_uid),
            from_uid, MTYPE_CMD, message, attrs, mid, timeout, callback,
        )  # fmt: skip

    @api_method
    def send_chats(
        self,
        from_uid: int,
        to_uids: list[int] | tuple[int, ...],
        message: str | bytes,
        *,
        attrs: str = "",
        mid: int | None = None,
        timeout: float | None = None,
        callback: ResultCallback[int] | None = None,
    ) -> Call[int]:
        """Send one chat message (mtype 30, one mid) to up to 2000 users; returns ``mtime``."""
        fn = "send_chats"
        return self._rtm_send(
            fn, "sendmsgs", "tos", _ids(fn, "to_uids", to_uids, TOS_MAX, required=True),
            from_uid, MTYPE_CHAT, message, attrs, mid, timeout, callback,
        )  # fmt: skip

    @api_method
    def send_cmds(
        self,
        from_uid: int,
        to_uids: list[int] | tuple[int, ...],
        message: str | bytes,
        *,
        attrs: str = "",
        mid: int | None = None,
        timeout: float | None = None,
        callback: ResultCallback[int] | None = None,
    ) -> Call[int]:
        """Send one cmd message (mtype 32, one mid) to up to 2000 users; returns ``mtime``."""
        fn = "send_cmds"
        return self._rtm_send(
            fn, "sendmsgs", "tos", _ids(fn, "to_uids", to_uids, TOS_MAX, required=True),
            from_uid, MTYPE_CMD, message, attrs, mid, timeout, callback,
        )  # fmt: skip

    @api_method
    def send_group_chat(
        self,
        from_uid: int,
        group_id: int,
        message: str | bytes,
        *,
        attrs: str = "",
        mid: int | None = None,
        timeout: float | None = None,
        callback: ResultCallback[int] | None = None,
    ) -> Call[int]:
        """Send a group chat message (mtype 30); returns ``mtime``."""
        fn = "send_group_chat"
        return self._rtm_send(
            fn, "sendgroupmsg", "gid", _i64(fn, "group_id", group_id),
            from_uid, MTYPE_CHAT, message, attrs, mid, timeout, callback,
        )  # fmt: skip

    @api_method
    def send_group_cmd(
        self,
        from_uid: int,
        group_id: int,
        message: str | bytes,
        *,
        attrs: str = "",
        mid: int | None = None,
        timeout: float | None = None,
        callback: ResultCallback[int] | None = None,
    ) -> Call[int]:
        """Send a group cmd message (mtype 32); returns ``mtime``."""
        fn = "send_group_cmd"
        return self._rtm_send(
            fn, "sendgroupmsg", "gid", _i64(fn, "group_id", group_id),
            from_uid, MTYPE_CMD, message, attrs, mid, timeout, callback,
        )  # fmt: skip

    @api_method
    def send_room_chat(
        self,
        from_uid: int,
        room_id: int,
        message: str | bytes,
        *,
        attrs: str = "",
        mid: int | None = None,
        timeout: float | None = None,
        callback: ResultCallback[int] | None = None,
    ) -> Call[int]:
        """Send a room chat message (mtype 30); returns ``mtime``."""
        fn = "send_room_chat"
        return self._rtm_send(
            fn, "sendroommsg", "rid", _i64(fn, "room_id", room_id),
            from_uid, MTYPE_CHAT, message, attrs, mid, timeout, callback,
        )  # fmt: skip

    @api_method
    def send_room_cmd(
        self,
        from_uid: int,
        room_id: int,
        message: str | bytes,
        *,
        attrs: str = "",
        mid: int | None = None,
        timeout: float | None = None,
        callback: ResultCallback[int] | None = None,
    ) -> Call[int]:
        """Send a room cmd message (mtype 32); returns ``mtime``."""
        fn = "send_room_cmd"
        return self._rtm_send(
            fn, "sendroommsg", "rid", _i64(fn, "room_id", room_id),
            from_uid, MTYPE_CMD, message, attrs, mid, timeout, callback,
        )  # fmt: skip

    @api_method
    def send_broadcast_chat(
        self,
        from_uid: int,
        message: str | bytes,
        *,
        attrs: str = "",
        mid: int | None = None,
        timeout: float | None = None,
        callback: ResultCallback[int] | None = None,
    ) -> Call[int]:
        """Broadcast a chat message (mtype 30) to every user; returns ``mtime``."""
        return self._rtm_send(
            "send_broadcast_chat", "broadcastmsg", None, None,
            from_uid, MTYPE_CHAT, message, attrs, mid, timeout, callback,
        )  # fmt: skip

    @api_method
    def send_broadcast_cmd(
        self,
        from_uid: int,
        message: str | bytes,
        *,
        attrs: str = "",
        mid: int | None = None,
        timeout: float | None = None,
        callback: ResultCallback[int] | None = None,
    ) -> Call[int]:
        """Broadcast a cmd message (mtype 32) to every user; returns ``mtime``."""
        return self._rtm_send(
            "send_broadcast_cmd", "broadcastmsg", None, None,
            from_uid, MTYPE_CMD, message, attrs, mid, timeout, callback,
        )  # fmt: skip
