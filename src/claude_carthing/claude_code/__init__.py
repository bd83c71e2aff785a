"""Everything about the Claude Code installed on this PC.

Its get_usage reader, where it is installed, and its activity.
"""
