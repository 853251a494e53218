#!/usr/bin/env bash
# Stops the dockerd started by scripts/ci/docker.sh, by the PID in its pidfile.
set -euo pipefail
dir="${POCO_DOCKER_DIR:-$HOME/.cache/poco/docker}"
pidfile="$dir/dockerd.pid"
if [ -f "$pidfile" ]; then
  pid="$(cat "$pidfile")"
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid"
    for _ in $(seq 1 40); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.25
    done
    if kill -0 "$pid" 2>/dev/null; then kill -9 "$pid" || true; fi
  fi
  rm -f "$pidfile"
fi
