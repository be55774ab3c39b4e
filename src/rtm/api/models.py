"""Value types of the RTM API: message types, history results, the listen-state cache."""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum, IntEnum

__all__ = [
    "AudioCodec",
    "CheckResult",
    "DevicePushOptions",
    "HistoryMessageResult",
    "HistoryMessageUnit",
    "IMApplyGrant",
    "IMInviteGrant",
    "IMObjectType",
    "Language",
    "ListenSnapshot",
    "ListenState",
    "MediaSource",
    "MessageType",
    "ObjectInfo",
    "ProfanityResult",
    "PushOptionType",
    "RTCAdminCommand",
    "RTCRoomMembers",
    "RTCRoomType",
    "SpeechToTextResult",
    "TextCheckResult",
    "TranslateResult",
    "TranslatedInfo",
]


class MessageType(IntEnum):
    """Conversation kind of ``del_message`` (wire ``type``, spec §2.4; 1-based on the wire)."""

    P2P = 1
    GROUP = 2
    ROOM = 3
    BROADCAST = 4


class PushOptionType(IntEnum):
    """What a device push option applies to (wire ``type`` of ``addoption``, spec current
    §4.12): messages from one peer user, or messages in one group."""

    P2P = 0
    GROUP = 1


@dataclass(frozen=True, slots=True)
class ObjectInfo:
    """The public and private info of a user, group or room (Go returns them as two strings;
    ``""`` for a value never set)."""

    public_info: str
    private_info: str


@dataclass(frozen=True, slots=True)
class DevicePushOptions:
    """A user's offline-push "do not disturb" options: peer uid (``p2p``) or group id
    (``group``) -> the muted mtypes, ascending; an empty list means every mtype."""

    p2p: dict[int, list[int]]
    group: dict[int, list[int]]


@dataclass(frozen=True, slots=True)
class HistoryMessageUnit:
    """One history entry (the 8-element array of spec §2.3, in that order).

    ``from_uid`` is the sender uid; for ``get_p2p_message`` the server's direction code is
    already resolved to ``uid`` / ``peer_uid`` (an unknown code is kept as is).
    ``message`` / ``attrs`` are ``str``, or ``bytes`` when the server sent non-UTF-8 binary.
    """

    id: int
    from_uid: int
    mtype: int
    mid: int
    deleted: bool
    message: str | bytes
    attrs: str | bytes
    mtime: int


@dataclass(frozen=True, slots=True)
class HistoryMessageResult:
    """A history page: pass ``lastid``/``begin``/``end`` back to get the next one."""

    num: int
    lastid: int
    begin: int
    end: int
    messages: list[HistoryMessageUnit]


@dataclass(frozen=True, slots=True)
class ListenSnapshot:
    """Immutable copy of a :class:`ListenState`."""

    all_p2p: bool
    all_groups: bool
    all_rooms: bool
    all_events: bool
    gids: frozenset[int]
    rids: frozenset[int]
    events: frozenset[str]
    touched: bool


class ListenState:
    """Client-side cache of what this connection listens to (spec §2.9), for re-applying it
    after a reconnect. Updated only after a listen quest succeeded. Thread-safe.

    The model is the spec's ``{all_p2p, all_groups, all_rooms, all_events, gids, rids,
    events}`` (0.1.0 ``p2p`` is ``all_p2p``):

    * ``addlisten``: lists gain the given ids/events; ``p2p=True`` sets ``all_p2p``.
    * ``removelisten``: lists lose them; ``p2p=True`` clears ``all_p2p``.
    * ``setlisten`` with ``all``: the four flags become ``all`` and the lists are cleared.
    * ``setlisten`` without ``all``: lists are replaced and ``all_p2p = p2p``; the
      group/room/event "all" flags are untouched (spec §2.9: only present keys overwrite).
    """

    __slots__ = (
        "_lock",
        "all_events",
        "all_groups",
        "all_p2p",
        "all_rooms",
        "events",
        "gids",
        "rids",
        "touched",
    )

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.all_p2p = False
        self.all_groups = False
        self.all_rooms = False
        self.all_events = False
        self.gids: set[int] = set()
        self.rids: set[int] = set()
        self.events: set[str] = set()
        self.touched = False  # a listen quest ever succeeded

    def __repr__(self) -> str:
        s = self.snapshot()
        return (
            f"ListenState(all_p2p={s.all_p2p}, all_groups={s.all_groups}, "
            f"all_rooms={s.all_rooms}, all_events={s.all_events}, gids={sorted(s.gids)}, "
            f"rids={sorted(s.rids)}, events={sorted(s.events)})"
        )

    @property
    def p2p(self) -> bool:
        """0.1.0 name of ``all_p2p``."""
        return self.all_p2p

    def snapshot(self) -> ListenSnapshot:
        with self._lock:
            return ListenSnapshot(
                self.all_p2p,
                self.all_groups,
                self.all_rooms,
                self.all_events,
                frozenset(self.gids),
                frozenset(self.rids),
                frozenset(self.events),
                self.touched,
            )

    def apply_add(
        self, gids: Iterable[int], rids: Iterable[int], p2p: bool, events: Iterable[str]
    ) -> None:
        with self._lock:
            self.gids.update(gids)
            self.rids.update(rids)
            if p2p:
                self.all_p2p = True
            self.events.update(events)
            self.touched = True

    def apply_remove(
        self, gids: Iterable[int], rids: Iterable[int], p2p: bool, events: Iterable[str]
    ) -> None:
        with self._lock:
            self.gids.difference_update(gids)
            self.rids.difference_update(rids)
            if p2p:
                self.all_p2p = False
            self.events.difference_update(events)
            self.touched = True

    def apply_set(
        self,
        gids: Iterable[int],
        rids: Iterable[int],
        p2p: bool,
        events: Iterable[str],
        all: bool | None = None,
    ) -> None:
        with self._lock:
            if all is not None:
                self.all_p2p = self.all_groups = self.all_rooms = self.all_events = all
                self.gids.clear()
                self.rids.clear()
                self.events.clear()
            else:
                self.gids = set(gids)
                self.rids = set(rids)
                self.all_p2p = p2p
                self.events = set(events)
            self.touched = True


# ---------------------------------------------------------------------------------------------
# Content services, RTC rooms, IM library (spec rtm-server-api-current.md §4.14-§4.16, §9)


class Language(str, Enum):
    """The 22 translation / speech language codes of spec §9.3 (Go ``RTMTranslateLanguage``).

    Methods taking a language accept a member or any ``str`` (sent as given)."""

    AR = "ar"
    NL = "nl"
    EN = "en"
    FR = "fr"
    DE = "de"
    EL = "el"
    ID = "id"
    IT = "it"
    JA = "ja"
    KO = "ko"
    NO = "no"
    PL = "pl"
    PT = "pt"
    RU = "ru"
    ES = "es"
    SV = "sv"
    TL = "tl"
    TH = "th"
    TR = "tr"
    VI = "vi"
    ZH_CN = "zh_cn"
    ZH_TW = "zh_tw"

    def __str__(self) -> str:
        return self.value


class AudioCodec(str, Enum):
    """Audio codecs of ``speech_to_text`` / ``audio_check`` (spec §11.4); a ``str`` works too."""

    AMR_WB = "AMR_WB"
    AMR_NB = "AMR_NB"
    OPUS = "OPUS"
    SPEEX = "SPEEX"
    PCM = "PCM"

    def __str__(self) -> str:
        return self.value


class MediaSource(IntEnum):
    """What the ``audio``/``image``/``video`` argument of a check holds (wire ``type``)."""

    URL = 1
    CONTENT = 2


class RTCRoomType(IntEnum):
    """RTC room kind (wire ``type`` of ``pullIntoRTCRoom``)."""

    VOICE = 1
    VIDEO = 2


class RTCAdminCommand(IntEnum):
    """``admin_command`` commands (spec §4.15)."""

    APPOINT_ADMIN = 0
    DISMISS_ADMIN = 1
    FORBID_AUDIO = 2
    ALLOW_AUDIO = 3
    FORBID_VIDEO = 4
    ALLOW_VIDEO = 5
    CLOSE_OTHERS_MIC = 6
    CLOSE_OTHERS_CAMERA = 7


class IMObjectType(IntEnum):
    """Object kind of the IM-library grants (wire ``type``, spec §4.16)."""

    USER = 0
    GROUP = 1
    ROOM = 2


class IMApplyGrant(IntEnum):
    """Who may join: ``grant_type`` of ``imserver_set_apply_grant``."""

    ANYONE = 0
    APPROVAL = 1
    NOBODY = 2
    PASSWORD = 3


@dataclass(frozen=True, slots=True)
class TranslateResult:
    """The ``translate`` answer (Go ``TranslateResult``; the Python SDK docs call it
    ``TranslatedInfo``): detected or given source language, target language, the source text
    (censored when asked) and its translation."""

    source_language: str
    target_language: str
    source_text: str
    target_text: str


TranslatedInfo = TranslateResult
"""The Python SDK docs' name of :class:`TranslateResult`."""


@dataclass(frozen=True, slots=True)
class ProfanityResult:
    """The ``profanity`` answer: the censored text, and the classes of the words found (only
    when ``classify`` was asked; otherwise empty)."""

    text: str
    classification: list[str]


@dataclass(frozen=True, slots=True)
class SpeechToTextResult:
    """The ``speech_to_text`` answer: the transcript and its language."""

    text: str
    lang: str


@dataclass(frozen=True, slots=True)
class TextCheckResult:
    """The ``text_check`` answer.

    ``result`` 0 = pass, 2 = reject. On a reject with a non-empty ``text`` you may send
    ``text`` (censored) instead of the original; with an empty ``text`` block the message.
    ``tags`` are the classification tags (ints), ``wlist`` the words found.
    """

    result: int
    text: str
    tags: list[int]
    wlist: list[str]

    @property
    def passed(self) -> bool:
        return self.result == 0


@dataclass(frozen=True, slots=True)
class CheckResult:
    """The ``image_check`` / ``audio_check`` / ``video_check`` answer: ``result`` 0 = pass,
    2 = reject; ``tags`` the classification tags (ints)."""

    result: int
    tags: list[int]

    @property
    def passed(self) -> bool:
        return self.result == 0


@dataclass(frozen=True, slots=True)
class RTCRoomMembers:
    """``get_rtc_room_members``: members, administrators (both ascending) and the owner
    (0 for an unknown room)."""

    uids: list[int]
    administrators: list[int]
    owner: int


@dataclass(frozen=True, slots=True)
class IMInviteGrant:
    """``imserver_get_invite_grant``: ``invite_type`` 0 = members may not invite, 1 = may;
    ``invite_manage_type`` 0 = an admin must approve, 1 = the invitee joins directly."""

    invite_type: int
    invite_manage_type: int
