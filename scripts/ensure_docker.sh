#!/usr/bin/env bash
# Makes sure a Docker engine answers on this machine: installs docker.io when missing, starts
# dockerd in the background (default runc runtime, log in $DOCKERD_LOG) and waits until
# `docker info` answers. A no-op when the engine already runs. Safe to call concurrently.
#
# Then makes sure the engine knows gVisor's runtime `runsc` (the sandbox's default runtime,
# SANDBOX_RUNTIME): installs Debian's `runsc` package when missing and registers it in
# $DOCKER_DAEMON_JSON (merged: other runtimes and settings stay), then reloads a running engine
# with SIGHUP (its containers keep running; the engine is never restarted). ENSURE_RUNSC=0 skips
# this; a failure here only warns (the sandbox then falls back to runc and says so).
set -euo pipefail

DOCKERD_LOG=${DOCKERD_LOG:-/var/log/dockerd.log}
WAIT_SECONDS=${DOCKER_WAIT_SECONDS:-60}
LOCK=/run/nodeengine-ensure-docker.lock
RUNSC_LOCK=/run/nodeengine-ensure-runsc.lock
DAEMON_JSON=${DOCKER_DAEMON_JSON:-/etc/docker/daemon.json}
ENSURE_RUNSC=${ENSURE_RUNSC:-1}
RUNSC_PATH=${RUNSC_PATH:-/usr/bin/runsc}

engine_answers() { docker info >/dev/null 2>&1; }
engine_knows_runsc() {
  docker info --format '{{range $name, $_ := .Runtimes}}{{$name}} {{end}}' 2>/dev/null |
    tr ' ' '\n' | grep -qx runsc
}

# Adds the runsc runtime to daemon.json, keeping everything else in it. Prints "changed" when the
# file was written. --network=none: gVisor's own network stack gets no interface but loopback,
# like the sandbox's `network_mode: none` (the two agree; with Docker's default bridge it would
# refuse to start the container, which the sandbox never asks for).
register_runsc() {
  mkdir -p "$(dirname "$DAEMON_JSON")"
  python3 - "$DAEMON_JSON" "$RUNSC_PATH" <<'PY'
import json, os, sys

path, runsc = sys.argv[1], sys.argv[2]
try:
    with open(path) as f:
        text = f.read()
except FileNotFoundError:
    text = ""
config = json.loads(text) if text.strip() else {}
if not isinstance(config, dict):
    sys.exit(f"ensure_docker: {path} is not a JSON object; not touching it")
runtimes = config.setdefault("runtimes", {})
wanted = {"path": runsc, "runtimeArgs": ["--network=none"]}
if runtimes.get("runsc") == wanted:
    sys.exit(0)
runtimes["runsc"] = wanted
tmp = f"{path}.nodeengine.tmp"
with open(tmp, "w") as f:
    json.dump(config, f, indent=2)
    f.write("\n")
if os.path.exists(path):
    os.replace(path, f"{path}.bak")  # the previous file, for an operator who wants it back
os.replace(tmp, path)
print("changed")
PY
}

dockerd_pid() {
  local pid
  pid=$(cat /var/run/docker.pid 2>/dev/null || true)
  if [ -n "$pid" ] && [ "$(cat "/proc/$pid/comm" 2>/dev/null || true)" = dockerd ]; then
    echo "$pid"
  else
    pgrep -xo dockerd || true
  fi
}

ensure_runsc() {
  [ "$ENSURE_RUNSC" = 0 ] && return 0
  engine_knows_runsc && return 0
  # Its own lock (fd 8): two callers must not both rewrite daemon.json.
  exec 8>"$RUNSC_LOCK"
  flock -w "$WAIT_SECONDS" 8 || { echo "ensure_docker: could not take $RUNSC_LOCK" >&2; return 1; }
  engine_knows_runsc && return 0
  if [ "$(id -u)" != 0 ]; then
    echo "ensure_docker: the Docker engine has no runsc runtime and only root can add it (sudo $0)" >&2
    return 1
  fi
  if [ ! -x "$RUNSC_PATH" ]; then
    echo "ensure_docker: installing runsc (gVisor)" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -qq runsc >/dev/null 2>&1 ||
      { apt-get update -qq && apt-get install -y -qq runsc >/dev/null; } || return 1
  fi
  local changed
  changed=$(register_runsc) || return 1
  local pid
  pid=$(dockerd_pid)
  if [ -n "$pid" ]; then
    if [ -n "$changed" ]; then
      echo "ensure_docker: registered runsc in $DAEMON_JSON; reloading dockerd (SIGHUP)" >&2
    fi
    # Reloads daemon.json (runtimes included); running containers are not touched.
    kill -HUP "$pid"
    for _ in $(seq 1 40); do
      engine_knows_runsc && return 0
      sleep 0.25
    done
    echo "ensure_docker: dockerd did not pick up runsc from $DAEMON_JSON (see $DOCKERD_LOG)" >&2
    return 1
  fi
}

# Room for gVisor's host tasks: a fork bomb in a runsc sandbox briefly holds thousands of host
# stub processes (execution/sandbox/container.py, RUNSC_HOST_PIDS_BASE), so a few sandboxes at
# once could exhaust an old default of 32,768 pids and starve the host. 4,194,304 is the 64-bit
# kernel's maximum and systemd's default. Only raised, never lowered; a failure only warns.
ensure_pid_room() {
  local wanted=4194304 now
  now=$(cat /proc/sys/kernel/pid_max 2>/dev/null || echo "$wanted")
  [ "$now" -ge "$wanted" ] && return 0
  if [ "$(id -u)" != 0 ] || ! echo "$wanted" >/proc/sys/kernel/pid_max 2>/dev/null; then
    echo "ensure_docker: kernel.pid_max is $now; raise it to $wanted (sysctl -w kernel.pid_max=$wanted) so a fork bomb under gVisor cannot exhaust the host's pids" >&2
    return 0
  fi
  echo "ensure_docker: raised kernel.pid_max from $now to $wanted (room for gVisor's host tasks)" >&2
}

ensure_pid_room

if command -v docker >/dev/null 2>&1 && engine_answers; then
  ensure_runsc || echo "ensure_docker: continuing without runsc (sandboxes will use runc)" >&2
  exit 0
fi

# Two callers at once (parallel make, several engineers) must not start two daemons.
exec 9>"$LOCK"
flock -w "$WAIT_SECONDS" 9 || { echo "ensure_docker: could not take $LOCK" >&2; exit 1; }
if command -v docker >/dev/null 2>&1 && engine_answers; then
  ensure_runsc || echo "ensure_docker: continuing without runsc (sandboxes will use runc)" >&2
  exit 0
fi

if ! command -v dockerd >/dev/null 2>&1 || ! command -v docker >/dev/null 2>&1; then
  if [ "$(id -u)" != 0 ]; then
    echo "ensure_docker: docker.io is not installed; run as root: apt-get install -y docker.io" >&2
    exit 1
  fi
  echo "ensure_docker: installing docker.io" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq docker.io >/dev/null
fi

if ! pgrep -x dockerd >/dev/null 2>&1; then
  if [ "$(id -u)" != 0 ]; then
    echo "ensure_docker: the Docker engine is not running and only root can start it (sudo $0)" >&2
    exit 1
  fi
  # Registered before the start, so the new engine knows runsc from its first second.
  ensure_runsc || echo "ensure_docker: continuing without runsc (sandboxes will use runc)" >&2
  # A stale pid file from a killed daemon makes dockerd refuse to start.
  rm -f /var/run/docker.pid
  mkdir -p "$(dirname "$DOCKERD_LOG")"
  echo "ensure_docker: starting dockerd (log: $DOCKERD_LOG)" >&2
  # setsid: the daemon must outlive this script and the make/CI step that called it.
  # 8>&- 9>&-: the daemon must not inherit (and so hold forever) this script's locks.
  setsid nohup dockerd --default-runtime=runc >>"$DOCKERD_LOG" 2>&1 </dev/null 8>&- 9>&- &
fi

answered=0
for _ in $(seq 1 "$((WAIT_SECONDS * 4))"); do
  if engine_answers; then
    answered=1
    break
  fi
  sleep 0.25
done
if [ "$answered" != 1 ]; then
  echo "ensure_docker: dockerd did not answer within ${WAIT_SECONDS}s; last lines of $DOCKERD_LOG:" >&2
  tail -n 30 "$DOCKERD_LOG" >&2 || true
  exit 1
fi
ensure_runsc || echo "ensure_docker: continuing without runsc (sandboxes will use runc)" >&2
exit 0
