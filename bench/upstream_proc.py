"""The test suite's fake Claude upstream in its own process, scripted over stdin.

Prints its base URL, then obeys one command per line and answers `ok` (or a number):
`good`, `fail KIND` (a name from tests/support/fake_upstream.FAILURES), `slow SECONDS`,
`count` (usage requests received so far), `quit`.
"""

from __future__ import annotations

import socketserver
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.support.fake_upstream import Canned, FakeUpstream


def main() -> None:
    """Serve on a free loopback port until `quit` or end of input."""
    # BaseHTTPRequestHandler writes headers and body separately; with Nagle on, each keep-alive
    # answer would wait ~40 ms for a delayed ACK, which real Claude does not make us wait.
    socketserver.StreamRequestHandler.disable_nagle_algorithm = True
    with FakeUpstream() as upstream:
        print(upstream.url, flush=True)
        for line in sys.stdin:
            command, _, arg = line.strip().partition(" ")
            if command == "good":
                upstream.heal()
            elif command == "fail":
                upstream.fail_with(arg)
            elif command == "slow":
                canned = Canned(200, "{}", delay=float(arg))
                upstream.failure["oauth"] = upstream.failure["web"] = canned
            elif command == "count":
                print(len(upstream.usage_requests()), flush=True)
                continue
            elif command == "quit":
                break
            print("ok", flush=True)


if __name__ == "__main__":
    main()
