"""The original Car Thing project, as its README (tests/fixtures/original-readme.md) sets it up.

Its scripts (step 4.4) and page (step 4.5) are extracted at test time, never copied into the
project, and run on the device side of a real link: BusyBox sh, nc and the system curl in the
device namespace, the page in Chromium 69 with the kiosk's flags.
"""

from __future__ import annotations

import os
import re
import shutil
import time
from pathlib import Path

import pytest

from tests.support.netns import Link


def extract_script(readme: str, name: str) -> str:
    """Return the body of `cat > /opt/custom/<name> << 'EOF' ... EOF` from the README."""
    match = re.search(rf"cat > /opt/custom/{re.escape(name)} << 'EOF'\n(.*?)\nEOF\n", readme,
                      re.DOTALL)
    assert match, f"{name} not found in the original README"
    return match.group(1) + "\n"


def extract_page(readme: str) -> str:
    """Return the original display page (step 4.5) as written."""
    match = re.search(r"<< 'HTMLEOF'\n(.*?)\nHTMLEOF\n", readme, re.DOTALL)
    assert match, "the original page was not found in the README"
    return match.group(1)


def busybox_bin(folder: Path) -> Path:
    """A PATH folder whose nc, cat, sleep and sh are BusyBox's, as on the device."""
    busybox = shutil.which("busybox")
    if busybox is None or shutil.which("curl") is None:
        pytest.skip("needs busybox and curl (apt-get install busybox curl)")
    folder.mkdir(parents=True, exist_ok=True)
    for applet in ("nc", "cat", "sleep", "sh"):
        (folder / applet).symlink_to(busybox)
    return folder


def start_relay(link: Link, readme: str, work: Path, timeout: float = 30.0) -> Path:
    """Run the original fetch loop and nc relay in the device namespace; return the cache file.

    The scripts are unchanged but for their cache file (/tmp/usage.json would be shared with
    the host here): the fetch loop calls http://172.16.42.1:8080/ and the relay listens on the
    device's port 8080, as on a v3 Car Thing. Returns once the relay is started; the caller's
    link stops both when it ends.
    """
    cache = work / "usage.json"
    bin_dir = busybox_bin(work / "bin")
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}
    busybox = str(bin_dir / "sh")
    for name in ("fetch-usage.sh", "http-server.sh"):
        (work / name).write_text(extract_script(readme, name).replace("/tmp/usage.json",
                                                                      str(cache)))
    link.popen("device", [busybox, str(work / "fetch-usage.sh")], env=env)
    deadline = time.monotonic() + timeout
    while not (cache.exists() and cache.stat().st_size):
        if time.monotonic() > deadline:
            raise AssertionError("the original fetch loop wrote no data")
        time.sleep(0.1)
    # The relay prepares each answer before a client connects, so it starts once the cache
    # holds data (on the device, runit starts it long before anyone asks).
    link.popen("device", [busybox, str(work / "http-server.sh")], env=env)
    return cache
