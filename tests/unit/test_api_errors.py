"""RTM error classes and error_from_answer (spec §5.1)."""

from __future__ import annotations

import pickle

import pytest

from rtm.api import errors
from rtm.api.errors import (
    RTM_ERROR_NAMES,
    BannedInGroupError,
    InvalidPidOrSignError,
    NotGroupMemberError,
    RTMAnswerError,
    RTMConnectionError,
    RTMCryptoError,
    RTMError,
    RTMProtocolError,
    RTMTimeoutError,
    UnknownRTMError,
    error_from_answer,
    to_rtm_error,
)
from rtm.fpnn.errors import (
    FPNNAnswerError,
    FPNNConnectionError,
    FPNNCryptoError,
    FPNNError,
    FPNNProtocolError,
    FPNNTimeoutError,
)

SPEC_CODES = [
    200001, 200002, 200003, 200004, 200005, 200006, 200007, 200008, 200010, 200011, 200012,
    200020, 200021, 200022, 200023, 200024, 200025, 200026, 200027, 200030, 200031, 200032,
    200033, 200034, 200040, 200041, 200042, 200043, 200044, 200045, 200046, 200047, 200048,
    200049, 200050, 200051, 200052, 200053, 200054, 200055, 200056, 200057, 200060, 200061,
    200070, 200099, 200999,
]  # fmt: skip


@pytest.mark.parametrize("code", SPEC_CODES)
def test_every_named_code_has_a_class(code: int) -> None:
    exc = error_from_answer(code, "text", "raiser-x")
    assert isinstance(exc, RTMAnswerError) and type(exc) is not RTMAnswerError
    assert isinstance(exc, FPNNAnswerError) and isinstance(exc, FPNNError)
    assert exc.code == code and exc.message == "text" and exc.raiser == "raiser-x"
    assert code in RTM_ERROR_NAMES
    assert type(exc).__name__.endswith("Error")
    assert type(exc).__name__ in errors.__all__


def test_class_per_code_is_unique_except_unknown() -> None:
    classes = {type(error_from_answer(c, "")) for c in SPEC_CODES}
    assert len(classes) == len(SPEC_CODES) - 1  # 200099 and 200999 share UnknownRTMError
    assert type(error_from_answer(200099, "")) is UnknownRTMError
    assert type(error_from_answer(200999, "")) is UnknownRTMError


def test_names() -> None:
    assert type(error_from_answer(200002, "")) is InvalidPidOrSignError
    assert type(error_from_answer(200041, "")) is NotGroupMemberError
    assert type(error_from_answer(200044, "")) is BannedInGroupError
    assert RTM_ERROR_NAMES[200041] == "NOT_GROUP_MEMBER"


def test_unnamed_rtm_code_is_rtm_answer_error() -> None:
    exc = error_from_answer(200777, "new code")
    assert type(exc) is RTMAnswerError and exc.code == 200777
    assert str(exc) == "[200777 RTM_ERROR] new code"


@pytest.mark.parametrize("code", [10009, 20004, 20001, 30001, 0, 199999, 300000])
def test_fpnn_codes_are_plain_answer_errors(code: int) -> None:
    exc = error_from_answer(code, "x", "r")
    assert type(exc) is RTMAnswerError and exc.code == code and exc.raiser == "r"
    assert isinstance(exc, FPNNAnswerError) and isinstance(exc, RTMError)


@pytest.mark.parametrize(("fpnn_cls", "rtm_cls", "builtin"), [
    (FPNNTimeoutError, RTMTimeoutError, TimeoutError),
    (FPNNConnectionError, RTMConnectionError, ConnectionError),
    (FPNNProtocolError, RTMProtocolError, None),
    (FPNNCryptoError, RTMCryptoError, None),
    (FPNNError, RTMError, None),
])  # fmt: skip
def test_one_root_for_transport_errors(fpnn_cls: type[FPNNError], rtm_cls: type[RTMError],
                                       builtin: type[Exception] | None) -> None:
    source = fpnn_cls("went wrong", 20099)
    exc = to_rtm_error(source)
    assert type(exc) is rtm_cls and isinstance(exc, fpnn_cls) and isinstance(exc, RTMError)
    assert (exc.code, exc.message) == (20099, "went wrong")
    if builtin is not None:
        assert isinstance(exc, builtin)
    copy = pickle.loads(pickle.dumps(exc))
    assert type(copy) is rtm_cls and copy.code == 20099 and copy.message == "went wrong"
    assert to_rtm_error(exc) is exc


def test_answer_errors_map_to_their_class() -> None:
    exc = to_rtm_error(FPNNAnswerError("not a member", 200041, "rtm-gate"))
    assert type(exc) is NotGroupMemberError and exc.raiser == "rtm-gate"
    assert str(exc) == "[200041 NOT_GROUP_MEMBER] not a member (raiser: rtm-gate)"
    assert str(to_rtm_error(FPNNTimeoutError("no answer"))) == "[20003 CORE_TIMEOUT] no answer"


def test_str_is_readable() -> None:
    assert str(NotGroupMemberError("not group member", 200041)) == (
        "[200041 NOT_GROUP_MEMBER] not group member"
    )
    assert str(NotGroupMemberError()) == "[200041 NOT_GROUP_MEMBER] not group member"
    assert str(error_from_answer(200010, "slow down", "rtmGated@1")) == (
        "[200010 FREQUENCY_LIMITED] slow down (raiser: rtmGated@1)"
    )
    assert NotGroupMemberError().code == 200041


def test_catchable_as_fpnn_error_and_picklable() -> None:
    exc = error_from_answer(200041, "m", "r")
    with pytest.raises(FPNNError):
        raise exc
    clone = pickle.loads(pickle.dumps(exc))
    assert type(clone) is NotGroupMemberError
    assert (clone.code, clone.message, clone.raiser) == (200041, "m", "r")


def test_id_range_errors_say_ids_are_positive_and_other_ints_keep_the_wire_range() -> None:
    from rtm import RTMServerClient

    client = RTMServerClient(1, "secret", "127.0.0.1:1")  # nothing is sent: validation fails
    for call, name in ((lambda: client.send_message(2**63, 1, 30, "x"), "'from_uid'"),
                       (lambda: client.add_group_members(-(2**63) - 1, [1]), "'group_id'"),
                       (lambda: client.add_friends(1, [2, 2**64]), "'friend_uids[1]'"),
                       (lambda: client.del_message(1, 1, 2**63, 1), "'xid'")):
        with pytest.raises(ValueError) as info:
            call()
        assert f"{name} must be an id: a positive int64 (1..2^63-1)" in str(info.value)
        assert "-9223372036854775808" not in str(info.value)
    with pytest.raises(ValueError, match=r"'lastid' must be an int in \[-9223372036854775808"):
        client.get_p2p_message(1, 2, True, 10, 0, 0, 2**63)


def test_a_signature_refusal_says_to_check_the_secret() -> None:
    from rtm import InvalidPidOrSignError

    error = error_from_answer(200002, "invalid pid or sign")
    assert isinstance(error, InvalidPidOrSignError)
    assert error.message == "invalid pid or sign"  # the server's text, untouched
    assert str(error) == ("[200002 INVALID_PID_OR_SIGN] invalid pid or sign — check the "
                          "project's secret key (and its pid): the signature was made with them")
