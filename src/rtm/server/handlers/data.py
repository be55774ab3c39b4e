"""Data store (spec current §4.11): one string value per (uid, key)."""

from __future__ import annotations

from rtm.fpnn.server import ServerConnection
from rtm.server import codes
from rtm.server.core import Answer
from rtm.server.handlers.base import HandlerBase
from rtm.server.params import (
    Params,
    check_size,
)


def check_data_key(key: str) -> str:
    """A data key: not empty (200033), at most 128 bytes (200030)."""
    if not key:
        raise codes.rtm_error(codes.EMPTY_PARAMETER, "'key' is empty")
    check_size("key", key, codes.MAX_DATA_KEY_BYTES)
    return key


def check_data_value(value: str) -> str:
    """A data value: at most 65535 bytes (200030)."""
    check_size("val", value, codes.MAX_DATA_VALUE_BYTES)
    return value


def data_answer(value: str | None) -> dict[str, str]:
    """``dataget``'s answer: a missing key answers {} without ``val`` (spec §4.11): Go reads
    "", Python None."""
    return {} if value is None else {"val": value}


class DataHandlers(HandlerBase):
    COMMANDS: tuple[str, ...] = (
        "dataset",
        "dataget",
        "datadel",
    )

    @staticmethod
    def _uid_key(p: Params) -> tuple[int, str]:
        uid, key = p.id_("uid"), p.str_("key")
        return uid, check_data_key(key)

    async def dataset(self, conn: ServerConnection, p: Params, pid: int) -> Answer:
        uid, key = self._uid_key(p)
        value = check_data_value(p.str_("val"))
        await self.store.set_data(pid, uid, key, value)
        return {}

    async def dataget(self, conn: ServerConnection, p: Params, pid: int) -> Answer:
        uid, key = self._uid_key(p)
        return data_answer(await self.store.get_data(pid, uid, key))

    async def datadel(self, conn: ServerConnection, p: Params, pid: int) -> Answer:
        uid, key = self._uid_key(p)
        await self.store.del_data(pid, uid, key)
        return {}
