"""Idle cost: a time-compressed stretch of polling with flapping upstream states.

The real service (poller + history + web app under uvicorn, in this process) polls the fake
Claude upstream (a child process on 127.0.0.1) on a fake clock: each cycle jumps the clock to
the poller's next read, reads, and fetches /usage over HTTP like the Car Thing would. Every
simulated hour the upstream changes state (good, 429, Cloudflare challenge, timeout, HTTP 500).
Prints RSS, open file descriptors and threads at the start vs the end, CPU time per cycle, and
the history database size per simulated month.

Then `serve` itself: `python -m claude_carthing serve` started as a user starts it, polling the
fake upstream at the default interval (a Claude Code login, the default settings: its first
read crosses 80 %, so the alert path and the notification library load too), measured once
it has read and answered the device for a few seconds. The goal is 50 MiB RSS or less.
"""

from __future__ import annotations

import argparse
import http.client
import json
import logging
import os
import random
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil
from common import (
    LOOPBACK,
    FakeClock,
    UpstreamProcess,
    fetch,
    fmt_table,
    free_port,
    isolated_env,
    machine,
    spawn,
)

STATES = ("good", "fail rate_limit_0", "fail cloudflare", "slow 0.3", "fail server_500")
WEIGHTS = (6, 1, 1, 1, 1)
DEFAULT_INTERVAL_S = 300
MONTH_S = 30 * 86400
SERVE_GOAL_MIB = 50.0


def snapshot(proc: psutil.Process) -> dict[str, float]:
    """Return RSS (MiB), open fds, threads and CPU seconds of this process."""
    fds = proc.num_fds() if hasattr(proc, "num_fds") else proc.num_handles()
    times = proc.cpu_times()
    return {"rss": proc.memory_info().rss / 2**20, "fds": fds, "threads": proc.num_threads(),
            "cpu": times.user + times.system}


def serve_rss(settle_s: float = 5.0) -> tuple[float, float, int]:
    """Run `serve` as a user does, polling the fake upstream; return (RSS MiB, peak, threads)."""
    upstream = UpstreamProcess()
    saved = {k: os.environ.get(k) for k in ("CLAUDE_CARTHING_HOME", "CLAUDE_CONFIG_DIR")}
    try:
        with tempfile.TemporaryDirectory(prefix="cc-bench-serve-") as tmp:
            env = isolated_env(Path(tmp))
            env["CLAUDE_CARTHING_API_URL"] = env["CLAUDE_CARTHING_WEB_URL"] = upstream.url
            env["PATH"] = os.path.dirname(sys.executable)  # no `claude` here: the OAuth route
            os.environ.update({k: env[k] for k in saved})
            from tests.support import creds

            creds.write_oauth(expires_in_s=86400)
            port = free_port()
            cmd = [sys.executable, "-m", "claude_carthing", "serve", "--host", LOOPBACK,
                   "--port", str(port)]
            with spawn(cmd, env, port) as server:
                deadline = time.monotonic() + 30
                while json.loads(fetch(server.url + "/health")).get("state") != "live":
                    if time.monotonic() > deadline:
                        raise RuntimeError("serve made no good read")
                    time.sleep(0.1)
                end = time.monotonic() + settle_s
                peak = 0.0
                while time.monotonic() < end:  # the device asks every few seconds; we ask more
                    fetch(server.url + "/usage")
                    fetch(server.url + "/health")
                    peak = max(peak, server.proc.memory_info().rss / 2**20)
                    time.sleep(0.1)
                fetch(server.url + "/")
                fetch(server.url + "/api/history?hours=24")
                rss = server.proc.memory_info().rss / 2**20
                return rss, max(peak, rss), server.proc.num_threads()
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        upstream.close()


def main() -> int:  # noqa: PLR0915 - one linear script
    """Run the simulation and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cycles", type=int, default=12000, help="poll cycles after warm-up")
    parser.add_argument("--quick", action="store_true", help="400 cycles (smoke run)")
    parser.add_argument("--interval", type=int, default=60, help="poll interval (s, >= 60)")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    cycles = 400 if args.quick else args.cycles
    random.Random(args.seed)
    tmp = tempfile.TemporaryDirectory(prefix="cc-bench-idle-")
    os.environ["CLAUDE_CARTHING_HOME"] = str(Path(tmp.name) / "home")
    os.environ["CLAUDE_CONFIG_DIR"] = str(Path(tmp.name) / "claude")
    os.environ["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"

    import uvicorn
    from tests.support import creds

    from claude_carthing import paths
    from claude_carthing.logs import setup_logging
    from claude_carthing.service import bind, build_service
    from claude_carthing.settings import load_settings

    upstream = UpstreamProcess()
    creds.write_oauth(expires_in_s=400 * 86400)
    setup_logging("INFO")  # the real log file, as `serve` writes it; not on our stdout
    root = logging.getLogger()
    for handler in list(root.handlers):
        if type(handler) is logging.StreamHandler:
            root.removeHandler(handler)
    port = free_port()
    settings = load_settings(host=LOOPBACK, port=port, api_url=upstream.url,
                             web_url=upstream.url, timeout=0.15, interval=args.interval,
                             source="oauth")
    clock = FakeClock()
    service = build_service(settings, clock=clock)
    poller = service.poller
    config = uvicorn.Config(service.app, lifespan="off", log_config=None, access_log=False,
                            server_header=False, timeout_keep_alive=3600, ws="none")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [bind(LOOPBACK, port)]},
                              daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.01)
    device = http.client.HTTPConnection(LOOPBACK, port, timeout=5)

    state = "good"
    counts = dict.fromkeys(STATES, 0)
    successes = good_total = 0
    start_sim = clock.now
    proc = psutil.Process()

    def cycle(i: int) -> None:
        nonlocal state, successes, good_total
        snap = poller.snapshot()
        clock.now = max(clock.now, snap.next_poll_at or clock.now + 300)
        hour = int((clock.now - start_sim) // 3600)
        wanted = STATES[0] if hour == 0 else random.Random(hour * 7919 + args.seed).choices(
            STATES, WEIGHTS)[0]
        if wanted != state:
            upstream.send(wanted)
            state = wanted
        counts[state] += 1
        if poller.poll_once().last_error is None:
            successes += 1
            good_total += 1
        device.request("GET", "/usage")
        device.getresponse().read()
        if i % 10 == 0:
            device.request("GET", "/health")
            device.getresponse().read()

    for i in range(100):  # warm-up: imports, caches, first connections
        cycle(i)
    successes = 0
    counts = dict.fromkeys(STATES, 0)
    before = snapshot(proc)
    samples = [before["rss"]]
    wall0 = time.perf_counter()
    for i in range(cycles):
        cycle(i)
        if (i + 1) % max(1, cycles // 10) == 0:
            samples.append(snapshot(proc)["rss"])
    wall = time.perf_counter() - wall0
    after = snapshot(proc)
    simulated_s = clock.now - start_sim

    history = service.history
    assert history is not None
    readings = history.count()
    server.should_exit = True
    thread.join(10)
    service.close()
    upstream.close()
    db = paths.history_db()
    db_bytes = sum(p.stat().st_size for p in db.parent.glob(db.name + "*"))
    windows = readings / max(good_total, 1)
    per_reading = db_bytes / max(good_total, 1)
    month = per_reading * MONTH_S / DEFAULT_INTERVAL_S

    print(f"machine: {machine()}")
    print(f"{cycles} poll cycles (+100 warm-up) in {wall:.0f} s real time = "
          f"{simulated_s / 86400:.1f} simulated days at a {args.interval} s interval; "
          f"{successes} good reads")
    print("cycles per upstream state: " + ", ".join(f"{k}: {v}" for k, v in counts.items()))
    print()
    print(fmt_table([
        ["RSS (MiB)", f"{before['rss']:.1f}", f"{after['rss']:.1f}",
         f"{after['rss'] - before['rss']:+.1f}"],
        ["open file descriptors", f"{before['fds']:.0f}", f"{after['fds']:.0f}",
         f"{after['fds'] - before['fds']:+.0f}"],
        ["threads", f"{before['threads']:.0f}", f"{after['threads']:.0f}",
         f"{after['threads'] - before['threads']:+.0f}"],
    ], ["", "start", "end", "change"]))
    print(f"\nRSS over the run (MiB): {' '.join(f'{s:.1f}' for s in samples)}")
    cpu = after["cpu"] - before["cpu"]
    print(f"CPU: {cpu:.1f} s for {cycles} cycles = {cpu / cycles * 1000:.1f} ms per cycle "
          f"(one upstream read + one /usage request, + /health every 10th); at the default "
          f"{DEFAULT_INTERVAL_S} s interval that is {cpu / cycles * 86400 / DEFAULT_INTERVAL_S:.1f}"
          f" s of CPU per day")
    print(f"history: {readings} samples ({windows:.1f} windows per reading), {db_bytes / 1024:.0f}"
          f" KiB on disk = {per_reading:.0f} bytes per reading -> {month / 2**20:.2f} MiB per "
          f"month at {DEFAULT_INTERVAL_S} s; {month * 3 / 2**20:.1f} MiB at the 90-day retention")
    tmp.cleanup()

    rss, peak, threads = serve_rss()
    verdict = "within" if peak <= SERVE_GOAL_MIB else "OVER"
    print(f"\nserve with polling (python -m claude_carthing serve, OAuth route, default "
          f"settings): RSS {rss:.1f} MiB, peak {peak:.1f} MiB, {threads} threads "
          f"({verdict} the {SERVE_GOAL_MIB:.0f} MiB goal)")
    return 0 if peak <= SERVE_GOAL_MIB else 1


if __name__ == "__main__":
    sys.exit(main())
