"""Several accounts through the real server and the real client against the fake Claude on
loopback: `personal` (the default, Claude Code's login), `work` (its own Claude Code folder and
login, other numbers) and `side` (a claude.ai session that Claude refuses)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.support import accounts as three_accounts
from tests.support.fake_upstream import Canned, FakeUpstream, fixture
from tests.support.live_server import LiveServer

WORK_TOKEN = three_accounts.WORK_TOKEN


def get(url: str) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def post(url: str, body: dict) -> tuple[int, dict]:
    request = urllib.request.Request(url, json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


@pytest.fixture
def work_dir(tmp_path: Path) -> Path:
    return three_accounts.work_dir(tmp_path)


@pytest.fixture
def three(fake_upstream: FakeUpstream, work_dir: Path) -> FakeUpstream:
    return three_accounts.make(fake_upstream, work_dir)


@pytest.fixture
def server(three: FakeUpstream):
    with LiveServer(upstream=three, source="oauth", settings={"source": "auto"}) as live:
        three_accounts.wait_for_every_account(live.service)
        yield live


def test_usage_without_an_account_is_the_default_one_in_the_shape_of_before(server):
    status, doc = get(server.url + "/usage")
    assert status == 200
    assert doc["five_hour"]["utilization"] == 15.0 and doc["seven_day"]["utilization"] == 48.0
    assert doc["seven_day_sonnet"] is None  # the legacy keys are all there, as before
    assert doc["meta"]["account"] == "personal"
    assert doc["meta"]["accounts"] == ["personal", "work", "side"]


def test_usage_of_one_account_by_name(server):
    _, work = get(server.url + "/usage?account=work")
    assert work["five_hour"]["utilization"] == 62.0
    assert work["seven_day_sonnet"]["utilization"] == 97.0
    assert work["meta"]["account"] == "work" and work["meta"]["state"] == "live"
    _, same = get(server.url + "/usage?account=WORK")
    assert same["five_hour"]["utilization"] == 62.0
    status, unknown = get(server.url + "/usage?account=nobody")
    assert status == 404
    assert "nobody" in unknown["error"] and unknown["accounts"] == ["personal", "work", "side"]


def test_api_accounts_lists_each_with_its_state_plan_and_windows(server):
    status, doc = get(server.url + "/api/accounts")
    assert status == 200
    by_name = {a["name"]: a for a in doc["accounts"]}
    assert [a["name"] for a in doc["accounts"]] == ["personal", "work", "side"]
    assert [a["default"] for a in doc["accounts"]] == [True, False, False]
    personal, work, side = by_name["personal"], by_name["work"], by_name["side"]
    assert personal["state"] == work["state"] == "live"
    assert {w["id"]: w["utilization"] for w in personal["windows"]}["five_hour"] == 15.0
    assert {w["id"]: w["utilization"] for w in work["windows"]}["five_hour"] == 62.0
    sonnet = next(w for w in work["windows"] if w.get("model"))
    assert sonnet["level"] == "crit" and "projection" in sonnet  # the /usage window form
    assert personal["plan"]["name"] == "Ultra" and work["plan"]["name"] == "Team"
    # The failing account says why, in words that name it, and shows nothing made up.
    assert side["state"] not in ("live", "demo") and side["windows"] == []
    assert "login --account side" in side["error"]
    assert isinstance(doc["server_time_ms"], int)


def test_api_accounts_answers_304_until_an_account_changes(server):
    request = urllib.request.Request(server.url + "/api/accounts")
    with urllib.request.urlopen(request, timeout=5) as response:
        tag = response.headers["ETag"]
    again = urllib.request.Request(server.url + "/api/accounts", headers={"If-None-Match": tag})
    with pytest.raises(urllib.error.HTTPError) as same:
        urllib.request.urlopen(again, timeout=5)
    assert same.value.code == 304
    server.upstream.answer_for(WORK_TOKEN, "full")
    work = server.service.watched[1].poller
    work.poll_once()
    with urllib.request.urlopen(again, timeout=5) as response:
        assert response.status == 200 and response.headers["ETag"] != tag


def test_an_account_whose_reads_hang_never_delays_another(server):
    personal, work = (one.poller for one in server.service.watched[:2])
    server.upstream.by_credential[WORK_TOKEN] = Canned(200, json.dumps(fixture("full")),
                                                       delay=4.0)
    server.upstream.set_usage("limits_only")  # the default account's next numbers
    work_before = work.snapshot().last_attempt_at
    hanging = threading.Thread(target=work.poll_once, daemon=True)
    hanging.start()
    time.sleep(0.3)  # work's read is under way, and hangs
    started = time.monotonic()
    personal.poll_once()
    assert time.monotonic() - started < 2.0, "the default account waited for work's read"
    assert hanging.is_alive() and work.snapshot().last_attempt_at == work_before
    assert get(server.url + "/usage")[1]["five_hour"]["utilization"] == 62.0
    hanging.join(10)
    _, work_doc = get(server.url + "/usage?account=work")
    assert work_doc["five_hour"]["utilization"] == 15.0  # work's slow answer came in after all


def test_one_account_failing_leaves_the_others_live(server):
    server.upstream.answer_for(WORK_TOKEN, "rate_limit_big")
    server.service.watched[1].poller.poll_once()
    _, doc = get(server.url + "/api/accounts")
    by_name = {a["name"]: a for a in doc["accounts"]}
    assert by_name["work"]["state"] == "stale" and "rate" in by_name["work"]["error"]
    assert {w["id"]: w["utilization"] for w in by_name["work"]["windows"]}["five_hour"] == 62.0
    assert by_name["personal"]["state"] == "live" and by_name["personal"]["error"] is None


def test_history_keeps_each_accounts_readings_apart(server):
    _, personal = get(server.url + "/api/history?hours=1&window=five_hour")
    _, work = get(server.url + "/api/history?hours=1&window=five_hour&account=work")
    assert [p[1] for p in personal["series"]["five_hour"]] == [15.0]
    assert [p[1] for p in work["series"]["five_hour"]] == [62.0]
    assert get(server.url + "/api/history?account=nobody")[0] == 404


def test_metrics_carry_the_account_label(server):
    with urllib.request.urlopen(server.url + "/metrics", timeout=5) as response:
        text = response.read().decode()
    lines = [line for line in text.splitlines()
             if line.startswith("claude_carthing_utilization_percent{")]
    assert any('account="personal"' in line and 'window="five_hour"' in line
               and line.endswith(" 15.0") for line in lines)
    assert any('account="work"' in line and 'window="five_hour"' in line
               and line.endswith(" 62.0") for line in lines)
    assert not any('account="side"' in line for line in lines)  # no numbers: none invented
    assert 'claude_carthing_upstream_failures_total{account="side",kind="auth"}' in text


def run_statusline(config_dir: Path | None, five_hour: float) -> str:
    """Run the real status line command, as Claude Code started with `config_dir` would."""
    env = {k: v for k, v in os.environ.items() if k != "CLAUDE_CONFIG_DIR"}
    if config_dir is not None:
        env["CLAUDE_CONFIG_DIR"] = str(config_dir)
    reading = {"session_id": f"s-{config_dir.name if config_dir else 'none'}",
               "workspace": {"project_dir": "/tmp/my-project"},
               "model": {"display_name": "Opus"},
               "rate_limits": {"five_hour": {"used_percentage": five_hour,
                                             "resets_at": int(time.time()) + 3600}}}
    done = subprocess.run([sys.executable, "-m", "claude_carthing", "statusline"],
                          input=json.dumps(reading), capture_output=True, text=True, env=env,
                          timeout=30, check=True)
    return done.stdout


def test_the_status_line_feeds_the_account_of_its_claude_code_folder(server, work_dir):
    line = run_statusline(work_dir, 71.0)
    assert "71%" in line  # the line Claude Code shows is work's
    _, work = get(server.url + "/usage?account=work")
    _, personal = get(server.url + "/usage")
    assert work["five_hour"]["utilization"] == 71.0
    assert personal["five_hour"]["utilization"] == 15.0
    sessions = {s["session_id"]: s for s in personal["sessions"]}
    assert sessions["s-claude-work"]["account"] == "work"
    assert "config_dir" not in json.dumps(personal)  # the folder's path is not for the page


def test_the_status_line_of_the_default_folder_feeds_the_default_account(server, tmp_path):
    run_statusline(Path(os.environ["CLAUDE_CONFIG_DIR"]), 33.0)
    _, personal = get(server.url + "/usage")
    _, work = get(server.url + "/usage?account=work")
    assert personal["five_hour"]["utilization"] == 33.0
    assert work["five_hour"]["utilization"] == 62.0


def test_a_folder_no_account_reads_feeds_nobody(server, tmp_path):
    stranger = tmp_path / "someone-else"
    stranger.mkdir()
    run_statusline(stranger, 99.0)
    _, doc = get(server.url + "/api/accounts")
    for entry in doc["accounts"]:
        assert all(w["utilization"] != 99.0 for w in entry["windows"]), entry["name"]


def test_health_lists_every_account(server):
    _, health = get(server.url + "/health")
    assert health["status"] == "ok" and health["state"] == "live"
    states = {a["name"]: a["state"] for a in health["accounts"]}
    assert states["personal"] == "live" and states["work"] == "live"
    assert states["side"] not in ("live", "demo")


def test_one_account_answers_as_before_accounts_existed(fake_upstream):
    with LiveServer(upstream=fake_upstream, source="oauth") as live:
        _, doc = get(live.url + "/usage")
        _, health = get(live.url + "/health")
        _, listing = get(live.url + "/api/accounts")
    assert doc["meta"]["accounts"] == ["default"] and "accounts" not in health
    assert [a["name"] for a in listing["accounts"]] == ["default"]
    assert not (Path(os.environ["CLAUDE_CARTHING_HOME"]) / "accounts.json").exists()
