"""File gate (spec §3): token, checksum, limits, storage, delivery, getfile."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import pytest

from rtm.fpnn.client import FPNNClient
from rtm.fpnn.errors import FPNNError
from rtm.server import RTMServer

from .conftest import API, PID, SECRET, ServerFactory, UserFactory, file_sign

F = "from"
CONTENT = b"hello file content\n"


@pytest.fixture
async def files(server: RTMServer) -> AsyncIterator[FPNNClient]:
    client = FPNNClient(server.file_endpoint)
    yield client
    await client.close()


def flat_attrs(content: bytes, token: str, filename: str = "notes", **extra: str) -> str:
    attrs = {"sign": file_sign(content, token), **extra}
    if filename:
        attrs["filename"] = filename
    return json.dumps(attrs, sort_keys=True, separators=(",", ":"))


async def send_file(api: API, files: FPNNClient, cmd: str, target: dict[str, Any],
                    content: bytes = CONTENT, *, from_uid: int = 1, mid: int = 1,
                    mtype: int = 50, attrs: str | None = None, ext: str = "txt"
                    ) -> dict[str, Any]:
    ticket = await api("filetoken", cmd=cmd, **target, **{F: from_uid})
    token = ticket["token"]
    if attrs is None:
        attrs = flat_attrs(content, token, exit=ext)
    client = files if ticket["endpoint"] == files.endpoint else FPNNClient(ticket["endpoint"])
    return await client.quest(cmd, {"pid": api.pid, "token": token, "mtype": mtype,
                                     F: from_uid, **target, "mid": mid, "file": content,
                                     "attrs": attrs})


async def file_error(files: FPNNClient, cmd: str, payload: dict[str, Any]) -> int:
    try:
        answer = await files.quest(cmd, payload)
    except FPNNError as exc:
        return exc.code
    raise AssertionError(f"{cmd} succeeded: {answer}")


async def test_sendfile_end_to_end(server: RTMServer, api: API, files: FPNNClient,
                                   user: UserFactory) -> None:
    receiver = await user(2)
    listener = API(server.endpoint)
    await listener("addlisten", p2p=True)
    try:
        answer = await send_file(api, files, "sendfile", {"to": 2})
        assert isinstance(answer["mtime"], int)
        method, push = await receiver.pushes.next()
        assert method == "pushmsg" and push["ftype"] == 100 and push["mtype"] == 50
        assert push[F] == 1 and push["mtime"] == answer["mtime"]
        # flat 0.1.0 attrs with a file mtype: stored in the current format (spec current §5.6)
        body = json.loads(push["msg"])
        url = body["url"]
        prefix = f"{server.file_base_url}/{PID}/"
        assert url.startswith(prefix) and body == {"url": url, "size": len(CONTENT)}
        file_id = url[len(prefix):]
        assert len(file_id) >= 32 and not file_id.isdigit()  # its own id, not the mid
        attrs = json.loads(push["attrs"])
        assert attrs["custom"] == "" and attrs["rtm"]["ext"] == "txt"
        _, server_push = await listener.pushes.next()
        assert server_push["msg"] == push["msg"] and server_push["to"] == 2
        page = await api("getp2pmsg", uid=1, ouid=2, desc=True, num=1, begin=0, end=0,
                         lastid=0)
        assert page["msgs"][0][5] == push["msg"] and page["msgs"][0][2] == 50
        # the reference is real: fetch the bytes
        got = await files.quest("getfile", api.signed("getfile", url=url))
        assert got["file"] == CONTENT and got["filename"] == "notes.txt"
        assert got["ext"] == "txt" and got["size"] == len(CONTENT)
        assert got["fileid"] == file_id
        assert (await files.quest("getfile", api.signed("getfile", fileid=file_id)))[
            "file"] == CONTENT
        assert await file_error(files, "getfile", api.signed("getfile", fileid="nope")) == (
            200003)
        bad = api.signed("getfile", url=url)
        bad["sign"] = "0" * 32
        assert await file_error(files, "getfile", bad) == 200002
    finally:
        await listener.close()


async def test_every_file_command(server: RTMServer, api: API, files: FPNNClient,
                                  user: UserFactory) -> None:
    b, c = await user(2), await user(3)
    await api("addgroupmembers", gid=7, uids=[1, 2])
    await api("addroommember", rid=8, uid=1)
    await api("addroommember", rid=8, uid=3)
    await send_file(api, files, "sendfiles", {"tos": [2, 3]}, mid=1)
    assert (await b.pushes.next())[0] == "pushmsg"
    assert (await c.pushes.next())[0] == "pushmsg"
    await send_file(api, files, "sendgroupfile", {"gid": 7}, mid=2, ext="png")
    method, push = await b.pushes.next()
    assert method == "pushgroupmsg" and push["gid"] == 7 and push["ftype"] == 10
    await send_file(api, files, "sendroomfile", {"rid": 8}, mid=3, ext="mp3")
    method, push = await c.pushes.next()
    assert method == "pushroommsg" and push["ftype"] == 11
    await send_file(api, files, "broadcastfile", {}, mid=4, ext="mp4")
    for u in (b, c):
        method, push = await u.pushes.next()
        assert method == "pushbroadcastmsg" and push["ftype"] == 12
    page = await api("getgroupmsg", gid=7, desc=True, num=1, begin=0, end=0, lastid=0)
    group_url = json.loads(page["msgs"][0][5])["url"]
    assert group_url.startswith(f"{server.file_base_url}/{PID}/")
    got = await files.quest("getfile", api.signed("getfile", url=group_url))
    assert got["ext"] == "png" and got["file"] == CONTENT


async def test_checksum_and_token_rules(api: API, files: FPNNClient) -> None:
    ticket = await api("filetoken", cmd="sendfile", to=2, **{F: 1})
    token = ticket["token"]
    base = {"pid": PID, "token": token, "mtype": 50, F: 1, "to": 2, "mid": 1, "file": CONTENT}
    wrong = flat_attrs(b"other bytes", token, exit="txt")
    assert await file_error(files, "sendfile", {**base, "attrs": wrong}) == 200003
    good = flat_attrs(CONTENT, token, exit="txt")
    # bound to (cmd, from, target)
    assert await file_error(files, "sendfile", {**base, "to": 3, "attrs": good}) == 200003
    assert await file_error(files, "sendfile", {**base, F: 9, "attrs": good}) == 200003
    assert await file_error(files, "sendfiles", {**base, "tos": [2], "attrs": good}) == 200003
    # a failed attempt does not use the token up; the sign is case-insensitive
    answer = await files.quest("sendfile", {**base, "attrs": good.upper().replace(
        "SIGN", "sign").replace("EXIT", "exit").replace("FILENAME", "filename")})
    assert isinstance(answer["mtime"], int)
    assert await file_error(files, "sendfile", {**base, "mid": 2, "attrs": good}) == 200003
    unknown = {**base, "token": "NOPE", "attrs": flat_attrs(CONTENT, "NOPE", exit="txt")}
    assert await file_error(files, "sendfile", unknown) == 200003


async def test_file_limits_and_attrs(api: API, files: FPNNClient) -> None:
    token = (await api("filetoken", cmd="sendfile", to=2, **{F: 1}))["token"]
    base = {"pid": PID, "token": token, "mtype": 50, F: 1, "to": 2, "mid": 1, "file": CONTENT}
    good = flat_attrs(CONTENT, token, exit="txt")
    assert await file_error(files, "sendfile", {**base, "mtype": 0, "attrs": good}) == 200005
    big = b"x" * (5_242_880 + 1)
    assert await file_error(files, "sendfile", {**base, "file": big,
                                                "attrs": flat_attrs(big, token)}) == 200031
    long_attrs = flat_attrs(CONTENT, token, exit="txt", pad="p" * 2100)
    assert await file_error(files, "sendfile", {**base, "attrs": long_attrs}) == 200031
    no_sign = json.dumps({"ext": "txt"})
    assert await file_error(files, "sendfile", {**base, "attrs": no_sign}) == 200004
    assert await file_error(files, "sendfile", {**base, "attrs": "not json"}) == 200004
    no_ext = flat_attrs(CONTENT, token, filename="README")
    assert await file_error(files, "sendfile", {**base, "attrs": no_ext}) == 200004
    assert await file_error(files, "sendfile", {**base, "pid": 4242, "attrs": good}) == 200002
    assert await file_error(files, "sendfile", {**base, F: 0, "attrs": good}) == 200001
    assert await file_error(files, "sendfile", {k: v for k, v in base.items()
                                                if k != "file"}) == 10009
    # derived from the filename, or given as ext
    derived = flat_attrs(CONTENT, token, filename="report.final.pdf")
    assert (await files.quest("sendfile", {**base, "attrs": derived}))["mtime"]
    token2 = (await api("filetoken", cmd="sendfile", to=2, **{F: 1}))["token"]
    with_ext = flat_attrs(CONTENT, token2, filename="photo.jpeg", ext="jpeg")
    assert (await files.quest("sendfile", {**base, "token": token2, "mid": 2,
                                           "attrs": with_ext}))["mtime"]


async def test_lenient_attrs_and_strip_sign(make_server: ServerFactory) -> None:
    server = await make_server(file_attrs="lenient", strip_file_sign=True)
    api = API(server.endpoint)
    files = FPNNClient(server.file_endpoint)
    try:
        token = (await api("filetoken", cmd="sendfile", to=2, **{F: 1}))["token"]
        attrs = flat_attrs(CONTENT, token, filename="")
        await files.quest("sendfile", {"pid": PID, "token": token, "mtype": 50, F: 1, "to": 2,
                                       "mid": 1, "file": CONTENT, "attrs": attrs})
        page = await api("getp2pmsg", uid=1, ouid=2, desc=True, num=1)
        assert json.loads(page["msgs"][0][6]) == {"rtm": {}, "custom": ""}
    finally:
        await files.close()
        await api.close()


async def test_nested_attrs_later_generation(api: API, files: FPNNClient,
                                             user: UserFactory) -> None:
    receiver = await user(2)
    for mid, layout in enumerate(("py", "go"), start=1):
        token = (await api("filetoken", cmd="sendfile", to=2, **{F: 1}))["token"]
        sign = file_sign(CONTENT, token)
        if layout == "py":  # PYHEAD builds it by concatenation
            attrs = '{"rtm":{"sign":"' + sign + '", "ext":"jpg"}}'
        else:
            attrs = json.dumps({"custom": {"k": "v"}, "rtm": {"ext": "jpg", "filename": "demo",
                                                              "sign": sign}})
        await files.quest("sendfile", {"pid": PID, "token": token, "mtype": 40, F: 1, "to": 2,
                                       "mid": mid, "file": CONTENT, "attrs": attrs})
        _, push = await receiver.pushes.next()
        body = json.loads(push["msg"])
        assert f"/{PID}/" in body["url"] and body["size"] == len(CONTENT)
        assert body["surl"] == body["url"] + "?thumb=1" and push["ftype"] == 10
        assert list(body) == ["url", "size", "surl"]
        assert push["attrs"] == attrs


async def test_filetoken_target_checks(api: API) -> None:
    await api("addgroupmembers", gid=7, uids=[1])
    await api("addgroupban", gid=7, uid=1, btime=60)
    assert await api.error("filetoken", cmd="sendgroupfile", gid=7, **{F: 1}) == 200044


async def test_file_to_second_project_isolated(make_server: ServerFactory) -> None:
    server = await make_server(projects={PID: SECRET, 2000: "other"})
    api = API(server.endpoint)
    other = API(server.endpoint, 2000, "other")
    files = FPNNClient(server.file_endpoint)
    try:
        await send_file(api, files, "sendfile", {"to": 2})
        page = await api("getp2pmsg", uid=1, ouid=2, desc=True, num=1)
        url = json.loads(page["msgs"][0][5])["url"]
        assert await file_error(files, "getfile", other.signed("getfile", url=url)) == 200003
    finally:
        await files.close()
        await other.close()
        await api.close()


async def test_expired_file_token(api: API, files: FPNNClient, clock: Any) -> None:
    token = (await api("filetoken", cmd="sendfile", to=2, **{F: 1}))["token"]
    clock.advance(301)
    payload = {"pid": PID, "token": token, "mtype": 50, F: 1, "to": 2, "mid": 1,
               "file": CONTENT, "attrs": flat_attrs(CONTENT, token, exit="txt")}
    assert await file_error(files, "sendfile", payload) == 200003


async def test_refused_file_send_is_all_or_nothing(server: RTMServer, api: API,
                                                   files: FPNNClient) -> None:
    """The sender left the group between filetoken and the upload: the send is refused, the
    token stays usable and no blob is stored; after rejoining, the same token works."""
    await api("addgroupmembers", gid=9, uids=[1, 2])
    ticket = await api("filetoken", cmd="sendgroupfile", gid=9, **{F: 1})
    token = ticket["token"]
    await api("delgroupmembers", gid=9, uids=[1])
    content = b"atomic file send\n"
    payload = {"pid": PID, "token": token, "mtype": 50, F: 1, "gid": 9, "mid": 5,
               "file": content, "attrs": flat_attrs(content, token, exit="txt")}
    assert await file_error(files, "sendgroupfile", payload) == 200041
    assert await server.store.list_files(PID) == []  # no orphan blob
    await api("addgroupmembers", gid=9, uids=[1])
    answer = await files.quest("sendgroupfile", payload)  # the token was not used up
    assert isinstance(answer["mtime"], int)
    (stored,) = await server.store.list_files(PID)
    assert await server.store.file_references(stored.file_id) == 1
    assert await file_error(files, "sendgroupfile", {**payload, "mid": 6}) == 200003
