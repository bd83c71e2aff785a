"""A small client for the 2018 DevTools protocol (Chromium 69), one page target at a time."""

from __future__ import annotations

import base64
import contextlib
import json
import time
from pathlib import Path
from typing import Any

# DevTools key events: code -> (key, windowsVirtualKeyCode, text).
KEYS = {
    **{f"Digit{n}": (str(n), 48 + n, str(n)) for n in range(10)},
    **{f"Key{c}": (c.lower(), ord(c), c.lower()) for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ"},
    "Enter": ("Enter", 13, "\r"), "Escape": ("Escape", 27, ""), "Space": (" ", 32, " "),
    "ArrowLeft": ("ArrowLeft", 37, ""), "ArrowUp": ("ArrowUp", 38, ""),
    "ArrowRight": ("ArrowRight", 39, ""), "ArrowDown": ("ArrowDown", 40, ""),
    "Backspace": ("Backspace", 8, ""), "Tab": ("Tab", 9, ""),
}


class DevToolsError(RuntimeError):
    """A DevTools command failed, or the page threw."""


class DevTools:
    """One page target's DevTools session: commands, events and a few conveniences."""

    def __init__(self, ws: Any) -> None:
        self.ws = ws
        self.events: list[dict[str, Any]] = []
        self._next_id = 0

    def _receive(self, timeout: float) -> dict[str, Any]:
        self.ws.settimeout(max(timeout, 0.05))
        message: dict[str, Any] = json.loads(self.ws.recv())
        return message

    def call(self, method: str, params: dict[str, Any] | None = None,
             timeout: float = 30.0) -> dict[str, Any]:
        """Send one command and return its `result` (DevToolsError on a protocol error)."""
        self._next_id += 1
        wanted = self._next_id
        self.ws.send(json.dumps({"id": wanted, "method": method, "params": params or {}}))
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise DevToolsError(f"{method}: no answer in {timeout} s")
            message = self._receive(left)
            if message.get("id") == wanted:
                if "error" in message:
                    raise DevToolsError(f"{method}: {message['error']}")
                result: dict[str, Any] = message.get("result", {})
                return result
            if "method" in message:
                self.events.append(message)

    def wait_event(self, method: str, timeout: float = 30.0,
                   since: int = 0) -> dict[str, Any]:
        """Return the first event named `method` received at index >= `since` of `events`."""
        deadline = time.monotonic() + timeout
        while True:
            for event in self.events[since:]:
                if event["method"] == method:
                    return event
            left = deadline - time.monotonic()
            if left <= 0:
                raise DevToolsError(f"no {method} event in {timeout} s")
            try:
                message = self._receive(min(left, 1.0))
            except Exception as e:  # websocket's timeout: look again until the deadline
                if type(e).__name__ != "WebSocketTimeoutException":
                    raise
                continue
            if "method" in message:
                self.events.append(message)

    def evaluate(self, expression: str, await_promise: bool = True,
                 timeout: float = 30.0) -> Any:
        """Evaluate JS in the page and return its value (JSON); DevToolsError if it throws."""
        result = self.call("Runtime.evaluate", {
            "expression": expression, "awaitPromise": await_promise, "returnByValue": True,
            "userGesture": True}, timeout)
        if "exceptionDetails" in result:
            details = result["exceptionDetails"]
            text = details.get("exception", {}).get("description") or details.get("text")
            raise DevToolsError(f"page threw: {text}")
        return result["result"].get("value")

    def wait_for(self, expression: str, timeout: float = 30.0, interval: float = 0.1) -> Any:
        """Poll `expression` until it is truthy and return that value."""
        deadline = time.monotonic() + timeout
        last: Any = None
        while time.monotonic() < deadline:
            with contextlib.suppress(DevToolsError):
                last = self.evaluate(expression, timeout=max(1.0, deadline - time.monotonic()))
                if last:
                    return last
            time.sleep(interval)
        raise DevToolsError(f"still falsy after {timeout} s ({last!r}): {expression}")

    def key(self, code: str, repeat: bool = False, up: bool = True) -> None:
        """Press (and by default release) the key with DOM `code`, e.g. Digit1, KeyM, Enter."""
        key, key_code, text = KEYS[code]
        down: dict[str, Any] = {"type": "keyDown" if text else "rawKeyDown", "key": key,
                                "code": code, "windowsVirtualKeyCode": key_code,
                                "nativeVirtualKeyCode": key_code, "autoRepeat": repeat}
        if text:
            down["text"] = down["unmodifiedText"] = text
        self.call("Input.dispatchKeyEvent", down)
        if up:
            self.key_up(code)

    def key_up(self, code: str) -> None:
        """Release the key with DOM `code`."""
        key, key_code, _ = KEYS[code]
        self.call("Input.dispatchKeyEvent", {"type": "keyUp", "key": key, "code": code,
                                             "windowsVirtualKeyCode": key_code,
                                             "nativeVirtualKeyCode": key_code})

    def wheel(self, delta_x: float = 0, delta_y: float = 0, x: int = 400, y: int = 240) -> None:
        """Turn the dial: a `mouseWheel` event at (x, y) with the given deltas."""
        self.call("Input.dispatchMouseEvent", {"type": "mouseWheel", "x": x, "y": y,
                                               "deltaX": delta_x, "deltaY": delta_y})

    def screenshot(self, path: Path | None = None) -> bytes:
        """Return a PNG of the viewport (also written to `path` when given)."""
        data = base64.b64decode(self.call("Page.captureScreenshot", {"format": "png"})["data"])
        if path is not None:
            Path(path).write_bytes(data)
        return data

    def navigate(self, url: str, wait: bool = True, timeout: float = 30.0) -> None:
        """Load `url`; by default wait for its load event."""
        mark = len(self.events)
        result = self.call("Page.navigate", {"url": url}, timeout)
        if result.get("errorText"):
            raise DevToolsError(f"navigation to {url} failed: {result['errorText']}")
        if wait:
            self.wait_event("Page.loadEventFired", timeout, since=mark)

    def reload(self, ignore_cache: bool = False, wait: bool = True, timeout: float = 30.0
               ) -> None:
        """Reload the page; by default wait for its load event."""
        mark = len(self.events)
        self.call("Page.reload", {"ignoreCache": ignore_cache}, timeout)
        if wait:
            self.wait_event("Page.loadEventFired", timeout, since=mark)

    def close(self) -> None:
        """Close the WebSocket."""
        with contextlib.suppress(Exception):
            self.ws.close()
