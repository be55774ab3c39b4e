"""Server-API quest authentication (spec §1.2, §1.3).

* 0.1.0: ``sign = UPPER_HEX(MD5(pid ":" secret ":" salt))``;
* later generations (quest carries ``ts``): ``UPPER_HEX(MD5(pid ":" secret ":" salt ":" cmd
  ":" ts))`` with ``cmd`` the FPNN method name.

Signs are compared case-insensitively. Secrets are never logged nor put in error texts.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable

from rtm.api.signing import sign_v1, sign_v2
from rtm.server import codes
from rtm.server.params import Params, check_id


class Authenticator:
    """Checks ``pid``/``sign``/``salt``[/``ts``] of a server-API quest; returns the pid.

    Order: pid present/typed (10009/10010) -> pid > 0 (200001) -> known pid (200002) ->
    salt/sign/ts present and typed -> signature (200002) -> ts window (200008, optional; a
    quest without ``ts`` answers 200008 when ``refuse_v1_signatures``) -> replay (200006,
    optional).

    Replay protection remembers a (pid, salt, sign) for ``replay_window`` seconds only, so it
    holds only together with a ts window no longer than that (:class:`ServerConfig` enforces
    it): a captured quest is refused as a replay inside the window and as too old after it.
    A v1 quest (no ``ts``) has no age: ``refuse_v1_signatures`` closes that gap.
    """

    def __init__(
        self,
        projects: dict[int, str],
        now_ms: Callable[[], int],
        *,
        ts_window: float | None = None,
        replay_protection: bool = False,
        replay_window: float = 300.0,
        refuse_v1_signatures: bool = False,
    ) -> None:
        self.projects = projects
        self.now_ms = now_ms
        self.ts_window = ts_window
        self.replay_protection = replay_protection
        self.replay_window_ms = int(replay_window * 1000)
        self.refuse_v1_signatures = refuse_v1_signatures
        self._seen: dict[tuple[int, int, str], int] = {}
        self._next_purge = 0

    def pid_of(self, p: Params) -> int:
        """The quest's pid if it is a known project (no signature involved)."""
        pid = p.int_("pid")
        check_id("pid", pid)
        if pid not in self.projects:
            raise codes.rtm_error(codes.INVALID_PID_OR_SIGN, f"invalid pid {pid}")
        return pid

    def check(self, p: Params, cmd: str) -> int:
        pid = self.pid_of(p)
        secret = self.projects[pid]
        salt = p.int_("salt")
        sign = p.str_("sign")
        ts = p.opt_int("ts", 0) if p.present("ts") else None
        expected = sign_v1(pid, secret, salt) if ts is None else sign_v2(
            pid, secret, salt, cmd, ts)
        if not hmac.compare_digest(expected.encode(), sign.upper().encode()):
            raise codes.rtm_error(codes.INVALID_PID_OR_SIGN, "invalid pid or sign")
        now = self.now_ms()
        if ts is None and self.refuse_v1_signatures:
            raise codes.rtm_error(
                codes.INVALID_SERVER_TIME,
                "the quest has no ts: this server refuses v1 signatures (sign with ts)")
        window = self.ts_window
        if ts is not None and window is not None and abs(ts * 1000 - now) > window * 1000:
            raise codes.rtm_error(
                codes.INVALID_SERVER_TIME,
                f"ts {ts} is more than {window:g} s away from the server time {now // 1000}")
        if self.replay_protection:
            self._check_replay(pid, salt, expected, now)
        return pid

    def _check_replay(self, pid: int, salt: int, sign: str, now: int) -> None:
        if now >= self._next_purge:
            self._seen = {k: v for k, v in self._seen.items() if v > now}
            self._next_purge = now + max(self.replay_window_ms // 4, 1000)
        key = (pid, salt, sign)
        expiry = self._seen.get(key)
        if expiry is not None and expiry > now:
            raise codes.rtm_error(codes.SAME_SIGN, "same sign: salt and sign already used")
        self._seen[key] = now + self.replay_window_ms
