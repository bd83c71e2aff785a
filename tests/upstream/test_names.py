"""Issue 17.24: names upstream gave after 2026-10-30 (plans, windows) and weekly-only plans."""

from __future__ import annotations

import io
from datetime import datetime, timezone

import pytest
from rich.console import Console

from claude_carthing.alerts.events import Tracker, read_event
from claude_carthing.claude_code.get_usage import parse_answer
from claude_carthing.models import Plan
from claude_carthing.poller import Snapshot
from claude_carthing.serving.payload import usage_document
from claude_carthing.terminal import render_usage
from claude_carthing.upstream.client import Org
from claude_carthing.upstream.wire import parse_usage
from tests.support.fake_upstream import fixture

NOW = datetime(2026, 11, 2, 1, 0, tzinfo=timezone.utc).timestamp()


def text_of(renderable: object, width: int = 120) -> str:
    out = io.StringIO()
    Console(file=out, width=width, force_terminal=False, color_system=None).print(renderable)
    return out.getvalue()


def test_renamed_window_ids_get_readable_names() -> None:
    usage = parse_usage(fixture("renamed_windows"))
    labels = {w.id: w.label for w in usage.windows}
    assert labels["seven_day_cowork"] == "Weekly · Daily Routines"
    assert labels["seven_day_omelette"] == "Weekly · Design"
    weekly = parse_usage(fixture("weekly_only"))
    labels = {w.id: w.label for w in weekly.windows}
    assert labels["seven_day_routines"] == "Weekly · Daily Routines"
    assert labels["seven_day_design"] == "Weekly · Design"


def test_a_surface_scoped_limit_named_by_codename_reads_as_its_product() -> None:
    usage = parse_usage(fixture("limits_only"))
    assert usage.window("seven_day_cowork").label == "Weekly · Daily Routines"


def _org(name: str) -> Org:
    item = next(o for o in fixture("orgs_renamed") if o["name"] == name)
    return Org(item["uuid"], item["name"], tuple(item["capabilities"]), item["rate_limit_tier"])


@pytest.mark.parametrize(("org", "plan"), [
    ("Ultra org", "Ultra"),  # "Max 20x" before 2026-10-30
    ("Max org", "Max"),  # "Max 5x" before
    ("Pro org", "Pro"),
    ("New tier org", "Nebula 40x"),  # not known yet: shown as it comes, not guessed
])
def test_plan_names_follow_the_tier_upstream_sends(org: str, plan: str) -> None:
    assert _org(org).plan == plan


def test_claude_code_subscription_types_are_shown_as_they_come() -> None:
    body = fixture("full")
    assert parse_answer({"subscription_type": "ultra", "rate_limits": body})[1] == Plan("Ultra")
    assert parse_answer({"subscription_type": "max", "rate_limits": body})[1] == Plan("Max")


def _weekly_only_snapshot() -> Snapshot:
    usage = parse_usage(fixture("weekly_only"))
    return Snapshot(usage=usage, plan=Plan("Ultra"), source="oauth", last_success_at=NOW - 60,
                    last_attempt_at=NOW - 60)


def test_a_weekly_only_plan_in_status() -> None:
    doc = usage_document(_weekly_only_snapshot(), NOW)
    assert [w["id"] for w in doc["windows"]] == ["seven_day", "seven_day_routines",
                                                 "seven_day_design"]
    assert doc["five_hour"] is None
    text = text_of(render_usage(doc))
    assert "5-hour" not in text
    first = text.splitlines()[0]
    assert first.startswith("Weekly ") and "37" in first
    assert "Weekly · Daily Routines" in text and "Weekly · Design" in text
    assert "Ultra" in text  # the plan upstream names


def test_a_weekly_only_plan_in_alerts() -> None:
    snap = _weekly_only_snapshot()
    event = read_event(snap, NOW)
    assert event.title == "Weekly limit at 37 %"
    tracker = Tracker((30.0,), 1800)
    events = tracker.update(snap, NOW)
    assert [e.title for e in events] == ["Claude Weekly limit at 37 %"]
