"""doctor run as a user would: every check in order, fixes for failures, redacted JSON."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest
from tests.support import creds
from tests.support.fake_upstream import FakeUpstream
from tests.support.live_server import LiveServer, free_port
from typer.testing import CliRunner

from claude_carthing.cli import app
from claude_carthing.doctor.model import REDACTED, redact
from claude_carthing.usb import Adapter

ORDER = ["versions", "home folder", "config", "credentials", "live usage read", "server",
         "Claude Code connection", "USB link",
         "device reachable", "SSH login", "generation", "kiosk page", "device reaches server",
         "device clock"]
USB_UP = Adapter("usb0", "rndis", addresses=("172.16.42.1/24",), evidence="driver rndis_host")


def doctor(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["doctor", *args])
    return result.exit_code, result.output


def doctor_json(*args: str) -> tuple[int, dict[str, dict[str, object]]]:
    code, out = doctor("--json", *args)
    report = json.loads(out)
    return code, {c["name"]: c for c in report["checks"]}


def closed_port() -> int:
    return free_port()  # nothing listens there: connections are refused


def test_a_fresh_pc_fails_with_a_fix_for_each_problem(adapters: list[Adapter]) -> None:
    code, out = doctor("--port", str(closed_port()))
    assert code == 1
    lines = out.splitlines()
    names = [line.split("]", 1)[1].split(":", 1)[0].strip() for line in lines
             if line.startswith("[")]
    assert names == ORDER
    assert "[FAIL] credentials" in out
    assert "fix: Run `claude-carthing login`" in out
    assert "[SKIP] live usage read: not checked: no usable credentials" in out
    assert "[FAIL] server: nothing answers http://127.0.0.1:" in out
    assert "fix: Start it: `claude-carthing serve`" in out
    assert "[WARN] Claude Code connection: not connected" in out
    assert "fix: Run `claude-carthing claude-code install`" in out
    assert "[FAIL] USB link: no Car Thing USB network adapter found" in out
    assert "claude-carthing usb-setup" in out
    assert "[SKIP] device reachable: not checked: no device" in out
    assert lines[-1] == "3 check(s) failed."
    assert all(" ms)" in line for line in lines if line.startswith("[") )


def test_everything_on_the_pc_passes_against_a_real_server_and_upstream(
    fake_upstream: FakeUpstream, monkeypatch: pytest.MonkeyPatch, adapters: list[Adapter]
) -> None:
    adapters.append(USB_UP)
    with LiveServer(upstream=fake_upstream, source="oauth") as server:
        monkeypatch.setenv("CLAUDE_CARTHING_API_URL", fake_upstream.url)
        reads_before = len(fake_upstream.usage_requests())
        # The device side is pointed at loopback: the server host is 127.0.0.1 and the
        # "device" is a closed loopback port (no device here), so no traffic leaves loopback.
        code, checks = doctor_json("--port", str(server.port), "--server-host", "127.0.0.1",
                                   "--device", "127.0.0.1", "--ssh-port", str(closed_port()))
    assert checks["credentials"]["status"] == "ok"
    assert checks["live usage read"]["status"] == "ok"
    assert checks["live usage read"]["data"]["source"] == "oauth"  # type: ignore[index]
    assert len(fake_upstream.usage_requests()) == reads_before + 1
    assert checks["server"]["status"] == "ok"
    assert "answers on 127.0.0.1:" in str(checks["server"]["summary"])
    assert checks["USB link"]["status"] == "ok"
    assert checks["device reachable"]["status"] == "fail"
    assert checks["SSH login"]["summary"] == "not checked: device unreachable"
    assert code == 1


@pytest.mark.parametrize(("failure", "label", "status"), [
    ("oauth_401", "Claude Code login expired", "fail"),
    ("cloudflare", "Cloudflare challenge", "fail"),
    ("rate_limit_big", "rate limited", "warn"),
])
def test_live_read_names_the_failure_class(
    *, fake_upstream: FakeUpstream, monkeypatch: pytest.MonkeyPatch, adapters: list[Adapter],
    failure: str, label: str, status: str,
) -> None:
    creds.write_oauth()
    monkeypatch.setenv("CLAUDE_CARTHING_API_URL", fake_upstream.url)
    fake_upstream.fail_with(failure)
    _, checks = doctor_json("--port", str(closed_port()))
    live = checks["live usage read"]
    assert live["status"] == status
    assert str(live["summary"]).startswith(label)
    assert live["fix"]


def test_expired_session_key_is_told_apart(
    fake_upstream: FakeUpstream, monkeypatch: pytest.MonkeyPatch, adapters: list[Adapter]
) -> None:
    creds.write_web(org_id="00000000-0000-4000-8000-0000000000c2")
    monkeypatch.setenv("CLAUDE_CARTHING_WEB_URL", fake_upstream.url)
    fake_upstream.fail_with("expired")
    _, checks = doctor_json("--port", str(closed_port()))
    assert str(checks["live usage read"]["summary"]).startswith("expired session")
    assert "claude-carthing login" in str(checks["live usage read"]["fix"])


def test_network_failure_is_told_apart(monkeypatch: pytest.MonkeyPatch,
                                       adapters: list[Adapter]) -> None:
    creds.write_oauth()
    monkeypatch.setenv("CLAUDE_CARTHING_API_URL", f"http://127.0.0.1:{closed_port()}")
    _, checks = doctor_json("--port", str(closed_port()))
    assert str(checks["live usage read"]["summary"]).startswith("network")


def test_json_never_contains_a_secret(
    fake_upstream: FakeUpstream, monkeypatch: pytest.MonkeyPatch, adapters: list[Adapter]
) -> None:
    creds.write_oauth()
    creds.write_web()
    monkeypatch.setenv("CLAUDE_CARTHING_SESSION_KEY", creds.FAKE_SESSION_KEY)
    monkeypatch.setenv("CLAUDE_CARTHING_API_URL", fake_upstream.url)
    monkeypatch.setenv("CLAUDE_CARTHING_WEB_URL", fake_upstream.url)
    code, out = doctor("--json", "--port", str(closed_port()))
    assert creds.CANARY not in out
    text_code, text = doctor("--port", str(closed_port()))
    assert creds.CANARY not in text
    assert json.loads(out)["checks"][3]["data"]["web"] == "present (environment)"
    assert code == text_code == 1


def test_redact_replaces_secret_values_and_secret_named_keys() -> None:
    data = {"note": f"saw {creds.FAKE_SESSION_KEY} in a header",
            "nested": [{"access_token": "abc"}, creds.FAKE_OAUTH_TOKEN],
            "password": "nocturne", "fine": "sk-ant is a prefix"}
    out = redact(data)
    assert creds.CANARY not in json.dumps(out) and "nocturne" not in json.dumps(out)
    assert out["nested"][0]["access_token"] == REDACTED
    assert out["fine"] == "sk-ant is a prefix"


@pytest.mark.skipif(not hasattr(__import__("os"), "geteuid"), reason="POSIX file modes")
def test_a_world_readable_secrets_file_fails_with_chmod_fix(
    adapters: list[Adapter], isolated_home: Path
) -> None:
    creds.write_web()
    secrets = isolated_home / "secrets.json"
    secrets.chmod(0o644)
    _, checks = doctor_json("--no-live", "--port", str(closed_port()))
    assert checks["home folder"]["status"] == "fail"
    assert checks["home folder"]["fix"] == f"chmod 600 {secrets}"
    secrets.chmod(0o600)
    _, checks = doctor_json("--no-live", "--port", str(closed_port()))
    assert checks["home folder"]["status"] == "ok"


def test_server_bound_to_loopback_only_fails_for_the_device(
    fake_upstream: FakeUpstream, adapters: list[Adapter]
) -> None:
    # A second loopback address stands in for the USB address the server does not listen on.
    with LiveServer(upstream=fake_upstream, source="oauth") as server:
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.2", 0))
            except OSError:
                pytest.skip("127.0.0.2 is not usable on this machine")
        code, checks = doctor_json("--no-live", "--port", str(server.port),
                                   "--server-host", "127.0.0.2")
    assert checks["server"]["status"] == "fail"
    assert "serve --host 0.0.0.0" in str(checks["server"]["fix"])
    assert code == 1


def test_json_keeps_plain_paths(adapters: list[Adapter], isolated_home: Path) -> None:
    creds.write_web()
    _, checks = doctor_json("--no-live", "--port", str(closed_port()))
    data = checks["home folder"]["data"]
    assert data["secrets_file"] == str(isolated_home / "secrets.json")  # type: ignore[index]
    assert data["secrets_file_exists"] is True  # type: ignore[index]
