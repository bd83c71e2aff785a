"""Upstream politeness: reads sent to the fake Claude per simulated hour, per upstream state,
and a simulated day of real use (4 busy hours, 20 quiet ones).

The real Poller and ClaudeSource read a loopback fake upstream on a fake clock, set up as
`serve` sets them up (adaptive cadence up to `max_interval`, Claude Code's activity watched).
The loop below is the poller's own background loop with the waits skipped: whenever the poller
says a read is due (`_due`, which also notices changed credentials while paused and Claude Code
being used) it reads, then the clock jumps to the next wake-up (the next scheduled read, or the
5 s check of credentials and local activity).
"""

from __future__ import annotations

import argparse
import itertools
import math
import os
import random
import socketserver
import sys
import tempfile
from pathlib import Path
from typing import Any

from common import FakeClock, fmt_table, machine

SCENARIOS = [
    # name, route, failure kind (None = healthy), credentials fixed after this many hours
    ("healthy, usage not moving", "oauth", None, None),
    ("healthy, usage not moving, web session", "web", None, None),
    ("429 without Retry-After", "oauth", "rate_limit_0", None),
    ("429 with Retry-After: 3600", "oauth", "rate_limit_big", None),
    ("Cloudflare challenge", "web", "cloudflare", None),
    ("HTTP 500", "oauth", "server_500", None),
    ("timeouts", "oauth", "slow", None),
    ("auth failure (token refused)", "oauth", "oauth_401", None),
    ("auth failure, new login after 2 h", "oauth", "oauth_401", 2.0),
]


def simulate(route: str, kind: str | None, fixed_after_h: float | None, hours: float,
             interval: int) -> tuple[list[int], int]:
    """Run one scenario; return reads per simulated hour and the number of poll attempts."""
    from tests.support import creds
    from tests.support.fake_upstream import ORG_ID, Canned, FakeUpstream

    from claude_carthing.claude_code.activity import signature
    from claude_carthing.poller import CREDENTIAL_CHECK_S, Poller
    from claude_carthing.settings import load_settings
    from claude_carthing.upstream.sources import ClaudeSource

    with tempfile.TemporaryDirectory(prefix="cc-bench-polite-") as tmp:
        os.environ["CLAUDE_CARTHING_HOME"] = str(Path(tmp) / "home")
        os.environ["CLAUDE_CONFIG_DIR"] = str(Path(tmp) / "claude")
        with FakeUpstream() as upstream:
            if route == "oauth":
                creds.write_oauth(expires_in_s=400 * 86400)
            else:
                creds.write_web(org_id=ORG_ID)
            if kind == "slow":
                upstream.failure[route] = Canned(200, "{}", delay=0.3)
            elif kind is not None:
                upstream.fail_with(kind)
            settings = load_settings(api_url=upstream.url, web_url=upstream.url, timeout=0.1,
                                     source=route, interval=interval)
            clock = FakeClock(1_800_000_000.0)
            jitter = random.Random(1).random  # the real spread of retries, reproducible
            poller = Poller(ClaudeSource(settings), interval=interval, clock=clock,
                            monotonic=clock, jitter=jitter, max_interval=settings.max_interval,
                            activity=signature)
            start, end = clock.now, clock.now + hours * 3600
            attempts = 0
            fixed = False
            per_hour = [0] * int(hours)
            while clock.now < end:
                if fixed_after_h is not None and not fixed and clock.now - start >= \
                        fixed_after_h * 3600:
                    upstream.heal()
                    creds.write_oauth(expires_in_s=400 * 86400,
                                      token="sk-ant-oat01-FAKE-canary-new-login-0001")  # noqa: S106 - fake
                    fixed = True
                if poller._due():  # the real scheduling decision of the loop
                    before = len(upstream.usage_requests())
                    poller.poll_once()
                    attempts += 1
                    hour = int((clock.now - start) // 3600)
                    if hour < len(per_hour):
                        per_hour[hour] += len(upstream.usage_requests()) - before
                snap = poller.snapshot()
                if snap.paused or snap.next_poll_at is None:
                    clock.now += CREDENTIAL_CHECK_S
                else:
                    clock.now = max(clock.now + 0.05, snap.next_poll_at)
            poller.stop()
            return per_hour, attempts


BUSY = (9, 13)  # busy from 09:00 to 13:00 each simulated day; quiet the other 20 hours
PROMPT_EVERY_S = 120  # Claude Code is used (a prompt appended to history.jsonl) this often
SESSION_PER_MIN = 0.15  # the 5-hour window grows this much per busy minute
WEEK_PER_MIN = 0.02


def _usage(t: float, day0: float) -> tuple[dict[str, Any], int]:
    """Return the upstream payload at time t, and a counter that changes whenever it does."""
    from datetime import datetime, timezone

    def iso(at: float) -> str:
        return datetime.fromtimestamp(at, timezone.utc).isoformat()

    day, second = divmod(t - day0, 86400)
    busy_start, busy_end = BUSY[0] * 3600, BUSY[1] * 3600
    minutes = int(min(max(second - busy_start, 0), busy_end - busy_start) // 60)
    session_start = day0 + day * 86400 + busy_start
    reset = session_start + 5 * 3600
    session_live = second >= busy_start and t < reset
    weekly = round(20 + WEEK_PER_MIN * (day * 240 + minutes), 2)
    five = {"utilization": round(SESSION_PER_MIN * minutes, 2), "resets_at": iso(reset)} \
        if session_live else {"utilization": 0.0, "resets_at": None}
    payload = {"five_hour": five,
               "seven_day": {"utilization": weekly, "resets_at": iso(day0 + 5.5 * 86400)}}
    return payload, int(day * 10_000 + minutes * 2 + (0 if session_live else 1))


FEED_EVERY_S = (15.0, 25.0)  # Claude Code's status line runs after each answer: every ~20 s


def simulate_day(adaptive: bool, days: int = 2,  # noqa: PLR0915 - one simulated loop
                 feed: bool = False) -> dict[str, float]:
    """Simulate `days` days of 4 busy and 20 quiet hours; report the last day's reads.

    `feed`: Claude Code's status line sends a reading every ~20 s of busy work (its numbers are
    the upstream's at that moment, as the response headers of its own requests carry them).
    """
    from datetime import datetime

    from tests.support import creds
    from tests.support.fake_upstream import FakeUpstream

    from claude_carthing.claude_code.activity import signature
    from claude_carthing.claude_code.readings import windows_from_statusline
    from claude_carthing.poller import CREDENTIAL_CHECK_S, Poller
    from claude_carthing.settings import load_settings
    from claude_carthing.upstream.sources import ClaudeSource

    with tempfile.TemporaryDirectory(prefix="cc-bench-day-") as tmp:
        os.environ["CLAUDE_CARTHING_HOME"] = str(Path(tmp) / "home")
        os.environ["CLAUDE_CONFIG_DIR"] = str(Path(tmp) / "claude")
        with FakeUpstream() as upstream:
            creds.write_oauth(expires_in_s=400 * 86400)
            history = creds.claude_dir() / "history.jsonl"
            settings = load_settings(api_url=upstream.url, web_url=upstream.url, timeout=1.0,
                                     source="oauth")
            day0 = 1_800_000_000.0 - 1_800_000_000.0 % 86400
            clock = FakeClock(day0)
            poller = Poller(ClaudeSource(settings), interval=settings.interval, clock=clock,
                            monotonic=clock, jitter=random.Random(1).random,
                            max_interval=settings.max_interval if adaptive else None,
                            activity=signature if adaptive else None)
            reads: list[float] = []
            updates: list[float] = []  # when the display got new numbers (read or reading)
            feed_rng, next_feed = random.Random(2), -1e18
            behind: list[float] = []  # display behind Claude Code's own numbers, per reading
            told: tuple[float, float] | None = None  # (when, 5-hour %) Claude Code last knew
            changes: list[float] = []  # when the upstream's numbers changed
            shown: list[tuple[float, int]] = []  # (read time, version it showed)
            last_version, last_prompt = -1, -1e18
            end = day0 + days * 86400
            while clock.now < end:
                payload, version = _usage(clock.now, day0)
                if version != last_version:
                    changes.append(clock.now)
                    last_version = version
                    upstream.set_usage(payload)
                second = (clock.now - day0) % 86400
                if BUSY[0] * 3600 <= second < BUSY[1] * 3600 and \
                        clock.now - last_prompt >= PROMPT_EVERY_S:
                    with history.open("a", encoding="utf-8") as f:
                        f.write('{"display": "a prompt"}\n')
                    last_prompt = clock.now
                busy = BUSY[0] * 3600 <= second < BUSY[1] * 3600
                if feed and busy and clock.now >= next_feed:
                    limits = {key: {"used_percentage": payload[key]["utilization"],
                                    "resets_at": datetime.fromisoformat(
                                        payload[key]["resets_at"]).timestamp()}
                              for key in ("five_hour", "seven_day") if payload[key]["resets_at"]}
                    poller.take_local(windows_from_statusline(limits, clock.now), clock.now,
                                      "statusline")
                    updates.append(clock.now)
                    next_feed = clock.now + feed_rng.uniform(*FEED_EVERY_S)
                    if "five_hour" in limits:
                        told = (clock.now, float(limits["five_hour"]["used_percentage"]))
                if told is not None:
                    usage = poller.snapshot().usage
                    shown_five = usage.window("five_hour") if usage else None
                    if shown_five is not None and shown_five.utilization == round(told[1], 2):
                        behind.append(clock.now - told[0])
                        told = None
                if poller._due():
                    poller.poll_once()
                    reads.append(clock.now)
                    updates.append(clock.now)
                    shown.append((clock.now, version))
                snap = poller.snapshot()
                step = CREDENTIAL_CHECK_S
                if snap.next_poll_at is not None:
                    step = min(step, max(0.05, snap.next_poll_at - clock.now))
                if feed and busy:
                    step = min(step, max(0.05, next_feed - clock.now))
                clock.now += step
            poller.stop()
    last = end - 86400
    day_reads = [t for t in reads if t >= last]
    busy_changes = [c for c in changes if c >= last and
                    BUSY[0] * 3600 <= (c - day0) % 86400 < BUSY[1] * 3600]
    delays = [min((t for t in updates if t >= c), default=end) - c for c in busy_changes]
    gaps = [b - a for a, b in itertools.pairwise(reads) if b >= last]
    return {"reads": len(day_reads), "worst_delay": max(delays, default=0.0),
            "behind_claude_code": max(behind, default=float("nan")),
            "longest_gap": max(gaps, default=0.0),
            "busy_reads": sum(1 for t in day_reads
                              if BUSY[0] * 3600 <= (t - day0) % 86400 < BUSY[1] * 3600)}


def main() -> int:
    """Run every scenario and print reads per simulated hour."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--hours", type=float, default=24.0, help="simulated hours per case")
    parser.add_argument("--quick", action="store_true", help="6 simulated hours per case")
    parser.add_argument("--interval", type=int, default=300, help="poll interval (s)")
    parser.add_argument("--day-only", action="store_true", help="only the simulated day")
    args = parser.parse_args()
    hours = 6.0 if args.quick else args.hours
    os.environ["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"
    for name in ("CLAUDE_CARTHING_SESSION_KEY", "CLAUDE_CARTHING_ORG_ID"):
        os.environ.pop(name, None)
    # the fake upstream writes headers and body apart; without this each read waits ~40 ms
    socketserver.StreamRequestHandler.disable_nagle_algorithm = True
    import logging

    logging.disable(logging.CRITICAL)
    print(f"machine: {machine()}")
    day_rows = []
    for label, adaptive, feed in (("fixed 300 s", False, False), ("adaptive", True, False),
                                  ("adaptive + status line feed (now)", True, True)):
        day = simulate_day(adaptive, feed=feed)
        lag = day["behind_claude_code"]
        day_rows.append([label, str(day["reads"]), str(day["busy_reads"]),
                         f"{day['worst_delay']:.0f} s",
                         "-" if math.isnan(lag) else f"{lag:.0f} s",
                         f"{day['longest_gap'] / 60:.0f} min"])
    print(f"Simulated day: busy {BUSY[0]:02d}:00-{BUSY[1]:02d}:00 (usage moves every minute, "
          f"a Claude Code prompt every {PROMPT_EVERY_S} s; with the feed, a status line "
          f"reading every {FEED_EVERY_S[0]:.0f}-{FEED_EVERY_S[1]:.0f} s), quiet the other 20 h; "
          f"the second of two days (steady state). Delay: from a change upstream to the "
          f"display showing it\n")
    print(fmt_table(day_rows, ["cadence", "upstream reads per day", "of them in busy hours",
                               "worst delay of a busy-hour change",
                               "display behind Claude Code (worst)",
                               "longest gap between reads"]))
    print()
    if args.day_only:
        return 0
    rows = []
    for name, route, kind, fixed_after in SCENARIOS:
        per_hour, _ = simulate(route, kind, fixed_after, hours, args.interval)
        total = sum(per_hour)
        rows.append([name, f"{per_hour[0]}", f"{max(per_hour[1:] or [0])}",
                     f"{total / len(per_hour):.1f}", str(total)])
    print(f"{hours:.0f} simulated hours per case, poll interval {args.interval} s, "
          f"fake clock; usage reads sent upstream\n")
    print(fmt_table(rows, ["upstream state", "1st hour", "max later hour", "mean per hour",
                           f"total in {hours:.0f} h"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
