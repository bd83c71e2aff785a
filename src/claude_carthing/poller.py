"""The one owner of fetching: adaptive interval, backoff, pause on auth failure, last good data."""

from __future__ import annotations

import logging
import math
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from claude_carthing import errors
from claude_carthing.cadence import Cadence
from claude_carthing.models import HistorySink, Plan, Usage, Window
from claude_carthing.settings import MIN_INTERVAL_S
from claude_carthing.upstream import credentials
from claude_carthing.wake import WakeWatch, boottime

if TYPE_CHECKING:  # the sources pull in the HTTP client, which `status` may not need
    from claude_carthing.upstream.sources import Reading, UsageSource

log = logging.getLogger(__name__)

REFRESH_COOLDOWN_S = 60.0  # never faster than the upstream minimum
RATE_LIMIT_BASE_S = 300.0  # failures start at the interval; rate limits at least here
FAILURE_CAP_S = 1800.0
RATE_LIMIT_CAP_S = 3600.0
MAX_WAIT_S = 3600.0  # no wait is longer, whatever a server asks (unless the interval is)
JITTER = 0.2  # a failure's wait grows by up to this share, never shrinks
CREDENTIAL_CHECK_S = 5.0
FEED_FRESH_S = 300.0  # Claude Code's status line feed counts as flowing this long after a reading
# Once the feed has been seen (within FEED_MEMORY_S), a quiet spell may stretch the wait to this
# many times max_interval: Claude Code itself reports within seconds when it is used again.
FEED_QUIET_STRETCH = 2
FEED_MEMORY_S = 86400.0


@dataclass(frozen=True)
class Snapshot:
    """What the poller knows right now; everything else reads this, nobody calls upstream."""

    usage: Usage | None = None
    plan: Plan | None = None
    source: str | None = None
    last_success_at: float | None = None  # epoch seconds
    last_attempt_at: float | None = None
    last_error: str | None = None
    error_kind: str | None = None
    configured: bool = True
    paused: bool = False
    failures: int = 0
    next_poll_at: float | None = None  # epoch seconds, for display; waits run on a monotonic clock
    interval: int = 300  # the wait in effect after a success: normal, or stretched while idle
    idle: bool = False  # the wait is stretched because usage has not moved
    normal_interval: int = 300
    waking: bool = False  # the PC just woke from sleep; the data is from before, a read is due
    feed: bool = False  # Claude Code's status line readings are arriving: 5-hour, weekly are fresh

    @property
    def poll_mode(self) -> str:
        """Return why the next read comes when it does: normal, idle, backoff or paused."""
        if self.paused:
            return "paused"
        if self.last_error is not None:
            return "backoff"
        return "idle" if self.idle else "normal"

    @property
    def stale(self) -> bool:
        """True when the data shown is not the result of the latest read, and no status line
        reading keeps the main windows fresh meanwhile."""
        return self.usage is not None and (self.last_error is not None or self.waking) \
            and not self.feed

    @property
    def state(self) -> str:
        """Return one of live, stale, demo, waiting, not_configured, error."""
        if self.usage is not None:
            if self.stale:
                return "stale"
            return "demo" if self.source == "demo" else "live"
        if not self.configured:
            return "not_configured"
        return "error" if self.last_error else "waiting"


class Poller:
    """Polls a usage source on a schedule in a background thread, and on request."""

    def __init__(
        self,
        source: UsageSource,
        *,
        interval: int = 300,
        history: HistorySink | None = None,
        clock: Callable[[], float] = time.time,
        monotonic: Callable[[], float] = time.monotonic,
        jitter: Callable[[], float] = random.random,
        fingerprint: Callable[[], str] = credentials.fingerprint,
        max_interval: int | None = None,
        activity: Callable[[], object] | None = None,
        counts_sleep: Callable[[], float] | None = None,
        label: str | None = None,
    ) -> None:
        """`max_interval`: stretch the wait up to this while usage does not move (None: never).
        `activity`: a cheap local signal of Claude Code being used (see `activity.signature`).
        `counts_sleep`: a clock that runs on while the PC sleeps, which `monotonic` does not
        (default: Linux's CLOCK_BOOTTIME beside the real monotonic clock, else the wall clock)."""
        self._source = source
        self._who = f"{label}: " if label else ""  # the account, in log lines, with several
        self._history = history
        self._clock = clock  # wall clock: shown times and history only
        self._monotonic = monotonic  # every wait, so a clock stepped back never stalls polling
        self._jitter = jitter
        self._fingerprint = fingerprint
        if counts_sleep is None:
            counts_sleep = (boottime() if monotonic is time.monotonic else None) or clock
        self._wake_watch = WakeWatch(monotonic, counts_sleep)
        self._lock = threading.Lock()
        self._poll_lock = threading.Lock()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._paused_print: str | None = None
        self._pending_print: str | None = None
        self._last_manual = -math.inf
        self._last_read = -math.inf  # monotonic start of the latest read
        self._reading = False
        self._due_at: float | None = monotonic()  # monotonic time of the next read; None: paused
        self._force = False
        normal = max(interval, MIN_INTERVAL_S)
        self._cadence = Cadence(float(normal), float(max_interval or normal))
        self._ceiling = self._cadence.ceiling  # max_interval; the feed may stretch quiet spells
        self._activity = activity
        self._activity_seen: object = activity() if activity is not None else None
        self._active_since_read = False  # Claude Code was used since the latest reading
        self._snapshot = Snapshot(interval=normal, next_poll_at=clock(), normal_interval=normal)
        self._local: dict[str, tuple[float, Window]] = {}  # status line windows, with their time
        self._upstream_at = -math.inf  # wall-clock start of the latest successful upstream read
        self._local_mono = -math.inf  # monotonic arrival of the latest status line reading

    @property
    def clock(self) -> Callable[[], float]:
        """Return the clock (epoch seconds) this poller and its readers use."""
        return self._clock

    def snapshot(self) -> Snapshot:
        """Return the current state (immutable)."""
        with self._lock:
            snap = self._snapshot
        return replace(snap, feed=True) if self.feed_flowing() else snap

    # --- one read ------------------------------------------------------------------------------

    def poll_once(self) -> Snapshot:
        """Read upstream now, update the state, and return it. Never raises."""
        with self._poll_lock:
            now, started = self._clock(), self._monotonic()
            with self._lock:
                self._reading, self._last_read = True, started
            # Taken before reading, so a file rewritten during the read still counts as new.
            self._pending_print = self._fingerprint()
            try:
                reading = self._source.read()
            except errors.CarthingError as exc:
                self._on_failure(exc, now, started)
            except Exception as exc:
                log.exception("Unexpected failure while reading usage")
                self._on_failure(errors.SchemaError(f"unexpected problem: {exc}"), now, started)
            else:
                self._on_success(reading, now, started)
            finally:
                with self._lock:
                    self._reading = False
            return self.snapshot()

    def _on_success(self, reading: Reading, now: float, started: float) -> None:
        before = self.snapshot()
        reading = self._with_local(reading, now)
        quiet = self._activity is not None and not self._active_since_read
        self._active_since_read = False
        fed = self._monotonic() - self._local_mono < FEED_MEMORY_S
        self._cadence.ceiling = self._ceiling * (FEED_QUIET_STRETCH if fed else 1)
        wait = self._cadence.on_reading(reading.usage, now, quiet=quiet)
        reset = self._cadence.next_reset(now)
        if reset is not None and reset - now < wait:
            wait = max(reset - now, float(MIN_INTERVAL_S))  # read again once a window resets
        if self._activity is not None:  # after our own read: a `claude` child's writes are ours
            self._activity_seen = self._activity()
        if before.last_error is not None and before.last_success_at is not None:
            log.info("%sUsage reads work again (via %s).", self._who, reading.source)
        elif before.last_success_at is None:
            log.info("%sFirst usage read succeeded (via %s).", self._who, reading.source)
        with self._lock:
            self._snapshot = replace(
                before,
                usage=reading.usage,
                plan=reading.plan,
                source=reading.source,
                last_success_at=now,
                last_attempt_at=now,
                last_error=None,
                error_kind=None,
                configured=True,
                paused=False,
                waking=False,
                failures=0,
                next_poll_at=now + wait,
                interval=round(self._cadence.current),
                idle=self._cadence.idle,
            )
            self._due_at = started + wait
            self._reading = False  # done reading, though the history write below may be slow
        if self._history is not None:
            try:
                self._history.append(now, reading.usage)
            except Exception:
                log.exception("Could not write the usage history")

    def _on_failure(self, exc: errors.CarthingError, now: float, started: float) -> None:
        before = self.snapshot()
        if self._activity is not None:  # a `claude` child that failed may have written too
            self._activity_seen = self._activity()
        message = str(exc)
        kind = exc.kind
        failures = before.failures + 1
        paused = (
            isinstance(exc, (errors.AuthError, errors.NotConfiguredError)) or kind == "auth"
        ) and not isinstance(exc, errors.WrongOrgError) and getattr(exc, "request_sent", True)
        delay: float | None = None
        if paused:
            self._paused_print = self._pending_print
        else:
            delay = self._backoff(exc, failures, before.interval)
        if message != before.last_error:
            suffix = " Waiting for new credentials." if paused else " Keeping the last data."
            log.warning("%sUsage read failed: %s.%s", self._who, message.rstrip("."), suffix)
        with self._lock:
            self._snapshot = replace(
                before,
                last_attempt_at=now,
                last_error=message,
                error_kind=kind,
                configured=not isinstance(exc, errors.NotConfiguredError),
                paused=paused,
                waking=False,
                failures=failures,
                next_poll_at=None if delay is None else now + delay,
            )
            self._due_at = None if delay is None else started + delay
            self._reading = False

    def _backoff(self, exc: errors.CarthingError, failures: int, interval: int) -> float:
        """Return seconds until the next read: never below the interval, never past the cap."""
        if not getattr(exc, "request_sent", True):
            return float(MIN_INTERVAL_S)  # nothing was sent: look at the credentials again soon
        limited = isinstance(exc, errors.RateLimitedError)
        base = max(RATE_LIMIT_BASE_S if limited else 0.0, float(interval))
        cap = max(RATE_LIMIT_CAP_S if limited else FAILURE_CAP_S, float(interval))
        jitter = min(max(float(self._jitter()), 0.0), 1.0)
        growth = 2.0 ** min(failures - 1, 16)
        delay = min(cap, base * growth * (1.0 + JITTER * jitter))
        retry_after = exc.retry_after if isinstance(exc, errors.RateLimitedError) else None
        if retry_after is not None and math.isfinite(retry_after):
            delay = max(delay, retry_after)  # the server's positive retry-after wins...
        return min(max(delay, float(interval)), max(MAX_WAIT_S, float(interval)))  # ...up to 1 h

    # --- manual refresh ------------------------------------------------------------------------

    def request_refresh(self) -> tuple[bool, float]:
        """Ask for an early read; return (accepted, seconds until one would be accepted)."""
        mono = self._monotonic()
        with self._lock:
            snap = self._snapshot
            if snap.paused:
                # Refused credentials are read again when they change; asking now is refused again.
                return False, REFRESH_COOLDOWN_S
            if self._reading:
                return True, 0.0  # the read under way is the fresh one asked for
            wait = REFRESH_COOLDOWN_S - (mono - max(self._last_manual, self._last_read))
            if snap.error_kind == "rate_limited" and self._due_at is not None:
                wait = max(wait, self._due_at - mono)  # a dial press must not break backoff
            if wait > 0:
                return False, wait
            self._last_manual = mono
            self._due_at = mono
            self._cadence.snap()  # someone looks: back to the normal interval
            self._snapshot = replace(snap, next_poll_at=self._clock(),
                                     interval=round(self._cadence.current), idle=False)
            self._force = True
        self._wake.set()
        return True, 0.0

    # --- background loop -----------------------------------------------------------------------

    def start(self) -> None:
        """Start polling in a daemon thread (first read immediately)."""
        if self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="usage-poller", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> bool:
        """Stop the background thread and release the source; False if a read still runs."""
        self._stop.set()
        self._wake.set()
        interrupt = getattr(self._source, "interrupt", None)
        if callable(interrupt) and self._thread is not None:
            interrupt()  # a `claude` child mid-read is killed and reaped, not left behind
        if self._thread is not None:
            self._thread.join(timeout)
            if self._thread.is_alive():
                return False  # a read is still under way; the process is exiting, leave it be
            self._thread = None
        self._source.close()
        return True

    def _notice_wake(self) -> None:
        """After a suspend, read at once (a rate limit's wait counts the time asleep)."""
        slept = self._wake_watch.slept()
        if not slept:
            return
        log.info("The PC was asleep for about %d min; reading usage now.", round(slept / 60))
        mono = self._monotonic()
        with self._lock:
            self._last_read -= slept  # cooldowns count real time, asleep or not
            self._last_manual -= slept
            snap = self._snapshot
            if self._due_at is not None:
                if snap.error_kind == "rate_limited":
                    self._due_at -= slept
                else:
                    self._due_at = mono
                snap = replace(snap, next_poll_at=self._clock() + max(0.0, self._due_at - mono))
            self._snapshot = replace(snap, waking=snap.usage is not None)

    def _due(self) -> bool:
        self._notice_wake()
        with self._lock:
            forced, self._force = self._force, False
            due_at = self._due_at
        if forced:
            return True
        if self.snapshot().paused:
            if self._fingerprint() != self._paused_print:
                log.info("%sCredentials changed; reading usage again.", self._who)
                return True
            return False
        # The feed says what Claude Code's use does to the numbers; no need to read sooner.
        due_at = self._feed_due(due_at) if self.feed_flowing() else self._check_activity(due_at)
        return due_at is not None and self._monotonic() >= due_at

    def _check_activity(self, due_at: float | None) -> float | None:
        """Snap back to the normal interval when Claude Code is being used on this PC."""
        if self._activity is None:
            return due_at
        seen = self._activity()
        if seen == self._activity_seen:
            return due_at
        self._activity_seen = seen
        self._active_since_read = True
        with self._lock:
            snap = self._snapshot
            if snap.last_error is not None or due_at is None:
                return due_at  # a backoff stays a backoff: activity is no reason to ask sooner
            self._cadence.snap()
            soonest = self._last_read + self._cadence.normal
            if soonest < due_at:
                log.debug("Claude Code is in use; reading usage sooner.")
                due_at = self._due_at = soonest
                self._snapshot = replace(
                    snap, interval=round(self._cadence.normal), idle=False,
                    next_poll_at=self._clock() + max(0.0, soonest - self._monotonic()))
        return due_at

    def _run(self) -> None:
        while not self._stop.is_set():
            if self._due():
                self.poll_once()
            wait = CREDENTIAL_CHECK_S
            due_at = self._due_at
            if not self.snapshot().paused and due_at is not None:
                wait = min(wait, max(0.0, due_at - self._monotonic()))
            self._wake.wait(max(wait, 0.05))
            self._wake.clear()

    # --- Claude Code's status line feed --------------------------------------------------------

    def take_local(self, windows: tuple[Window, ...], at: float, source: str) -> bool:
        """Take windows read by Claude Code at epoch seconds `at`; True when any was newer than
        what is shown. An older reading never replaces a newer one (ours or upstream's)."""
        with self._lock:
            self._local_mono = self._monotonic()
            fresh = [w for w in windows if at > max(self._upstream_at,
                                                    self._local.get(w.id, (-math.inf,))[0])]
            if not fresh:
                return False
            for window in fresh:
                self._local[window.id] = (at, window)
            self._local_source = source
            snap = self._snapshot
            usage = _overlay(snap.usage, {w.id: w for w in fresh})
            self._snapshot = replace(snap, usage=usage, source=source,
                                     last_success_at=max(at, snap.last_success_at or at))
        levels = tuple((w.id, w.utilization) for w in usage.windows)
        if self._history is not None and levels != self._local_levels:
            self._local_levels = levels  # a reading every few seconds: record changes only
            try:
                self._history.append(at, usage)
            except Exception:
                log.exception("Could not write the usage history")
        return True

    def feed_flowing(self) -> bool:
        """True while Claude Code's status line readings keep arriving."""
        return self._monotonic() - self._local_mono < FEED_FRESH_S

    def _feed_due(self, due_at: float | None) -> float | None:
        """While the feed flows, upstream (plan, other windows) is read at most every ceiling."""
        if due_at is None or self.snapshot().last_error is not None:
            return due_at
        later = self._last_read + self._ceiling
        if later <= due_at:
            return due_at
        with self._lock:  # shown as the next read (meta.next_poll_at_ms), and kept
            self._due_at = later
            self._snapshot = replace(self._snapshot, next_poll_at=self._clock() + max(
                0.0, later - self._monotonic()))
        return later

    def _with_local(self, reading: Reading, started: float) -> Reading:
        """Keep status line windows that are newer than this upstream read's start."""
        with self._lock:
            self._upstream_at = started
            newer = {wid: w for wid, (at, w) in self._local.items() if at > started}
        if not newer:
            return reading
        return replace(reading, usage=_overlay(reading.usage, newer), source=self._local_source)

    _local_source = "statusline"
    _local_levels: tuple[tuple[str, float], ...] = ()


def _overlay(usage: Usage | None, windows: dict[str, Window]) -> Usage:
    """Return `usage` with these windows in place of (or added to) its own, order kept."""
    if usage is None:
        return Usage(windows=tuple(windows.values()))
    kept = [windows.get(w.id, w) for w in usage.windows]
    added = [w for wid, w in windows.items() if usage.window(wid) is None]
    return replace(usage, windows=tuple(added + kept))
