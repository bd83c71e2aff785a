"""Child process for the SIGKILL test: append readings forever, printing each committed count.

Usage: python -m tests.resilience.history_writer DB_PATH ROUND
"""

from __future__ import annotations

import sys
from datetime import datetime, timezone
from pathlib import Path

from claude_carthing.history import History
from claude_carthing.models import Usage, Window

T0 = 1_800_000_000.0
RESET = datetime(2030, 1, 1, tzinfo=timezone.utc)


def reading_time(round_no: int, index: int) -> float:
    """Epoch seconds of reading `index` of round `round_no` (distinct milliseconds)."""
    return T0 + round_no * 10_000 + index * 0.01


def main() -> None:
    """Append until killed; after each commit print the number of readings committed."""
    history = History(Path(sys.argv[1]))
    round_no = int(sys.argv[2])
    print("open", flush=True)
    index = 0
    while True:
        usage = Usage((Window("five_hour", "5-hour", "session", float(index), RESET),
                       Window("seven_day", "Weekly", "weekly", float(index) / 2, None)))
        history.append(reading_time(round_no, index), usage)
        index += 1
        print(index, flush=True)


if __name__ == "__main__":
    main()
