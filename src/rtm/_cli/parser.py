"""The argparse tree of the ``rtm`` command and :func:`run`, the testable entry point."""

from __future__ import annotations

import argparse
import contextlib
import functools
import io
import logging
import os
import re
import sys
import textwrap
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, TextIO

from rtm._cli import areas as area_commands
from rtm._cli import commands as c
from rtm._cli.argtypes import id_list, int64, int_range, positive_float, time_ms
from rtm._cli.config import DEFAULT_ENDPOINT, ENV_VARS, ConfigError
from rtm._cli.hints import describe_error
from rtm._cli.output import Output
from rtm._version import __version__
from rtm._wirelog import TRACE
from rtm.api.core import PROTOCOLS
from rtm.api.models import AudioInfo
from rtm.fpnn.crypto import SUPPORTED_CURVES
from rtm.fpnn.errors import FPNNError
from rtm.settings import DEV_PID

__all__ = ["build_parser", "run"]

PROG = "rtm"
MESSAGE_MTYPE = 30
FILE_MTYPE = 50
_mtype = int_range(1, 127, "mtype")
_seconds = int_range(-(2**31), 2**31 - 1, "seconds")
_count = int_range(1, 2**31 - 1, "count")
_num = int_range(1, 20, "num")

#: global options that take a value (for finding the subcommand before parsing)
_VALUE_OPTIONS = frozenset({"--endpoint", "--pid", "--secret", "--pem", "--timeout", "--config"})
_APPS = ("server", "demo")


class _Formatter(argparse.RawDescriptionHelpFormatter):
    def __init__(self, prog: str) -> None:
        super().__init__(prog, max_help_position=30)


def _wrap(text: str) -> str:
    return text if "\n" in text else textwrap.fill(text, 88)


def _examples(*lines: str) -> str:
    body = "\n".join(f"  {line}" for line in lines)
    return f"example{'s' if len(lines) > 1 else ''}:\n{body}"


def _common(top: bool) -> argparse.ArgumentParser:
    """Options accepted before the command (top) and after it (leaves).

    Leaves use SUPPRESS defaults so that an option not repeated after the command does not
    overwrite the value given before it.
    """
    sup: Any = argparse.SUPPRESS
    p = argparse.ArgumentParser(add_help=False)
    g = p.add_argument_group("connection (flags > environment > config file > local server)")
    g.add_argument("--endpoint", metavar="HOST:PORT", default=None if top else sup,
                   help=f"server API endpoint (${ENV_VARS['endpoint']}; "
                        f"default {DEFAULT_ENDPOINT}, a local 'rtm server')")
    g.add_argument("--pid", metavar="PID", default=None if top else sup,
                   help=f"project id (${ENV_VARS['pid']}; default {DEV_PID}, the local "
                        "development project)")
    g.add_argument("--secret", metavar="KEY", default=None if top else sup,
                   help=f"project secret key (${ENV_VARS['secret']})")
    g.add_argument("--pem", metavar="PATH", default=None if top else sup,
                   help=f"server public key: encrypt the connection (${ENV_VARS['pem']})")
    g.add_argument("--timeout", metavar="SECONDS", type=positive_float,
                   default=None if top else sup,
                   help=f"connect and request timeout (${ENV_VARS['timeout']}; default 30)")
    g.add_argument("--protocol", choices=PROTOCOLS, default=None if top else sup,
                   help=f"wire profile: current (Go SDK 0.9.20) or 0.1.0 "
                        f"(${ENV_VARS['protocol']}; default current)")
    g.add_argument("--config", metavar="PATH", default=None if top else sup,
                   help="config file (default $RTM_CONFIG or ~/.config/rtm/config.ini)")
    o = p.add_argument_group("output")
    o.add_argument("--json", action="store_true", default=False if top else sup,
                   help="one JSON object per line (per result, message or push)")
    o.add_argument("-v", "--verbose", action="count", default=0 if top else sup,
                   help="log on stderr: -v connections and tracebacks, -vv one line per "
                        "request and answer, -vvv with their params (secrets masked)")
    return p


class _Tree:
    """Helpers to declare groups and leaves with uniform help and examples."""

    def __init__(self) -> None:
        self.leaf_parent = _common(top=False)
        #: id of a group's parser -> its summary, without the list of its subcommands
        self._stems: dict[int, str] = {}

    def group(self, sub: Any, name: str, help: str, *examples: str,
              description: str | None = None) -> Any:
        p = sub.add_parser(name, help=help, description=_wrap(description or help),
                           epilog=_examples(*examples), formatter_class=_Formatter)
        p.set_defaults(handler=None)
        self._stems[id(p)] = help
        return p.add_subparsers(title="commands", metavar="COMMAND", required=True)

    def restate(self, parser: argparse.ArgumentParser, summary: str) -> None:
        """A new summary for the group ``parser`` (its subcommands are still listed after
        it in ``rtm --help``)."""
        self._stems[id(parser)] = summary
        parser.description = _wrap(summary)

    def list_subcommands(self, top: Any) -> None:
        """Each top-level group's line in ``rtm --help``: its summary, then its subcommands
        as they are registered, so the listing cannot fall behind the commands."""
        for choice in top._choices_actions:
            parser = top.choices[choice.dest]
            stem = self._stems.get(id(parser))
            if stem is None:
                continue  # a leaf
            names = [a.dest for sub in parser._actions
                     if isinstance(sub, argparse._SubParsersAction)
                     for a in sub._choices_actions]
            choice.help = f"{stem} ({', '.join(names)})"

    def leaf(self, sub: Any, name: str, help: str, handler: c.Handler, *examples: str,
             description: str | None = None,
             aliases: Sequence[str] = ()) -> argparse.ArgumentParser:
        p: argparse.ArgumentParser = sub.add_parser(
            name, help=help, aliases=list(aliases),
            description=_wrap(description or help), epilog=_examples(*examples),
            formatter_class=_Formatter, parents=[self.leaf_parent])
        p.set_defaults(handler=handler)
        return p


def _message_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("message", metavar="MESSAGE",
                   help="message text; '-' reads stdin as raw bytes (sent as text when it is "
                        "UTF-8, else as a binary message: rtm send p2p 1 2 - < file.bin)")
    enc = p.add_mutually_exclusive_group()
    enc.add_argument("--base64", action="store_true",
                     help="MESSAGE (or stdin) is base64: send the decoded bytes as binary")
    enc.add_argument("--hex", action="store_true",
                     help="MESSAGE (or stdin) is hex: send the decoded bytes as binary")
    enc.add_argument("--binary", action="store_true",
                     help="send MESSAGE (or stdin, byte for byte) as binary even if it is "
                          "UTF-8 text")
    p.add_argument("--mtype", type=_mtype, default=MESSAGE_MTYPE,
                   help=f"message type 1..127 (default {MESSAGE_MTYPE})")
    p.add_argument("--attrs", default="", help="message attributes (a JSON string by convention)")
    p.add_argument("--mid", type=int64, default=None,
                   help="message id (default: generated; printed in the result)")


def _file_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("path", metavar="PATH", help="file to send; '-' reads stdin (then give --name)")
    p.add_argument("--name", default=None,
                   help="file name shown to receivers (default: PATH's; required with '-')")
    p.add_argument("--extension", default=None,
                   help="file extension (default: the part of the name after its last dot)")
    p.add_argument("--mtype", type=_mtype, default=FILE_MTYPE,
                   help=f"message type (default {FILE_MTYPE}, a file)")
    p.add_argument("--mid", type=int64, default=None, help="message id (default: generated)")
    p.add_argument("--attrs", default="",
                   help="custom attrs (JSON object text, or any string; current protocol)")
    p.add_argument("--audio", type=_audio, default=None, metavar="CODEC,SRATE,LANG,MS",
                   help="an RTM audio message, e.g. amr-wb,16000,en,3000 (use --mtype 41)")


def _mtypes(text: str) -> list[int]:
    """``30,32``: message types 1..127."""
    try:
        return [_mtype(part.strip()) for part in text.split(",") if part.strip()]
    except argparse.ArgumentTypeError as exc:
        raise argparse.ArgumentTypeError(f"--mtypes: {exc}") from None


def _audio(text: str) -> AudioInfo:
    """``CODEC,SRATE,LANG,DURATION_MS`` (e.g. ``amr-wb,16000,en,3000``)."""
    parts = [part.strip() for part in text.split(",")]
    if len(parts) != 4 or not parts[1].isdigit() or not parts[3].isdigit():
        raise argparse.ArgumentTypeError(
            f"expected CODEC,SRATE,LANG,DURATION_MS (e.g. amr-wb,16000,en,3000), got {text!r}")
    return AudioInfo(parts[0], int(parts[1]), parts[2], int(parts[3]))


def _history_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--desc", action="store_true",
                   help="newest first, paging backwards from --end (default: oldest first "
                        "from --begin)")
    p.add_argument("--num", type=_num, default=None,
                   help=f"messages per page, 1..20 (default {c.DEFAULT_PAGE_SIZE}; "
                        f"{c.ALL_PAGE_SIZE} with --all)")
    p.add_argument("--begin", type=time_ms, default=None, metavar="TIME",
                   help="oldest time: ms since the epoch, ISO 8601 (2024-05-01T12:00Z), "
                        "'now' or relative (-2h, -7d); default: no limit")
    p.add_argument("--end", type=time_ms, default=None, metavar="TIME",
                   help="newest time, same forms (default: now)")
    p.add_argument("--lastid", type=int64, default=0,
                   help="continue after this message id (printed after a full page)")
    p.add_argument("--mtypes", type=_mtypes, default=None, metavar="MTYPE,...",
                   help="only these message types, e.g. 30,32 (chat and cmd)")
    p.add_argument("--all", action="store_true",
                   help="page through every matching message (progress on a terminal)")
    p.add_argument("--limit", type=_count, default=None,
                   help="with --all: stop after this many messages")


def _ban_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--seconds", "-s", type=_seconds, default=0,
                   help="ban duration (default 0 = permanent)")
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--remove", action="store_true", help="lift the ban instead")
    mode.add_argument("--check", action="store_true", help="only tell whether a ban is active")


def _env_list() -> str:
    names = [f"${v}" for v in ENV_VARS.values()]
    return ", ".join(names[:3]) + ",\n" + ", ".join(names[3:])


@functools.cache
def _parser() -> argparse.ArgumentParser:
    """The parser ``run`` uses, built once: parsing does not change it, and building it is
    most of what an in-process ``run`` costs."""
    return build_parser()


def build_parser() -> argparse.ArgumentParser:
    t = _Tree()
    parser = argparse.ArgumentParser(
        prog=PROG,
        description=(
            f"Command line for the RTM server API (rtm-server-sdk {__version__}).\n\n"
            f"Connection settings come from flags, the environment ({_env_list()}),\n"
            "a config file ($RTM_CONFIG or ~/.config/rtm/config.ini, section [rtm]) or,\n"
            "with none of them, the development project of a local server: 'rtm server'."),
        epilog=_examples("rtm server &", "rtm send p2p 1 2 hello",
                         "rtm --json history p2p 1 2 --all | jq .message",
                         "rtm listen --p2p --group 5"),
        formatter_class=_Formatter, parents=[_common(top=True)])
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.set_defaults(handler=None)
    top = parser.add_subparsers(title="commands", metavar="COMMAND", required=True)

    # --- send
    send = t.group(top, "send", "send a message",
                   "rtm send p2p 1 2 hello", "rtm send group 1 5 'hello group' --mtype 31",
                   "echo hi | rtm send multi 1 2,3,4 -", "rtm send p2p 1 2 AP8= --base64",
                   "rtm send p2p 1 2 - < payload.bin")
    p = t.leaf(send, "p2p", "send a P2P message (send_message / Go SendMessage)", c.send_p2p,
               "rtm send p2p 1 2 hello --attrs '{\"lang\": \"en\"}'")
    p.add_argument("from_uid", metavar="FROM", type=int64, help="sender uid")
    p.add_argument("to_uid", metavar="TO", type=int64, help="receiver uid")
    _message_options(p)
    p = t.leaf(send, "multi", "send one P2P message to several users (send_messages)",
               c.send_multi, "rtm send multi 1 2,3,4 hello")
    p.add_argument("from_uid", metavar="FROM", type=int64, help="sender uid")
    p.add_argument("to_uids", metavar="TO,TO...", type=id_list,
                   help="receiver uids, comma-separated")
    _message_options(p)
    p = t.leaf(send, "group", "send a group message (send_group_message)", c.send_group,
               "rtm send group 1 5 hello")
    p.add_argument("from_uid", metavar="FROM", type=int64, help="sender uid (a group member)")
    p.add_argument("group_id", metavar="GROUP", type=int64, help="group id")
    _message_options(p)
    p = t.leaf(send, "room", "send a room message (send_room_message)", c.send_room,
               "rtm send room 1 7 hello")
    p.add_argument("from_uid", metavar="FROM", type=int64, help="sender uid (in the room)")
    p.add_argument("room_id", metavar="ROOM", type=int64, help="room id")
    _message_options(p)
    p = t.leaf(send, "broadcast", "send a message to every user (send_broadcast_message)",
               c.send_broadcast, "rtm send broadcast 1 'maintenance at 22:00'")
    p.add_argument("from_uid", metavar="FROM", type=int64, help="sender uid (an admin uid)")
    _message_options(p)

    # --- history
    hist = t.group(top, "history", "read message history",
                   "rtm history p2p 1 2", "rtm history group 5 --desc --num 20",
                   "rtm history room 7 --begin 2024-05-01 --end now --all",
                   "rtm --json history broadcast --all --limit 100")
    p = t.leaf(hist, "p2p", "P2P conversation between two users (get_p2p_message)",
               c.history_p2p, "rtm history p2p 1 2 --desc --num 5")
    p.add_argument("uid", metavar="UID", type=int64, help="one user")
    p.add_argument("peer_uid", metavar="PEER", type=int64, help="the other user")
    _history_options(p)
    p = t.leaf(hist, "group", "group messages (get_group_message)", c.history_group,
               "rtm history group 5 --begin -1d --all")
    p.add_argument("group_id", metavar="GROUP", type=int64, help="group id")
    _history_options(p)
    p = t.leaf(hist, "room", "room messages (get_room_message)", c.history_room,
               "rtm history room 7 --desc")
    p.add_argument("room_id", metavar="ROOM", type=int64, help="room id")
    _history_options(p)
    p = t.leaf(hist, "broadcast", "broadcast messages (get_broadcast_message)",
               c.history_broadcast, "rtm history broadcast --num 20")
    _history_options(p)

    # --- friends
    fr = t.group(top, "friends", "friend relations",
                 "rtm friends add 1 2 3", "rtm friends list 1", "rtm friends check 1 2")
    p = t.leaf(fr, "add", "add friends, up to 100 (add_friends)", c.friends_add,
               "rtm friends add 1 2 3,4")
    p.add_argument("uid", metavar="UID", type=int64, help="user")
    p.add_argument("friend_uids", metavar="FRIEND", type=id_list, nargs="+", help="friend uids")
    p = t.leaf(fr, "del", "remove friends, up to 100 (del_friends)", c.friends_del,
               "rtm friends del 1 3")
    p.add_argument("uid", metavar="UID", type=int64, help="user")
    p.add_argument("friend_uids", metavar="FRIEND", type=id_list, nargs="+", help="friend uids")
    p = t.leaf(fr, "list", "list a user's friends (get_friends)", c.friends_list,
               "rtm friends list 1")
    p.add_argument("uid", metavar="UID", type=int64, help="user")
    p = t.leaf(fr, "check", "are they friends? one peer: is_friend, several: is_friends",
               c.friends_check, "rtm friends check 1 2 3 4")
    p.add_argument("uid", metavar="UID", type=int64, help="user")
    p.add_argument("peer_uids", metavar="PEER", type=id_list, nargs="+", help="uids to check")

    # --- group
    gr = t.group(top, "group", "group membership",
                 "rtm group add 5 1 2 3", "rtm group members 5", "rtm group of-user 1")
    p = t.leaf(gr, "add", "add members, up to 100; creates the group (add_group_members)",
               c.group_add, "rtm group add 5 1 2 3")
    p.add_argument("group_id", metavar="GROUP", type=int64, help="group id")
    p.add_argument("uids", metavar="UID", type=id_list, nargs="+", help="member uids")
    p = t.leaf(gr, "del", "remove members (del_group_members)", c.group_del,
               "rtm group del 5 3")
    p.add_argument("group_id", metavar="GROUP", type=int64, help="group id")
    p.add_argument("uids", metavar="UID", type=id_list, nargs="+", help="member uids")
    p = t.leaf(gr, "members", "list the members (get_group_members)", c.group_members,
               "rtm group members 5")
    p.add_argument("group_id", metavar="GROUP", type=int64, help="group id")
    p = t.leaf(gr, "check", "is a user a member? (is_group_member)", c.group_check,
               "rtm group check 5 1")
    p.add_argument("group_id", metavar="GROUP", type=int64, help="group id")
    p.add_argument("uids", metavar="UID", type=id_list, nargs="+", help="uids to check")
    p = t.leaf(gr, "of-user", "the groups of a user (get_user_groups)", c.group_of_user,
               "rtm group of-user 1")
    p.add_argument("uid", metavar="UID", type=int64, help="user")
    p = t.leaf(gr, "delete", "delete a group with its members and bans (del_group)",
               c.group_delete, "rtm group delete 5")
    p.add_argument("group_id", metavar="GROUP", type=int64, help="group id")

    # --- room
    rm = t.group(top, "room", "room membership", "rtm room add 7 1",
                 "rtm room del 7 1")
    p = t.leaf(rm, "add", "put users in a room (add_room_member)", c.room_add,
               "rtm room add 7 1 2")
    p.add_argument("room_id", metavar="ROOM", type=int64, help="room id")
    p.add_argument("uids", metavar="UID", type=id_list, nargs="+", help="uids")
    p = t.leaf(rm, "del", "take users out of a room (del_room_member)", c.room_del,
               "rtm room del 7 1")
    p.add_argument("room_id", metavar="ROOM", type=int64, help="room id")
    p.add_argument("uids", metavar="UID", type=id_list, nargs="+", help="uids")

    # --- ban
    ban = t.group(top, "ban", "bans in groups/rooms and the project black list",
                  "rtm ban group 5 1 --seconds 600", "rtm ban group 5 1 --check",
                  "rtm ban group 5 1 --remove", "rtm ban project 9")
    p = t.leaf(ban, "group", "mute a user in a group (add_group_ban, remove_group_ban, "
               "is_ban_of_group)", c.ban_group, "rtm ban group 5 1 -s 3600")
    p.add_argument("group_id", metavar="GROUP", type=int64, help="group id")
    p.add_argument("uid", metavar="UID", type=int64, help="user")
    _ban_options(p)
    p = t.leaf(ban, "room", "mute a user in a room (add_room_ban, remove_room_ban, "
               "is_ban_of_room)", c.ban_room, "rtm ban room 7 1 --check")
    p.add_argument("room_id", metavar="ROOM", type=int64, help="room id")
    p.add_argument("uid", metavar="UID", type=int64, help="user")
    _ban_options(p)
    p = t.leaf(ban, "project", "block a user from logging in (add_project_black, "
               "remove_project_black, is_project_black)", c.ban_project,
               "rtm ban project 9 --seconds 86400")
    p.add_argument("uid", metavar="UID", type=int64, help="user")
    _ban_options(p)

    # --- message
    msg = t.group(top, "message", "stored messages",
                  "rtm message delete group 1 5 1714557600000001")
    mdel = t.group(msg, "delete", "delete (recall) a message (del_message)",
                   "rtm message delete p2p 1 2 1714557600000001",
                   "rtm message delete broadcast 1 1714557600000002",
                   description="Delete (recall) a stored message, identified like it was "
                               "sent: kind, sender, target and mid (printed by 'rtm send').")
    for kind, handler, target in (("p2p", c.message_delete_p2p, ("to_uid", "TO", "receiver")),
                                  ("group", c.message_delete_group, ("group_id", "GROUP", "group")),
                                  ("room", c.message_delete_room, ("room_id", "ROOM", "room")),
                                  ("broadcast", c.message_delete_broadcast, None)):
        example = f"rtm message delete {kind} 1 {'' if target is None else '5 '}1714557600000001"
        p = t.leaf(mdel, kind, f"delete a {kind} message", handler, example)
        p.add_argument("from_uid", metavar="FROM", type=int64, help="sender uid")
        if target is not None:
            p.add_argument(target[0], metavar=target[1], type=int64, help=f"{target[2]} id")
        p.add_argument("mid", metavar="MID", type=int64, help="message id")

    # --- users
    p = t.leaf(top, "kickout", "disconnect a user's clients (kickout)", c.kickout,
               "rtm kickout 1", "rtm kickout 1 --client-endpoint 10.0.0.7:53122")
    p.add_argument("uid", metavar="UID", type=int64, help="user")
    p.add_argument("--client-endpoint", default="", metavar="IP:PORT",
                   help="only this client connection (default: all of them)")
    p = t.leaf(top, "token", "a client login token for a user (get_token)", c.token,
               "rtm token 1")
    p.add_argument("uid", metavar="UID", type=int64, help="user")
    p = t.leaf(top, "online", "which of these users are online (get_online_users)", c.online,
               "rtm online 1 2 3", "rtm online 1,2,3")
    p.add_argument("uids", metavar="UID", type=id_list, nargs="+", help="uids, up to 200")

    dev = t.group(top, "device", "push-notification devices",
                  "rtm device add 1 apns 740f4707bebcf74f9b7c25d48e3358945f6aa01d",
                  "rtm device remove 1 740f4707bebc")
    p = t.leaf(dev, "add", "register a device token (add_device)", c.device_add,
               "rtm device add 1 fcm dGVzdC10b2tlbg")
    p.add_argument("uid", metavar="UID", type=int64, help="user")
    p.add_argument("app_type", metavar="APPTYPE", choices=c.APP_TYPES, type=str.lower,
                   help=f"{' or '.join(c.APP_TYPES)}")
    p.add_argument("device_token", metavar="TOKEN", help="device token")
    p = t.leaf(dev, "remove", "unregister a device token (remove_device)", c.device_remove,
               "rtm device remove 1 dGVzdC10b2tlbg")
    p.add_argument("uid", metavar="UID", type=int64, help="user")
    p.add_argument("device_token", metavar="TOKEN", help="device token")

    # --- file
    fl = t.group(top, "file", "files", "rtm file send p2p 1 2 report.pdf")
    fsend = t.group(fl, "send", "send a file (p2p, multi, group, room, broadcast)",
                    "rtm file send p2p 1 2 photo.jpg", "rtm file send group 1 5 notes.txt",
                    "cat log.txt | rtm file send room 1 7 - --name log.txt")
    p = t.leaf(fsend, "p2p", "send a file to a user (send_file)", c.file_p2p,
               "rtm file send p2p 1 2 photo.jpg")
    p.add_argument("from_uid", metavar="FROM", type=int64, help="sender uid")
    p.add_argument("to_uid", metavar="TO", type=int64, help="receiver uid")
    _file_options(p)
    p = t.leaf(fsend, "multi", "send a file to several users (send_files)", c.file_multi,
               "rtm file send multi 1 2,3 photo.jpg")
    p.add_argument("from_uid", metavar="FROM", type=int64, help="sender uid")
    p.add_argument("to_uids", metavar="TO,TO...", type=id_list, help="receiver uids")
    _file_options(p)
    p = t.leaf(fsend, "group", "send a file to a group (send_group_file)", c.file_group,
               "rtm file send group 1 5 notes.txt")
    p.add_argument("from_uid", metavar="FROM", type=int64, help="sender uid")
    p.add_argument("group_id", metavar="GROUP", type=int64, help="group id")
    _file_options(p)
    p = t.leaf(fsend, "room", "send a file to a room (send_room_file)", c.file_room,
               "rtm file send room 1 7 notes.txt")
    p.add_argument("from_uid", metavar="FROM", type=int64, help="sender uid")
    p.add_argument("room_id", metavar="ROOM", type=int64, help="room id")
    _file_options(p)
    p = t.leaf(fsend, "broadcast", "send a file to everybody (send_broadcast_file)",
               c.file_broadcast, "rtm file send broadcast 1 notice.pdf")
    p.add_argument("from_uid", metavar="FROM", type=int64, help="sender uid")
    _file_options(p)

    # --- listen
    p = t.leaf(top, "listen", "print pushed messages and events until Ctrl-C "
               "(set_listen / add_listen)", c.listen,
               "rtm listen", "rtm listen --p2p --group 5 --room 7,8 --event login",
               "rtm --json listen --all | jq -c 'select(.type == \"p2p\")'",
               "rtm listen --p2p --count 1 --ready-file listening &",
               description="Stay connected and print each pushed message or event as it "
                           "arrives, until Ctrl-C or SIGTERM (exit code 0). Without a "
                           "filter it listens to everything (--all). It is ready when "
                           "'listening to ...' is on stderr (or --ready-file exists): "
                           "messages sent before that are not printed.")
    p.add_argument("--p2p", action="store_true", help="all P2P messages of the project")
    p.add_argument("--uid", dest="uids", action="append", type=id_list, metavar="UID",
                   help="P2P messages from or to these users (repeatable, or comma-separated)")
    p.add_argument("--group", dest="groups", action="append", type=id_list, metavar="GROUP",
                   help="messages of these groups (repeatable, or comma-separated)")
    p.add_argument("--room", dest="rooms", action="append", type=id_list, metavar="ROOM",
                   help="messages of these rooms (repeatable, or comma-separated)")
    p.add_argument("--event", dest="events", action="append", metavar="EVENT",
                   help="events: login, logout (repeatable, or comma-separated)")
    p.add_argument("--all", action="store_true", help="every message and event")
    p.add_argument("--count", type=_count, default=None,
                   help="exit after printing this many pushes")
    p.add_argument("--ready-file", metavar="PATH", default=None,
                   help="create PATH once the server has confirmed the listen settings "
                        "(pushes sent from then on are printed); removed again on exit")

    for register in area_commands.REGISTER:
        register(t, top)

    # --- config
    p = t.leaf(top, "config", "show the connection settings in effect and their sources",
               c.config_show, "RTM_ENDPOINT=rtm.example.com:13315 rtm config")

    # --- keygen
    p = t.leaf(top, "keygen", "make an ECC key pair for encrypted connections", c.keygen,
               "rtm keygen && rtm server --ecc-key server-private.pem",
               "rtm --pem server-public.pem send p2p 1 2 'encrypted hello'",
               "rtm keygen --curve secp256r1 --public-der server-public.der",
               description="Write a server key pair: the private key is for the server "
                           "(rtm server --ecc-key), the public key for clients (--pem, "
                           "RTM_PEM, enable_encryptor()).")
    p.add_argument("--private", default="server-private.pem", metavar="PATH",
                   help="private key file (default server-private.pem, mode 0600)")
    p.add_argument("--public", default="server-public.pem", metavar="PATH",
                   help="public key file (default server-public.pem)")
    p.add_argument("--public-der", default=None, metavar="PATH",
                   help="also write the public key as DER SubjectPublicKeyInfo (the form "
                        "the Java client SDKs load with X509EncodedKeySpec)")
    p.add_argument("--curve", default="secp256k1", choices=SUPPORTED_CURVES,
                   help="elliptic curve (default secp256k1)")
    p.add_argument("--force", action="store_true", help="overwrite existing files")

    # --- apps (delegated before parsing; declared here for the help listing)
    for name, help in (("server", "run a local RTM server (see 'rtm server --help')"),
                       ("demo", "a guided tour of the SDK on a local server it starts")):
        p = top.add_parser(name, help=help, add_help=False, description=help,
                           epilog=_examples(f"rtm {name}"), formatter_class=_Formatter)
        p.add_argument("app_args", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
        p.set_defaults(handler=None, app=name)
    t.list_subcommands(top)
    return parser


_RELATIVE_TIME = re.compile(r"^-\d+(?:\.\d+)?(?:ms|s|m|h|d|w)$", re.IGNORECASE)


def _join_relative_times(argv: list[str]) -> list[str]:
    """``--begin -2h`` -> ``--begin=-2h`` (argparse would take ``-2h`` for an option)."""
    out: list[str] = []
    i = 0
    while i < len(argv):
        token = argv[i]
        if (token in ("--begin", "--end") and i + 1 < len(argv)
                and _RELATIVE_TIME.match(argv[i + 1])):
            out.append(f"{token}={argv[i + 1]}")
            i += 2
            continue
        out.append(token)
        i += 1
    return out


def _find_app(argv: Sequence[str]) -> tuple[str, list[str]] | None:
    """``("server"|"demo", rest)`` when the command is one of the delegated apps."""
    i = 0
    while i < len(argv):
        token = argv[i]
        if token in ("-h", "--help", "--version", "--"):
            return None
        if token.startswith("-"):
            i += 2 if token in _VALUE_OPTIONS else 1
            continue
        return (token, list(argv[i + 1:])) if token in _APPS else None
    return None


def _subparser(parser: argparse.ArgumentParser, name: str) -> argparse.ArgumentParser:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            sub: argparse.ArgumentParser = action.choices[name]
            return sub
    raise KeyError(name)  # pragma: no cover


def _server_help(stdout: TextIO) -> int:
    from rtm.server.__main__ import build_parser as server_parser

    parser = server_parser(prog=f"{PROG} server")
    parser.formatter_class = _Formatter
    parser.epilog = _examples(f"{PROG} server", f"{PROG} server --port 0 --db :memory:",
                              f"{PROG} server --project 11000001:my-secret --db ./rtm.db")
    stdout.write(parser.format_help())
    return 0


@contextlib.contextmanager
def _streams(stdout: TextIO, stderr: TextIO) -> Iterator[None]:
    """argparse prints to sys.stdout/sys.stderr: point them at our streams while parsing."""
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        yield


def _exit_code(exc: SystemExit) -> int:
    if exc.code is None:
        return 0
    return exc.code if isinstance(exc.code, int) else 2


_LEVELS = (logging.INFO, logging.DEBUG, TRACE)  # -v, -vv, -vvv


@contextlib.contextmanager
def _verbose_logging(verbosity: int, stderr: TextIO) -> Iterator[None]:
    """``-v``: the SDK's log on stderr (INFO, DEBUG, TRACE). Without it nothing is logged:
    the command reports failures itself, in one ``error:`` line."""
    log = logging.getLogger("rtm")
    handler: logging.Handler
    if verbosity <= 0:
        handler = logging.NullHandler()  # keeps logging's last-resort stderr handler away
    else:
        handler = logging.StreamHandler(stderr)
        handler.setFormatter(
            logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    old_level = log.level
    log.addHandler(handler)
    if verbosity > 0:
        log.setLevel(_LEVELS[min(verbosity, len(_LEVELS)) - 1])
    try:
        yield
    finally:
        log.removeHandler(handler)
        log.setLevel(old_level)


def run(
    argv: Sequence[str] | None = None,
    *,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
    stdin: TextIO | None = None,
    env: Mapping[str, str] | None = None,
) -> int:
    """Run the ``rtm`` command and return its exit code (0 ok, 1 RTM/transport error,
    2 usage error, 130 interrupted). Streams and environment default to the process ones."""
    argv = list(sys.argv[1:] if argv is None else argv)
    stdout = stdout if stdout is not None else sys.stdout
    stderr = stderr if stderr is not None else sys.stderr
    stdin = stdin if stdin is not None else sys.stdin
    env = env if env is not None else os.environ

    app = _find_app(argv)
    out = Output(False, stdout, stderr)
    if app is not None:
        name, rest = app
        try:
            if name == "server":
                if "-h" in rest or "--help" in rest:
                    return _server_help(stdout)
                return c.run_server(rest)
            if "-h" in rest or "--help" in rest:
                stdout.write(_subparser(_parser(), name).format_help())
                return 0
            return c.run_demo(rest)
        except c.CommandError as exc:
            out.error(str(exc))
            return 2 if exc.usage else 1
        except KeyboardInterrupt:
            return 130

    parser = _parser()
    with _streams(stdout, stderr):
        try:
            args = parser.parse_args(_join_relative_times(argv))
        except SystemExit as exc:
            return _exit_code(exc)
    out = Output(bool(getattr(args, "json", False)), stdout, stderr)
    ctx = c.Context(args, out, env, stdin)
    verbosity = int(getattr(args, "verbose", 0) or 0)
    verbose = verbosity > 0
    with _verbose_logging(verbosity, stderr):
        try:
            code = args.handler(ctx, args)
            return int(code or 0)
        except ConfigError as exc:
            out.error(str(exc))
            return 2
        except c.CommandError as exc:
            out.error(str(exc))
            return 2 if exc.usage else 1
        except FPNNError as exc:
            _log_exception(verbose, exc)
            out.error(describe_error(exc, ctx.settings_or_none()))
            return 1
        except (TypeError, ValueError) as exc:  # SDK argument validation
            _log_exception(verbose, exc)
            out.error(str(exc))
            return 2
        except BrokenPipeError:
            _silence_stdout(stdout)
            return 0
        except OSError as exc:  # e.g. an unreadable --pem file
            _log_exception(verbose, exc)
            out.error(str(exc))
            return 1
        except KeyboardInterrupt:
            return 130
        finally:
            with contextlib.suppress(Exception):  # closing never hides the outcome
                ctx.close()


def _log_exception(verbose: bool, exc: BaseException) -> None:
    if verbose:
        logging.getLogger("rtm.cli").error("command failed", exc_info=exc)


def _silence_stdout(stdout: TextIO) -> None:
    """After EPIPE (``rtm ... | head``) make the final flush at exit harmless."""
    if stdout is sys.stdout:
        with contextlib.suppress(OSError, ValueError, io.UnsupportedOperation):
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
