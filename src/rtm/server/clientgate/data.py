"""Data (spec §3.9): the server API's key/value store of the caller's uid."""

from __future__ import annotations

from rtm.enduser.commands import data as cmd
from rtm.server.clientgate.base import ClientArea, User
from rtm.server.clientgate.reading import Args
from rtm.server.core import Answer
from rtm.server.handlers.data import check_data_key, check_data_value, data_answer


class DataArea(ClientArea):
    COMMANDS = cmd.COMMANDS

    async def dataset(self, user: User, a: Args) -> Answer:
        key, value = check_data_key(a["key"]), check_data_value(a["val"])
        await self.store.set_data(user.pid, user.uid, key, value)
        return {}

    async def dataget(self, user: User, a: Args) -> Answer:
        return data_answer(await self.store.get_data(user.pid, user.uid,
                                                     check_data_key(a["key"])))

    async def datadel(self, user: User, a: Args) -> Answer:
        await self.store.del_data(user.pid, user.uid, check_data_key(a["key"]))
        return {}
