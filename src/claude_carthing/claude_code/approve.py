"""`claude-carthing hook --approve` on a PermissionRequest: ask the Car Thing, print its answer.

The request goes to the local server, which holds it until a person presses the dial (allow)
or back (deny) for this very request, or `approval_timeout` passes, or the session moves on.
Only an answer naming our request's id is printed; anything else (a timeout, no server, an
error of any kind) prints nothing, which is "no decision": Claude Code's own dialog decides.
Never `updatedInput`, never `updatedPermissions` ("always allow"). Standard library only.
"""

import os

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any
else:
    Any = object

from claude_carthing.claude_code import endpoint, tinyjson
from claude_carthing.claude_code.post import post_json

SECRET_FILE = "approval-secret"  # noqa: S105 - a file name; as serving/approvals.py
MAX_WAIT_S = 600.0  # Claude Code stops the hook at its entry's timeout anyway
MAX_BODY = 3900  # the server refuses a body over 4096 bytes
ALLOW = ('{"hookSpecificOutput":{"hookEventName":"PermissionRequest",'
         '"decision":{"behavior":"allow"}}}')
DENY_MESSAGE = "Denied on the Car Thing by its user."
DENY = ('{"hookSpecificOutput":{"hookEventName":"PermissionRequest","decision":'
        '{"behavior":"deny","message":"' + DENY_MESSAGE + '"}}}')
SHOWN = (("command", ("command",)), ("path", ("file_path", "notebook_path", "path")),
         ("url", ("url",)))


def shown(tool_input: Any) -> tuple[str, str]:
    """Return (kind, text): exactly what the tool will do, as the card shows it."""
    data = tool_input if isinstance(tool_input, dict) else {}
    for kind, keys in SHOWN:
        for key in keys:
            value = data.get(key)
            if isinstance(value, str) and value:
                return kind, value
    return "input", tinyjson.dumps(data)


def request_body(data: dict[str, Any], project: Any) -> dict[str, Any]:
    """Return what we send: the session, the folder name, the tool and what it will do.

    A text too long for one request is cut and marked: the Car Thing may then deny it, never
    allow it (the person would not have seen all of it)."""
    kind, text = shown(data.get("tool_input"))
    tool = data.get("tool_name")
    session = data.get("session_id")
    body = {"session_id": session if isinstance(session, str) else None,
            "project": project, "tool_name": tool if isinstance(tool, str) else None,
            "kind": kind, "text": text, "cut": False}
    while len(tinyjson.dumps(body)) > MAX_BODY and body["text"]:
        extra = len(tinyjson.dumps(body)) - MAX_BODY
        body["text"] = body["text"][:max(0, len(body["text"]) - max(extra, 64))]
        body["cut"] = True
    return body


def secret() -> str | None:
    """Return the approvals secret the server made (readable by this user alone), or None."""
    try:
        with open(os.path.join(endpoint.home_dir(), SECRET_FILE), encoding="utf-8") as f:
            text = f.read().strip()
    except OSError:
        return None
    return text or None


def proof(key: str, nonce: str, request_id: str, decision: str) -> str:
    """The server's HMAC of the decision (see serving/approval_routes.py)."""
    import hashlib
    import hmac

    message = f"{nonce}:{request_id}:{decision}".encode()
    return hmac.new(key.encode(), message, hashlib.sha256).hexdigest()


def decide(answer: Any, nonce: str, key: str | None) -> str | None:
    """Return the line to print for the server's answer, or None (no decision).

    Only an answer proven with the secret for our nonce counts: whatever else listens on the
    port while the server is down can never make us print allow."""
    if key is None or not isinstance(answer, dict):
        return None
    request_id, decision, given = answer.get("id"), answer.get("decision"), answer.get("proof")
    if not isinstance(request_id, str) or decision not in ("allow", "deny") or \
            not isinstance(given, str):
        return None
    import hmac

    if not hmac.compare_digest(given, proof(key, nonce, request_id, str(decision))):
        return None
    return ALLOW if decision == "allow" else DENY


def ask(data: dict[str, Any], project: Any) -> None:
    """Ask the Car Thing about one PermissionRequest; print its decision, or nothing."""
    key = secret()
    if key is None:
        return  # no server has ever run here: nothing could answer
    nonce = os.urandom(16).hex()
    body = request_body(data, project)
    body["nonce"] = nonce
    answer = post_json("/api/claude-code/permission", body, deadline_s=MAX_WAIT_S)
    line = decide(answer, nonce, key)
    if line is not None:
        data_out = (line + "\n").encode("ascii")
        while data_out:
            data_out = data_out[os.write(1, data_out):]
