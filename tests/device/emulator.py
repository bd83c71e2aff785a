"""Emulated Car Things: a real OpenSSH server chrooted into a device filesystem of one generation.

Each device lives in its own mount and PID namespace (`unshare -m -p -f --kill-child`):
  /srv            tmpfs, the device's root filesystem, remounted read-only (as on the device);
                  `mount -o remount,rw /` inside the chroot genuinely toggles it
  /srv/var        tmpfs, writable (as on the device); v4.1's /opt/nocturne binds a folder of it
  /srv/run, /tmp  tmpfs; /srv/dev binds /dev; /srv/proc is a proc mount
  sshd            `ChrootDirectory /srv`, root's password from a bind-mounted /etc/shadow
BusyBox (with its libraries) provides sh/mount/cat/wget...; v3 runs real runit (runsvdir/sv);
v4.0's supervisorctl and v4.1's systemctl are recorded stand-ins (see layouts.py). Nothing
leaks into the host's mounts; killing `unshare` ends every process of the device.

The clock is the one thing a namespace cannot fence off (the kernel's clock is the host's):
`date`, `hwclock` and `timedatectl` in the device are recorded stand-ins, and every process of
the device runs without CAP_SYS_TIME (`setpriv --bounding-set -sys_time`), so even a real
`date -s` there fails instead of changing the host's clock.

`Options(devtools=True)` starts BusyBox httpd on 127.0.0.1:`device.debug_port` (a free port
the test gets, since the devices share the host's network) serving what the fake browser
writes as its remote-debugging `/json` list.
"""

from __future__ import annotations

import os
import shlex
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from tests.device import layouts

RUNIT = ("/usr/bin/runsvdir", "/usr/bin/runsv", "/usr/bin/sv")


def missing_tools() -> str | None:
    """Return why devices cannot be emulated here, or None."""
    if os.geteuid() != 0:
        return "emulated devices need root (mount namespaces, chroot, sshd)"
    for tool in ("/usr/sbin/sshd", "/usr/bin/ssh-keygen", "unshare", "nsenter", "setpriv",
                 "busybox"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed"
    for tool in RUNIT:
        if not Path(tool).exists():
            return f"{tool} (runit) is not installed"
    return None


def free_port() -> int:
    """Return a free TCP port on 127.0.0.1."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _hash(password: str) -> str:
    """Return a shadow hash of a password ("" stays empty: no password)."""
    if password == "":
        return ""
    return subprocess.run(["busybox", "mkpasswd", "-m", "sha512", password],
                          capture_output=True, text=True, check=True).stdout.strip()


def _libraries(binary: str) -> list[str]:
    out = subprocess.run(["ldd", binary], capture_output=True, text=True, check=False).stdout
    return [w for w in out.split() if w.startswith("/")]


@dataclass
class Options:
    """How to build one emulated device."""

    generation: str  # v3, v4.0.0 (v4.0.0-v4.0.4), v4.0.6 (v4.0.5-v4.0.6), v4.0.7, v4.1
    password: str | None = None  # None: the generation's stock password
    authorized_key: str | None = None
    var_free_kb: int | None = None  # fill /var so only this much is left
    root_full: bool = False  # fill / so a write there fails with ENOSPC
    kiosk_env: str | None = None  # v4.1: an existing /opt/nocturne/kiosk-env
    devtools: bool = False  # answer the browser's debug-port /json on 127.0.0.1:debug_port
    localtime_link: str | None = None  # make /etc/localtime a link to this zone (a file is staged)
    max_sessions: int | None = None  # sshd's MaxSessions (0: logins work, every command is refused)
    netns: str | None = None  # run inside this network namespace (a name under /run/netns, or a path)
    listen: str = "127.0.0.1"  # sshd's address
    ssh_port: int | None = None  # None: 22 inside a namespace of its own, else a free port
    busybox: str | None = None  # the BusyBox binary to install (None: the one on PATH)
    absent: tuple[str, ...] = ()  # stock folders/files this device lacks (e.g. a webapps folder)


class EmulatedDevice:
    """One running emulated Car Thing."""

    def __init__(self, workdir: Path, options: Options) -> None:
        self.workdir = workdir
        self.options = options
        self.port = options.ssh_port or (22 if options.netns else free_port())
        self.debug_port = free_port() if options.devtools else None
        # v4.0.7's start-chromium waits for nocturned on the device's 127.0.0.1:8080; without a
        # network namespace of its own, the device's loopback is the host's: use a free port.
        self.nocturned_port = layouts.NOCTURNED_PORT if options.netns else free_port()
        self.proc: subprocess.Popen[bytes] | None = None
        self.stock_url = ""

    # --- lifecycle -------------------------------------------------------------------------
    def start(self) -> EmulatedDevice:
        """Build the filesystem, start sshd and the kiosk service; wait until SSH answers."""
        self.workdir.mkdir(parents=True, exist_ok=True)
        stage = self.workdir / "stage"
        self._stage(stage)
        self._sshd_files()
        script = self.workdir / "launch.sh"
        script.write_text(self._launch_script(stage))
        log = (self.workdir / "device.log").open("wb")
        netns = self.options.netns
        enter = [] if netns is None else [
            "nsenter", f"--net={netns if '/' in netns else '/run/netns/' + netns}"]
        self.proc = subprocess.Popen(
            [*enter, "unshare", "-m", "-p", "-f", "--kill-child",
             "setpriv", "--bounding-set", "-sys_time", "sh", str(script)],
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"emulated device died:\n{self.log()}")
            if b"Server listening" in (self.workdir / "device.log").read_bytes():
                self.wait_for(lambda: self.browser_url() == self.stock_url, "the stock kiosk")
                return self
            time.sleep(0.05)
        raise RuntimeError(f"emulated device did not start:\n{self.log()}")

    def stop(self) -> None:
        """Kill the device (every process in its namespace) and forget its mounts."""
        if self.proc is not None and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)
        self.proc = None

    def log(self) -> str:
        """Return sshd's and the launcher's output."""
        return (self.workdir / "device.log").read_text(errors="replace")

    # --- looking at the device from the host ---------------------------------------------
    @property
    def ns_pid(self) -> int:
        """Return the host PID of the namespace's first process (sshd)."""
        assert self.proc is not None
        children = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children").read_text()
        return int(children.split()[0])

    @property
    def root(self) -> Path:
        """Return the device's root folder as the host can read it."""
        return Path(f"/proc/{self.ns_pid}/root/srv")

    def path(self, device_path: str) -> Path:
        """Map a path on the device to one the host can open."""
        return self.root / device_path.lstrip("/")

    def read(self, device_path: str) -> bytes | None:
        """Return a device file's bytes, or None."""
        p = self.path(device_path)
        return p.read_bytes() if p.is_file() else None

    def browser_url(self) -> str | None:
        """Return the URL the kiosk's browser was last started with."""
        raw = self.read("/run/emu/browser.url")
        return raw.decode().strip() if raw else None

    def browser_argv(self) -> list[str]:
        """Return the exact arguments the kiosk's browser was last started with."""
        raw = self.read("/run/emu/browser.argv")
        return raw.decode().split("\0")[:-1] if raw else []

    def set_nocturned(self, on: bool) -> None:
        """Start or stop v4.0.7's stand-in nocturned (what start-chromium waits for)."""
        if on:
            command = (f"/bin/busybox httpd -f -p 127.0.0.1:{self.nocturned_port}"
                       " -h /run/emu/nocturned >/dev/null 2>&1 & echo $! > /run/emu/nocturned.pid")
        else:
            command = "kill $(cat /run/emu/nocturned.pid) && rm /run/emu/nocturned.pid"
        result = self.run_inside(command)
        assert result.returncode == 0, result.stderr

    def calls(self) -> list[str]:
        """Return the service-manager calls the stand-ins recorded."""
        raw = self.read("/run/emu/calls.log")
        return raw.decode().splitlines() if raw else []

    def clock_calls(self) -> list[str]:
        """Return the recorded date/hwclock/timedatectl calls that would set the clock."""
        raw = self.read("/run/emu/clock.log")
        return raw.decode().splitlines() if raw else []

    def set_password(self, password: str) -> None:
        """Change root's password on the running device (as `passwd` would)."""
        hashed = _hash(password)
        shadow = self.workdir / "shadow"
        lines = shadow.read_text().splitlines()
        lines[0] = f"root:{hashed}:19000:0:99999:7:::"
        # In place: the device sees this file through a bind mount of its inode.
        with shadow.open("r+") as f:
            f.write("\n".join(lines) + "\n")
            f.truncate()

    def root_readonly(self) -> bool:
        """Return True when the device's root filesystem is mounted read-only."""
        for line in Path(f"/proc/{self.ns_pid}/mountinfo").read_text().splitlines():
            fields = line.split()
            if fields[4] == "/srv":
                return "ro" in fields[5].split(",")
        raise AssertionError("no /srv mount")

    def snapshot(self, only: tuple[str, ...] = ()) -> dict[str, tuple[str, int, bytes]]:
        """Return every file and link of the device (but /dev, /proc, /run, /tmp).

        `only`: just these top folders (e.g. ("etc", "var", "opt")), for a quicker look.
        """
        found: dict[str, tuple[str, int, bytes]] = {}
        skip = {"dev", "proc", "run", "tmp"}
        root = self.root
        for dirpath, dirnames, filenames in os.walk(root):
            rel = os.path.relpath(dirpath, root)
            rel_dir = "/" if rel == "." else "/" + rel  # ("/root/.ssh" keeps its dot)
            if rel_dir == "/":
                dirnames[:] = [d for d in dirnames if d not in skip and (not only or d in only)]
            top_files_skipped = only and rel_dir == "/"
            for name in dirnames + ([] if top_files_skipped else filenames):
                full = Path(dirpath) / name
                rel = (rel_dir.rstrip("/") + "/" + name)
                st = full.lstat()
                if full.is_symlink():
                    found[rel] = ("link", 0, os.readlink(full).encode())
                elif full.is_dir():
                    found[rel] = ("dir", st.st_mode & 0o7777, b"")
                else:
                    found[rel] = ("file", st.st_mode & 0o7777, full.read_bytes())
        return found

    def restore(self, target: dict[str, tuple[str, int, bytes]]) -> None:
        """Put the device's files back to a `snapshot()` from the host, then "/" read-only again.

        Test setup only (a quick reset between runs): the device's own shell is not used.
        """
        now = self.snapshot()
        if now == target:
            return
        mount = ["nsenter", "-t", str(self.ns_pid), "-m", "--", "mount", "-o"]
        subprocess.run([*mount, "remount,rw", "/srv"], check=True)
        try:
            for rel in sorted(set(now) - set(target), key=lambda p: -p.count("/")):
                full = self.path(rel)
                if full.is_dir() and not full.is_symlink():
                    shutil.rmtree(full, ignore_errors=True)
                elif full.exists() or full.is_symlink():
                    full.unlink()
            for rel in sorted(target, key=lambda p: p.count("/")):
                if self.snapshot_entry(rel) == target[rel]:
                    continue
                kind, mode, data = target[rel]
                full = self.path(rel)
                if full.is_symlink() or (full.exists() and kind != "dir" and full.is_dir()):
                    full.unlink() if full.is_symlink() else shutil.rmtree(full)
                if kind == "dir":
                    full.mkdir(exist_ok=True)
                elif kind == "link":
                    full.symlink_to(data.decode())
                else:
                    full.write_bytes(data)
                if kind != "link":
                    full.chmod(mode)
        finally:
            subprocess.run([*mount, "remount,ro", "/srv"], check=True)

    def snapshot_entry(self, rel: str) -> tuple[str, int, bytes] | None:
        """Return one path's entry as `snapshot()` would list it, or None."""
        full = self.path(rel)
        if full.is_symlink():
            return ("link", 0, os.readlink(full).encode())
        if full.is_dir():
            return ("dir", full.stat().st_mode & 0o7777, b"")
        if full.is_file():
            return ("file", full.stat().st_mode & 0o7777, full.read_bytes())
        return None

    def run_inside(self, command: str) -> subprocess.CompletedProcess[str]:
        """Run a command in the device's namespace, chrooted (test setup only)."""
        return subprocess.run(
            ["nsenter", "-t", str(self.ns_pid), "-m", "-p", "-n", "--", "chroot", "/srv", "/bin/sh",
             "-c", command], capture_output=True, text=True, check=False, timeout=30)

    def chromium_launcher(self) -> Path:
        """Return a script that starts Debian's Chromium inside the device's mount namespace.

        The kiosk URL is file:///<path on the device>; Chromium must see the device's files
        under the same path, plus /srv. (Chromium treats files under /proc/PID/root as text.)
        """
        script = self.workdir / "chromium-in-device.sh"
        script.write_text(
            f'#!/bin/sh\nexec nsenter -t {self.ns_pid} -m -- /usr/bin/chromium "$@"\n')
        script.chmod(0o755)
        return script

    def browser_wrapper(self, binary: Path) -> Path:
        """Return a script that runs `binary` where the kiosk runs: the device's files in place.

        It joins the device's mount namespace and, in a private one of its own, binds the
        device's /var and /opt over the host's, so a kiosk URL such as
        file:///var/lib/claude-carthing/page/index.html opens the device's page unchanged.
        (The network namespace is the caller's: start the script inside the device's.)
        """
        script = self.workdir / f"in-device-{binary.name}.sh"
        script.write_text(
            "#!/bin/sh\n"
            f"exec nsenter -t {self.ns_pid} -m -- unshare -m sh -c"
            " 'mount --rbind /srv/var /var && mount --rbind /srv/opt /opt && exec \"$0\" \"$@\"'"
            f' {shlex.quote(str(binary))} "$@"\n')
        script.chmod(0o755)
        return script

    def wait_for(self, condition: object, what: str, timeout_s: float = 15) -> None:
        """Poll until `condition()` is true."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if condition():  # type: ignore[operator]
                return
            time.sleep(0.1)
        raise AssertionError(f"timed out waiting for {what}; device log:\n{self.log()}")

    # --- building ---------------------------------------------------------------------------
    def _stage(self, stage: Path) -> None:  # noqa: PLR0912 - one step per kind of file
        files, links, self.stock_url = layouts.tree(
            self.options.generation, f"http://127.0.0.1:{self.nocturned_port}/")
        for gone in self.options.absent:
            files = {p: v for p, v in files.items() if p != gone and not p.startswith(gone + "/")}
        if self.options.kiosk_env is not None:
            files["/var/lib/bandaid/nocturne/kiosk-env"] = (self.options.kiosk_env, 0o644)
            for line in self.options.kiosk_env.splitlines():
                if line.startswith("KIOSK_URL="):
                    self.stock_url = line.split("=", 1)[1]
        for d in ("bin", "sbin", "usr/bin", "usr/sbin", "etc", "root", "var/lib", "var/log",
                  "run", "tmp", "dev", "proc", "opt"):
            (stage / d).mkdir(parents=True, exist_ok=True)
        if self.options.generation == "v4.1":
            (stage / "opt/nocturne").mkdir(parents=True, exist_ok=True)
            (stage / "var/lib/bandaid/nocturne").mkdir(parents=True, exist_ok=True)
        if self.options.localtime_link is not None:
            zone = stage / "usr/share/zoneinfo" / self.options.localtime_link
            zone.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(Path("/usr/share/zoneinfo") / self.options.localtime_link, zone)
            links["/etc/localtime"] = f"/usr/share/zoneinfo/{self.options.localtime_link}"
        for path, (text, mode) in files.items():
            target = stage / path.lstrip("/")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text)
            target.chmod(mode)
        for path, dest in links.items():
            target = stage / path.lstrip("/")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.symlink_to(dest)
        busybox = self.options.busybox or shutil.which("busybox")
        assert busybox is not None
        binaries = [busybox] + (list(RUNIT) if self.options.generation == "v3" else [])
        for binary in binaries:
            for lib in _libraries(binary):
                dest = stage / lib.lstrip("/")
                dest.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(lib, dest)
            shutil.copy2(binary, stage / ("bin/busybox" if binary == busybox else binary[1:]))
        applets = subprocess.run([busybox, "--list"], capture_output=True, text=True,
                                 check=True).stdout.split()
        for applet in applets:
            link = stage / "bin" / applet
            if not link.exists() and not (stage / "usr/bin" / applet).exists():
                link.symlink_to("busybox")
        (stage / "bin/emu-login-sh").write_text(layouts.LOGIN_SHELL)
        (stage / "bin/emu-login-sh").chmod(0o755)

    def _sshd_files(self) -> None:
        w = self.workdir
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(w / "host_key")],
                       check=True)
        password = self.options.password
        if password is None:
            password = "" if self.options.generation == "v4.1" else "nocturne"
        hashed = _hash(password)
        # The device's own accounts, generated here: the host's account files are never read.
        (w / "passwd").write_text(
            "root:x:0:0:root:/root:/bin/emu-login-sh\n"
            "sshd:x:102:65534::/run/sshd:/usr/sbin/nologin\n"
            "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n")
        (w / "shadow").write_text(f"root:{hashed}:19000:0:99999:7:::\n"
                                  "sshd:*:19000:0:99999:7:::\nnobody:*:19000:0:99999:7:::\n")
        (w / "shadow").chmod(0o600)
        (w / "authorized_keys").write_text((self.options.authorized_key or "") + "\n")
        (w / "sshd_config").write_text(
            f"Port {self.port}\nListenAddress {self.options.listen}\nHostKey {w / 'host_key'}\n"
            "PidFile none\nUsePAM no\nPermitRootLogin yes\nPasswordAuthentication yes\n"
            "KbdInteractiveAuthentication no\nPermitEmptyPasswords yes\nStrictModes no\n"
            # The second file is root's own, inside the device (what --install-key writes).
            f"AuthorizedKeysFile {w / 'authorized_keys'} /srv%h/.ssh/authorized_keys\n"
            "ChrootDirectory /srv\n"
            "MaxStartups 50\n"
            + (f"MaxSessions {self.options.max_sessions}\n"
               if self.options.max_sessions is not None else ""))

    def _launch_script(self, stage: Path) -> str:
        w, gen = self.workdir, self.options.generation
        lines = [
            "set -e",
            "mount -t tmpfs -o mode=755 emu-run /run && mkdir -p /run/sshd",
            f"mount --bind {w}/passwd /etc/passwd",
            f"mount --bind {w}/shadow /etc/shadow",
            "mount -t tmpfs -o mode=755,size=32m device-root /srv",
            f"cp -a {stage}/. /srv/",
            # In this device's own folder: /tmp is the host's, shared with every other device.
            f"mkdir -p {w}/var-stage && cp -a /srv/var/. {w}/var-stage/ && rm -rf /srv/var/*",
            "mount -t tmpfs -o mode=755,size=16m device-var /srv/var",
            f"cp -a {w}/var-stage/. /srv/var/ && rm -rf {w}/var-stage",
            "mount -t tmpfs -o mode=755,size=8m device-run /srv/run",
            "mount -t tmpfs -o mode=1777,size=8m device-tmp /srv/tmp",
            "mount --bind /dev /srv/dev",
            "mount -t proc proc /srv/proc",
            "mkdir -p /srv/run/emu /srv/run/runit/supervise.chromium /srv/run/wayland",
        ]
        if gen == "v4.1":
            lines.append("mount --bind /srv/var/lib/bandaid/nocturne /srv/opt/nocturne")
        if self.options.var_free_kb is not None:
            lines.append(
                "avail=$(df -k /srv/var | awk 'NR==2 {print $4}');"
                f" dd if=/dev/zero of=/srv/var/.filler bs=1024"
                f" count=$((avail - {self.options.var_free_kb})) 2>/dev/null")
        if self.debug_port is not None:
            lines.append(f"mkdir -p /srv/run/emu/devtools && chroot /srv /bin/busybox httpd -f"
                         f" -p 127.0.0.1:{self.debug_port} -h /run/emu/devtools &")
        if gen == "v4.0.7":
            lines.append(
                "mkdir -p /srv/run/emu/nocturned && echo nocturned > /srv/run/emu/nocturned/index.html"
                f" && {{ chroot /srv /bin/busybox httpd -f -p 127.0.0.1:{self.nocturned_port}"
                " -h /run/emu/nocturned & echo $! > /srv/run/emu/nocturned.pid; }")
        if self.options.root_full:
            lines.append("dd if=/dev/zero of=/srv/.filler bs=4096 2>/dev/null || true")
        # A process just started in the background may hold /srv busy for a moment (seen once
        # on a loaded machine: "mount point is busy"): retry for 5 s before giving up.
        lines.append("n=0; until mount -o remount,ro /srv 2>/dev/null; do n=$((n + 1));"
                     " [ $n -lt 25 ] || mount -o remount,ro /srv; sleep 0.2; done")
        if gen == "v3":
            lines.append("chroot /srv /usr/bin/runsvdir -P /var/service >/dev/null 2>&1 &")
        elif gen.startswith("v4.0"):
            lines.append("chroot /srv /usr/bin/supervisorctl boot")
        else:
            lines.append("chroot /srv /usr/bin/systemctl start chromium-kiosk")
        lines.append(f"exec /usr/sbin/sshd -D -e -f {w}/sshd_config")
        return "\n".join(lines) + "\n"
