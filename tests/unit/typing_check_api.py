"""Fake RTM clients for the API-layer unit tests, and static typing checks of the API.

``FakeSyncClient`` / ``FakeAsyncClient`` combine RTMCore + RTMMethods with an executor that
records every quest (after signing, as the real clients would send it) and answers from a
table of canned answers, so tests exercise the full Call chain (parse, then, on_success,
callbacks) without a network.

``_typing_checks`` is never run: ``mypy --strict`` on this file proves the descriptor gives
each client kind the right signatures (``# type: ignore[...]`` lines must be errors, since
strict mode reports unused ignores).
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

from rtm import AsyncRTMServerClient, RTMServerClient
from rtm.api import (
    AsyncExecutor,
    Call,
    ClearType,
    FileInfo,
    HistoryMessageResult,
    HistoryMessageUnit,
    MessageCount,
    MessageType,
    RTMCore,
    RTMMethods,
    SendResult,
    SyncExecutor,
    run_call_async,
    run_call_sync,
)

R = TypeVar("R")

PID = 11000001
SECRET = "secret-key-123"
ENDPOINT = "127.0.0.1:13321"
FILE_GATE = "127.0.0.1:13322"

Answer = dict[str, Any] | BaseException | Callable[[dict[str, Any]], Any]

DEFAULT_ANSWERS: dict[str, Answer] = {
    **{
        m: {"mtime": 1_563_789_451_130}
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
    },
    **{
        m: {"num": 0, "lastid": 0, "begin": 0, "end": 0, "msgs": []}
        for m in ("getgroupmsg", "getroommsg", "getbroadcastmsg", "getp2pmsg")
    },
    **{
        m: {"ok": True}
        for m in ("isfriend", "isgroupmember", "isbanofgroup", "isbanofroom", "isprojectblack")
    },
    "getfriends": {"uids": [7, 8]},
    "isfriends": {"fuids": [7]},
    "getgroupmembers": {"uids": [1, 2, 3]},
    "getusergroups": {"gids": [200001]},
    "getonlineusers": {"uids": [100002]},
    "gettoken": {"token": "TOKEN-1"},
    "filetoken": {"token": "tok-0001", "endpoint": FILE_GATE},
}


@dataclass
class Sent:
    """One quest as it would go on the wire."""

    method: str
    params: dict[str, Any]
    endpoint: str | None
    timeout: float | None
    signed: bool


class _Recorder:
    def _init_recorder(self, answers: dict[str, Answer] | None) -> None:
        self.answers: dict[str, Answer] = dict(DEFAULT_ANSWERS)
        if answers:
            self.answers.update(answers)
        self.sent: list[Sent] = []
        self.calls: list[Call[Any]] = []

    def _answer(self, core: RTMCore, step: Call[Any]) -> dict[str, Any]:
        params = dict(step.params)
        if step.signed:
            params.update(core._auth_params(step.method))
        self.sent.append(Sent(step.method, params, step.endpoint, step.timeout, step.signed))
        answer = self.answers.get(step.method, {})
        if callable(answer) and not isinstance(answer, BaseException):
            answer = answer(params)
        if isinstance(answer, BaseException):
            raise answer
        return answer


class FakeSyncClient(RTMCore, RTMMethods, SyncExecutor, _Recorder):
    def __init__(
        self,
        answers: dict[str, Answer] | None = None,
        *,
        pid: int = PID,
        secret_key: str = SECRET,
        endpoint: str = ENDPOINT,
        **options: Any,
    ) -> None:
        # These fakes describe the 0.1.0 wire unless a test asks for another profile.
        options.setdefault("protocol", "0.1.0")
        super().__init__(pid, secret_key, endpoint, **options)
        self._init_recorder(answers)

    def _send(self, step: Call[Any]) -> dict[str, Any]:
        return self._answer(self, step)

    def _execute(self, call: Call[R]) -> R:
        self.calls.append(call)
        if call.callback is None:
            return run_call_sync(call, self._send)
        try:
            result = run_call_sync(call, self._send)
        except Exception as exc:
            call.notify_error(exc)
        else:
            call.notify(result)
        return call.zero


class FakeAsyncClient(RTMCore, RTMMethods, AsyncExecutor, _Recorder):
    def __init__(
        self,
        answers: dict[str, Answer] | None = None,
        *,
        pid: int = PID,
        secret_key: str = SECRET,
        endpoint: str = ENDPOINT,
        **options: Any,
    ) -> None:
        # These fakes describe the 0.1.0 wire unless a test asks for another profile.
        options.setdefault("protocol", "0.1.0")
        super().__init__(pid, secret_key, endpoint, **options)
        self._init_recorder(answers)

    async def _send(self, step: Call[Any]) -> dict[str, Any]:
        return self._answer(self, step)

    async def _execute(self, call: Call[R]) -> R:
        self.calls.append(call)
        if call.callback is None:
            return await run_call_async(call, self._send)
        try:
            result = await run_call_async(call, self._send)
        except Exception as exc:
            call.notify_error(exc)
        else:
            call.notify(result)
        return call.zero


def _typing_checks(s: FakeSyncClient, a: FakeAsyncClient) -> None:  # pragma: no cover
    """Never called; checked by ``mypy --strict``."""
    mtime: int = s.send_message(1, 2, 3, "m")
    mtime = s.send_message(1, 2, 3, b"bin", attrs="{}", mid=5, timeout=1.5)
    mtime = s.send_boradcast_message(1, 3, "m")
    mtime = s.send_file(1, 2, b"data", "a.txt", mtype=50, extension="txt")
    coro_mtime: Coroutine[Any, Any, int] = a.send_message(1, 2, 3, "m")
    coro_mtime = a.send_files(1, [2, 3], b"data", "a.txt")
    hist: HistoryMessageResult = s.get_p2p_message(1, 2, True, 10, 0, 0, 0)
    coro_hist: Coroutine[Any, Any, HistoryMessageResult] = a.get_group_message(
        1, False, 10, 0, 0, 0
    )
    friends: list[int] = s.get_friends(1)
    ok: bool = s.is_friend(1, 2)
    token: str = s.get_token(1)
    nothing: None = s.add_friends(1, [2])
    nothing = s.del_message(1, 2, 3, MessageType.P2P)
    nothing = s.set_listen([1], [], True, ["login"], all=None)
    coro_none: Coroutine[Any, Any, None] = a.kickout(1, client_endpoint="1.2.3.4:5")

    def on_mtime(mtime: int, code: int, info: str) -> None: ...
    def on_status(code: int, info: str) -> None: ...

    mtime = s.send_message(1, 2, 3, "m", callback=on_mtime)
    nothing = s.add_friends(1, [2], callback=on_status)

    # Each of these must be a type error (strict mode flags an unneeded ignore).
    s.send_message("1", 2, 3, "m")  # type: ignore[arg-type]
    s.send_message(1, 2, 3, "m", attrz="")  # type: ignore[call-arg]
    s.add_friends(1, [2], callback=on_mtime)  # type: ignore[arg-type]
    bad: str = s.send_message(1, 2, 3, "m")  # type: ignore[assignment]
    bad_coro: int = a.send_message(1, 2, 3, "m")  # type: ignore[assignment]

    # The descriptor itself, from the class.
    build: Call[int] = FakeSyncClient.send_message.build(s, 1, 2, 3, "m")
    del mtime, coro_mtime, hist, coro_hist, friends, ok, token, nothing, coro_none
    del bad, bad_coro, build

    # The current generation's methods.
    mtime = s.send_group_chat(1, 2, "hi", attrs="{}")
    hist = s.get_group_chat(1)
    hist = s.get_room_message(1, num=5, mtypes=[30])
    unit: HistoryMessageUnit = s.get_message(1, 2, 3, MessageType.GROUP)
    info: FileInfo | None = unit.file_info
    count: MessageCount = s.get_msg_count(MessageType.ROOM, 5)
    nothing = s.clear_project_message(ClearType.ALL)
    nothing = s.add_listen([], [], [1, 2], [])
    coro_unit: Coroutine[Any, Any, HistoryMessageUnit] = a.get_chat(1, 2, 3, MessageType.P2P)
    s.get_msg_count(MessageType.ROOM, 5, mtypes=30)  # type: ignore[arg-type]
    del mtime, hist, unit, info, count, nothing, coro_unit


async def _client_typing_checks(c: RTMServerClient, ac: AsyncRTMServerClient) -> None:
    """Never called: the helpers keep the send method's signature (ParamSpec)."""
    sent: SendResult = c.send_with_mid(c.send_chat, 1, 2, "hi", attrs="{}")
    units: Iterator[HistoryMessageUnit] = c.iter_p2p_messages(1, 2, mtypes=[30])
    sent = await ac.send_with_mid(ac.send_group_cmd, 1, 5, "cmd")
    async for unit in ac.aiter_group_messages(5):
        del unit
    c.send_with_mid(c.send_chat, 1, 2, 3)  # type: ignore[arg-type]
    del sent, units
