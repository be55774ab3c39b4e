"""What every area's builders share: one :class:`~rtm.api.call.Call` from a command's
description (:mod:`rtm.enduser.commands`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from rtm.api.args import _callback, _timeout
from rtm.api.call import Call
from rtm.api.signing import SnowflakeMidGenerator
from rtm.enduser.spec import Command

R = TypeVar("R")


def _parse_none(answer: dict[str, Any]) -> None:
    return None


class EndUserAreaBase:
    """Base of the end-user client's per-area mixins (state set by the client)."""

    _pid: int
    _uid: int
    _mids: SnowflakeMidGenerator

    @staticmethod
    def _call(command: Command, fn: str, parse: Callable[[dict[str, Any]], R], zero: R, *,
              timeout: Any = None, callback: Any = None, **values: Any) -> Call[R]:
        """The call of ``command`` with ``values`` checked by its description; ``parse``
        turns the answer into the method's typed result."""
        return Call(command.method, command.quest(fn, **values), parse, zero, True,
                    _timeout(fn, timeout), _callback(fn, callback), signed=False)

    @staticmethod
    def _status_call(command: Command, fn: str, *, timeout: Any = None, callback: Any = None,
                     **values: Any) -> Call[None]:
        """The call of a command whose answer is empty (the callback gets ``(code, info)``)."""
        return Call(command.method, command.quest(fn, **values), _parse_none, None, False,
                    _timeout(fn, timeout), _callback(fn, callback), signed=False)
