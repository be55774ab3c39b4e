"""The transport-independent description of one RTM API call, and how clients run it.

Every API method is written once, as a *builder* ``def name(self, <args>) -> Call[R]`` that
validates its arguments and describes the quest. ``@api_method`` turns the builder into a
:class:`Method` descriptor; on a :class:`SyncExecutor` instance the attribute is a blocking
``Callable[P, R]``, on an :class:`AsyncExecutor` instance a ``Callable[P, Coroutine[..., R]]``.
A client only implements ``_execute(call)``.

How an executor runs a :class:`Call` (the contract; :func:`run_call_sync` /
:func:`run_call_async` implement the chain part of it given a ``send`` function):

1. ``params`` is the method payload. When ``signed`` is true the executor adds the
   authentication keys (``core._auth_params(call.method)``) at send time, after queuing
   delays, so the salt/ts are fresh. ``endpoint is None`` means the main connection, else a
   plain (unencrypted) connection to that ``"host:port"`` file gate.
2. The answer payload goes through ``parse``; an error answer becomes
   ``errors.error_from_answer(code, ex)``, any other transport error its
   :class:`~rtm.api.errors.RTMError` counterpart (``errors.to_rtm_error``).
3. If ``then`` is set, ``then(parsed)`` returns the next step's :class:`Call` (same rules);
   the last step's parsed value is the result.
4. ``on_success(result)`` (if set) runs once with the final result.
5. Without ``callback`` the result is returned / the exception raised. With a callback the
   call returns ``zero`` at once and later invokes the callback via :meth:`Call.notify`:
   ``(result, 0, "")`` or ``(zero, code, message)`` on failure; methods without a result
   (``has_result`` false) get ``(code, message)``.
"""

from __future__ import annotations

import abc
import functools
import inspect
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from typing import Any, Concatenate, Generic, ParamSpec, TypeVar, overload

from rtm.fpnn.errors import CORE_UNKNOWN_ERROR, FPNNError

__all__ = [
    "AsyncExecutor",
    "Call",
    "Method",
    "ResultCallback",
    "StatusCallback",
    "SyncExecutor",
    "api_method",
    "run_call_async",
    "run_call_sync",
]

R = TypeVar("R")
P = ParamSpec("P")

ResultCallback = Callable[[R, int, str], None]
"""``(result, error_code, error_info)``; ``error_code == 0`` means success."""
StatusCallback = Callable[[int, str], None]
"""``(error_code, error_info)`` for methods without a result; 0 means success."""


@dataclass(slots=True)
class Call(Generic[R]):
    """One quest (or a chain of quests, see ``then``) the client has to send."""

    method: str
    params: dict[str, Any]
    parse: Callable[[dict[str, Any]], R]
    zero: R
    has_result: bool
    timeout: float | None = None
    callback: Callable[..., None] | None = None
    signed: bool = True
    endpoint: str | None = None
    then: Callable[[Any], Call[R]] | None = None
    on_success: Callable[[Any], None] | None = None

    def notify(self, result: Any, code: int = 0, info: str = "") -> None:
        """Invoke ``callback`` with the arity of this method (no-op without a callback)."""
        cb = self.callback
        if cb is None:
            return
        if self.has_result:
            cb(result, code, info)
        else:
            cb(code, info)

    def notify_error(self, exc: BaseException) -> None:
        """Report ``exc`` to the callback as ``(zero, code, message)`` / ``(code, message)``."""
        if isinstance(exc, FPNNError):
            self.notify(self.zero, exc.code, exc.message or str(exc))
        else:
            self.notify(self.zero, CORE_UNKNOWN_ERROR, f"{type(exc).__name__}: {exc}")


def _map_error(exc: FPNNError) -> FPNNError:
    # Imported lazily: errors.py imports nothing from here, but keep the module light.
    from rtm.api.errors import to_rtm_error

    return to_rtm_error(exc)


def run_call_sync(call: Call[R], send: Callable[[Call[Any]], dict[str, Any]]) -> R:
    """Run ``call`` and its ``then`` chain with a blocking ``send(step) -> answer payload``.

    ``send`` signs the step itself when ``step.signed`` (see the module doc). A transport
    :class:`FPNNError` raised by ``send`` is re-raised as its
    :class:`~rtm.api.errors.RTMError` counterpart (an error answer as the class of its code).
    Callbacks are not handled here.
    """
    step: Call[Any] = call
    try:
        while True:
            result = step.parse(send(step))
            if step.then is None:
                break
            step = step.then(result)
    except FPNNError as exc:
        mapped = _map_error(exc)
        if mapped is exc:
            raise
        raise mapped from exc.__cause__
    if call.on_success is not None:
        call.on_success(result)
    return result  # type: ignore[no-any-return]


async def run_call_async(
    call: Call[R], send: Callable[[Call[Any]], Awaitable[dict[str, Any]]]
) -> R:
    """:func:`run_call_sync` for an awaitable ``send``."""
    step: Call[Any] = call
    try:
        while True:
            result = step.parse(await send(step))
            if step.then is None:
                break
            step = step.then(result)
    except FPNNError as exc:
        mapped = _map_error(exc)
        if mapped is exc:
            raise
        raise mapped from exc.__cause__
    if call.on_success is not None:
        call.on_success(result)
    return result  # type: ignore[no-any-return]


class SyncExecutor(abc.ABC):
    """Mixin of the blocking client: runs a :class:`Call` and returns its result."""

    @abc.abstractmethod
    def _execute(self, call: Call[R]) -> R:
        """Send ``call`` (see the module doc); block until done unless it has a callback."""


class AsyncExecutor(abc.ABC):
    """Mixin of the asyncio client: runs a :class:`Call` and returns its result."""

    @abc.abstractmethod
    async def _execute(self, call: Call[R]) -> R:
        """Send ``call`` (see the module doc); with a callback, return ``zero`` at once."""


_markcoroutinefunction: Callable[[Any], Any] | None = getattr(
    inspect, "markcoroutinefunction", None
)


class Method(Generic[P, R]):
    """Descriptor turning a builder into a client method (see the module doc).

    The bound callable is created once per instance and cached in ``obj.__dict__`` under
    every name the descriptor is assigned to (it is a non-data descriptor), so later
    attribute lookups are plain dict hits. Bound callables keep the builder's ``__name__``,
    ``__doc__`` and signature (minus ``self``). On an async client, argument validation
    happens when the method is *called* (before a coroutine exists), not when awaited.

    ``Method.build(obj, *args, **kwargs)`` returns the :class:`Call` without executing it;
    calling the descriptor from the class, ``Client.name(obj, *args)``, executes it.
    """

    def __init__(self, build: Callable[Concatenate[Any, P], Call[R]]) -> None:
        self._build = build
        self._names: list[str] = []
        self._signature: inspect.Signature | None = None
        self.__name__: str = build.__name__
        self.__qualname__: str = build.__qualname__
        self.__doc__ = build.__doc__
        self.__module__ = build.__module__
        self.__wrapped__ = build

    def __set_name__(self, owner: type[Any], name: str) -> None:
        if name not in self._names:
            self._names.append(name)

    def __repr__(self) -> str:
        return f"<api method {self.__qualname__}>"

    def build(self, obj: Any, /, *args: P.args, **kwargs: P.kwargs) -> Call[R]:
        """Validate the arguments and return the :class:`Call`, without executing it."""
        return self._build(obj, *args, **kwargs)

    def __call__(self, obj: Any, /, *args: P.args, **kwargs: P.kwargs) -> Any:
        return obj._execute(self._build(obj, *args, **kwargs))

    def _bound_signature(self) -> inspect.Signature:
        sig = self._signature
        if sig is None:
            full = inspect.signature(self._build)
            params = list(full.parameters.values())[1:]
            sig = self._signature = full.replace(
                parameters=params, return_annotation=inspect.Signature.empty
            )
        return sig

    @overload
    def __get__(self, obj: None, objtype: type[Any] | None = None) -> Method[P, R]: ...

    @overload
    def __get__(
        self, obj: AsyncExecutor, objtype: type[Any] | None = None
    ) -> Callable[P, Coroutine[Any, Any, R]]: ...

    @overload
    def __get__(self, obj: SyncExecutor, objtype: type[Any] | None = None) -> Callable[P, R]: ...

    def __get__(self, obj: Any, objtype: type[Any] | None = None) -> Any:
        if obj is None:
            return self
        if not isinstance(obj, (SyncExecutor, AsyncExecutor)):
            raise TypeError(
                f"{self.__name__}() needs a client: combine RTMMethods with SyncExecutor or "
                f"AsyncExecutor (got {type(obj).__name__})"
            )
        build = self._build
        execute = obj._execute

        def bound(*args: Any, **kwargs: Any) -> Any:
            return execute(build(obj, *args, **kwargs))

        functools.update_wrapper(bound, build)
        bound.__signature__ = self._bound_signature()  # type: ignore[attr-defined]
        annotations = dict(getattr(build, "__annotations__", {}))
        annotations.pop("return", None)
        annotations.pop("self", None)
        bound.__annotations__ = annotations
        if isinstance(obj, AsyncExecutor) and _markcoroutinefunction is not None:
            _markcoroutinefunction(bound)
        try:
            cache = obj.__dict__
        except AttributeError:  # a client class with __slots__ and no __dict__
            return bound
        for name in self._names or (self.__name__,):
            cache[name] = bound
        return bound


def api_method(build: Callable[Concatenate[Any, P], Call[R]]) -> Method[P, R]:
    """Decorator: ``def name(self, <args>) -> Call[R]`` -> :class:`Method` descriptor."""
    return Method(build)
