#!/usr/bin/env bash
# Black-box test of poco's market with the reference SDK's CLI (npm `iexec`, pinned at 9.0.1 in
# package-lock.json): the CLI, unchanged, with a chain.json whose `host` is the poco devchain and
# whose `iexecGateway` is the poco market, deploys an app, a dataset and a workerpool, funds the
# accounts, and for each order type runs `iexec order init / sign / publish`, `iexec orderbook
# …`, `iexec order show`, `iexec order fill` (matchOrders) and `iexec order unpublish`; every
# answer is compared with poco's native API (`/v1/orders/...`).
#
#   clients/iexec-sdk/run.sh
#
# Installs the CLI from the lockfile (npm ci; no install scripts), builds `poco-devchain` and
# `poco-market`, starts both on free 127.0.0.1 ports, runs test/cli.test.mjs (node:test), stops
# them by PID, prints a summary and exits non-zero on any failure. Nothing leaves 127.0.0.1: the
# chain.json points every other service of the CLI (sms, ipfs, subgraph, compass) at a closed
# local port, and `--raw` turns off the CLI's npm update check.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/poco/target}"
logs="$here/.run"
rm -rf "$logs"
mkdir -p "$logs"

say() { printf '[iexec-sdk %s] %s\n' "$(date +%T)" "$*"; }
started_at=$SECONDS

# --- install ---------------------------------------------------------------------------------

stamp="$here/node_modules/.iexec-sdk-lock"
if ! cmp -s "$here/package-lock.json" "$stamp" 2>/dev/null; then
  say "npm ci (iexec from package-lock.json)"
  (cd "$here" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
  cp "$here/package-lock.json" "$stamp"
fi
version="$(cd "$here" && node -p "require('./node_modules/iexec/package.json').version")"
[[ $version == 9.0.1 ]] || { say "expected iexec 9.0.1, found $version"; exit 1; }

# POCO_CARGO_PROFILE=release uses (and builds) the release binaries instead.
profile="${POCO_CARGO_PROFILE:-debug}"
profile_flag=()
[[ $profile == release ]] && profile_flag=(--release)
say "cargo build ${profile_flag[*]} -p poco-devchain -p poco-market"
(cd "$root" && cargo build --locked -q "${profile_flag[@]}" -p poco-devchain --bin poco-devchain -p poco-market --bin poco-market)
DEVCHAIN="$CARGO_TARGET_DIR/$profile/poco-devchain"
MARKET="$CARGO_TARGET_DIR/$profile/poco-market"

# --- services --------------------------------------------------------------------------------

pids=()
stop_all() {
  for pid in "${pids[@]}"; do
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  pids=()
}
trap stop_all EXIT INT TERM

free_port() {
  node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"
}

# Waits until "$1" (a command) succeeds while process $2 lives; 60 s at most.
wait_for() {
  local check=$1 pid=$2 tries=0
  until eval "$check" >/dev/null 2>&1; do
    kill -0 "$pid" 2>/dev/null || return 1
    tries=$((tries + 1))
    [[ $tries -lt 300 ]] || return 1
    sleep 0.2
  done
}

chain_port="$(free_port)"
"$DEVCHAIN" --host 127.0.0.1 --port "$chain_port" >"$logs/devchain.json" 2>"$logs/devchain.log" &
pids+=($!)
if ! wait_for "grep -q endpoint '$logs/devchain.json'" "${pids[-1]}"; then
  say "the devchain did not start:"; tail -n 30 "$logs/devchain.log"; exit 1
fi
hub="$(node -p "JSON.parse(require('fs').readFileSync('$logs/devchain.json','utf8').split('\n')[0]).deployment.hub")"
say "devchain (pid ${pids[-1]}) on 127.0.0.1:$chain_port, hub $hub"

market_port="$(free_port)"
"$MARKET" --rpc-url "http://127.0.0.1:$chain_port" --chain-id 31337 --hub "$hub" \
  --listen "127.0.0.1:$market_port" --data-dir "$logs/market-data" --poll-interval-ms 100 \
  >"$logs/market.log" 2>&1 &
pids+=($!)
if ! wait_for "curl -sf http://127.0.0.1:$market_port/health" "${pids[-1]}"; then
  say "the market did not start:"; tail -n 30 "$logs/market.log"; exit 1
fi
say "market (pid ${pids[-1]}) on 127.0.0.1:$market_port"

# --- the CLI suite ---------------------------------------------------------------------------

export IEXEC_BIN="$here/node_modules/.bin/iexec"
export POCO_CHAIN_URL="http://127.0.0.1:$chain_port"
export POCO_MARKET_URL="http://127.0.0.1:$market_port"
export POCO_HUB="$hub"
export POCO_DEVCHAIN_BANNER="$logs/devchain.json"
export POCO_WORKDIR="$logs/work"
# A local port nothing listens on, for the services the CLI knows but this test does not run.
export POCO_CLOSED_URL="http://127.0.0.1:$(free_port)"

say "iexec $version CLI suite"
status=0
(cd "$here" && node --test --test-concurrency=1 --test-reporter=tap test/*.test.mjs) >"$logs/cli.tap" 2>&1 || status=$?
grep -E '^ *(not )?ok |^# (pass|fail) ' "$logs/cli.tap" | sed 's/^/  /'
if [[ $status -ne 0 ]]; then
  say "failures (full output: $logs/cli.tap, services: $logs/*.log):"
  grep -B 2 -A 30 'not ok' "$logs/cli.tap" | sed 's/^/  /' | head -200
fi
pass="$(sed -n 's/^# pass \([0-9]*\)$/\1/p' "$logs/cli.tap" | tail -1)"
fail="$(sed -n 's/^# fail \([0-9]*\)$/\1/p' "$logs/cli.tap" | tail -1)"
pass="${pass:-0}"
fail="${fail:-0}"
if [[ $status -ne 0 && $fail -eq 0 ]]; then fail=1; fi
stop_all
echo "iexec-sdk: $pass passed, $fail failed ($((SECONDS - started_at)) s)"
[[ $fail -eq 0 && $pass -gt 0 ]]
