"""Transport-independent RTM server API: method builders, signing, errors, pushes.

The concrete clients combine :class:`RTMCore` (state), :class:`RTMMethods` (the API
methods) and an executor (:class:`SyncExecutor` or :class:`AsyncExecutor`) that sends the
:class:`Call` each method builds.
"""

from rtm.api.call import (
    AsyncExecutor,
    Call,
    Method,
    ResultCallback,
    StatusCallback,
    SyncExecutor,
    api_method,
    run_call_async,
    run_call_sync,
)
from rtm.api.core import RTMCore
from rtm.api.errors import (
    RTM_ERROR_NAMES,
    MalformedAnswerError,
    RTMAnswerError,
    RTMError,
    error_from_answer,
    to_rtm_error,
)
from rtm.api.files import file_attrs, file_sign
from rtm.api.methods import RTMMethods
from rtm.api.models import (
    AudioInfo,
    ClearType,
    DevicePushOptions,
    FileInfo,
    HistoryMessageResult,
    HistoryMessageUnit,
    ListenState,
    MessageCount,
    MessageType,
    ObjectInfo,
    PushOptionType,
    SendResult,
)
from rtm.api.monitor import PushRouter, RTMServerMonitor
from rtm.api.signing import MidGenerator, SaltGenerator, Signer, sign_v1, sign_v2

__all__ = [
    "RTM_ERROR_NAMES",
    "AsyncExecutor",
    "AudioInfo",
    "Call",
    "ClearType",
    "DevicePushOptions",
    "FileInfo",
    "HistoryMessageResult",
    "HistoryMessageUnit",
    "ListenState",
    "MalformedAnswerError",
    "MessageCount",
    "MessageType",
    "Method",
    "MidGenerator",
    "ObjectInfo",
    "PushOptionType",
    "PushRouter",
    "RTMAnswerError",
    "RTMCore",
    "RTMError",
    "RTMMethods",
    "RTMServerMonitor",
    "ResultCallback",
    "SaltGenerator",
    "SendResult",
    "Signer",
    "StatusCallback",
    "SyncExecutor",
    "api_method",
    "error_from_answer",
    "file_attrs",
    "file_sign",
    "run_call_async",
    "run_call_sync",
    "sign_v1",
    "sign_v2",
    "to_rtm_error",
]
