"""Content services, read-only: what this project's translation, text/media checks and
speech recognition answer (``RTMServer.services``), and which services are switched off."""

from __future__ import annotations

from rtm.server.console.markup import Table
from rtm.server.console.panels import Ctx, page, panel
from rtm.server.services import SERVICE_NAMES

page("services", "Services", order=80)


@panel("services", "switches", "Services", order=10)
async def switches(ctx: Ctx) -> Table:
    config = ctx.core.services.get(ctx.pid)
    rows = [[name, "on" if config.enabled(name) else "switched off (200060)"]
            for name in SERVICE_NAMES]
    rows.append(["pullIntoRTCRoom refuses offline users",
                 "yes" if config.rtc_require_online else "no"])
    return Table(("service", "state"), rows)


@panel("services", "translations", "Translation table (exact text)", order=20)
async def translations(ctx: Ctx) -> Table:
    config = ctx.core.services.get(ctx.pid)
    rows = [[t.src, t.dst, t.text, t.result] for t in config.translations]
    return Table(("from", "to", "text", "translation"), rows,
                 empty="No translation: every text comes back unchanged.")


@panel("services", "words", "Word list (text checks, profanity filter)", order=30)
async def words(ctx: Ctx) -> Table:
    config = ctx.core.services.get(ctx.pid)
    rows = [[w.word, w.tag, w.classification, w.action] for w in config.words]
    return Table(("word", "tag", "classification", "action"), rows, empty="No word is flagged.")


@panel("services", "markers", "Check markers (image, audio, video checks)", order=40)
async def markers(ctx: Ctx) -> Table:
    config = ctx.core.services.get(ctx.pid)
    rows = [[m.marker, m.tag, ", ".join(m.checks)] for m in config.markers]
    return Table(("marker", "tag", "checks"), rows, empty="No marker: every content passes.")


@panel("services", "speech", "Speech recognition", order=50)
async def speech(ctx: Ctx) -> Table:
    config = ctx.core.services.get(ctx.pid)
    rows = [["(any other audio)", config.speech_default_text]]
    rows += [[key, text] for key, text in sorted(config.transcripts.items())]
    return Table(("audio URL or content MD5", "transcript"), rows)
