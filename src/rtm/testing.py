"""pytest plugin (entry point ``rtm``): test your backend against a local RTM server.

Installed with the SDK and loaded by pytest automatically. Fixtures:

``rtm_server`` (session)
    A :class:`rtm.server.ServerThread` on free loopback ports with an in-memory database,
    started once per test session.
``rtm_project`` (test)
    A fresh project (pid, secret) on that server, so every test starts from clean state:
    no friends, groups, history or tokens leak between tests. At teardown the project is
    removed and its data erased, so the session's server does not grow with every test.
``rtm_client`` (test)
    A connected :class:`rtm.RTMServerClient` for ``rtm_project``; closed after the test.
``rtm_async_client`` (test, needs pytest-asyncio: ``pip install 'rtm-server-sdk[testing]'``)
    The same as an :class:`rtm.AsyncRTMServerClient`.
``rtm_enduser`` (test, needs pytest-asyncio)
    ``user = await rtm_enduser(uid, **options)``: an :class:`rtm.enduser.AsyncEndUserClient`
    logged in on the client gate with a token from ``get_token`` (``options``: the client's,
    e.g. ``monitor=``, ``lang=``, ``attrs=``); ``await user.next_push()`` returns what RTM
    pushes to that user as typed objects (:class:`rtm.enduser.P2PMessage`, ``GroupMessage``,
    ``Kickout``... each also keeps the wire ``method`` and raw ``params``).
``rtm_blocking_enduser`` (test)
    The same for blocking tests: ``user = rtm_blocking_enduser(uid)`` is a logged-in
    :class:`rtm.enduser.EndUserClient`.
``rtm_transport`` (test)
    How those end users connect unless a test passes ``transport=``: ``"tcp"`` (FPNN on
    TCP) or ``"ws"`` (FPNN over WebSocket, the web SDK's way). ``pytest --rtm-transport=ws``
    sets it for the whole run; ``@pytest.mark.rtm_transports()`` runs a test once per
    transport (``rtm_transports("ws")``: over that one only), e.g. ``pytestmark =
    pytest.mark.rtm_transports()`` for a module whose end users should work over both.

Content services (translation, profanity, checks, speech) answer from a deterministic model
(docs/server.md); ``rtm_project.services`` changes it for the test's project (what
``translate`` returns for a text, which words are profane, what a check flags, which
services are switched off), and so does the marker
``@pytest.mark.rtm_services({...})`` (the services-file format). ``rtm_project.rtc_events()``
is the server's log of RTC invitations and admin commands.
"""

from __future__ import annotations

import hashlib
import itertools
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, NoReturn

import pytest

from rtm.client import AsyncRTMServerClient, RTMServerClient
from rtm.enduser import TRANSPORTS, AsyncEndUserClient, EndUserClient
from rtm.server import ServerConfig, ServerThread
from rtm.server.services import (
    CHECK_KINDS,
    SERVICE_NAMES,
    Marker,
    ServicesConfig,
    ServicesConfigError,
    Word,
    apply_settings,
    marker_from_mapping,
    word_from_mapping,
)
from rtm.server.store import RTCEvent, RTCRoom

_pids = itertools.count(2_000_001)


class ProjectServices:
    """What the content services answer for one project of an in-process local server.

    Every change applies at once (thread-safe) to that project only and lasts until
    :meth:`reset`; the spec's defaults (docs/server.md) are the starting point::

        rtm_project.services.set_translation("en", "fr", "good morning", "bonjour")
        rtm_project.services.add_word("darn", tag=7, classification="mild")
        rtm_project.services.add_marker("weapon", tag=11, checks=["image"])
        rtm_project.services.disable("translate")       # answers 200060 from now on
    """

    def __init__(self, server: ServerThread, pid: int) -> None:
        self._server = server
        self._pid = pid

    @property
    def config(self) -> ServicesConfig:
        """The configuration in effect (immutable)."""
        return self._server.services.get(self._pid)

    def _update(self, change: Callable[[ServicesConfig], ServicesConfig]) -> None:
        self._server.services.update(self._pid, change)

    def set_translation(self, source: str, target: str, text: str, result: str) -> None:
        """``translate(text, source, target)`` returns ``result`` (text matched after
        trimming; language codes as for ``translate``)."""
        self._update(lambda c: c.with_translation(source, target, text, result))

    def add_word(self, word: str, tag: int = 0, classification: str = "",
                 action: str = "censor") -> None:
        """List ``word`` (case-insensitive substring): censored by ``translate`` (censor),
        ``profanity`` and ``text_check``, refused by ``translate`` (stop). ``tag`` is what
        ``text_check`` reports, ``classification`` what ``profanity(classify=True)`` does;
        ``action="block"`` makes ``text_check`` withhold the censored text."""
        entry = _checked_word({"word": word, "tag": tag, "classification": classification,
                               "action": action})
        self._update(lambda c: c.with_word(entry))

    def set_words(self, words: Iterable[Word]) -> None:
        """Replace the whole word list (``[]``: nothing is profane)."""
        listed = tuple(words)
        for item in listed:
            if not isinstance(item, Word):
                raise TypeError(f"set_words(): expected Word items, got {type(item).__name__}")
        self._update(lambda c: c.replace(words=listed))

    def add_marker(self, marker: str, tag: int, checks: Iterable[str] = CHECK_KINDS) -> None:
        """Content containing ``marker`` (case-insensitive) is rejected with ``tag`` by the
        checks named in ``checks`` (``"image"``, ``"audio"``, ``"video"``)."""
        entry = _checked_marker({"marker": marker, "tag": tag, "checks": list(checks)})
        self._update(lambda c: c.with_marker(entry))

    def set_markers(self, markers: Iterable[Marker]) -> None:
        """Replace every check marker (``[]``: every media check passes)."""
        listed = tuple(markers)
        for item in listed:
            if not isinstance(item, Marker):
                raise TypeError(
                    f"set_markers(): expected Marker items, got {type(item).__name__}")
        self._update(lambda c: c.replace(markers=listed))

    def set_transcript(self, audio: str | bytes, text: str) -> None:
        """``speech_to_text`` of ``audio`` returns ``text``: ``audio`` is the URL (sent with
        type 1) or the content bytes (type 2, matched by MD5)."""
        if isinstance(audio, (bytes, bytearray, memoryview)):
            key = hashlib.md5(bytes(audio)).hexdigest()
        elif isinstance(audio, str):
            key = audio
        else:
            raise TypeError(f"set_transcript(): 'audio' must be a URL str or bytes, got "
                            f"{type(audio).__name__}")
        if not isinstance(text, str):
            raise TypeError(f"set_transcript(): 'text' must be a str, got {type(text).__name__}")
        self._update(lambda c: c.with_transcript(key, text))

    def set_speech_default(self, text: str) -> None:
        """The transcript of any audio without its own."""
        if not isinstance(text, str):
            raise TypeError(f"set_speech_default(): 'text' must be a str, got "
                            f"{type(text).__name__}")
        self._update(lambda c: c.replace(speech_default_text=text))

    def disable(self, *services: str) -> None:
        """Switch services off: they answer 200060 (NO_CONFIG_IN_CONSOLE). Names:
        ``translate profanity speech_to_text text_check image_check audio_check video_check
        rtc imlib``."""
        self._update(lambda c: c.with_disabled(_checked_names(services)))

    def enable(self, *services: str) -> None:
        """Switch services back on."""
        self._update(lambda c: c.with_disabled(_checked_names(services), disabled=False))

    def require_online_for_rtc(self, required: bool = True) -> None:
        """``pull_user_into_rtc_room`` refuses users not logged in on the client gate
        (200055)."""
        self._update(lambda c: c.replace(rtc_require_online=bool(required)))

    def configure(self, settings: Mapping[str, Any]) -> None:
        """Apply one object of the services-file format (docs/server.md): each key given
        replaces that part of the current configuration."""
        self._update(lambda c: apply_settings(c, settings, "rtm_services"))

    def reset(self) -> None:
        """Back to the server's configuration for this project (the spec defaults unless a
        services file says otherwise)."""
        self._server.services.reset(self._pid)


def _checked_word(entry: Mapping[str, Any]) -> Word:
    try:
        return word_from_mapping(entry, "add_word()")
    except ServicesConfigError as exc:
        raise ValueError(str(exc)) from None


def _checked_marker(entry: Mapping[str, Any]) -> Marker:
    try:
        return marker_from_mapping(entry, "add_marker()")
    except ServicesConfigError as exc:
        raise ValueError(str(exc)) from None


def _checked_names(names: Iterable[str]) -> list[str]:
    out = list(names)
    for name in out:
        if name not in SERVICE_NAMES:
            raise ValueError(f"unknown service {name!r}: expected one of "
                             f"{', '.join(SERVICE_NAMES)}")
    return out


@dataclass(frozen=True)
class RTMProject:
    """Where and as whom to connect: one project on the local test server.

    With an in-process server (the plugin's, or :func:`new_project`), :attr:`services`
    configures the project's content services and :meth:`rtc_events` / :meth:`rtc_room` show
    the RTC state the server keeps.
    """

    pid: int
    secret: str
    endpoint: str
    client_endpoint: str
    file_endpoint: str
    server: ServerThread | None = field(default=None, repr=False, compare=False)

    def _server(self) -> ServerThread:
        if self.server is None:
            raise RuntimeError("this project is not on an in-process server (new_project())")
        return self.server

    @property
    def services(self) -> ProjectServices:
        """Configure what the content services answer for this project."""
        return ProjectServices(self._server(), self.pid)

    def rtc_events(self) -> list[RTCEvent]:
        """The server's log of RTC invitations and admin commands 2..7, oldest first (the
        local server has no media: nothing is pushed for them)."""
        server = self._server()
        return server.run(server.server.store.rtc_events(self.pid))

    def rtc_room(self, room_id: int) -> RTCRoom | None:
        """The stored state of an RTC room (type, owner, members, administrators,
        microphone default), or None."""
        server = self._server()
        return server.run(server.server.store.rtc_room(self.pid, room_id))


def start_test_server(**overrides: Any) -> ServerThread:
    """A local server on free ports with an in-memory database (``overrides``: ServerConfig
    fields, e.g. ``p2p_friends_only=True``)."""
    fields: dict[str, Any] = {"port": 0, "client_port": 0, "file_port": 0, "db": ":memory:"}
    fields.update(overrides)
    return ServerThread(ServerConfig(**fields)).start()


def new_project(server: ServerThread) -> RTMProject:
    """Register a fresh project on a running local server."""
    pid, secret = next(_pids), secrets.token_hex(12)
    server.add_project(pid, secret)
    return RTMProject(pid, secret, server.endpoint, server.client_endpoint, server.file_endpoint,
                      server)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.getgroup("rtm").addoption(
        "--rtm-transport", choices=TRANSPORTS, default="tcp",
        help="how the rtm_enduser fixtures' end users connect to the client gate unless a "
             "test says otherwise: tcp (FPNN on TCP, default) or ws (FPNN over WebSocket)")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "rtm_services(settings): content-services settings of the test's rtm_project "
        "(the services-file format of docs/server.md)",
    )
    config.addinivalue_line(
        "markers",
        "rtm_transports(*transports): run the test once per end-user transport of "
        "rtm_transport (default: tcp and ws)",
    )


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    marker = metafunc.definition.get_closest_marker("rtm_transports")
    # Only tests whose end users go through rtm_transport are run once per transport.
    if marker is None or "rtm_transport" not in metafunc.fixturenames:
        return
    transports = list(marker.args) or list(TRANSPORTS)
    unknown = [t for t in transports if t not in TRANSPORTS]
    if unknown or marker.kwargs:
        raise pytest.UsageError(
            f"@pytest.mark.rtm_transports takes transport names ({', '.join(TRANSPORTS)}), "
            f"got {', '.join(map(repr, unknown or marker.kwargs))}")
    metafunc.parametrize("rtm_transport", transports)


@pytest.fixture(scope="session")
def rtm_server() -> Iterator[ServerThread]:
    server = start_test_server()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def rtm_project(rtm_server: ServerThread, request: pytest.FixtureRequest
                ) -> Iterator[RTMProject]:
    project = new_project(rtm_server)
    try:
        for marker in reversed(list(request.node.iter_markers("rtm_services"))):
            if len(marker.args) != 1 or not isinstance(marker.args[0], Mapping):
                raise TypeError(
                    "@pytest.mark.rtm_services takes one dict (services-file format)")
            project.services.configure(marker.args[0])
        yield project
    finally:
        # The session's server would otherwise keep every test's project and data.
        if rtm_server.running:
            rtm_server.remove_project(project.pid)


@pytest.fixture
def rtm_client(rtm_project: RTMProject) -> Iterator[RTMServerClient]:
    client = RTMServerClient(rtm_project.pid, rtm_project.secret, rtm_project.endpoint,
                             quest_timeout=10.0)
    try:
        yield client
    finally:
        client.close()


@pytest.fixture
def rtm_transport(request: pytest.FixtureRequest) -> str:
    transport: str = request.config.getoption("rtm_transport", "tcp")
    return transport


@pytest.fixture
def rtm_blocking_enduser(rtm_project: RTMProject, rtm_transport: str
                         ) -> Iterator[Callable[..., EndUserClient]]:
    users: list[EndUserClient] = []
    admin = RTMServerClient(rtm_project.pid, rtm_project.secret, rtm_project.endpoint)

    def login(uid: int, **options: Any) -> EndUserClient:
        options.setdefault("transport", rtm_transport)
        user = EndUserClient(rtm_project.client_endpoint, rtm_project.pid, uid,
                             admin.get_token(uid), **options)
        users.append(user)
        if not user.login():
            raise AssertionError(f"the client gate refused uid {uid}'s fresh token")
        return user

    try:
        yield login
    finally:
        for user in users:
            user.close()
        admin.close()


#: What a test using an async fixture is told when pytest-asyncio is not installed.
NEEDS_PYTEST_ASYNCIO = (
    "the {name} fixture needs pytest-asyncio, which is not installed: "
    "pip install 'rtm-server-sdk[testing]' (pytest + pytest-asyncio)"
)

try:  # the async fixtures need pytest-asyncio, which the SDK itself does not depend on
    import pytest_asyncio
except ImportError:
    # Same names, so a test asking for them gets this message instead of "fixture not found".

    @pytest.fixture(name="rtm_async_client")
    def _rtm_async_client_unavailable() -> NoReturn:
        pytest.fail(NEEDS_PYTEST_ASYNCIO.format(name="rtm_async_client"), pytrace=False)

    @pytest.fixture(name="rtm_enduser")
    def _rtm_enduser_unavailable() -> NoReturn:
        pytest.fail(NEEDS_PYTEST_ASYNCIO.format(name="rtm_enduser"), pytrace=False)

else:

    @pytest_asyncio.fixture
    async def rtm_async_client(rtm_project: RTMProject) -> AsyncIterator[AsyncRTMServerClient]:
        client = AsyncRTMServerClient(rtm_project.pid, rtm_project.secret,
                                      rtm_project.endpoint, quest_timeout=10.0)
        try:
            yield client
        finally:
            await client.close()

    @pytest_asyncio.fixture
    async def rtm_enduser(
        rtm_project: RTMProject, rtm_transport: str,
    ) -> AsyncIterator[Callable[..., Awaitable[AsyncEndUserClient]]]:
        users: list[AsyncEndUserClient] = []
        admin = AsyncRTMServerClient(rtm_project.pid, rtm_project.secret, rtm_project.endpoint)

        async def login(uid: int, **options: Any) -> AsyncEndUserClient:
            options.setdefault("transport", rtm_transport)
            token = await admin.get_token(uid)
            user = AsyncEndUserClient(rtm_project.client_endpoint, rtm_project.pid, uid, token,
                                      **options)
            if not await user.login():
                await user.close()
                raise AssertionError(f"the client gate refused uid {uid}'s fresh token")
            users.append(user)
            return user

        try:
            yield login
        finally:
            for user in users:
                await user.close()
            await admin.close()
