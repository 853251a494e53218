#!/usr/bin/env bash
# Starts a private Docker daemon for the sandbox tests and prints the `export DOCKER_HOST=…` line.
#
#   eval "$(scripts/ci/docker.sh)"        # installs docker.io if missing, starts dockerd, waits
#   scripts/ci/docker-stop.sh             # stops it (by the PID in its pidfile)
#
# The daemon gets no network of its own: no bridge, no iptables rules, no IP forwarding or
# masquerading, so containers can only run with `--network none`. Everything it writes lives
# under $POCO_DOCKER_DIR (default: $HOME/.cache/poco/docker): data root, exec root, pidfile,
# log and the unix socket. Idempotent: a daemon already answering on that socket is reused.
# Quiet: progress goes to stderr, only the export line goes to stdout.
set -euo pipefail

dir="${POCO_DOCKER_DIR:-$HOME/.cache/poco/docker}"
sock="$dir/docker.sock"
pidfile="$dir/dockerd.pid"
log="$dir/dockerd.log"
mkdir -p "$dir/data" "$dir/exec"

say() { printf 'docker.sh: %s\n' "$*" >&2; }

if ! command -v dockerd >/dev/null 2>&1; then
  say "installing docker.io (Debian)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends docker.io >/dev/null
fi

ready() { DOCKER_HOST="unix://$sock" docker version --format '{{.Server.Version}}' >/dev/null 2>&1; }

if ready; then
  say "dockerd already running on $sock"
else
  if [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
    say "stale dockerd $(cat "$pidfile") not answering: stopping it"
    kill "$(cat "$pidfile")" || true
    sleep 2
  fi
  rm -f "$pidfile" "$sock"
  say "starting dockerd (log: $log)"
  # setsid: the daemon outlives this script's process group; it is stopped by its PID only.
  setsid dockerd \
    --host "unix://$sock" \
    --data-root "$dir/data" \
    --exec-root "$dir/exec" \
    --pidfile "$pidfile" \
    --bridge=none --iptables=false --ip-forward=false --ip-masq=false \
    >"$log" 2>&1 </dev/null &
  for _ in $(seq 1 120); do
    if ready; then break; fi
    sleep 0.5
  done
  if ! ready; then
    say "dockerd did not become ready; last lines of its log:"
    tail -n 30 "$log" >&2 || true
    exit 1
  fi
  say "dockerd $(DOCKER_HOST="unix://$sock" docker version --format '{{.Server.Version}}') ready (pid $(cat "$pidfile"))"
fi

echo "export DOCKER_HOST=unix://$sock"
