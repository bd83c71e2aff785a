"""The tray tests use the alert tests' private session bus too (the pause entry)."""

from tests.alerts.conftest import notifications

__all__ = ["notifications"]
