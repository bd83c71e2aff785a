"""`GET /metrics`: the poller's state and read counts in the Prometheus text format."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
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
    """Builds the metric families from the current snapshot at each scrape."""

    def __init__(self, poller: Poller, reads: ReadCounter) -> None:
        self.poller = poller
        self.reads = reads

    def collect(self) -> Iterator[Any]:
        """Yield every metric family (called by the prometheus client on each scrape)."""
        from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

        snap = self.poller.snapshot()
        labels = ["window", "label", "group"]
        util = GaugeMetricFamily(f"{PREFIX}_utilization_percent",
                                 "Share of the window's limit used (may exceed 100).",
                                 labels=labels)
        resets = GaugeMetricFamily(f"{PREFIX}_resets_at_seconds",
                                   "When the window resets (Unix time).", labels=labels)
        for w in snap.usage.windows if snap.usage else ():
            util.add_metric([w.id, w.label, w.group], w.utilization)
            if w.resets_at is not None:
                resets.add_metric([w.id, w.label, w.group], w.resets_at.timestamp())
        yield util
        yield resets
        yield from self._extra(snap, GaugeMetricFamily)
        yield GaugeMetricFamily(f"{PREFIX}_last_success_seconds",
                                "When the last read succeeded (Unix time; 0 = never).",
                                value=snap.last_success_at or 0.0)
        yield GaugeMetricFamily(f"{PREFIX}_stale", "1 when the data shown is not the latest read.",
                                value=1.0 if snap.stale else 0.0)
        yield GaugeMetricFamily(f"{PREFIX}_demo", "1 when serving synthetic demo data.",
                                value=1.0 if snap.source == "demo" else 0.0)
        total, failures = self.reads.counts()
        yield CounterMetricFamily(f"{PREFIX}_upstream_reads", "Usage reads attempted.",
                                  value=total)
        failed = CounterMetricFamily(f"{PREFIX}_upstream_failures", "Usage reads that failed.",
                                     labels=["kind"])
        for kind, count in sorted(failures.items()):
            failed.add_metric([kind], count)
        yield failed

    @staticmethod
    def _extra(snap: Snapshot, gauge: Any) -> Iterator[Any]:
        extra = snap.usage.extra_usage if snap.usage else None
        if extra is None:
            return
        yield gauge(f"{PREFIX}_extra_usage_enabled", "1 when extra usage is on.",
                    value=1.0 if extra.enabled else 0.0)
        currency = [extra.currency or ""]
        for name, value, text in (("used", extra.used, "Extra usage spent, in currency units."),
                                  ("limit", extra.limit, "Extra usage cap, in currency units."),
                                  ("utilization_percent", extra.utilization,
                                   "Share of the extra usage cap spent.")):
            if value is not None:
                family = gauge(f"{PREFIX}_extra_usage_{name}", text, labels=["currency"])
                family.add_metric(currency, value)
                yield family


def render(poller: Poller, reads: ReadCounter) -> tuple[bytes, str]:
    """Return the exposition body and its content type (the client is imported on first use)."""
    from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest

    registry = CollectorRegistry(auto_describe=False)
    registry.register(_Collector(poller, reads))
    return generate_latest(registry), CONTENT_TYPE_LATEST
