"""The web layer.

The app and its routes, the access guard, connection limits, the JSON payload and /metrics.
"""
