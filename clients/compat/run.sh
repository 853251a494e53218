#!/usr/bin/env bash
# The client compatibility suite: the same ethers v6 tests (test/*.test.cjs, node:test) and cast
# tests (cast/suite.sh) against the poco devchain and against anvil, with identical expectations.
#
#   clients/compat/run.sh                 # both chains
#   COMPAT_CHAINS=devchain clients/compat/run.sh   # one of them
#
# Installs what it needs (ethers from package-lock.json; anvil and cast through contracts/'s
# pinned toolchain), builds `poco-devchain`, starts each chain on a free 127.0.0.1 port, runs both
# suites against it, stops it by PID, prints a summary and exits non-zero on any failure.
set -euo pipefail

compat="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$compat/../.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/poco/target}"
chains="${COMPAT_CHAINS:-devchain anvil}"
logs="$compat/.run"
mkdir -p "$logs"

say() { printf '[compat %s] %s\n' "$(date +%T)" "$*"; }

# --- install ---------------------------------------------------------------------------------

# ethers, exactly as locked; skipped when node_modules matches the lockfile already.
stamp="$compat/node_modules/.compat-lock"
if ! cmp -s "$compat/package-lock.json" "$stamp" 2>/dev/null; then
  say "npm ci (ethers from package-lock.json)"
  (cd "$compat" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
  cp "$compat/package-lock.json" "$stamp"
fi
# anvil and cast 1.7.1 (the contracts' pinned toolchain; a no-op once installed).
(cd "$root/contracts" && npm run --silent setup)
ANVIL="$root/contracts/node_modules/.bin/anvil-native"
export CAST="$root/contracts/node_modules/.bin/cast-native"
# The committed test contract matches its source.
node "$compat/tools/build-contract.cjs" --check

say "cargo build -p poco-devchain"
(cd "$root" && cargo build --locked -q -p poco-devchain --bin poco-devchain)
DEVCHAIN="$CARGO_TARGET_DIR/debug/poco-devchain"

# --- chains ----------------------------------------------------------------------------------

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

# Waits until $1 answers eth_chainId (process $2 must stay alive); 60 s at most.
wait_ready() {
  local url=$1 pid=$2 tries=0
  until node -e "
    fetch('$url', { method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] }) })
      .then((r) => r.json()).then((j) => process.exit(j.result === '0x7a69' ? 0 : 1), () => process.exit(1));
  " 2>/dev/null; do
    kill -0 "$pid" 2>/dev/null || return 1
    tries=$((tries + 1))
    [[ $tries -lt 300 ]] || return 1
    sleep 0.2
  done
}

# Starts chain $1 on a free port; sets PORT and leaves its PID in pids.
start_chain() {
  local name=$1 log="$logs/$1.log"
  PORT="$(free_port)"
  case "$name" in
    devchain) "$DEVCHAIN" --host 127.0.0.1 --port "$PORT" >"$log" 2>&1 & ;;
    anvil) "$ANVIL" --host 127.0.0.1 --port "$PORT" >"$log" 2>&1 & ;;
    *) say "unknown chain: $name"; return 1 ;;
  esac
  local pid=$!
  pids+=("$pid")
  if ! wait_ready "http://127.0.0.1:$PORT" "$pid"; then
    say "$name did not start; its log:"
    tail -n 30 "$log"
    return 1
  fi
  say "$name (pid $pid) on 127.0.0.1:$PORT"
}

# --- suites ----------------------------------------------------------------------------------

summary=()
total_pass=0
total_fail=0

# Records "<chain> <suite>: N passed, N failed" from the counts in log $3; $4 is the exit status,
# $5 the seconds it took.
record() {
  local chain=$1 suite=$2 log=$3 status=$4 seconds=$5 pass fail
  if [[ $suite == ethers ]]; then
    pass="$(sed -n 's/^# pass \([0-9]*\)$/\1/p' "$log" | tail -1)"
    fail="$(sed -n 's/^# fail \([0-9]*\)$/\1/p' "$log" | tail -1)"
  else
    pass="$(sed -n 's/^cast: \([0-9]*\) passed, \([0-9]*\) failed$/\1/p' "$log" | tail -1)"
    fail="$(sed -n 's/^cast: \([0-9]*\) passed, \([0-9]*\) failed$/\2/p' "$log" | tail -1)"
  fi
  pass="${pass:-0}"
  fail="${fail:-0}"
  # A suite that failed without counting a failure (it crashed) counts as one failure.
  if [[ $status -ne 0 && $fail -eq 0 ]]; then fail=1; fi
  total_pass=$((total_pass + pass))
  total_fail=$((total_fail + fail))
  summary+=("$(printf '%-9s %-7s %3d passed, %d failed  (%d s)' "$chain" "$suite" "$pass" "$fail" "$seconds")")
}

for chain in $chains; do
  start_chain "$chain"
  export RPC_URL="http://127.0.0.1:$PORT" WS_URL="ws://127.0.0.1:$PORT"

  say "ethers v6 suite on $chain"
  status=0
  started=$SECONDS
  (cd "$compat" && node --test --test-concurrency=1 --test-reporter=tap test/*.test.cjs) >"$logs/$chain-ethers.tap" 2>&1 || status=$?
  grep -E '^(not )?ok |^# (pass|fail) ' "$logs/$chain-ethers.tap" | sed 's/^/  /'
  if [[ $status -ne 0 ]]; then
    say "ethers failures on $chain (full output: $logs/$chain-ethers.tap):"
    grep -A 25 '^not ok' "$logs/$chain-ethers.tap" | sed 's/^/  /' | head -120
  fi
  record "$chain" ethers "$logs/$chain-ethers.tap" "$status" $((SECONDS - started))

  say "cast suite on $chain"
  status=0
  started=$SECONDS
  "$compat/cast/suite.sh" >"$logs/$chain-cast.log" 2>&1 || status=$?
  sed 's/^/  /' "$logs/$chain-cast.log"
  record "$chain" cast "$logs/$chain-cast.log" "$status" $((SECONDS - started))

  stop_all
done

echo
say "summary"
for line in "${summary[@]}"; do echo "  $line"; done
echo "compat: $total_pass passed, $total_fail failed"
[[ $total_fail -eq 0 ]]
