"""A loopback HTTP server that serves the page's files and one scene's documents.

For browsers Playwright cannot drive (Chromium 69 through DevTools) and for the gallery: the
page is loaded from http://127.0.0.1:PORT/ and reads /usage (?account=), /api/accounts and
/api/history from the scene,
which can be swapped while it runs (`server.scene = ...`).
"""

from __future__ import annotations

import json
import mimetypes
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from tests.page.files import PAGE_DIR
from tests.page.scenes import Scene


class SceneServer:
    """Serve PAGE_DIR and `scene` on 127.0.0.1 (a free port) until closed."""

    def __init__(self, scene: Scene | None = None) -> None:
        self.scene = scene
        self.live_clock = False  # True: meta.server_time_ms is the time of each answer
        self.accounts_reads = 0  # how often /api/accounts was asked
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:  # quiet test output
                pass

            def _send(self, status: int, body: bytes, kind: str) -> None:
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Cache-Control", "no-store")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _json(self, data: Any, status: int = 200) -> None:
                self._send(status, json.dumps(data).encode(), "application/json")

            def do_GET(self) -> None:
                path, _, query = self.path.partition("?")
                scene = owner.scene
                if path.startswith("/api/i18n"):
                    from urllib.parse import parse_qs

                    from tests.page.stage import catalog_for

                    self._json(catalog_for(parse_qs(query).get("lang", [""])[0]))
                    return
                if path.startswith(("/usage", "/api/history", "/api/accounts")):
                    if scene is None or not scene.served or scene.doc is None:
                        self.close_connection = True
                        self.connection.close()  # like a server that is not there
                        return
                    if path.startswith("/usage"):
                        status, doc = scene.usage(query)
                        if owner.live_clock and isinstance(doc.get("meta"), dict):
                            doc = {**doc, "meta": {**doc["meta"],
                                                   "server_time_ms": int(time.time() * 1000)}}
                        self._json(doc, status)
                    elif path.startswith("/api/accounts"):
                        body = scene.overview()
                        owner.accounts_reads += 1
                        self._json(body or {"error": "not found"}, 200 if body else 404)
                    else:
                        self._json({"hours": 24, "series": scene.history(query)})
                    return
                file = PAGE_DIR / (path.strip("/") or "index.html")
                if file.is_file() and file.parent in (PAGE_DIR, PAGE_DIR / "fonts"):
                    self._send(200, file.read_bytes(),
                               mimetypes.guess_type(file.name)[0] or "text/plain")
                else:
                    self._send(404, b"", "text/plain")

            def do_POST(self) -> None:
                self._json({"accepted": False, "retry_in_s": 23}, 429)

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._httpd.server_address[1]}"
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self._thread.start()

    def close(self) -> None:
        """Stop serving."""
        self._httpd.shutdown()
        self._httpd.server_close()

    def __enter__(self) -> SceneServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
