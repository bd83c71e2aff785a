"""Upstream politeness: reads sent to the fake Claude per simulated hour, per upstream state.

The real Poller and ClaudeSource read a loopback fake upstream on a fake clock. The loop below
is the poller's own background loop with the waits skipped: whenever the poller says a read
is due (`_due`, which also notices changed credentials while paused) it reads, then the clock
jumps to the next wake-up (the next scheduled read, or the 5 s credential check while paused).
"""

from __future__ import annotations

import argparse
import os
import random
import socketserver
import sys
import tempfile
from pathlib import Path

from common import FakeClock, fmt_table, machine

SCENARIOS = [
    # name, route, failure kind (None = healthy), credentials fixed after this many hours
    ("normal", "oauth", None, None),
    ("normal, web session", "web", None, None),
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

    from claude_carthing.poller import CREDENTIAL_CHECK_S, Poller
    from claude_carthing.settings import load_settings
    from claude_carthing.sources import ClaudeSource

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
                            monotonic=clock, jitter=jitter)
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


def main() -> int:
    """Run every scenario and print reads per simulated hour."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--hours", type=float, default=24.0, help="simulated hours per case")
    parser.add_argument("--quick", action="store_true", help="6 simulated hours per case")
    parser.add_argument("--interval", type=int, default=300, help="poll interval (s)")
    args = parser.parse_args()
    hours = 6.0 if args.quick else args.hours
    os.environ["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"
    for name in ("CLAUDE_CARTHING_SESSION_KEY", "CLAUDE_CARTHING_ORG_ID"):
        os.environ.pop(name, None)
    # the fake upstream writes headers and body apart; without this each read waits ~40 ms
    socketserver.StreamRequestHandler.disable_nagle_algorithm = True
    import logging

    logging.disable(logging.CRITICAL)
    rows = []
    for name, route, kind, fixed_after in SCENARIOS:
        per_hour, _ = simulate(route, kind, fixed_after, hours, args.interval)
        total = sum(per_hour)
        rows.append([name, f"{per_hour[0]}", f"{max(per_hour[1:] or [0])}",
                     f"{total / len(per_hour):.1f}", str(total)])
    print(f"machine: {machine()}")
    print(f"{hours:.0f} simulated hours per case, poll interval {args.interval} s, "
          f"fake clock; usage reads sent upstream\n")
    print(fmt_table(rows, ["upstream state", "1st hour", "max later hour", "mean per hour",
                           f"total in {hours:.0f} h"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
