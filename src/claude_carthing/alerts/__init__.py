"""Events from successive poller snapshots, and where they go: notifications, hooks, metrics."""
