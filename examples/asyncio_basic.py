"""The asyncio client: the same methods, as coroutines; many calls in flight at once.

Run a local server first (``rtm server``), then ``python examples/asyncio_basic.py``.
"""

import asyncio
import os

from rtm import AsyncRTMServerClient

ENDPOINT = os.environ.get("RTM_ENDPOINT", "127.0.0.1:13315")
PID = int(os.environ.get("RTM_PID", "1000001"))
SECRET = os.environ.get("RTM_SECRET", "rtm-local-dev-secret")


async def main() -> None:
    async with AsyncRTMServerClient(PID, SECRET, ENDPOINT) as client:
        await client.add_group_members(501, [1, 2, 3])
        # 50 sends concurrently over one connection.
        mtimes = await asyncio.gather(
            *(client.send_group_message(1, 501, 30, f"message {i}") for i in range(50))
        )
        print(f"sent {len(mtimes)} messages")
        members, online = await asyncio.gather(
            client.get_group_members(501), client.get_online_users([1, 2, 3])
        )
        print("members:", members, "online:", online)
        page = await client.get_group_message(501, True, 5, 0, 0, 0)
        print("newest:", [m.message for m in page.messages])


if __name__ == "__main__":
    asyncio.run(main())
