#!/usr/bin/env bash
# The cast suite: foundry's cast (contracts/node_modules/.bin/cast-native, 1.7.1) against one chain,
# the same commands and expectations whichever it is (the devchain or anvil).
#
#   RPC_URL=http://127.0.0.1:8545 WS_URL=ws://127.0.0.1:8545 clients/compat/cast/suite.sh
#
# Each test is a function run in its own subshell with errexit: the first failed assertion ends
# it. Prints one `ok` / `not ok` line per test and a closing `N passed, N failed` line; exits
# non-zero when a test failed.
set -uo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
compat="$(dirname "$here")"
root="$(cd "$compat/../.." && pwd)"
CAST="${CAST:-$root/contracts/node_modules/.bin/cast-native}"
: "${RPC_URL:?RPC_URL must be set}" "${WS_URL:?WS_URL must be set}"
export ETH_RPC_URL="$RPC_URL"
export FOUNDRY_DISABLE_NIGHTLY_WARNING=1
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

MNEMONIC='test test test test test test test test test test test junk'
BYTECODE="$(node -p "require('$compat/artifacts/CompatToken.json').bytecode")"
DEAD=0x000000000000000000000000000000000000dEaD

# --- helpers ---------------------------------------------------------------------------------

cast() { "$CAST" "$@"; }
key() { cast wallet private-key "$MNEMONIC" "$1"; }
addr() { cast wallet address --private-key "$1"; }
# Evaluates a JavaScript expression (BigInt arithmetic, JSON) and prints the result.
js() { node -p "$1"; }
# The first word of a cast value (`1000 [1e3]` → `1000`).
first() { awk '{print $1}'; }
unquote() { tr -d '"'; }
# A JSON field of stdin (a dotted path, e.g. `status` or `logs.length`).
field() { node -e "let s='';process.stdin.on('data',d=>s+=d).on('end',()=>{let v=JSON.parse(s);for(const k of '$1'.split('.'))v=v[k];console.log(typeof v==='object'?JSON.stringify(v):String(v))})"; }

fail() {
  echo "    assertion failed: $*" >&2
  return 1
}
assert_eq() { [[ "$1" == "$2" ]] || fail "${3:-}: expected '$2', got '$1'"; }
assert_contains() { [[ "$1" == *"$2"* ]] || fail "${3:-}: '$2' not in '${1:0:400}'"; }
assert_true() { [[ "$(js "$1")" == true ]] || fail "${2:-}: $1"; }

# Deploys CompatToken (supply $2) from key $1; prints its address.
deploy() {
  cast send --private-key "$1" --json --create "$BYTECODE" "constructor(uint256)" "$2" | field contractAddress
}
# `cast send` from key $1 to $2 (function and arguments follow); prints the receipt as JSON.
send() {
  local from=$1
  shift
  cast send --private-key "$from" --json "$@"
}

OWNER_KEY="$(key 4)"
OWNER="$(addr "$OWNER_KEY")"
OTHER_KEY="$(key 5)"
OTHER="$(addr "$OTHER_KEY")"

# --- tests -----------------------------------------------------------------------------------

test_node() {
  assert_eq "$(cast chain-id)" 31337 "chain id"
  assert_eq "$(cast rpc net_version | unquote)" 31337 "net_version"
  local head
  head="$(cast block-number)"
  assert_true "$head >= 0" "block number"
  assert_eq "$(cast block "$head" --field number)" "$head" "block by number"
  local hash parent
  hash="$(cast block latest --field hash)"
  assert_eq "$(cast block "$hash" --field number)" "$head" "block by hash"
  if [[ "$head" -gt 0 ]]; then
    parent="$(cast block "$((head - 1))" --field hash)"
    assert_eq "$(cast block latest --field parentHash)" "$parent" "blocks chain by hash"
  fi
  assert_true "$(cast gas-price) > 0" "gas price"
  assert_true "$(cast base-fee) > 0" "base fee"
  assert_eq "$(cast rpc eth_accounts | field length)" 10 "ten dev accounts"
}

test_deploy() {
  local nonce expected receipt address
  nonce="$(cast nonce "$OWNER")"
  expected="$(cast compute-address --nonce "$nonce" "$OWNER" | awk '{print $NF}')"
  receipt="$(cast send --private-key "$OWNER_KEY" --json --create "$BYTECODE" "constructor(uint256)" 1000)"
  assert_eq "$(field status <<<"$receipt")" 0x1 "deploy status"
  address="$(field contractAddress <<<"$receipt")"
  assert_eq "$(cast to-check-sum-address "$address")" "$expected" "address from sender and nonce"
  assert_true "'$(cast code "$address")'.length > 1000" "runtime code"
  assert_eq "$(cast call "$address" "totalSupply()(uint256)" | first)" 1000 "constructor state"
  assert_eq "$(cast call "$address" "owner()(address)")" "$OWNER" "owner"
  assert_eq "$(cast nonce "$OWNER")" "$((nonce + 1))" "nonce"
  # The mint's Transfer event is in the receipt.
  assert_eq "$(field logs.length <<<"$receipt")" 1 "one log"
  assert_eq "$(field logs.0.topics.0 <<<"$receipt")" "$(cast keccak 'Transfer(address,address,uint256)')" "Transfer topic"
}

test_eth_transfer() {
  local to before receipt gas price after
  to="$(cast wallet new --json | field 0.address)"
  before="$(cast balance "$OWNER")"
  receipt="$(send "$OWNER_KEY" "$to" --value 1.5ether)"
  assert_eq "$(field status <<<"$receipt")" 0x1 "status"
  gas="$(field gasUsed <<<"$receipt")"
  price="$(field effectiveGasPrice <<<"$receipt")"
  assert_eq "$(js "Number($gas)")" 21000 "gas of a plain transfer"
  assert_eq "$(cast balance "$to")" 1500000000000000000 "received"
  after="$(cast balance "$OWNER")"
  assert_eq "$after" "$(js "String(${before}n - 1500000000000000000n - BigInt($gas) * BigInt($price))")" "value + fee"
  # Legacy transaction with a gas price.
  receipt="$(send "$OWNER_KEY" "$to" --value 1 --legacy)"
  assert_eq "$(field type <<<"$receipt")" 0x0 "legacy type"
  assert_eq "$(cast balance "$to")" 1500000000000000001 "legacy transfer received"
  # A dev account unlocked on the node (eth_sendTransaction).
  receipt="$(cast send --unlocked --from "$OTHER" --json "$to" --value 2)"
  assert_eq "$(field status <<<"$receipt")" 0x1 "unlocked status"
  assert_eq "$(cast to-check-sum-address "$(field from <<<"$receipt")")" "$OTHER" "unlocked sender"
  assert_eq "$(cast balance "$to")" 1500000000000000003 "unlocked transfer received"
  local tx
  tx="$(field transactionHash <<<"$receipt")"
  assert_eq "$(cast tx "$tx" --json | field to | tr 'A-F' 'a-f')" "$(tr 'A-F' 'a-f' <<<"$to")" "cast tx"
}

test_token_transfer() {
  local token receipt
  token="$(deploy "$OWNER_KEY" 500)"
  receipt="$(send "$OWNER_KEY" "$token" "transfer(address,uint256)" "$OTHER" 120)"
  assert_eq "$(field status <<<"$receipt")" 0x1 "status"
  assert_eq "$(cast call "$token" "balanceOf(address)(uint256)" "$OWNER" | first)" 380 "sender balance"
  assert_eq "$(cast call "$token" "balanceOf(address)(uint256)" "$OTHER" | first)" 120 "receiver balance"
  local data
  data="$(field logs.0.data <<<"$receipt")"
  assert_eq "$(cast abi-decode --input "x(uint256)" "$data" | first)" 120 "Transfer value"
  assert_eq "$(field logs.0.topics.2 <<<"$receipt")" "$(cast abi-encode "f(address)" "$OTHER")" "Transfer to"
}

test_reverts() {
  local token out data
  token="$(deploy "$OWNER_KEY" 900)"
  # eth_call: a custom error, its data in the error, named by selector in the message.
  out="$(cast call --from "$OWNER" "$token" "transfer(address,uint256)(bool)" "$OTHER" 99999 2>&1)" &&
    fail "the call should revert"
  assert_contains "$out" "execution reverted: custom error $(cast sig 'InsufficientBalance(address,uint256,uint256)')" "message"
  data="$(grep -o 'data: "0x[0-9a-fA-F]*"' <<<"$out" | head -1 | cut -d'"' -f2)"
  [[ -n "$data" ]] || fail "no revert data in: $out"
  local decoded
  decoded="$(cast decode-error --sig "InsufficientBalance(address,uint256,uint256)" "$data")"
  assert_eq "$(sed -n 1p <<<"$decoded")" "$OWNER" "decoded account"
  assert_eq "$(sed -n 2p <<<"$decoded" | first)" 900 "decoded balance"
  assert_eq "$(sed -n 3p <<<"$decoded" | first)" 99999 "decoded needed"
  # Another custom error, from another sender.
  out="$(cast call --from "$OTHER" "$token" "mint(address,uint256)" "$OTHER" 1 2>&1)" && fail "mint should revert"
  data="$(grep -o 'data: "0x[0-9a-fA-F]*"' <<<"$out" | head -1 | cut -d'"' -f2)"
  decoded="$(cast decode-error --sig "NotOwner(address,address)" "$data")"
  assert_eq "$(tr '\n' ' ' <<<"$decoded")" "$OTHER $OWNER " "NotOwner arguments"
  # A reason string.
  out="$(cast call "$token" "fail()" 2>&1)" && fail "fail() should revert"
  assert_contains "$out" "execution reverted: CompatToken: always fails" "reason string"
  # eth_estimateGas refuses the transaction: cast send does not send it.
  local nonce
  nonce="$(cast nonce "$OWNER")"
  out="$(send "$OWNER_KEY" "$token" "transfer(address,uint256)" "$OTHER" 99999 2>&1)" && fail "send should fail"
  assert_contains "$out" "custom error $(cast sig 'InsufficientBalance(address,uint256,uint256)')" "estimate"
  assert_eq "$(cast nonce "$OWNER")" "$nonce" "nothing sent"
  # With a gas limit it is mined, fails, and cast finds the reason by replaying it.
  local receipt
  receipt="$(send "$OWNER_KEY" "$token" "transfer(address,uint256)" "$OTHER" 99999 --gas-limit 100000)"
  assert_eq "$(field status <<<"$receipt")" 0x0 "mined and failed"
  assert_eq "$(field logs.length <<<"$receipt")" 0 "no logs"
  assert_contains "$(field revertReason <<<"$receipt")" "custom error $(cast sig 'InsufficientBalance(address,uint256,uint256)')" "revert reason"
  assert_eq "$(cast nonce "$OWNER")" "$((nonce + 1))" "nonce used"
  assert_eq "$(cast call "$token" "balanceOf(address)(uint256)" "$OTHER" | first)" 0 "no state change"
}

test_logs_and_filters() {
  local token first last note transfer
  token="$(deploy "$OWNER_KEY" 1000)"
  note="$(cast keccak 'Note(uint256,address,string)')"
  transfer="$(cast keccak 'Transfer(address,address,uint256)')"
  first="$(($(cast block-number) + 1))"
  send "$OWNER_KEY" "$token" "note(uint256,string)" 1 one >/dev/null
  send "$OTHER_KEY" "$token" "note(uint256,string)" 2 two >/dev/null
  send "$OWNER_KEY" "$token" "transfer(address,uint256)" "$OTHER" 5 >/dev/null
  send "$OWNER_KEY" "$token" "note(uint256,string)" 3 three >/dev/null
  last="$(cast block-number)"
  local range=(--from-block "$first" --to-block "$last")
  # By address; by event signature; by indexed argument; topics.
  assert_eq "$(cast logs "${range[@]}" --address "$token" --json | field length)" 4 "by address"
  assert_eq "$(cast logs "${range[@]}" --address "$token" "Note(uint256 indexed,address indexed,string)" --json | field length)" 3 "by signature"
  assert_eq "$(cast logs "${range[@]}" --address "$token" "Note(uint256 indexed,address indexed,string)" 2 --json | field 0.topics.1)" \
    "$(cast to-uint256 2)" "by first indexed argument"
  assert_eq "$(cast logs "${range[@]}" --address "$token" "$note" "" "$(cast abi-encode 'f(address)' "$OWNER")" --json | field length)" 2 "by second topic, first a wildcard"
  assert_eq "$(cast logs "${range[@]}" "$transfer" --json | field length)" 1 "Transfer only"
  # Block ranges.
  assert_eq "$(cast logs --from-block "$first" --to-block "$first" --address "$token" --json | field length)" 1 "one block"
  assert_eq "$(cast logs --from-block "$((first + 1))" --to-block "$((first + 2))" --address "$token" --json | field length)" 2 "two blocks"
  local hash
  hash="$(cast block "$last" --field hash)"
  assert_eq "$(cast rpc eth_getLogs "{\"blockHash\":\"$hash\"}" | field length)" 1 "by block hash"
  # Polled filters.
  local filter
  filter="$(cast rpc eth_newFilter "{\"address\":\"$token\",\"topics\":[\"$note\"]}" | unquote)"
  assert_eq "$(cast rpc eth_getFilterChanges "$filter" | field length)" 0 "nothing new yet"
  send "$OWNER_KEY" "$token" "note(uint256,string)" 4 four >/dev/null
  send "$OWNER_KEY" "$token" "transfer(address,uint256)" "$OTHER" 1 >/dev/null
  send "$OWNER_KEY" "$token" "note(uint256,string)" 5 five >/dev/null
  local changes
  changes="$(cast rpc eth_getFilterChanges "$filter")"
  assert_eq "$(field length <<<"$changes")" 2 "two new notes"
  assert_eq "$(field 1.topics.1 <<<"$changes")" "$(cast to-uint256 5)" "the second is note 5"
  assert_eq "$(cast rpc eth_getFilterChanges "$filter" | field length)" 0 "reported once"
  local blocks
  blocks="$(cast rpc eth_newBlockFilter | unquote)"
  cast rpc evm_mine >/dev/null
  assert_eq "$(cast rpc eth_getFilterChanges "$blocks" | field 0)" "$(cast block latest --field hash)" "block filter"
  assert_eq "$(cast rpc eth_uninstallFilter "$filter")" true "uninstall"
  assert_eq "$(cast rpc eth_uninstallFilter "$filter")" false "uninstall twice"
  cast rpc eth_uninstallFilter "$blocks" >/dev/null
}

test_subscription() {
  local token out pid transfer
  token="$(deploy "$OWNER_KEY" 1000)"
  transfer="$(cast keccak 'Transfer(address,address,uint256)')"
  out="$work/subscription.log"
  cast logs --rpc-url "$WS_URL" --subscribe --address "$token" "Note(uint256 indexed,address indexed,string)" >"$out" 2>&1 &
  pid=$!
  # cast says nothing once subscribed: send a transfer (filtered out) and a note until a note
  # shows up, for 20 rounds at most.
  local notes=() round waited
  for round in $(seq 1 20); do
    send "$OWNER_KEY" "$token" "transfer(address,uint256)" "$OTHER" 1 >/dev/null
    notes+=("$(send "$OWNER_KEY" "$token" "note(uint256,string)" 77 seventy-seven | field transactionHash)")
    for waited in $(seq 1 10); do
      grep -q transactionHash "$out" && break 2
      sleep 0.1
    done
  done
  sleep 0.5
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  local seen
  seen="$(grep -o 'transactionHash: 0x[0-9a-f]*' "$out" | awk '{print $2}')"
  [[ -n "$seen" ]] || fail "no log in $round rounds: $(cat "$out")"
  local hash
  for hash in $seen; do
    [[ " ${notes[*]} " == *" $hash "* ]] || fail "$hash is not a note's transaction"
  done
  assert_contains "$(cat "$out")" "$(cast to-uint256 77)" "the note's id topic"
  [[ "$(cat "$out")" != *"$transfer"* ]] || fail "a Transfer log came through the Note filter"
}

test_typed_data() {
  local data="$work/typed.json" signer_key signer
  signer_key="$(key 6)"
  signer="$(addr "$signer_key")"
  cat >"$data" <<EOF
{
  "types": {
    "EIP712Domain": [
      {"name": "name", "type": "string"}, {"name": "version", "type": "string"},
      {"name": "chainId", "type": "uint256"}, {"name": "verifyingContract", "type": "address"}
    ],
    "Person": [{"name": "name", "type": "string"}, {"name": "wallet", "type": "address"}],
    "Mail": [
      {"name": "from", "type": "Person"}, {"name": "to", "type": "Person[]"},
      {"name": "contents", "type": "string"}, {"name": "amount", "type": "uint256"}
    ]
  },
  "primaryType": "Mail",
  "domain": {"name": "CompatSuite", "version": "1", "chainId": 31337,
             "verifyingContract": "0xCcCCccccCCCCcCCCCCCcCcCccCcCCCcCcccccccC"},
  "message": {
    "from": {"name": "Alice", "wallet": "$signer"},
    "to": [{"name": "Bob", "wallet": "0xbBbBBBBbbBBBbbbBbbBbbbbBBbBbbbbBbBbbBBbB"}],
    "contents": "Hello, Bob!",
    "amount": "1000000000000000000000000"
  }
}
EOF
  local signature local_signature
  signature="$(cast rpc eth_signTypedData_v4 "$signer" "$(cat "$data")" | unquote)"
  assert_eq "${#signature}" 132 "a 65-byte signature"
  cast wallet verify --address "$signer" --data --from-file "$data" "$signature" >/dev/null ||
    fail "the node's signature does not verify"
  local_signature="$(cast wallet sign --private-key "$signer_key" --data --from-file "$data")"
  assert_eq "$signature" "$local_signature" "the node signs like the key (RFC 6979)"
  # Another signer's address does not verify.
  if cast wallet verify --address "$OWNER" --data --from-file "$data" "$signature" >/dev/null 2>&1; then
    fail "verified for the wrong address"
  fi
  # personal_sign
  signature="$(cast rpc personal_sign "$(cast from-utf8 'poco compat')" "$signer" | unquote)"
  assert_eq "$signature" "$(cast wallet sign --private-key "$signer_key" 'poco compat')" "personal_sign"
}

test_time_travel() {
  local t0 t1 token
  token="$(deploy "$OWNER_KEY" 1)"
  t0="$(cast block latest --field timestamp)"
  cast rpc evm_increaseTime 3600 >/dev/null
  cast rpc evm_mine >/dev/null
  t1="$(cast block latest --field timestamp)"
  assert_true "$t1 >= $t0 + 3600 && $t1 < $t0 + 3660" "increaseTime: $t0 → $t1"
  local clock
  clock="$(cast call "$token" "clock()(uint256,uint256)")"
  assert_eq "$(sed -n 1p <<<"$clock" | first)" "$t1" "block.timestamp in a call"
  # setNextBlockTimestamp: exact.
  local target=$((t1 + 86400))
  cast rpc evm_setNextBlockTimestamp "$target" >/dev/null
  send "$OWNER_KEY" "$token" "note(uint256,string)" 1 tomorrow >/dev/null
  assert_eq "$(cast block latest --field timestamp)" "$target" "setNextBlockTimestamp"
  # Snapshot and revert.
  local head balance snapshot
  head="$(cast block latest --field hash)"
  balance="$(cast balance "$OWNER")"
  snapshot="$(cast rpc evm_snapshot | unquote)"
  send "$OWNER_KEY" "$DEAD" --value 1ether >/dev/null
  cast rpc evm_mine >/dev/null
  assert_true "$(cast balance "$OWNER") < $balance" "spent"
  assert_eq "$(cast rpc evm_revert "$snapshot")" true "revert"
  assert_eq "$(cast block latest --field hash)" "$head" "head restored"
  assert_eq "$(cast balance "$OWNER")" "$balance" "balance restored"
  assert_eq "$(cast rpc evm_revert "$snapshot")" false "a snapshot is used once"
}

# --- runner ----------------------------------------------------------------------------------

tests=(test_node test_deploy test_eth_transfer test_token_transfer test_reverts test_logs_and_filters
  test_subscription test_typed_data test_time_travel)
passed=0
failed=0
for name in "${tests[@]}"; do
  # In the background, so errexit holds inside (it is ignored in a condition's subshell).
  (set -e; "$name") &
  if wait $!; then
    passed=$((passed + 1))
    echo "ok - cast ${name#test_}"
  else
    failed=$((failed + 1))
    echo "not ok - cast ${name#test_}"
  fi
done
echo "cast: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
