"""Connection settings precedence and argument types of the ``rtm`` command (no server)."""

from __future__ import annotations

import argparse
from datetime import datetime, timezone
from pathlib import Path

import pytest

from rtm._cli.argtypes import flatten, id_list, time_ms
from rtm._cli.config import DEFAULT_ENDPOINT, ConfigError, resolve_settings
from rtm.server.config import DEFAULT_PORT, DEV_PID, DEV_SECRET

from .conftest import invoke

NO_FLAGS: dict[str, object | None] = {}


def write_config(path: Path, **values: object) -> Path:
    lines = ["[rtm]"] + [f"{k} = {v}" for k, v in values.items()]
    path.write_text("\n".join(lines) + "\n")
    return path


def test_defaults_are_the_local_development_project(tmp_path: Path) -> None:
    s = resolve_settings(NO_FLAGS, {"XDG_CONFIG_HOME": str(tmp_path)})
    assert (s.endpoint, s.pid, s.secret) == (f"127.0.0.1:{DEFAULT_PORT}", DEV_PID, DEV_SECRET)
    assert s.endpoint == DEFAULT_ENDPOINT
    assert s.pem is None and s.timeout is None
    assert s.is_local_default and not s.config_found
    assert s.config_path == tmp_path / "rtm" / "config.ini"


def test_precedence_flags_env_file_default(tmp_path: Path) -> None:
    cfg = write_config(tmp_path / "c.ini", endpoint="file:1", pid=3, secret="file-secret",
                       timeout=7, pem="~/key.pem")
    env = {"RTM_CONFIG": str(cfg)}
    s = resolve_settings(NO_FLAGS, env)
    assert (s.endpoint, s.pid, s.secret, s.timeout) == ("file:1", 3, "file-secret", 7.0)
    assert s.pem == str(Path("~/key.pem").expanduser())
    assert s.config_found and s.sources["pid"].startswith(str(cfg))

    env |= {"RTM_ENDPOINT": "env:2", "RTM_PID": "4", "RTM_SECRET": "env-secret"}
    s = resolve_settings(NO_FLAGS, env)
    assert (s.endpoint, s.pid, s.secret, s.timeout) == ("env:2", 4, "env-secret", 7.0)
    assert s.sources == {"endpoint": "RTM_ENDPOINT", "pid": "RTM_PID",
                         "secret": "RTM_SECRET", "pem": s.sources["pem"],
                         "timeout": s.sources["timeout"]}

    s = resolve_settings({"endpoint": "flag:3", "pid": "5", "secret": "flag-secret",
                          "timeout": 1.5}, env)
    assert (s.endpoint, s.pid, s.secret, s.timeout) == ("flag:3", 5, "flag-secret", 1.5)
    assert s.sources["endpoint"] == "--endpoint" and not s.is_local_default


def test_config_flag_beats_rtm_config_and_default_file_is_found(tmp_path: Path) -> None:
    a = write_config(tmp_path / "a.ini", endpoint="a:1")
    b = write_config(tmp_path / "b.ini", endpoint="b:1")
    assert resolve_settings(NO_FLAGS, {"RTM_CONFIG": str(a)}, str(b)).endpoint == "b:1"
    xdg = tmp_path / "xdg"
    (xdg / "rtm").mkdir(parents=True)
    write_config(xdg / "rtm" / "config.ini", endpoint="xdg:1")
    s = resolve_settings(NO_FLAGS, {"XDG_CONFIG_HOME": str(xdg)})
    assert s.endpoint == "xdg:1" and s.config_found


@pytest.mark.parametrize(
    ("flags", "env", "message"),
    [
        ({"pid": "7"}, {}, "has no secret key"),
        ({}, {"RTM_SECRET": "s"}, "but no pid"),
        ({"pid": "x"}, {}, "must be an integer"),
        ({"endpoint": "nohost"}, {}, "HOST:PORT"),
        ({}, {"RTM_TIMEOUT": "-1"}, "> 0"),
        ({}, {"RTM_CONFIG": "/nonexistent/rtm.ini"}, "config file not found"),
    ],
)
def test_bad_settings(flags: dict[str, object], env: dict[str, str], message: str,
                      tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=message):
        resolve_settings(flags, {"XDG_CONFIG_HOME": str(tmp_path), **env})


def test_dev_pid_alone_gets_the_dev_secret(tmp_path: Path) -> None:
    s = resolve_settings({"pid": str(DEV_PID)}, {"XDG_CONFIG_HOME": str(tmp_path)})
    assert s.secret == DEV_SECRET


def test_unknown_config_key_is_an_error(tmp_path: Path) -> None:
    cfg = write_config(tmp_path / "c.ini", endpont="typo:1")
    with pytest.raises(ConfigError, match="unknown key"):
        resolve_settings(NO_FLAGS, {"RTM_CONFIG": str(cfg)})


def test_config_errors_exit_2_with_one_line(tmp_path: Path) -> None:
    res = invoke({"XDG_CONFIG_HOME": str(tmp_path), "RTM_PID": "77"}, "token", "1")
    assert res.code == 2
    assert res.err.startswith("error: pid 77") and res.err.count("\n") == 1


def test_config_command_shows_sources(tmp_path: Path) -> None:
    cfg = write_config(tmp_path / "c.ini", endpoint="cfg:9", pid=12, secret="abcdefgh")
    res = invoke({"RTM_CONFIG": str(cfg), "RTM_ENDPOINT": "env:1"}, "--json", "config")
    obj = res.ok().one()
    assert obj["endpoint"] == "env:1" and obj["pid"] == 12
    assert obj["secret"] != "abcdefgh" and obj["secret"].startswith("ab")  # masked
    assert obj["sources"]["endpoint"] == "RTM_ENDPOINT"
    text = invoke({"RTM_CONFIG": str(cfg)}, "config").ok().out
    assert "cfg:9" in text and "abcdefgh" not in text


# ------------------------------------------------------------------------------ arg types


def test_time_ms_forms() -> None:
    now = 1_714_557_600.0  # 2024-05-01T10:00:00Z

    def parse(text: str) -> int:
        return time_ms(text, now=lambda: now)

    assert parse("1714557600123") == 1714557600123
    assert parse("0") == 0
    assert parse("now") == 1714557600000
    assert parse("-15m") == 1714557600000 - 15 * 60_000
    assert parse("-2h") == 1714557600000 - 2 * 3_600_000
    assert parse("-1.5d") == 1714557600000 - 129_600_000
    assert parse("2024-05-01T10:00:00Z") == 1714557600000
    assert parse("2024-05-01T10:00:00.250Z") == 1714557600250
    assert parse("2024-05-01T18:00:00+08:00") == 1714557600000
    assert parse("2024-05-01 10:00:00+00:00") == 1714557600000
    local = datetime(2024, 5, 1).astimezone()  # naive ISO = local time
    assert parse("2024-05-01") == int(local.timestamp() * 1000)
    utc = datetime.fromtimestamp(1714557600.5, tz=timezone.utc).isoformat()
    assert parse(utc) == 1714557600500
    for bad in ("yesterday", "-5y", "2024-13-01", ""):
        with pytest.raises(argparse.ArgumentTypeError):
            parse(bad)


def test_id_lists() -> None:
    assert id_list("2,3, 4") == [2, 3, 4]
    assert id_list("5") == [5]
    assert flatten([[1, 2], [2, 3], [1]]) == [1, 2, 3]
    for bad in (",", "a", "1,b", str(2**63)):
        with pytest.raises(argparse.ArgumentTypeError):
            id_list(bad)
