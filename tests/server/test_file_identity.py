"""A stored file is an object of its own: a random id in its URL, reference-counted by the
messages that carry it, gone with the last of them, served only while one is live."""

from __future__ import annotations

import json
import socket
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from rtm.fpnn.client import FPNNClient
from rtm.fpnn.errors import FPNNError
from rtm.server import RTMServer, ServerConfig
from rtm.server.store import Store
from rtm.server.store.schema import _MIGRATIONS

from .conftest import API, PID, ServerFactory
from .test_files import file_error, flat_attrs

aiohttp = pytest.importorskip("aiohttp")

F = "from"


@pytest.fixture
async def files(server: RTMServer) -> AsyncIterator[FPNNClient]:
    client = FPNNClient(server.file_endpoint)
    yield client
    await client.close()


async def upload(api: API, files: FPNNClient, cmd: str, target: dict[str, Any],
                 content: bytes, *, from_uid: int, mid: int, filename: str = "notes",
                 ext: str = "txt") -> None:
    token = (await api("filetoken", cmd=cmd, **target, **{F: from_uid}))["token"]
    await files.quest(cmd, {"pid": PID, "token": token, "mtype": 50, F: from_uid, **target,
                            "mid": mid, "file": content,
                            "attrs": flat_attrs(content, token, filename=filename, exit=ext)})


async def last_url(api: API, kind: str, **conv: int) -> str:
    page = await api(kind, desc=True, num=1, begin=0, end=0, lastid=0, **conv)
    return str(json.loads(page["msgs"][0][5])["url"])


async def http_get(url: str) -> tuple[int, bytes, dict[str, str]]:
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        return response.status, await response.read(), dict(response.headers)


async def served(api: API, files: FPNNClient, url: str) -> bytes | None:
    """The file behind ``url`` as HTTP and getfile serve it (both must agree)."""
    status, body, _ = await http_get(url)
    try:
        got = await files.quest("getfile", api.signed("getfile", url=url))
    except FPNNError:
        assert status == 404
        assert await file_error(files, "getfile", api.signed("getfile", url=url)) == 200003
        return None
    assert status == 200 and body == got["file"]
    return bytes(got["file"])


async def test_equal_mids_of_two_senders_get_their_own_file(api: API,
                                                            files: FPNNClient) -> None:
    """User 1 sends a file to 2 with mid 777, user 3 one to 4 with the same mid: two URLs,
    each downloading its own file (both used to serve user 1's)."""
    await upload(api, files, "sendfile", {"to": 2}, b"from one", from_uid=1, mid=777)
    await upload(api, files, "sendfile", {"to": 4}, b"from three", from_uid=3, mid=777)
    url_1 = await last_url(api, "getp2pmsg", uid=1, ouid=2)
    url_3 = await last_url(api, "getp2pmsg", uid=3, ouid=4)
    assert url_1 != url_3
    assert await served(api, files, url_1) == b"from one"
    assert await served(api, files, url_3) == b"from three"
    for url in (url_1, url_3):  # a random id, not the mid a caller chose
        file_id = url.rsplit("/", 1)[1]
        assert len(file_id) >= 32 and not file_id.isdigit()


async def test_same_content_sent_twice_is_two_objects(server: RTMServer, api: API,
                                                      files: FPNNClient) -> None:
    await upload(api, files, "sendfile", {"to": 2}, b"same bytes", from_uid=1, mid=1)
    await upload(api, files, "sendfile", {"to": 2}, b"same bytes", from_uid=1, mid=2)
    assert len(await server.store.list_files(PID)) == 2
    first = await last_url(api, "getp2pmsg", uid=1, ouid=2)
    await api("delmsg", mid=2, xid=2, type=1, **{F: 1})
    assert await served(api, files, first) is None  # the deleted message's own file
    page = await api("getp2pmsg", uid=1, ouid=2, desc=False, num=1, begin=0, end=0, lastid=0)
    older = json.loads(page["msgs"][0][5])["url"]
    assert await served(api, files, older) == b"same bytes"  # the other one is untouched
    assert len(await server.store.list_files(PID)) == 1


async def test_file_shared_by_recipients_lives_until_the_last_message(
        server: RTMServer, api: API, files: FPNNClient) -> None:
    await upload(api, files, "sendfiles", {"tos": [2, 3]}, b"for two", from_uid=1, mid=5)
    url = await last_url(api, "getp2pmsg", uid=1, ouid=2)
    assert url == await last_url(api, "getp2pmsg", uid=1, ouid=3)
    file_id = url.rsplit("/", 1)[1]
    assert await server.store.file_references(file_id) == 2
    await api("cleanmsg", type=1, **{F: 1}, xid=2, begin=0, end=0)
    assert await server.store.file_references(file_id) == 1
    assert await served(api, files, url) == b"for two"
    await api("cleanmsg", type=1, **{F: 1}, xid=3, begin=0, end=0)
    assert await server.store.file_references(file_id) == 0
    assert await served(api, files, url) is None
    assert await server.store.get_file(file_id) is None  # the blob is gone, not just hidden
    assert await file_error(files, "getfile", api.signed("getfile", fileid=file_id)) == 200003


@pytest.mark.parametrize("erase", ["clearusermsg", "clearprojectmsg", "delgroup",
                                   "delconversationmsgs"])
async def test_every_erasing_command_drops_the_blob(server: RTMServer, api: API,
                                                    files: FPNNClient, erase: str) -> None:
    await api("addgroupmembers", gid=9, uids=[1, 2])
    await upload(api, files, "sendgroupfile", {"gid": 9}, b"group blob", from_uid=1, mid=3)
    url = await last_url(api, "getgroupmsg", gid=9)
    assert await served(api, files, url) == b"group blob"
    if erase == "clearusermsg":
        await api("clearusermsg", uid=1)
    elif erase == "clearprojectmsg":
        await api("clearprojectmsg", type=2)
    elif erase == "delgroup":
        await api("delgroup", gid=9)
    else:
        await api("delconversationmsgs", type=2, **{F: 1}, xid=9)
    assert await served(api, files, url) is None
    assert await server.store.list_files(PID) == []


async def test_download_is_a_sandboxed_attachment(api: API, files: FPNNClient) -> None:
    page = b"<html><script>alert(document.cookie)</script></html>"
    await upload(api, files, "sendfile", {"to": 2}, page, from_uid=1, mid=9, filename="x",
                 ext="html")
    url = await last_url(api, "getp2pmsg", uid=1, ouid=2)
    status, body, headers = await http_get(url)
    assert status == 200 and body == page
    assert headers["Content-Type"] == "application/octet-stream"
    assert headers["Content-Disposition"] == 'attachment; filename="x.html"'
    # passive media keep their type, documents (HTML, SVG) never do
    from rtm.server.gate_http import download_content_type

    for ext, expected in (("png", "image/png"), ("svg", "application/octet-stream"),
                          ("mp3", "audio/mpeg")):
        assert download_content_type(ext) == expected
    assert headers["X-Content-Type-Options"] == "nosniff"
    csp = headers["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "sandbox" in csp
    # a web app's scripts may read it (the web SDK's apps fetch received audio, attachments)
    assert headers["Access-Control-Allow-Origin"] == "*"


async def test_duplicate_file_send_stores_no_blob(server: RTMServer, api: API,
                                                  files: FPNNClient) -> None:
    await upload(api, files, "sendfile", {"to": 2}, b"once", from_uid=1, mid=11)
    await upload(api, files, "sendfile", {"to": 2}, b"twice", from_uid=1, mid=11)  # dedup
    (stored,) = await server.store.list_files(PID)
    assert await server.store.file_references(stored.file_id) == 1


async def test_earlier_database_migrates_and_old_urls_work(tmp_path: Path) -> None:
    """A schema-5 database: file messages addressed by <pid>/<mid>, one blob whose message
    was cleaned. After migration the old URL still serves its file until the message goes,
    and the orphan blob is gone."""
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path)
    for migration in _MIGRATIONS[:5]:
        for statement in migration:
            conn.execute(statement)
    conn.execute("PRAGMA user_version = 5")
    base = f"http://127.0.0.1:13318/file/{PID}"
    for mid, content in ((41, b"kept"), (42, b"orphan")):
        conn.execute("INSERT INTO files (file_id, pid, filename, ext, size, created_ms,"
                     " content) VALUES (?,?,?,?,?,?,?)",
                     (f"sha{mid}", PID, "f", "txt", len(content), 1, content))
        conn.execute("INSERT INTO file_messages VALUES (?,?,?,?)", (PID, mid, 1, f"sha{mid}"))
    conn.execute("INSERT INTO messages (pid, kind, xa, xb, from_uid, to_uid, mid, mtype, msg,"
                 " attrs, mtime) VALUES (?,1,1,2,1,2,41,50,?,'',1)",
                 (PID, json.dumps({"url": f"{base}/41", "size": 4})))
    # a text message with the orphan's mid: it does not carry the file
    conn.execute("INSERT INTO messages (pid, kind, xa, xb, from_uid, to_uid, mid, mtype, msg,"
                 " attrs, mtime) VALUES (?,1,1,2,1,2,42,30,'hello',''  ,2)", (PID,))
    conn.commit()
    conn.close()
    store = Store(path)
    await store.open()
    try:
        kept = await store.message_file(PID, 41)
        assert kept is not None and kept.content == b"kept"
        assert await store.message_file(PID, 42) is None
        assert await store.get_file("sha42") is None  # the orphan blob is dropped
        assert await store.clean_messages(PID, 1, 1, 2, 0, 0) == 2
        assert await store.message_file(PID, 41) is None
        assert await store.get_file("sha41") is None
    finally:
        await store.close()



async def test_http_port_is_where_files_download(make_server: ServerFactory) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    server = await make_server(http_port=port)
    assert server.http_endpoint == f"127.0.0.1:{port}"
    assert server.file_base_url == f"http://127.0.0.1:{port}/file"
    api, files = API(server.endpoint), FPNNClient(server.file_endpoint)
    try:
        await upload(api, files, "sendfile", {"to": 2}, b"on my port", from_uid=1, mid=1)
        url = await last_url(api, "getp2pmsg", uid=1, ouid=2)
        assert url.startswith(f"http://127.0.0.1:{port}/file/{PID}/")
        assert await served(api, files, url) == b"on my port"
    finally:
        await files.close()
        await api.close()
    # the default: 13318 next to the default file gate, a free port next to any other
    assert ServerConfig().effective_http_port() == 13318
    assert ServerConfig(file_port=0).effective_http_port() == 0
    assert ServerConfig(file_port=0, http_port=8123).effective_http_port() == 8123
