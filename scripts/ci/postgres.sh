#!/usr/bin/env bash
# A throwaway PostgreSQL cluster on 127.0.0.1 for the market's tests.
#
#   eval "$(scripts/ci/postgres.sh start)"   # installs Debian's postgresql if missing, starts a
#                                            # cluster in a temp dir, prints the two exports:
#                                            # POCO_TEST_POSTGRES_URL, POCO_TEST_POSTGRES_DIR
#   scripts/ci/postgres.sh stop "$POCO_TEST_POSTGRES_DIR"   # stops it (postmaster PID) and
#                                                           # removes the folder
#
# Only the exports go to stdout; progress goes to stderr. Idempotent: a second `start` makes a
# second cluster on another port. As root, the server runs as the `postgres` user (the package
# creates it), since PostgreSQL refuses to run as root.
set -euo pipefail

log() { printf 'postgres.sh: %s\n' "$*" >&2; }

bin_dir() {
  local dir
  dir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
  if [[ -n "$dir" && -x "$dir/initdb" && -x "$dir/pg_ctl" ]]; then
    printf '%s\n' "$dir"
  fi
}

install() {
  if [[ -n "$(bin_dir)" ]]; then return; fi
  log "installing Debian's postgresql"
  if [[ "$(id -u)" != 0 ]]; then
    log "postgresql is missing and this user cannot apt-get install it"; exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq --no-install-recommends postgresql >&2
  if [[ -z "$(bin_dir)" ]]; then log "postgresql installed but initdb not found"; exit 1; fi
}

free_port() {
  local port
  for port in $(seq 54320 54399); do
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      printf '%s\n' "$port"; return
    fi
  done
  log "no free port in 54320-54399"; exit 1
}

as_owner() {
  if [[ "$(id -u)" == 0 ]]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

start() {
  install
  local bin dir port
  bin="$(bin_dir)"
  dir="$(mktemp -d /tmp/poco-postgres.XXXXXX)"
  chmod 755 "$dir"
  if [[ "$(id -u)" == 0 ]]; then chown postgres "$dir"; fi
  port="$(free_port)"
  as_owner "$bin/initdb" -D "$dir/data" -A trust -U poco -E UTF8 --no-locale >"$dir/initdb.log" 2>&1 \
    || { cat "$dir/initdb.log" >&2; exit 1; }
  as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
    -o "-h 127.0.0.1 -p $port -k $dir -c max_connections=300 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
    start >&2 || { cat "$dir/server.log" >&2; exit 1; }
  log "cluster in $dir on 127.0.0.1:$port"
  printf 'export POCO_TEST_POSTGRES_URL=%q\n' "postgres://poco@127.0.0.1:$port/postgres"
  printf 'export POCO_TEST_POSTGRES_DIR=%q\n' "$dir"
}

stop() {
  local dir="${1:-}"
  if [[ -z "$dir" || ! -d "$dir/data" ]]; then log "no cluster at '$dir'"; return; fi
  local bin
  bin="$(bin_dir)"
  as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >&2 || true
  rm -rf "$dir"
}

case "${1:-}" in
  start) start ;;
  stop) stop "${2:-}" ;;
  *) echo "usage: $0 start | stop <dir>" >&2; exit 2 ;;
esac
