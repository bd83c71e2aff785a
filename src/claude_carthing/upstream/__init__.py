"""Everything that talks to Claude's servers.

The HTTP client, the wire format, credentials and cookies, and the choice of source.
"""
