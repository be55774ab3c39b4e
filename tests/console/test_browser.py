"""The console in a real headless Chromium: a message sent through the SDK appears on the
Live page and in the conversation's history; a message sent from the console is stored and
pushed; kicking a user from the Users page makes the SDK's monitor receive the logout
event; no page or live detail ever shows the project secret. Screenshots for
docs/console.md are taken here (RTM_UPDATE_SCREENSHOTS=1 writes them to docs/img)."""

from __future__ import annotations

import queue
import re
from collections.abc import Iterator
from typing import Any

import pytest

from .conftest import IN_CI, PID, SECRET, Shots

try:
    from playwright.sync_api import expect
except ImportError:  # skipped locally, an error in CI (see conftest.unavailable)
    if IN_CI:
        raise
    pytest.skip("playwright is not installed (pip install -e '.[dev]')",
                allow_module_level=True)

from rtm import RTMServerClient, RTMServerMonitor
from rtm.enduser import AsyncEndUserClient
from rtm.server import ServerThread

TIMEOUT_MS = 15_000


class Recording(RTMServerMonitor):
    """Queues what the server pushes to the SDK connection."""

    def __init__(self) -> None:
        self.pushes: queue.Queue[tuple[Any, ...]] = queue.Queue()

    def p2p_message(self, from_uid: int, to_uid: int, mtype: int, mid: int,
                    message: str | bytes, attrs: str | bytes, mtime: int) -> None:
        self.pushes.put(("p2p", from_uid, to_uid, message))

    def event(self, pid: int, event: str, uid: int, time: int, endpoint: str,
              data: str) -> None:
        self.pushes.put(("event", event, uid))

    def wait_for(self, *wanted: Any, timeout: float = 10.0) -> None:
        """Skip other pushes until one starts with ``wanted`` (fails after ``timeout``)."""
        seen = []
        while True:
            try:
                push = self.pushes.get(timeout=timeout)
            except queue.Empty:
                raise AssertionError(f"no push {wanted} in {timeout} s; got {seen}") from None
            if push[:len(wanted)] == wanted:
                return
            seen.append(push)


@pytest.fixture(scope="module")
def sdk(console_server: ServerThread) -> Iterator[tuple[RTMServerClient, Recording]]:
    monitor = Recording()
    client = RTMServerClient(PID, SECRET, console_server.endpoint, monitor=monitor,
                             quest_timeout=10.0)
    client.set_listen([], [], True, ["login", "logout"])
    try:
        yield client, monitor
    finally:
        client.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1360, "height": 860})
    context.set_default_timeout(TIMEOUT_MS)
    tab = context.new_page()
    try:
        yield tab
    finally:
        context.close()


def _base(server: ServerThread) -> str:
    url = server.server.console_url
    assert url is not None
    return url.rstrip("/")


def test_sdk_message_appears_live_and_in_history_and_console_sends_are_pushed(
        console_server: ServerThread, sdk: tuple[RTMServerClient, Recording], page: Any,
        shots: Shots) -> None:
    rtm, monitor = sdk
    base = _base(console_server)
    rtm.add_friends(2001, [2002])
    rtm.add_group_members(2501, [2001, 2002, 2003])
    page.goto(f"{base}/p/{PID}/live")
    page.locator("#live-status", has_text="live").wait_for()

    rtm.send_message(2001, 2002, 30, "hello from the SDK <b>not bold</b>")
    row = page.locator("#live-rows tr[data-method=sendmsg]", has_text="2001, 2002").first
    row.wait_for()
    assert "ok" in row.inner_text()
    row.click()
    detail = page.locator("#live-detail-body")
    detail.filter(has_text="hello from the SDK").wait_for()
    text = detail.inner_text()
    assert '"sign": "••••••"' in text and SECRET not in text
    assert '"mtime"' in text  # the answer
    rtm.send_group_message(2003, 2501, 30, "for the screenshot")
    page.locator("#live-rows tr[data-method=sendgroupmsg]").first.wait_for()
    shots(page, "live")

    # filter: only getfriends now
    page.fill("#live-filter input[name=method]", "getfriends")
    expect(page.locator("#live-rows tr")).to_have_count(0)
    rtm.send_message(2001, 2002, 30, "filtered out")
    rtm.get_friends(2001)
    page.locator("#live-rows tr[data-method=getfriends]").first.wait_for()
    assert page.locator("#live-rows tr[data-method=sendmsg]").count() == 0

    # the conversation's history, reached through the Messages page
    page.click("header nav >> text=Messages")
    page.click(f"a[href='/p/{PID}/conversation/p2p-2001-2002']")
    history = page.locator("#panel-history")
    history.filter(has_text="hello from the SDK <b>not bold</b>").wait_for()  # escaped
    assert page.locator("#panel-history b").count() == 0

    # send from the console as uid 2002: stored, pushed to the SDK's monitor
    form = page.locator("#panel-send form")
    form.locator("input[name=from]").fill("2002")
    form.locator("textarea[name=msg]").fill("reply typed in the console")
    form.locator("button[type=submit]").click()
    page.locator(".notice.ok", has_text="sendmsg: mid").wait_for()
    history.filter(has_text="reply typed in the console").wait_for()
    monitor.wait_for("p2p", 2002, 2001, "reply typed in the console")
    stored = rtm.get_p2p_message(2001, 2002, True, 5, 0, 0, 0).messages
    assert stored[0].message == "reply typed in the console" and stored[0].from_uid == 2002

    # delete the SDK's first message from the console: flagged deleted, as delmsg does
    rows = page.locator("#panel-history tbody tr")
    target = rows.filter(has_text="filtered out")
    target.locator("button", has_text="Delete").click()
    page.locator(".notice.ok", has_text="deleted").wait_for()
    page.locator("#panel-history tbody tr", has_text="filtered out").locator(
        ".flag.deleted").wait_for()
    assert any(m.deleted for m in rtm.get_p2p_message(2001, 2002, True, 5, 0, 0, 0).messages)
    shots(page, "conversation")


def test_kick_from_the_users_page_sends_the_logout_event(
        console_server: ServerThread, sdk: tuple[RTMServerClient, Recording], page: Any,
        shots: Shots) -> None:
    rtm, monitor = sdk
    base = _base(console_server)
    token = rtm.get_token(3001)
    user = AsyncEndUserClient(console_server.client_endpoint, PID, 3001, token)

    async def login() -> bool:
        return await user.login()

    assert console_server.run(login())
    monitor.wait_for("event", "login", 3001)
    try:
        page.goto(f"{base}/p/{PID}/users")
        row = page.locator("#panel-online tbody tr", has_text="3001")
        row.wait_for()
        shots(page, "users")
        row.locator("button", has_text="Kick out").click()
        page.locator(".notice.ok", has_text="kicked out uid 3001").wait_for()
        monitor.wait_for("event", "logout", 3001)
        assert rtm.get_online_users([3001]) == []

        async def kicked() -> str:
            return (await user.next_push()).method

        assert console_server.run(kicked()) == "kickout"
        assert page.locator("#panel-online tbody tr", has_text="3001").count() == 0
    finally:
        console_server.run(user.close())


def test_no_page_nor_live_detail_shows_the_secret(
        console_server: ServerThread, sdk: tuple[RTMServerClient, Recording], page: Any,
        shots: Shots) -> None:
    rtm, _monitor = sdk
    base = _base(console_server)
    rtm.add_group_members(4501, [4001, 4002])
    rtm.add_group_ban(4501, 4002, 600)
    rtm.add_room_member(4601, 4001)
    rtm.add_project_black(4009, 600)
    rtm.add_device(4001, "fcm", "device-token-4001")
    rtm.get_token(4001)
    rtm.send_file(4001, 4002, b"quarterly numbers\n" * 50, "report.txt")
    rtm.send_group_message(4001, 4501, 32, "a cmd")
    seen: set[str] = set()
    todo = ["/", f"/p/{PID}/group/4501", f"/p/{PID}/user/4001"]
    while todo and len(seen) < 22:
        path = todo.pop(0)
        if path in seen:
            continue
        seen.add(path)
        page.goto(base + path)
        assert SECRET not in page.content(), path
        for href in page.eval_on_selector_all("a[href^='/']", "els => els.map(e => "
                                              "e.getAttribute('href'))"):
            if "/file/" not in href and href not in seen and re.match(r"^/(p/\d+/[\w/-]+)?$",
                                                                      href.split("?")[0]):
                todo.append(href)
        if path == f"/p/{PID}/group/4501":
            shots(page, "group")
    assert {f"/p/{PID}/users", f"/p/{PID}/messages", f"/p/{PID}/files",
            f"/p/{PID}/devices", f"/p/{PID}/blacklist", f"/p/{PID}/listeners"} <= seen
    page.goto(f"{base}/p/{PID}/live")
    rows = page.locator("#live-rows tr")
    rows.first.wait_for()
    for i in range(min(rows.count(), 10)):
        rows.nth(i).click()
        body = page.locator("#live-detail-body")
        expect(body).not_to_have_text(re.compile(r"^loading"))
        assert SECRET not in body.inner_text()
    assert SECRET not in page.content()


def test_user_blocks_and_infos_and_the_rtc_room_page_show_sdk_state(
        console_server: ServerThread, sdk: tuple[RTMServerClient, Recording], page: Any,
        shots: Shots) -> None:
    rtm, _monitor = sdk
    base = _base(console_server)
    rtm.add_blacks(5001, [5002])
    rtm.set_user_info(5001, "open-5001", "private-5001")
    rtm.pull_user_into_rtc_room(5700, [5001, 5003], 1)
    page.goto(f"{base}/p/{PID}/user/5001")
    page.locator("#panel-blocks tbody tr", has_text="5002").wait_for()
    page.locator("#panel-infos td", has_text="open-5001").wait_for()
    shots(page, "user-state")
    page.goto(f"{base}/p/{PID}/rtc-room/5700")
    row = page.locator("#panel-members tbody tr", has_text="5003")
    row.wait_for()
    shots(page, "rtc-room")
    row.locator("button", has_text="Kick out").click()
    page.locator(".notice.ok", has_text="uid 5003 kicked out of RTC room 5700").wait_for()
    assert rtm.get_rtc_room_members(5700).uids == [5001]


# ------------------------------------------------------------------ layout at common widths

WIDTHS = (1280, 1400, 1920)

#: Boxes of the Live page: each row cell as far as it shows (clipped by its scroll box), and
#: the details panel; with the line boxes of the id columns of a conversation.
_VISIBLE_CELL_BOXES = """() => {
  const clip = document.querySelector('#live .live-split > :first-child').getBoundingClientRect();
  const box = r => ({left: Math.max(r.left, clip.left), right: Math.min(r.right, clip.right),
                     top: r.top, bottom: r.bottom});
  return [...document.querySelectorAll('#live-rows td')].map(td => box(td.getBoundingClientRect()))
    .filter(b => b.right > b.left);
}"""
_LINES_PER_CELL = """(column) =>
  [...document.querySelectorAll('#panel-history tbody tr')].map(tr => {
  const range = document.createRange();
  range.selectNodeContents(tr.children[column]);
  return range.getClientRects().length;
})"""
_OVERFLOWING_CELLS = """() => [...document.querySelectorAll('main td')]
  .filter(td => td.scrollWidth > td.clientWidth + 1).map(td => td.textContent.slice(0, 40))"""


def _overlap(a: dict[str, float], b: dict[str, float]) -> bool:
    return (a["left"] < b["right"] - 0.5 and b["left"] < a["right"] - 0.5
            and a["top"] < b["bottom"] - 0.5 and b["top"] < a["bottom"] - 0.5)


def test_live_and_conversation_layouts_hold_at_common_widths(
        console_server: ServerThread, sdk: tuple[RTMServerClient, Recording],
        browser: Any) -> None:
    """The details panel never covers a live row's cells; long attrs never squeeze the id and
    mid columns of a conversation into one digit per line; no cell's content spills out."""
    rtm, _monitor = sdk
    base = _base(console_server)
    uids = list(range(6001, 6041))
    rtm.add_group_members(6501, uids)  # a long uids column on the Live page
    long_attrs = '{"trace": "' + "x" * 300 + '", "note": "' + "long words " * 30 + '"}'
    for n in range(3):
        rtm.send_message(6001, 6002, 30, f"message {n} " + "y" * 200, attrs=long_attrs,
                         mid=7535420947247171969 + n)
    for width in WIDTHS:
        context = browser.new_context(viewport={"width": width, "height": 900})
        context.set_default_timeout(TIMEOUT_MS)
        tab = context.new_page()
        try:
            tab.goto(f"{base}/p/{PID}/live")
            tab.locator("#live-status", has_text="live").wait_for()
            rtm.add_group_members(6501, uids)
            tab.locator("#live-rows tr[data-method=addgroupmembers]").first.wait_for()
            tab.locator("#live-rows tr").first.click()
            tab.locator("#live-detail-body").filter(has_text="{").wait_for()
            detail = tab.locator("#live-detail").bounding_box()
            assert detail is not None
            panel = {"left": detail["x"], "right": detail["x"] + detail["width"],
                     "top": detail["y"], "bottom": detail["y"] + detail["height"]}
            cells = tab.evaluate(_VISIBLE_CELL_BOXES)
            assert len(cells) >= 9
            covered = [c for c in cells if _overlap(c, panel)]
            assert not covered, f"{width} px: the details panel covers {len(covered)} cells"

            tab.goto(f"{base}/p/{PID}/conversation/p2p-6001-6002")
            tab.locator("#panel-history tbody tr").first.wait_for()
            for column, name in ((0, "id"), (3, "mid")):
                lines = tab.evaluate(_LINES_PER_CELL, column)
                assert lines and set(lines) == {1}, f"{width} px: {name} on {lines} lines"
            assert tab.evaluate(_OVERFLOWING_CELLS) == [], f"{width} px"
        finally:
            context.close()
