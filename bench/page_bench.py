"""Main-thread cost of the dashboard page versus the original project's page, in steady state.

Both pages run in headless Debian Chromium at 800x480 with CPU throttling, showing the same
numbers (one window at 86 %, so both show their warning animation), fed by a loopback stand-in.
The original page is cut out of step 4.5 of tests/fixtures/original-readme.md at run time into
a temp dir (it is never stored in this project); its fetch URL is pointed at the stand-in.

    python bench/page_bench.py [--seconds 60] [--throttle 4] [--accounts 2]

`--accounts N` (issue 20): the stand-in watches N accounts (the second one failing), so our page
shows its overview of all accounts, reading /api/accounts and /usage?account= every 2 s.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import threading
import time
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
PAGE_DIR = ROOT / "src" / "claude_carthing" / "page"
SEED = ROOT / "tests" / "fixtures" / "original-readme.md"  # a copy kept in the project
MARK_START = "cat > /opt/custom/claude-usage-display.html << 'HTMLEOF'\n"
MARK_END = "\nHTMLEOF"
ORIGINAL_URL = "http://localhost:8080/usage"
CDP_METRICS = ("TaskDuration", "ScriptDuration", "LayoutDuration", "RecalcStyleDuration",
               "LayoutCount", "RecalcStyleCount")


def extract_original(readme: Path, into: Path) -> Path:
    """Write the original display HTML from the README's step 4.5 into `into`, return its path."""
    text = readme.read_text(encoding="utf-8")
    start = text.index(MARK_START) + len(MARK_START)
    html = text[start:text.index(MARK_END, start)]
    if ORIGINAL_URL not in html:
        raise SystemExit(f"the original page no longer fetches {ORIGINAL_URL}")
    out = into / "index.html"
    out.write_text(html.replace(ORIGINAL_URL, "/usage"), encoding="utf-8")
    return out


def payload(now: float) -> dict[str, Any]:
    """A /usage body both pages understand: legacy keys for the original, windows[] for ours."""
    def iso(t: float) -> str:
        return datetime.fromtimestamp(t, tz=timezone.utc).isoformat()

    spec = [("five_hour", "5-hour", "session", 23.0, now + 8040),
            ("seven_day", "Weekly", "weekly", 64.0, now + 274000),
            ("seven_day_sonnet", "Weekly · Sonnet", "weekly", 86.0, now + 274000)]
    body: dict[str, Any] = {k: {"utilization": u, "resets_at": iso(r)} for k, _, _, u, r in spec}
    body["seven_day_opus"] = None
    body["windows"] = [{"id": k, "label": label, "group": g, "utilization": u, "resets_at": iso(r),
                        "resets_at_ms": int(r * 1000), "severity": "normal", "is_active": False,
                        "model": None, "surface": None} for k, label, g, u, r in spec]
    from claude_carthing.serving.payload import (
        window_json,  # level and projection, as the server sends
    )

    series = history(now)["series"]
    body["windows"] = [window_json(w, series[w["id"]], now, 0) for w in body["windows"]]
    body["extra_usage"] = None
    body["plan"] = {"name": "Max", "tier": None}
    # Issue 18: a Claude Code session waiting for the user (the banner shows on our page).
    body["sessions"] = [{"session_id": "bench-1", "project": "my-project", "state": "waiting",
                         "since_ms": int((now - 60) * 1000), "waiting_for": "permission",
                         "model": "Opus 4.5", "context_pct": 42, "last_failure": None}]
    body["meta"] = {"state": "live", "stale": False, "demo": False, "configured": True,
                    "source": "oauth", "fetched_at_ms": int(now * 1000),
                    "last_success_at_ms": int(now * 1000), "last_error": None, "error_kind": None,
                    "server_time_ms": int(time.time() * 1000), "utc_offset_minutes": 0,
                    "poll_interval_s": 300, "next_poll_at_ms": int((now + 300) * 1000),
                    "version": "bench"}
    return body


def history(now: float) -> dict[str, Any]:
    """24 h of 5-minute points for each window, like the real server's history."""
    series = {}
    for key, top in (("five_hour", 23.0), ("seven_day", 64.0), ("seven_day_sonnet", 86.0)):
        series[key] = [[int((now - i * 300) * 1000), max(0.0, top - i * 0.2)]
                       for i in range(288, -1, -1)]
    return {"hours": 24, "series": series}


ACCOUNT_NAMES = ("personal", "work", "team", "lab")


def account_usage(now: float, name: str, names: list[str]) -> dict[str, Any]:
    """One account's /usage body among `names`: the first live, the others failing (stale)."""
    body = payload(now)
    body["meta"].update(account=name, accounts=names)
    if name != names[0]:
        body["meta"].update(state="stale", stale=True, last_error="Cloudflare challenge (403)",
                            error_kind="cloudflare")
    return body


def accounts_body(now: float, names: list[str], sessions: bool = False) -> dict[str, Any]:
    """The /api/accounts body for `names`, built from each account's /usage body (`sessions`:
    with Claude Code's sessions too, so the page reads nothing else on that view)."""
    entries = []
    for i, name in enumerate(names):
        doc = account_usage(now, name, names)
        entries.append({"name": name, "default": i == 0, "state": doc["meta"]["state"],
                        "plan": doc["plan"], "windows": doc["windows"],
                        "extra_usage": doc["extra_usage"], "error": doc["meta"]["last_error"],
                        "meta": doc["meta"]})
    body = {"accounts": entries, "server_time_ms": int(time.time() * 1000), "utc_offset_minutes": 0}
    if sessions:
        body["sessions"] = payload(now)["sessions"]
    return body


def serve(original_dir: Path, accounts: int = 1, sessions: bool = False) -> ThreadingHTTPServer:
    """Start the loopback stand-in: /orig/ and /ours/ pages, /usage, /api/history (and, with
    several accounts, /usage?account= and /api/accounts)."""
    started = time.time()
    names = list(ACCOUNT_NAMES[:accounts])

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def _send(self, body: bytes, ctype: str, status: int = 200) -> None:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            path, _, query = self.path.partition("?")
            if path == "/usage" and accounts > 1:
                name = query.partition("account=")[2] or names[0]
                body = account_usage(started, name, names)
                return self._send(json.dumps(body).encode(), "application/json")
            if path == "/usage":
                return self._send(json.dumps(payload(started)).encode(), "application/json")
            if path == "/api/accounts" and accounts > 1:
                body = accounts_body(started, names, sessions)
                return self._send(json.dumps(body).encode(), "application/json")
            if path == "/api/history":
                return self._send(json.dumps(history(started)).encode(), "application/json")
            base, _, name = path.rpartition("/")
            folder = {"/orig": original_dir, "/ours": PAGE_DIR}.get(base)
            file = folder / (name or "index.html") if folder else None
            if file is None or not file.is_file():
                return self._send(b"not found", "text/plain", 404)
            types = {".html": "text/html", ".js": "text/javascript", ".css": "text/css"}
            ctype = types[file.suffix]
            return self._send(file.read_bytes(), ctype + "; charset=utf-8")

        def do_POST(self) -> None:
            self._send(b'{"accepted": true}', "application/json", 202)

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd


def measure(browser: Any, url: str, seconds: float, throttle: float) -> dict[str, float]:
    """Load `url`, settle, then measure main-thread work over `seconds` of real time."""
    context = browser.new_context(viewport={"width": 800, "height": 480})
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": throttle})
    cdp.send("Performance.enable", {"timeDomain": "timeTicks"})
    page.goto(url)
    page.wait_for_function("document.body.innerText.indexOf('86') >= 0", timeout=30000)
    page.wait_for_timeout(3000)  # settle: first render, history, the bar transitions
    shown = page.inner_text("body")
    before = _metrics(cdp)
    browser.start_tracing(page=page, categories=["devtools.timeline"])
    time.sleep(seconds)
    trace = json.loads(browser.stop_tracing())
    after = _metrics(cdp)
    events = trace["traceEvents"] if isinstance(trace, dict) else trace
    paints = sum(1 for e in events if e.get("name") == "Paint")
    per_min = 60.0 / seconds
    out = {name: (after[name] - before[name]) * per_min for name in CDP_METRICS}
    out["Paints"] = paints * per_min
    out["JSHeapUsedSize"] = after["JSHeapUsedSize"]
    out["Nodes"] = after["Nodes"]
    out["warning_shown"] = float("86" in shown)
    context.close()
    return out


def _metrics(cdp: Any) -> dict[str, float]:
    return {m["name"]: float(m["value"]) for m in cdp.send("Performance.getMetrics")["metrics"]}


ROWS = [
    ("main-thread task time, ms/min", "TaskDuration", 1000.0),
    ("  of which script, ms/min", "ScriptDuration", 1000.0),
    ("  of which layout, ms/min", "LayoutDuration", 1000.0),
    ("  of which style, ms/min", "RecalcStyleDuration", 1000.0),
    ("layouts per minute", "LayoutCount", 1.0),
    ("style recalcs per minute", "RecalcStyleCount", 1.0),
    ("paints per minute (trace)", "Paints", 1.0),
    ("JS heap used, KB", "JSHeapUsedSize", 1 / 1024),
    ("DOM nodes", "Nodes", 1.0),
]


def main(argv: list[str] | None = None) -> int:
    """Run both pages and print the comparison table."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=60.0, help="measuring time per page")
    ap.add_argument("--throttle", type=float, default=4.0, help="CPU slowdown factor")
    ap.add_argument("--readme", type=Path, default=SEED, help="the original project's README")
    ap.add_argument("--accounts", type=int, default=1, choices=range(1, 5),
                    help="accounts the stand-in watches (2-4: our page shows all of them)")
    ap.add_argument("--no-sessions-in-accounts", dest="sessions_in_accounts",
                    action="store_false",
                    help="/api/accounts without Claude Code's sessions (a server older than "
                         "the page: two reads per poll)")
    args = ap.parse_args(argv)
    if not args.readme.is_file():
        print(f"skipped: {args.readme} not found (the original page comes from it)")
        return 0
    from tests.support.browser import ARGS, chromium_path

    exe = chromium_path()
    if exe is None:
        print("skipped: /usr/bin/chromium is not installed")
        return 0
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="orig-page-") as tmp:
        extract_original(args.readme, Path(tmp))
        httpd = serve(Path(tmp), args.accounts, args.sessions_in_accounts)
        base = f"http://127.0.0.1:{httpd.server_address[1]}"
        try:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=str(exe), headless=True, args=ARGS)
                orig = measure(browser, base + "/orig/index.html", args.seconds, args.throttle)
                # Our page as the kiosk opens it: /usage every 2 s (issue 18), the server's
                # clock moving in every answer.
                ours = measure(browser, base + "/ours/index.html", args.seconds, args.throttle)
                browser.close()
        finally:
            httpd.shutdown()
            httpd.server_close()
    print(f"Steady state over {args.seconds:.0f} s, CPU throttled {args.throttle:g}x, 800x480, "
          f"a card at 86 % (warning) on both pages"
          + (f"; ours on its overview of {args.accounts} accounts" if args.accounts > 1 else ""))
    print(f"{'metric':34} {'original':>10} {'ours':>10} {'ours/orig':>10}")
    for label, key, scale in ROWS:
        a, b = orig[key] * scale, ours[key] * scale
        ratio = f"{b / a:.3f}" if a else "-"
        print(f"{label:34} {a:10.1f} {b:10.1f} {ratio:>10}")
    goal = ours["TaskDuration"] <= orig["TaskDuration"] / 10
    print(f"goal (main-thread time <= 1/10 of the original): {'met' if goal else 'NOT met'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
