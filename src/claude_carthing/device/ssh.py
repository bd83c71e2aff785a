"""SSH transport (paramiko): trust on first use, keys then default password then a prompt."""

from __future__ import annotations

import errno
import logging
import socket
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import paramiko

from claude_carthing import paths
from claude_carthing.device.transport import DeviceError, Result, Transport

# paramiko logs channel and auth failures itself; we raise each as one sentence instead.
logging.getLogger("paramiko").setLevel(logging.CRITICAL)

# Nocturne's stock root passwords: v3 and v4.0 use "nocturne", v4.1 an empty one.
DEFAULT_PASSWORDS = ("nocturne", "")
COMMAND_TIMEOUT_S = 120.0


class UnreachableError(DeviceError):
    """Nothing answered SSH at that address."""

    kind = "network"


class AuthFailedError(DeviceError):
    """The device refused every key and password we tried."""

    kind = "auth"


class HostKeyChangedError(DeviceError):
    """The device shows a different host key from the one stored on first use."""

    kind = "auth"


@dataclass
class Target:
    """Where and how to log in."""

    host: str
    port: int = 22
    user: str = "root"
    identity: Path | None = None
    passwords: Sequence[str] = DEFAULT_PASSWORDS
    look_for_keys: bool = True
    timeout_s: float = 8.0
    prompt: Callable[[str], str] | None = None
    known_hosts: Path = field(default_factory=lambda: paths.device_dir() / "known_hosts")


def known_host_name(target: Target) -> str:
    """Return the known_hosts name of a target (OpenSSH's `[host]:port` form off port 22)."""
    return target.host if target.port == 22 else f"[{target.host}]:{target.port}"


class _TrustOnFirstUse(paramiko.MissingHostKeyPolicy):  # type: ignore[misc]
    """Store a new host's key; a changed key is caught earlier by paramiko itself."""

    def __init__(self, store: Path) -> None:
        self.store = store

    def missing_host_key(self, client: paramiko.SSHClient, hostname: str, key: object) -> None:
        client.get_host_keys().add(hostname, key.get_name(), key)  # type: ignore[attr-defined]
        self.store.parent.mkdir(parents=True, exist_ok=True)
        client.get_host_keys().save(str(self.store))


class SSHTransport(Transport):
    """A logged-in SSH connection to the device."""

    def __init__(self, client: paramiko.SSHClient, target: Target) -> None:
        self.client = client
        self.target = target
        self.used_password = False

    def _lost(self, exc: BaseException) -> UnreachableError:
        return UnreachableError(
            f"the SSH connection to {self.target.host} stopped working ({_lost_reason(exc)})."
            " Check the cable and that the Car Thing did not restart, then run the same command"
            " again: it finishes whatever was left half done"
        )

    def run(self, command: str, stdin: bytes | None = None) -> Result:
        """Run a command over an exec channel."""
        transport = self.client.get_transport()
        if transport is None or not transport.is_active():
            raise self._lost(EOFError())
        try:
            channel = transport.open_session(timeout=self.target.timeout_s)
        except (paramiko.SSHException, EOFError, OSError) as exc:
            raise self._lost(exc) from exc
        channel.settimeout(COMMAND_TIMEOUT_S)
        try:
            channel.exec_command(command)
            if stdin is not None:
                channel.sendall(stdin)
            channel.shutdown_write()
            out, err = _drain(channel)
            return Result(channel.recv_exit_status(), out, err)
        except TimeoutError as exc:
            raise DeviceError(f"the device did not finish `{command[:60]}` in time") from exc
        except (paramiko.SSHException, EOFError, OSError) as exc:
            raise self._lost(exc) from exc
        finally:
            channel.close()

    def http_get_local(self, port: int, path: str) -> bytes | None:
        """GET a URL on the device's loopback through a direct-tcpip tunnel (ssh -L's way)."""
        transport = self.client.get_transport()
        if transport is None or not transport.is_active():
            raise self._lost(EOFError())
        # paramiko logs a refused tunnel as an ERROR; here it is an expected answer.
        quiet = logging.getLogger("paramiko.transport")
        level = quiet.level
        quiet.setLevel(logging.CRITICAL)
        try:
            channel = transport.open_channel("direct-tcpip", ("127.0.0.1", port),
                                             ("127.0.0.1", 0), timeout=self.target.timeout_s)
        except (paramiko.SSHException, OSError, EOFError) as exc:
            if not transport.is_active():
                raise self._lost(exc) from exc
            # A refused tunnel (ChannelException): the port is closed, the link is fine.
            raise DeviceError(f"nothing answers on 127.0.0.1:{port} on the device") from exc
        finally:
            quiet.setLevel(level)
        channel.settimeout(self.target.timeout_s)
        try:
            channel.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
                            "Connection: close\r\n\r\n".encode())
            return _http_body(channel, port)
        except (paramiko.SSHException, OSError, EOFError) as exc:
            if not transport.is_active():
                raise self._lost(exc) from exc
            raise DeviceError(f"127.0.0.1:{port} on the device did not answer") from exc
        finally:
            channel.close()

    def close(self) -> None:
        """Close the SSH connection."""
        self.client.close()


def _http_body(channel: paramiko.Channel, port: int) -> bytes:
    """Read one HTTP response; return its body (Content-Length, or up to EOF)."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = channel.recv(65536)
        if not chunk:
            break
        data += chunk
    head, _sep, body = data.partition(b"\r\n\r\n")
    status = head.split(b"\r\n", 1)[0].split()
    if len(status) < 2 or status[1] != b"200":
        raise DeviceError(f"127.0.0.1:{port} on the device answered {head[:60]!r}")
    length = None
    for line in head.split(b"\r\n")[1:]:
        name, _colon, value = line.partition(b":")
        if name.strip().lower() == b"content-length" and value.strip().isdigit():
            length = int(value.strip())
    while length is None or len(body) < length:
        chunk = channel.recv(65536)
        if not chunk:
            break
        body += chunk
    return body if length is None else body[:length]


def _drain(channel: paramiko.Channel) -> tuple[bytes, bytes]:
    out, err = bytearray(), bytearray()
    while True:
        if channel.recv_stderr_ready():
            err += channel.recv_stderr(65536)
            continue
        chunk = channel.recv(65536)
        if not chunk:
            break
        out += chunk
    while channel.recv_stderr_ready() or not channel.exit_status_ready():
        chunk = channel.recv_stderr(65536)
        if not chunk:
            break
        err += chunk
    return bytes(out), bytes(err)


def connect(target: Target) -> SSHTransport:
    """Log in: keys first, then the generation's default passwords, then ask."""
    client = _client(target)
    try:
        used_password = _authenticate(client, target)
    except BaseException:
        client.close()
        raise
    transport = SSHTransport(client, target)
    transport.used_password = used_password
    return transport


def _client(target: Target) -> paramiko.SSHClient:
    client = paramiko.SSHClient()
    if target.known_hosts.exists():
        client.load_host_keys(str(target.known_hosts))
    client.set_missing_host_key_policy(_TrustOnFirstUse(target.known_hosts))
    return client


def _authenticate(client: paramiko.SSHClient, target: Target) -> bool:
    """Return True when a password (not a key) let us in."""
    common = {
        "hostname": target.host,
        "port": target.port,
        "username": target.user,
        "timeout": target.timeout_s,
        "banner_timeout": target.timeout_s,
        "auth_timeout": target.timeout_s,
    }
    key_kwargs = {
        "key_filename": str(target.identity) if target.identity else None,
        "look_for_keys": target.look_for_keys,
        "allow_agent": target.look_for_keys,
    }
    if target.identity or target.look_for_keys:
        try:
            _guarded(client, target, **common, **key_kwargs)
        except paramiko.AuthenticationException:
            pass
        else:
            return False
    passwords = list(target.passwords)
    for password in passwords:
        try:
            _guarded(client, target, **common, password=password,
                     look_for_keys=False, allow_agent=False)
        except paramiko.AuthenticationException:
            continue
        return True
    if target.prompt is not None:
        password = target.prompt(f"Password for {target.user}@{target.host}")
        try:
            _guarded(client, target, **common, password=password,
                     look_for_keys=False, allow_agent=False)
        except paramiko.AuthenticationException:
            pass
        else:
            return True
    raise AuthFailedError(
        f"{target.user}@{target.host} refused our SSH keys and the stock Nocturne passwords"
        " (and the one typed, if any). Pass --identity KEYFILE, or check the password."
    )


def _guarded(client: paramiko.SSHClient, target: Target, **kwargs: object) -> None:
    try:
        client.connect(**kwargs)
    except paramiko.BadHostKeyException as exc:
        raise HostKeyChangedError(
            f"the device at {target.host}:{target.port} shows a different SSH host key"
            f" ({exc.key.get_name()} {exc.key.get_fingerprint().hex()}) from the one stored"
            f" when we first connected. That happens after reflashing the Car Thing, or when"
            f" another machine answers at that address. If you reflashed it, delete the line"
            f" for {known_host_name(target)} in {target.known_hosts} and run deploy again."
        ) from exc
    except paramiko.AuthenticationException:
        raise
    except paramiko.SSHException as exc:
        if _is_auth_failure(exc):
            raise paramiko.AuthenticationException(str(exc)) from exc
        raise _translate(exc, target) from exc
    except (OSError, EOFError) as exc:
        raise _translate(exc, target) from exc


def _is_auth_failure(exc: Exception) -> bool:
    return isinstance(exc, paramiko.AuthenticationException) or "No authentication" in str(exc)


def _lost_reason(exc: BaseException) -> str:
    """Say in words why a working connection broke (never paramiko's own wording)."""
    if isinstance(exc, paramiko.ChannelException):
        return "the device refused to run commands"
    if isinstance(exc, (TimeoutError, socket.timeout)):
        return "no answer in time"
    if isinstance(exc, (EOFError, ConnectionResetError, BrokenPipeError)) or not str(exc):
        return "the device closed the connection"
    return "the link broke"


def _connect_reason(exc: BaseException) -> str:
    """Say in words why logging in could not start (never paramiko's own wording)."""
    errnos: set[int | None] = {getattr(exc, "errno", None)}
    if isinstance(exc, paramiko.ssh_exception.NoValidConnectionsError):
        errnos = {getattr(e, "errno", None) for e in exc.errors.values()} | {
            errno.ECONNREFUSED}
    if isinstance(exc, ConnectionRefusedError) or errno.ECONNREFUSED in errnos:
        return "nothing accepts connections there"
    if isinstance(exc, (TimeoutError, socket.timeout)) or errno.ETIMEDOUT in errnos:
        return "no answer in time"
    if errnos & {errno.EHOSTUNREACH, errno.ENETUNREACH, errno.EADDRNOTAVAIL}:
        return "this PC has no route to that address (is the USB network set up?)"
    if isinstance(exc, socket.gaierror):
        return "that name does not resolve"
    if isinstance(exc, (EOFError, paramiko.SSHException)):
        return "something answered, but not as an SSH server (or it closed the connection)"
    return "the connection failed"


def _translate(exc: BaseException, target: Target) -> DeviceError:
    if isinstance(exc, DeviceError):
        return exc
    return UnreachableError(
        f"could not reach SSH at {target.host}:{target.port}: {_connect_reason(exc)}. Check"
        " that a data cable is in and the Car Thing has finished booting (about a minute);"
        " `claude-carthing usb-setup` sets up this PC's side of the USB link; pass --device"
        " ADDRESS (and --ssh-port PORT) if the device is elsewhere"
    )
