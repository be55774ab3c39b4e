"""The constructor options are declared twice (the constructor's keywords for IDEs and
``help()``, :class:`rtm.client.ClientOptions` for ``from_env(**options)``): they must agree."""

from __future__ import annotations

import inspect
import typing

import pytest

from rtm import AsyncRTMServerClient, RTMServerClient
from rtm.client import ClientOptions


@pytest.mark.parametrize("cls", [RTMServerClient, AsyncRTMServerClient])
def test_client_options_match_the_constructor(cls: type[RTMServerClient]) -> None:
    params = inspect.signature(cls).parameters
    assert [p.name for p in params.values() if p.kind is p.POSITIONAL_OR_KEYWORD] == [
        "pid", "secret_key", "endpoint"]
    keywords = {p.name: p for p in params.values() if p.kind is p.KEYWORD_ONLY}
    # no **options: Any; only **removed, typed NoReturn (any keyword there is a type error),
    # which names the option to use instead of a removed one at run time
    var = [p for p in params.values() if p.kind is p.VAR_KEYWORD]
    assert [(p.name, p.annotation) for p in var] == [("removed", "NoReturn")]
    assert set(keywords) == set(ClientOptions.__annotations__)
    hints = typing.get_type_hints(ClientOptions)
    ctor_hints = typing.get_type_hints(cls.__init__)
    for name in keywords:
        assert hints[name] == ctor_hints[name], name


def test_unknown_option_is_a_type_error_at_runtime_too() -> None:
    with pytest.raises(TypeError, match="quest_timout"):
        RTMServerClient(1, "secret", "127.0.0.1:1", quest_timout=5.0)  # type: ignore[call-arg]
