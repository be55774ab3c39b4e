"""CLI: content services (``rtm translate``, ``rtm profanity``, ``rtm check text|image|audio|
video``, ``rtm speech``)."""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path
from typing import Any

from rtm._cli.argtypes import int64, int_range
from rtm._cli.commands import CommandError, Context, _text_arg
from rtm.api.models import CheckResult, MediaSource

_srate = int_range(0, 2**31 - 1, "srate")


def _media(ctx: Context, a: argparse.Namespace, what: str) -> tuple[str | bytes, MediaSource]:
    """SOURCE is a URL; with --file it is a local file (``-``: stdin) sent as content."""
    if not a.file:
        return a.source, MediaSource.URL
    if a.source == "-":
        data: bytes = (sys.stdin.buffer.read() if ctx.stdin is sys.stdin
                       else ctx.stdin.read().encode())
    else:
        try:
            data = Path(a.source).read_bytes()
        except OSError as exc:
            raise CommandError(f"cannot read the {what} {a.source}: {exc.strerror}") from None
    if not data:
        raise CommandError(f"the {what} {a.source} is empty", usage=True)
    return data, MediaSource.CONTENT


def _verdict(ctx: Context, what: str, res: CheckResult) -> None:
    tags = ", ".join(map(str, res.tags))
    text = f"{what}: pass" if res.passed else f"{what}: reject (result {res.result}, tags {tags})"
    ctx.out.result({"result": res.result, "passed": res.passed, "tags": res.tags}, text)


def translate(ctx: Context, a: argparse.Namespace) -> None:
    res = ctx.client().translate(_text_arg(ctx, a.text), a.source_lang or "", a.to,
                                 a.type or "", a.profanity or "", a.post_profanity, a.uid)
    ctx.out.result(dataclasses.asdict(res), res.target_text)
    if not ctx.out.json and a.source_lang is None:
        ctx.out.note(f"(detected {res.source_language})")


def profanity(ctx: Context, a: argparse.Namespace) -> None:
    res = ctx.client().profanity(_text_arg(ctx, a.text), a.classify, a.uid)
    ctx.out.result(dataclasses.asdict(res), res.text)
    if a.classify and not ctx.out.json:
        ctx.out.note("classes: " + (", ".join(res.classification) or "none"))


def check_text(ctx: Context, a: argparse.Namespace) -> None:
    res = ctx.client().text_check(_text_arg(ctx, a.text), a.uid)
    obj: dict[str, Any] = dataclasses.asdict(res)
    obj["passed"] = res.passed
    if res.passed:
        text = "text: pass"
    elif res.text:
        text = f"text: reject, censored: {res.text}"
    else:
        text = "text: reject, block it"
    if not res.passed:
        text += f" (tags {', '.join(map(str, res.tags))}; words {', '.join(res.wlist)})"
    ctx.out.result(obj, text)


def check_image(ctx: Context, a: argparse.Namespace) -> None:
    image, kind = _media(ctx, a, "image")
    _verdict(ctx, "image", ctx.client().image_check(image, kind, a.uid))


def check_audio(ctx: Context, a: argparse.Namespace) -> None:
    audio, kind = _media(ctx, a, "audio")
    _verdict(ctx, "audio", ctx.client().audio_check(audio, kind, a.lang, a.codec, a.srate,
                                                    a.uid))


def check_video(ctx: Context, a: argparse.Namespace) -> None:
    video, kind = _media(ctx, a, "video")
    name = a.name if a.name is not None else (Path(a.source).name if a.file else "")
    _verdict(ctx, "video", ctx.client().video_check(video, kind, name, a.uid))


def speech(ctx: Context, a: argparse.Namespace) -> None:
    audio, kind = _media(ctx, a, "audio")
    res = ctx.client().speech_to_text(audio, kind, a.lang, a.codec, a.srate, a.uid)
    ctx.out.result(dataclasses.asdict(res), res.text)


def _uid(p: argparse.ArgumentParser) -> None:
    p.add_argument("--uid", type=int64, default=0,
                   help="the end user the content comes from (default: none)")


def _source(p: argparse.ArgumentParser, what: str) -> None:
    p.add_argument("source", metavar="SOURCE",
                   help=f"the {what}'s URL; with --file a local file ('-' reads stdin)")
    p.add_argument("--file", action="store_true",
                   help="SOURCE is a file whose content is sent (instead of a URL)")


def _audio_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--lang", required=True, help="language code of the speech, e.g. en, zh_cn")
    p.add_argument("--codec", default="",
                   help="AMR_WB (server default), AMR_NB, OPUS, SPEEX or PCM")
    p.add_argument("--srate", type=_srate, default=0,
                   help="sample rate in Hz (default: the server's, 16000)")


def register(tree: Any, top: Any) -> None:
    """Add ``translate``, ``profanity``, ``check`` and ``speech``."""
    p = tree.leaf(top, "translate", "translate a text (translate)", translate,
                  "rtm translate 'hello world' --to zh_cn",
                  "rtm translate 'you badword' --to fr --from en --profanity censor",
                  description="Translate TEXT into the --to language. The source language "
                              "is detected unless --from is given.")
    p.add_argument("text", metavar="TEXT", help="text to translate; '-' reads stdin")
    p.add_argument("--to", required=True, help="target language, e.g. en, fr, zh_cn, ja")
    p.add_argument("--from", dest="source_lang", default=None,
                   help="source language (default: detected by the server)")
    p.add_argument("--type", choices=["chat", "mail"], default=None,
                   help="chat (default): whitespace runs collapsed; mail: kept")
    p.add_argument("--profanity", choices=["off", "stop", "censor"], default=None,
                   help="off (default), stop (refuse listed words) or censor (mask them)")
    p.add_argument("--post-profanity", action="store_true",
                   help="also censor the translation")
    _uid(p)

    p = tree.leaf(top, "profanity", "mask the profane words of a text (profanity)", profanity,
                  "rtm profanity 'some badword here' --classify")
    p.add_argument("text", metavar="TEXT", help="text to filter; '-' reads stdin")
    p.add_argument("--classify", action="store_true", help="also name the classes found")
    _uid(p)

    chk = tree.group(top, "check", "moderate a text, image, audio or video",
                     "rtm check text 'this is a badword'",
                     "rtm check image https://media.test/photo.png",
                     "rtm check video clip.mp4 --file")
    p = tree.leaf(chk, "text", "moderate a text (text_check)", check_text,
                  "rtm check text 'buy spamword now'")
    p.add_argument("text", metavar="TEXT", help="text to check; '-' reads stdin")
    _uid(p)
    p = tree.leaf(chk, "image", "moderate an image (image_check)", check_image,
                  "rtm check image https://media.test/photo.png",
                  "rtm check image ./photo.png --file")
    _source(p, "image")
    _uid(p)
    p = tree.leaf(chk, "audio", "moderate speech (audio_check)", check_audio,
                  "rtm check audio https://media.test/voice.amr --lang en")
    _source(p, "audio")
    _audio_options(p)
    _uid(p)
    p = tree.leaf(chk, "video", "moderate a video (video_check)", check_video,
                  "rtm check video https://media.test/clip.mp4",
                  "rtm check video ./clip.mp4 --file")
    _source(p, "video")
    p.add_argument("--name", default=None,
                   help="video name (default: the file's name with --file, else empty)")
    _uid(p)

    p = tree.leaf(top, "speech", "transcribe speech (speech_to_text)", speech,
                  "rtm speech https://media.test/voice.amr --lang en",
                  "rtm speech ./voice.amr --file --lang en --codec AMR_WB")
    _source(p, "audio")
    _audio_options(p)
    _uid(p)
