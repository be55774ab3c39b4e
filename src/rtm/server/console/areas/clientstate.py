"""What a user's app told the client gate, on the user page: its language (``setlang`` or
``auth`` ``lang``) and its debug logs (``adddebuglog``), newest first."""

from __future__ import annotations

from rtm.server.console.markup import Table, tag, when
from rtm.server.console.panels import Ctx, panel

#: At most this many debug logs on the user page.
DEBUG_LOGS_SHOWN = 50


@panel("user", "debuglogs", "Debug logs of the app", order=29)
async def debug_logs(ctx: Ctx) -> Table:
    uid = ctx.subject_id()
    lang = await ctx.store.user_lang(ctx.pid, uid)
    rows = [[when(log.time_ms), log.msg, log.attrs]
            for log in await ctx.store.debug_logs(ctx.pid, uid, limit=DEBUG_LOGS_SHOWN)]
    return Table(("time", "message", "attrs"), rows, empty="No debug log.",
                 footer=tag("p", f"Language: {lang or 'not set'}"))
