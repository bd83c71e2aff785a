"""WebSocket handshakes, with the `websockets` library installed (uvicorn would pick it up):
none is upgraded, and none keeps a connection slot once it is over."""

from __future__ import annotations

import json
import threading
import urllib.request

import pytest

from tests.support.live_server import LiveServer

websockets_client = pytest.importorskip("websockets.sync.client")
exceptions = pytest.importorskip("websockets.exceptions")

HANDSHAKES = 90  # past the per-address cap (64): every one must give its slot back


def handshake(url: str, origin: str | None) -> str:
    """Try one WebSocket handshake; return how it ended."""
    try:
        with websockets_client.connect(url, origin=origin, open_timeout=5, close_timeout=1):
            return "upgraded"
    except exceptions.InvalidStatus as exc:
        return f"refused {exc.response.status_code}"
    except (exceptions.InvalidHandshake, exceptions.ConnectionClosed, OSError) as exc:
        return f"failed {type(exc).__name__}"


def test_websocket_handshakes_are_never_upgraded_and_never_use_up_the_address():
    with LiveServer(demo=True, source=None) as server:
        url = f"ws://127.0.0.1:{server.port}/"
        # A web page's `new WebSocket(...)` (refused for its origin), and a local program's.
        outcomes = [handshake(url, origin) for origin in ("https://evil.example", None)
                    for _ in range(HANDSHAKES // 2)]
        assert "upgraded" not in outcomes
        assert all(o.startswith("refused") for o in outcomes), sorted(set(outcomes))
        with urllib.request.urlopen(server.url + "/health", timeout=5) as response:
            assert response.status == 200
            assert json.loads(response.read())["status"] == "ok"




def test_the_connection_count_is_given_back_even_where_websocket_is_turned_on():
    # A server set up by hand with `ws="websockets-sansio"`: the guarded protocol still never hands
    # a connection over to another protocol (which would keep its count for ever).
    import threading
    import time

    import uvicorn

    from claude_carthing.service import bind, build_service
    from claude_carthing.serving.connections import protocol_for
    from claude_carthing.settings import load_settings
    from tests.support.live_server import free_port

    settings = load_settings(host="127.0.0.1", port=free_port())
    service = build_service(settings, demo=True)
    config = uvicorn.Config(service.app, http=protocol_for(settings.allowed_networks()),
                            ws="websockets-sansio", lifespan="off", log_config=None, access_log=False)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run,
                              kwargs={"sockets": [bind("127.0.0.1", settings.port)]}, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 10
        while not server.started and time.monotonic() < deadline:
            time.sleep(0.02)
        url = f"ws://127.0.0.1:{settings.port}/"
        outcomes = [handshake(url, None) for _ in range(HANDSHAKES)]
        assert "upgraded" not in outcomes
        with urllib.request.urlopen(f"http://127.0.0.1:{settings.port}/health",
                                    timeout=5) as response:
            assert response.status == 200
    finally:
        server.should_exit = True
        thread.join(10)
        service.close()


def test_the_guard_serves_no_scope_but_http():
    import asyncio

    from claude_carthing.serving.guard import Guard
    from claude_carthing.settings import load_settings

    called: list[str] = []

    async def app(scope, receive, send):
        called.append(scope["type"])

    sent: list[dict] = []

    async def send(message):
        sent.append(message)

    async def receive():
        return {"type": "websocket.connect"}

    guard = Guard(app, load_settings())
    scope = {"type": "websocket", "headers": [], "client": ("127.0.0.1", 5000), "path": "/"}

    async def both() -> None:
        await guard(scope, receive, send)
        await guard({"type": "webtransport", "headers": []}, receive, send)

    # A loop of its own on a thread: in a full run, Playwright's sync API may already run one
    # on this thread (asyncio.run refuses to start inside it).
    runner = threading.Thread(target=asyncio.run, args=(both(),))
    runner.start()
    runner.join(10)
    assert called == []
    assert sent == [{"type": "websocket.close", "code": 1008}]
