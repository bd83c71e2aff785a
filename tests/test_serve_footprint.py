"""What `serve` keeps in memory: the code it needs, not the CLI's other commands' libraries.

The goal is `serve` with polling at 50 MiB RSS or less (docs/performance.md has the figure,
`bench/idle_bench.py` measures it). Each library below is megabytes that a serving process
would keep for nothing; the test runs the CLI's imports, a read that crosses a threshold and
its alert in a fresh interpreter, and looks at what was loaded.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

from tests.support import creds
from tests.support.fake_upstream import FakeUpstream

NOT_FOR_SERVING = {
    "keyring": "the OS keyring: only a claude.ai login stored on this PC lives there",
    "rich": "terminal rendering, for `status`",
    "claude_carthing.terminal": "terminal rendering, for `status`",
    "claude_carthing.usb": "`usb-setup`",
    "claude_carthing.autostart": "`autostart`",
}

SCRIPT = r"""
import json, sys
import claude_carthing.cli  # every command registered, as `claude-carthing serve` does
from claude_carthing.service import build_service
from claude_carthing.settings import load_settings
url = sys.argv[1]
service = build_service(load_settings(api_url=url, web_url=url, timeout=5.0,
                                      notify="on", host="127.0.0.1"))
service.alerts.start()
snap = service.poller.poll_once()
service.alerts.drain()
print(json.dumps({"state": snap.state, "events": [e.kind for e in service.alerts.delivered],
                  "modules": sorted(sys.modules)}))
service.close()
"""


def test_serving_loads_no_library_only_other_commands_need(
        fake_upstream: FakeUpstream) -> None:
    creds.write_oauth()  # a Claude Code login, no claude.ai login
    env = {**os.environ, "DBUS_SESSION_BUS_ADDRESS": "unix:path=/nonexistent/bus"}
    out = subprocess.run([sys.executable, "-c", SCRIPT, fake_upstream.url], env=env,
                         capture_output=True, text=True, timeout=60, check=True).stdout
    seen = json.loads(out.splitlines()[-1])
    assert seen["state"] == "live"
    assert "threshold" in seen["events"]  # the alert path ran too (Fable at 81 %)
    loaded = {name: why for name, why in NOT_FOR_SERVING.items()
              if any(m == name or m.startswith(name + ".") for m in seen["modules"])}
    assert loaded == {}
