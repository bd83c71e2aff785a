"""The files of each emulated Nocturne generation: what deploy reads and edits, as on the device.

Contents follow /work/shared/docs/nocturne.md and Nocturne's public build sources
(rootfs_overlay/etc/supervisord.conf, rootfs_overlay/bin/start-chromium).
"""

from __future__ import annotations

# A stand-in browser: records the URL it was started with, as the kiosk would show it.
BROWSER = r"""#!/bin/sh
url=
for a in "$@"; do
  case "$a" in --app=*) url="${a#--app=}" ;; --url=*) url="${a#--url=}" ;; esac
done
mkdir -p /run/emu
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

V3_RUN = """#!/bin/sh
exec 2>&1
export XDG_RUNTIME_DIR=/run/wayland
sv check weston >/dev/null 2>&1 || true
exec /usr/bin/chromium --no-sandbox --in-process-gpu --remote-debugging-port=2222 \\
  --user-data-dir=/var/lib/chrome_storage --kiosk --disable-pinch \\
  --allow-file-access-from-files --ignore-certificate-errors \\
  --enable-experimental-web-platform-features --app=http://localhost:80
"""

_SUPERVISORD_HEAD = """[unix_http_server]
file = /var/run/supervisor.sock

[supervisord]
logfile = /var/log/supervisor/supervisord.log
logfile_maxbytes = 200KB
logfile_backups = 1
pidfile = /var/run/supervisord.pid
childlogdir = /var/log/supervisor

[program:nocturned]
command=/usr/bin/nocturned
numprocs=1
autorestart=true
autostart=true
startsecs=0
priority=90
environment=RUST_LOG="info", NOCTURNE_WEBAPPS_DIR="/etc/nocturne/ui"

"""
_SUPERVISORD_TAIL = """
[program:swupdate]
command=/usr/bin/swupdate -l 3 -k /etc/nocturne.pem
numprocs=1
autorestart=true
autostart=false

[rpcinterface:supervisor]
supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface

[supervisorctl]
serverurl = unix:///var/run/supervisor.sock

[include]
files = /etc/supervisor.d/*.conf
"""
_CHROME_ENV = (
    'environment=BREAKPAD_DUMP_LOCATION="/var/cache/chrome_storage/Crash Reports",'
    ' CHROME_HEADLESS=1, GOOGLE_API_KEY="no", XDG_RUNTIME_DIR="/run/wayland/",'
    ' XDG_CACHE_HOME="/var/cache"\n'
)
V40_SUPERVISORD = (
    _SUPERVISORD_HEAD
    + "[program:chromium]\n"
    "command=/usr/bin/chromium-browser/chrome --no-sandbox --in-process-gpu"
    " --remote-debugging-port=2222 --user-data-dir=/var/cache/chrome_storage --kiosk"
    " --disable-pinch --allow-file-access-from-files --ignore-certificate-errors"
    " --enable-experimental-web-platform-features --app=http://localhost:80\n"
    "numprocs=1\nautorestart=true\nautostart=true\nstartsecs=0\npriority=99\n"
    + _CHROME_ENV
    + _SUPERVISORD_TAIL
)
V406_SUPERVISORD = (
    _SUPERVISORD_HEAD
    + "[program:chromium]\ncommand=/bin/start-chromium\n"
    "numprocs=1\nautorestart=true\nautostart=true\nstartsecs=0\npriority=99\n"
    + _CHROME_ENV
    + _SUPERVISORD_TAIL
)
# Nocturne's launcher minus its wait for nocturned on :8080 (nothing serves that here).
START_CHROMIUM = """#!/bin/sh
set -eu

APP_URL="${NOCTURNE_CHROMIUM_URL:-http://localhost:8080}"
CHROME="${NOCTURNE_CHROME_BIN:-/usr/bin/chromium-browser/chrome}"

exec "$CHROME" \\
  --no-sandbox \\
  --remote-debugging-port=2222 \\
  --user-data-dir=/var/lib/chrome_storage \\
  --kiosk \\
  --allow-file-access-from-files \\
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
  ( [ -n "$envline" ] && eval "export $(echo "$envline" | sed 's/, *\([A-Za-z_][A-Za-z0-9_]*=\)/ \1/g')"
    export EMU_NO_SLEEP=1; eval "set -- $command"; "$@" ) >/dev/null 2>&1
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


def tree(generation: str) -> tuple[dict[str, tuple[str, int]], dict[str, str], str]:
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
    if generation in ("v4.0.0", "v4.0.6"):
        version = generation
        files["/etc/nocturne/version.json"] = (
            f'{{\n    "version": "{version}-abc1234",\n    "shortVersion": "{version}",\n'
            '    "gitHash": "abc1234",\n    "buildDate": "2026-01-10"\n}\n', 0o644)
        files["/etc/supervisord.conf"] = (
            V40_SUPERVISORD if generation == "v4.0.0" else V406_SUPERVISORD, 0o644)
        files["/bin/start-chromium"] = (START_CHROMIUM, 0o755)
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
