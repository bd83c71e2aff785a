"""A minimal Flask development server like the original project's, serving fixed JSON bytes.

Usage: python bench/flask_standin.py PORT USAGE_JSON_FILE HEALTH_JSON_FILE
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from flask import Flask, Response


def make_app(usage: bytes, health: bytes) -> Flask:
    """Return an app answering /, /usage and /health with the given bytes."""
    app = Flask("standin")

    @app.route("/")
    @app.route("/usage")
    def usage_route() -> Response:
        return Response(usage, mimetype="application/json")

    @app.route("/health")
    def health_route() -> Response:
        return Response(health, mimetype="application/json")

    return app


def main() -> None:
    """Serve on 127.0.0.1:PORT the way the original server did (`app.run(threaded=True)`)."""
    port = int(sys.argv[1])
    usage = Path(sys.argv[2]).read_bytes()
    health = Path(sys.argv[3]).read_bytes()
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no access log, as ours
    make_app(usage, health).run(host="127.0.0.1", port=port, threaded=True)


if __name__ == "__main__":
    main()
