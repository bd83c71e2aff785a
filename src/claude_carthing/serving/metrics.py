"""`GET /metrics`: the poller's state and read counts in the Prometheus text format."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from claude_carthing.poller import Poller, Snapshot

PREFIX = "claude_carthing"


class ReadCounter:
    """Counts upstream reads and failures by kind, from the snapshot after each read."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.reads = 0
        self.failures: Counter[str] = Counter()

    def observe(self, snap: Snapshot) -> None:
        """Count one read (every poll is one): failed when the snapshot carries an error."""
        with self._lock:
            self.reads += 1
            if snap.last_error is not None:
                self.failures[snap.error_kind or "error"] += 1

    def counts(self) -> tuple[int, dict[str, int]]:
        """Return (reads, failures by kind)."""
        with self._lock:
            return self.reads, dict(self.failures)


class _Collector:
    """Builds the metric families from every account's current snapshot at each scrape."""

    def __init__(self, accounts: Sequence[tuple[str, Poller, ReadCounter]]) -> None:
        self.accounts = accounts

    def collect(self) -> Iterator[Any]:
        """Yield every metric family (called by the prometheus client on each scrape)."""
        from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

        labels = ["account", "window", "label", "group"]
        util = GaugeMetricFamily(f"{PREFIX}_utilization_percent",
                                 "Share of the window's limit used (may exceed 100).",
                                 labels=labels)
        resets = GaugeMetricFamily(f"{PREFIX}_resets_at_seconds",
                                   "When the window resets (Unix time).", labels=labels)
        one = ["account"]
        success = GaugeMetricFamily(f"{PREFIX}_last_success_seconds",
                                    "When the last read succeeded (Unix time; 0 = never).",
                                    labels=one)
        stale = GaugeMetricFamily(f"{PREFIX}_stale",
                                  "1 when the data shown is not the latest read.", labels=one)
        demo = GaugeMetricFamily(f"{PREFIX}_demo", "1 when serving synthetic demo data.",
                                 labels=one)
        total = CounterMetricFamily(f"{PREFIX}_upstream_reads", "Usage reads attempted.",
                                    labels=one)
        failed = CounterMetricFamily(f"{PREFIX}_upstream_failures", "Usage reads that failed.",
                                     labels=["account", "kind"])
        extras: dict[str, Any] = {}
        for name, poller, reads in self.accounts:
            snap = poller.snapshot()
            for w in snap.usage.windows if snap.usage else ():
                util.add_metric([name, w.id, w.label, w.group], w.utilization)
                if w.resets_at is not None:
                    resets.add_metric([name, w.id, w.label, w.group], w.resets_at.timestamp())
            self._extra(name, snap, GaugeMetricFamily, extras)
            success.add_metric([name], snap.last_success_at or 0.0)
            stale.add_metric([name], 1.0 if snap.stale else 0.0)
            demo.add_metric([name], 1.0 if snap.source == "demo" else 0.0)
            count, failures = reads.counts()
            total.add_metric([name], count)
            for kind, times in sorted(failures.items()):
                failed.add_metric([name, kind], times)
        yield util
        yield resets
        yield from extras.values()
        yield from (success, stale, demo, total, failed)

    @staticmethod
    def _extra(account: str, snap: Snapshot, gauge: Any, families: dict[str, Any]) -> None:
        extra = snap.usage.extra_usage if snap.usage else None
        if extra is None:
            return
        values = [("enabled", 1.0 if extra.enabled else 0.0, "1 when extra usage is on."),
                  ("used", extra.used, "Extra usage spent, in currency units."),
                  ("limit", extra.limit, "Extra usage cap, in currency units."),
                  ("utilization_percent", extra.utilization, "Share of the extra usage cap spent.")]
        for name, value, text in values:
            if value is None:
                continue
            labels = ["account"] if name == "enabled" else ["account", "currency"]
            family = families.get(name)
            if family is None:
                family = families[name] = gauge(f"{PREFIX}_extra_usage_{name}", text,
                                                labels=labels)
            family.add_metric([account] if name == "enabled" else [account, extra.currency or ""],
                              value)


def render(accounts: Sequence[tuple[str, Poller, ReadCounter]]) -> tuple[bytes, str]:
    """Return the exposition body for every account (name, poller, read counts) and its
    content type (the client is imported on first use)."""
    from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest

    registry = CollectorRegistry(auto_describe=False)
    registry.register(_Collector(accounts))
    return generate_latest(registry), CONTENT_TYPE_LATEST
