"""Logging to stderr and a size-capped rotating file, with secrets scrubbed from every line."""

from __future__ import annotations

import logging
import re
import sys
import time
from logging.handlers import RotatingFileHandler
from typing import TYPE_CHECKING, TextIO

from claude_carthing import paths

if TYPE_CHECKING:
    from claude_carthing.models import HistorySink, Usage

SECRET_PATTERN = re.compile(r"sk-ant-[a-z]{2,4}\d{0,2}-[A-Za-z0-9_\-]+")
MAX_BYTES = 1_000_000
BACKUPS = 3


def redact(text: str) -> str:
    """Replace anything shaped like an Anthropic key or token with a marker."""
    return SECRET_PATTERN.sub("sk-ant-[redacted]", text)


class StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Write to whatever `sys.stderr` is at the time (it may be swapped, as by test runners)."""

    def __init__(self) -> None:
        super().__init__()

    @property
    def stream(self) -> object:
        return sys.stderr

    @stream.setter
    def stream(self, value: object) -> None:
        pass


class RedactingFilter(logging.Filter):
    """Scrub secrets from a record's final message before any handler writes it."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Render the message once, redacted; never drop a record."""
        message = record.getMessage()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        record.msg = redact(message)
        record.args = None
        return True


_base_factory = logging.getLogRecordFactory()


def _redacting_factory(*args: object, **kwargs: object) -> logging.LogRecord:
    record = _base_factory(*args, **kwargs)
    if record.args or SECRET_PATTERN.search(str(record.msg)):
        message = record.getMessage()
        record.msg, record.args = redact(message), None
    return record


def setup_logging(level: str = "INFO", *, to_file: bool = True) -> None:
    """Send our logs to stderr and, when possible, to `logs/claude-carthing.log`."""
    # Redact when a record is made, so every handler (even ones added later) sees clean text.
    logging.setLogRecordFactory(_redacting_factory)
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_claude_carthing", False):
            root.removeHandler(handler)
    root.setLevel(level.upper())
    fmt = logging.Formatter("%(asctime)s %(levelname)-7s %(name)s: %(message)s", "%H:%M:%S")
    handlers: list[logging.Handler] = [StderrHandler()]
    if to_file:
        try:
            paths.ensure_home()
            paths.log_dir().mkdir(exist_ok=True)
            handlers.append(
                RotatingFileHandler(
                    paths.log_dir() / "claude-carthing.log",
                    maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8",
                )
            )
        except OSError as exc:
            print(f"warning: not logging to a file: {exc.strerror}", file=sys.stderr)
    for handler in handlers:
        handler.setFormatter(fmt)
        handler.addFilter(RedactingFilter())
        handler._claude_carthing = True  # type: ignore[attr-defined]
        root.addHandler(handler)
    for noisy in ("uvicorn.access",):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def reading_line(at: float, usage: Usage) -> str:
    """Return `[14:05:12] 5-hour 23% · Weekly 41% · Sonnet 12%` for one reading (local time)."""
    parts = [f"{_short_label(w.label)} {w.utilization:.0f}%" for w in usage.windows]
    clock = time.strftime("%H:%M:%S", time.localtime(at))
    return f"[{clock}] " + (" · ".join(parts) or "no usage windows")


def _short_label(label: str) -> str:
    # "Weekly · Sonnet" would read as two entries between the separators: name it by its model
    return label.removeprefix("Weekly · ")


class ReadingPrinter:
    """Print one line per successful read, for `serve` in a terminal (as the original did)."""

    def __init__(self, history: HistorySink | None, stream: TextIO | None = None, *,
                 account: str | None = None) -> None:
        self._history = history
        self._stream = stream
        self._account = account  # named on each line when several accounts are read

    def append(self, at: float, usage: Usage) -> None:
        """Print the reading, then record it in the history (if any)."""
        stream = self._stream or sys.stdout
        # One write with its newline: print() writes the line and "\n" apart, and a log line
        # from another thread (an alert) could land between them on a terminal.
        line = reading_line(at, usage)
        if self._account:
            line = line.replace("] ", f"] {self._account}: ", 1)
        stream.write(line + "\n")
        stream.flush()
        if self._history is not None:
            self._history.append(at, usage)
