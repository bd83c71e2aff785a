"""The files of each emulated Nocturne generation: what deploy reads and edits, as on the device.

Contents follow /work/shared/docs/nocturne.md and Nocturne's public build sources
(rootfs_overlay/etc/supervisord.conf, rootfs_overlay/bin/start-chromium).
"""

from __future__ import annotations

# A stand-in browser: records the exact argv it was started with (NUL-separated, so a later
# test can start a real browser with exactly these flags) and the URL it would show.
BROWSER = r"""#!/bin/sh
url=
for a in "$@"; do
  case "$a" in --app=*) url="${a#--app=}" ;; --url=*) url="${a#--url=}" ;; esac
done
mkdir -p /run/emu
printf '%s\0' "$@" > /run/emu/browser.argv.tmp && mv /run/emu/browser.argv.tmp /run/emu/browser.argv
echo "$url" > /run/emu/browser.url.tmp && mv /run/emu/browser.url.tmp /run/emu/browser.url
echo "$*" >> /run/emu/browser.log
# What the remote-debugging port's /json would list (served by the emulator's httpd); a
# browser "stuck" on its old page (/run/emu/devtools-stuck) keeps showing the previous one.
if [ ! -f /run/emu/devtools-stuck ]; then
  mkdir -p /run/emu/devtools
  printf '[{"id":"1","type":"page","title":"kiosk","url":"%s"}]\n' "$url" > /run/emu/devtools/json.tmp
  mv /run/emu/devtools/json.tmp /run/emu/devtools/json
fi
[ -n "$EMU_NO_SLEEP" ] && exit 0
exec sleep 100000
"""

# Root's login shell (what sshd runs commands with): BusyBox sh, with the clock tools as
# functions that call the recorded stand-ins by path. A BusyBox built to prefer its own applets
# (Debian's busybox-static) would otherwise run its real `date` and bypass /bin/date.
LOGIN_SHELL = """#!/bin/busybox sh
date() { /bin/date "$@"; }
hwclock() { /bin/hwclock "$@"; }
if [ "$1" = -c ]; then eval "$2"; else exec /bin/busybox sh "$@"; fi
"""

V3_RUN = """#!/bin/sh
exec 2>&1
export XDG_RUNTIME_DIR=/run/wayland
sv check weston >/dev/null 2>&1 || true
exec /usr/bin/chromium --no-sandbox --in-process-gpu --remote-debugging-port=2222 \\
  --user-data-dir=/var/lib/chrome_storage --kiosk --disable-pinch \\
  --allow-file-access-from-files --ignore-certificate-errors \\
  --enable-experimental-web-platform-features --app=http://localhost:80
"""

def _logs(name: str) -> str:
    """Return a program's log settings, as every [program:*] of Nocturne v4.0 has them."""
    return "".join(
        f"{stream}_{key}\n" for stream in ("stdout", "stderr") for key in (
            f"logfile=/var/log/{name}.{'info' if stream == 'stdout' else 'err'}",
            "logfile_maxbytes=1MB", "logfile_backups=3", "capture_maxbytes=1MB",
            "events_enabled=false"))


_PROGRAM = "numprocs=1\nautorestart=true\nautostart=true\nstartsecs=0\n"
_HEAD = """[unix_http_server]
file = /var/run/supervisor.sock

[supervisord]
logfile = /var/log/supervisor/supervisord.log
logfile_maxbytes = 200KB
logfile_backups = 1
pidfile = /var/run/supervisord.pid
childlogdir = /var/log/supervisor

"""
_TAIL = """
[program:bluetoothd]
command=/bin/start-bluetoothd
priority=89
numprocs=1
autorestart=true
autostart=true
startsecs=0
redirect_stderr=true
stdout_logfile=/dev/fd/1
stdout_logfile_maxbytes=0

[program:swupdate]
command=/usr/bin/swupdate -l 3 -k /etc/nocturne.pem
""" + _PROGRAM + "redirect_stderr=false\n" + _logs("swupdate") + """
[rpcinterface:supervisor]
supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface

[supervisorctl]
serverurl = unix:///var/run/supervisor.sock

[include]
files = /etc/supervisor.d/*.conf
"""
CHROME_FLAGS = (
    "--no-sandbox --in-process-gpu --remote-debugging-port=2222"
    " --user-data-dir=/var/lib/chrome_storage --kiosk --disable-pinch"
    " --allow-file-access-from-files --ignore-certificate-errors"
    " --enable-experimental-web-platform-features"
)
_CHROME_ENV = (
    'environment=BREAKPAD_DUMP_LOCATION="/var/lib/chrome_storage/Crash Reports",'
    ' CHROME_HEADLESS=1, GOOGLE_API_KEY="no", GOOGLE_DEFAULT_CLIENT_ID="no",'
    ' GOOGLE_DEFAULT_CLIENT_SECRET="no", XDG_RUNTIME_DIR="/run/wayland/",'
    ' XDG_CACHE_HOME="/var/cache"\n'
)


def supervisord_conf(variant: str) -> str:
    """Return /etc/supervisord.conf of a v4.0 variant, as Nocturne's tags ship it.

    v4.0.0-v4.0.4 (`v4.0.0`): the browser command with `--app=http://localhost:80`, and
    static-web-server serving the UI on :80. v4.0.5-v4.0.6 (`v4.0.6`): `--app=http://localhost:8080`
    (nocturned serves the UI). v4.0.7: `command=/bin/start-chromium`.
    """
    nocturned_env = 'environment=RUST_LOG="nocturned=info,iap2_rs=info,bluer=info"'
    if variant != "v4.0.0":
        nocturned_env += ', NOCTURNE_WEBAPPS_DIR="/etc/nocturne/ui"'
    text = (_HEAD + "[program:nocturned]\ncommand=/usr/bin/nocturned\n" + _PROGRAM
            + "priority=90\nredirect_stderr=false\n" + nocturned_env + "\n"
            + _logs("nocturned") + "\n")
    if variant == "v4.0.0":
        text += ("[program:nocturne-ui]\ncommand=/usr/bin/static-web-server --host 127.0.0.1"
                 " --port 80 --root /etc/nocturne/ui --compression false\n" + _PROGRAM
                 + "priority=95\nredirect_stderr=false\n" + _logs("nocturne-ui") + "\n")
    command = {
        "v4.0.0": f"/usr/bin/chromium-browser/chrome {CHROME_FLAGS} --app=http://localhost:80",
        "v4.0.6": f"/usr/bin/chromium-browser/chrome {CHROME_FLAGS} --app=http://localhost:8080",
        "v4.0.7": "/bin/start-chromium",
    }[variant]
    return (text + f"[program:chromium]\ncommand={command}\n" + _PROGRAM
            + "priority=99\nredirect_stderr=false\n" + _logs("chromium") + _CHROME_ENV + _TAIL)


def start_chromium(wait_url: str) -> str:
    """Return v4.0.7's /bin/start-chromium: wait (forever) for nocturned, then start the kiosk.

    One change from the device's file: BusyBox wget here crashes on `-T` (Debian's 1.35), so
    the emulated loop calls `wget -q -O /dev/null`; a refused connection fails at once anyway.
    `wait_url` is the device's default (`http://127.0.0.1:8080/`) when the emulated device has a
    network namespace of its own, else a free loopback port of the host.
    """
    flags = " \\\n  ".join(CHROME_FLAGS.split())
    return f"""#!/bin/sh
set -eu

APP_URL="${{NOCTURNE_CHROMIUM_URL:-http://localhost:8080}}"
WAIT_URL="${{NOCTURNE_CHROMIUM_WAIT_URL:-{wait_url}}}"
CHROME="${{NOCTURNE_CHROME_BIN:-/usr/bin/chromium-browser/chrome}}"

attempt=0
until wget -q -O /dev/null "$WAIT_URL"; do
  attempt=$((attempt + 1))
  if [ "$attempt" -eq 1 ] || [ $((attempt % 5)) -eq 0 ]; then
    echo "start-chromium: waiting for webapp server at $WAIT_URL (attempt $attempt)"
  fi
  sleep 1
done

echo "start-chromium: webapp server ready; launching Chromium at $APP_URL"

exec "$CHROME" \\
  {flags} \\
  --app="$APP_URL"
"""


# supervisorctl stand-in: keeps "the config supervisord has loaded" and applies it like
# supervisord does (`restart` reuses it, `reread` + `update` load the file again).
SUPERVISORCTL = r"""#!/bin/sh
echo "supervisorctl $*" >> /run/emu/calls.log
CONF=/etc/supervisord.conf LOADED=/run/emu/supervisord.loaded
section() { awk -v key="$1" '
  /^\[/ { inside = ($0 == "[program:chromium]") ; next }
  inside && index($0, key "=") == 1 { print substr($0, length(key) + 2) }' "$LOADED"; }
start() {
  [ -f /run/emu/fail-restart ] && { echo "chromium: ERROR (spawn error)"; exit 7; }
  envline=$(section environment | sed 's/%%/%/g')
  command=$(section command | sed 's/%%/%/g')
  old=$(cat /run/emu/chromium.pid 2>/dev/null) && kill "$old" 2>/dev/null || true
  # In the background, as supervisord runs it: with startsecs=0 the program is RUNNING at once,
  # even while v4.0.7's start-chromium still waits for nocturned.
  ( [ -n "$envline" ] && eval "export $(echo "$envline" | sed 's/, *\([A-Za-z_][A-Za-z0-9_]*=\)/ \1/g')"
    export EMU_NO_SLEEP=1; eval "set -- $command"; exec "$@" ) >/run/emu/chromium.out 2>&1 &
  echo $! > /run/emu/chromium.pid
  echo RUNNING > /run/emu/chromium.state
}
case "$1" in
  boot) cp "$CONF" "$LOADED"; start ;;
  reread) if cmp -s "$CONF" "$LOADED"; then echo "No config updates to processes"; else echo "chromium: changed"; fi ;;
  update) if ! cmp -s "$CONF" "$LOADED"; then cp "$CONF" "$LOADED"; echo "chromium: stopped"; start; echo "chromium: updated process group"; fi ;;
  restart) echo "chromium: stopped"; start; echo "chromium: started" ;;
  status) printf 'chromium                         %s   pid 4242, uptime 0:00:07\n' "$(cat /run/emu/chromium.state 2>/dev/null || echo STOPPED)" ;;
  *) echo "unknown command $1"; exit 2 ;;
esac
"""

V41_DEFAULTS = "KIOSK_URL=http://127.0.0.1:8080/\nKIOSK_EXTRA=\n"
V41_UNIT = """[Unit]
Description=Chromium kiosk (cast_shell)
After=weston.service nocturned.service

[Service]
ExecStart=/usr/bin/chromium-kiosk
Restart=always

[Install]
WantedBy=graphical.target
"""
V41_LAUNCHER = """#!/bin/sh
. /etc/default/chromium-kiosk
[ -f /opt/nocturne/kiosk-env ] && . /opt/nocturne/kiosk-env
exec /usr/bin/cast_shell --remote-debugging-port=9223 --url="$KIOSK_URL" $KIOSK_EXTRA
"""
SYSTEMCTL = r"""#!/bin/sh
echo "systemctl $*" >> /run/emu/calls.log
unit="${2%.service}"
known() { [ -f "/lib/systemd/system/$unit.service" ]; }
case "$1" in
  cat) known && cat "/lib/systemd/system/$unit.service" || { echo "No files found for $2." >&2; exit 1; } ;;
  restart|start)
    known || { echo "Unit $2 not found." >&2; exit 5; }
    [ -f /run/emu/fail-restart ] && { echo "Job for $unit.service failed." >&2; echo failed > /run/emu/$unit.state; exit 1; }
    EMU_NO_SLEEP=1 /usr/bin/chromium-kiosk >/dev/null 2>&1
    echo active > /run/emu/$unit.state ;;
  is-active) s=$(cat /run/emu/$unit.state 2>/dev/null || echo inactive); echo "$s"; [ "$s" = active ] ;;
  daemon-reload) ;;
  *) echo "unknown command $1" >&2; exit 1 ;;
esac
"""


# Recorded stand-ins for the clock tools: the device's kernel clock IS the host's (one kernel),
# so setting it is logged, never done. (The emulator also drops CAP_SYS_TIME as a backstop.)
DATE = r"""#!/bin/sh
for a in "$@"; do
  case "$a" in -s|--set|--set=*)
    echo "date $*" >> /run/emu/clock.log
    prev=; for b in "$@"; do [ "$prev" = -s ] && echo "$b" > /run/emu/clock.set; prev=$b; done
    exit 0 ;;
  esac
done
exec /bin/busybox date "$@"
"""
HWCLOCK = r"""#!/bin/sh
echo "hwclock $*" >> /run/emu/clock.log
"""
TIMEDATECTL = r"""#!/bin/sh
echo "timedatectl $*" >> /run/emu/clock.log
case "$1" in
  set-time) echo "$2" > /run/emu/clock.set ;;
  set-timezone)
    [ -f /run/emu/fail-timezone ] && { echo "Failed to set time zone: Read-only file system" >&2; exit 1; }
    echo "$2" > /run/emu/timezone ;;
  *) echo "unknown command $1" >&2; exit 1 ;;
esac
"""


V40 = ("v4.0.0", "v4.0.6", "v4.0.7")  # v4.0.0-v4.0.4, v4.0.5-v4.0.6, v4.0.7
NOCTURNED_PORT = 8080  # nocturned on the device's loopback (v4.0.5+)


def tree(generation: str, wait_url: str = "http://127.0.0.1:8080/",
         ) -> tuple[dict[str, tuple[str, int]], dict[str, str], str]:
    """Return (files path -> (text, mode), symlinks path -> target, stock kiosk URL)."""
    files: dict[str, tuple[str, int]] = {
        "/bin/date": (DATE, 0o755),
        "/bin/hwclock": (HWCLOCK, 0o755),
    }
    links: dict[str, str] = {}
    if generation == "v3":
        files["/etc/nocturne/version.txt"] = ("3.0.0\n", 0o644)
        files["/etc/sv/chromium/run"] = (V3_RUN, 0o755)
        files["/usr/bin/chromium"] = (BROWSER, 0o755)
        links["/etc/sv/chromium/supervise"] = "/run/runit/supervise.chromium"
        links["/var/service/chromium"] = "/etc/sv/chromium"
        links["/etc/service"] = "/var/service"
        return files, links, "http://localhost:80"
    if generation in V40:
        version = generation
        files["/etc/nocturne/version.json"] = (
            f'{{\n    "version": "{version}-abc1234",\n    "shortVersion": "{version}",\n'
            '    "gitHash": "abc1234",\n    "buildDate": "2026-01-10"\n}\n', 0o644)
        files["/etc/supervisord.conf"] = (supervisord_conf(generation), 0o644)
        if generation == "v4.0.7":
            files["/bin/start-chromium"] = (start_chromium(wait_url), 0o755)
        files["/usr/bin/chromium-browser/chrome"] = (BROWSER, 0o755)
        files["/usr/bin/supervisorctl"] = (SUPERVISORCTL, 0o755)
        files["/var/lib/chrome_storage/.keep"] = ("", 0o644)
        stock = "http://localhost:80" if generation == "v4.0.0" else "http://localhost:8080"
        return files, links, stock
    if generation == "v4.1":
        files["/etc/nocturne/floor-version"] = ("4.1.2\n", 0o644)
        files["/etc/default/chromium-kiosk"] = (V41_DEFAULTS, 0o644)
        files["/lib/systemd/system/chromium-kiosk.service"] = (V41_UNIT, 0o644)
        files["/usr/bin/chromium-kiosk"] = (V41_LAUNCHER, 0o755)
        files["/usr/bin/cast_shell"] = (BROWSER, 0o755)
        files["/usr/bin/systemctl"] = (SYSTEMCTL, 0o755)
        files["/usr/bin/timedatectl"] = (TIMEDATECTL, 0o755)
        files["/var/lib/bandaid/nocturne/webapps/ui/index.html"] = ("<!doctype html>stock\n", 0o644)
        return files, links, "http://127.0.0.1:8080/"
    raise ValueError(generation)
