"""`GET /metrics`: the Prometheus text format, parsed back with the official client."""

from __future__ import annotations

import urllib.request
from typing import Any

import pytest
from prometheus_client.parser import text_string_to_metric_families
from starlette.testclient import TestClient

from claude_carthing.alerts.observed import ObservedPoller
from claude_carthing.serving.metrics import ReadCounter
from claude_carthing.serving.server import create_app
from claude_carthing.settings import load_settings
from claude_carthing.upstream.sources import ClaudeSource
from tests.support.fake_upstream import FakeUpstream
from tests.support.live_server import LiveServer


def scrape(url: str) -> tuple[str, dict[tuple[str, tuple[tuple[str, str], ...]], float]]:
    """Return the content type and every sample as {(name, labels): value}."""
    with urllib.request.urlopen(url + "/metrics", timeout=5) as response:
        kind = response.headers["Content-Type"]
        text = response.read().decode("utf-8")
    samples = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            samples[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return kind, samples


def value(samples: dict[Any, float], name: str, **labels: str) -> float:
    """Return one sample's value, matching the labels given."""
    for (found, found_labels), v in samples.items():
        if found == name and all(dict(found_labels).get(k) == w for k, w in labels.items()):
            return v
    raise KeyError(f"{name} {labels} not in {sorted(n for n, _ in samples)}")


def test_metrics_match_usage_and_count_reads_and_failures_by_kind(
        live_server: LiveServer, fake_upstream: FakeUpstream) -> None:
    with urllib.request.urlopen(live_server.url + "/usage", timeout=5) as response:
        import json

        usage = json.loads(response.read())
    kind, samples = scrape(live_server.url)
    assert kind.startswith("text/plain; version=")
    for window in usage["windows"]:
        assert value(samples, "claude_carthing_utilization_percent",
                     window=window["id"]) == window["utilization"]
        if window["resets_at_ms"] is not None:
            assert value(samples, "claude_carthing_resets_at_seconds",
                         window=window["id"]) == pytest.approx(window["resets_at_ms"] / 1000, abs=0.001)
    extra = usage["extra_usage"]
    assert value(samples, "claude_carthing_extra_usage_enabled") == float(extra["enabled"])
    assert value(samples, "claude_carthing_extra_usage_used") == extra["used"]
    assert value(samples, "claude_carthing_last_success_seconds") == pytest.approx(
        usage["meta"]["last_success_at_ms"] / 1000)
    assert value(samples, "claude_carthing_stale") == 0
    assert value(samples, "claude_carthing_upstream_reads_total") == 1

    fake_upstream.fail_with("server_500")
    live_server.poller.poll_once()
    fake_upstream.fail_with("rate_limit_0")
    live_server.poller.poll_once()
    live_server.poller.poll_once()
    _, samples = scrape(live_server.url)
    assert value(samples, "claude_carthing_upstream_reads_total") == 4
    assert value(samples, "claude_carthing_upstream_failures_total", kind="server") == 1
    assert value(samples, "claude_carthing_upstream_failures_total", kind="rate_limited") == 2
    assert value(samples, "claude_carthing_stale") == 1
    # Last good data is still exported, marked stale.
    assert value(samples, "claude_carthing_utilization_percent", window="five_hour") == 15.0


@pytest.mark.parametrize(("ip", "status"), [("127.0.0.1", 200), ("172.16.42.2", 200),
                                             ("192.168.1.20", 403), ("8.8.8.8", 403)])
def test_metrics_follow_the_same_access_rules_as_usage(
        fake_upstream: FakeUpstream, ip: str, status: int) -> None:
    config = load_settings(web_url=fake_upstream.url, api_url=fake_upstream.url, timeout=1.0)
    poller = ObservedPoller(ClaudeSource(config), interval=300)
    client = TestClient(create_app(poller, config, reads=ReadCounter()),
                        base_url="http://127.0.0.1:8080", client=(ip, 50000))
    response = client.get("/metrics")
    assert response.status_code == status == client.get("/usage").status_code
    if status == 403:
        assert "claude_carthing_" not in response.text


def test_demo_mode_is_flagged(tmp_path: Any) -> None:
    with LiveServer(demo=True, source=None) as server:
        _, samples = scrape(server.url)
    assert value(samples, "claude_carthing_demo") == 1
