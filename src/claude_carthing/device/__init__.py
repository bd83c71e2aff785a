"""Putting the page on a Car Thing: one transport seam, per-generation plans, deploy and undo."""
