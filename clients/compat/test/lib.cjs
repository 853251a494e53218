// Shared helpers of the ethers v6 suite. The chain under test comes from the environment:
// RPC_URL (HTTP) and WS_URL (WebSocket), set by run.sh for the devchain and for anvil in turn.
// Nothing here knows which chain it talks to: every expectation holds on both.
'use strict';
const assert = require('node:assert/strict');
const path = require('node:path');
const { ethers } = require('ethers');

const artifact = require(path.join(__dirname, '..', 'artifacts', 'CompatToken.json'));

const RPC_URL = process.env.RPC_URL;
const WS_URL = process.env.WS_URL;
if (!RPC_URL || !WS_URL) throw new Error('RPC_URL and WS_URL must be set (run.sh sets them)');

/** The standard dev mnemonic (anvil's, the devchain's). */
const MNEMONIC = 'test test test test test test test test test test test junk';
/** The dev chain id both chains run with. */
const CHAIN_ID = 31337n;

/**
 * An HTTP provider. ethers caches identical requests for 250 ms by default, which returns a stale
 * pending nonce right after a transaction: the suite turns the cache off.
 */
function provider() {
  return new ethers.JsonRpcProvider(RPC_URL, undefined, {
    staticNetwork: ethers.Network.from(Number(CHAIN_ID)),
    cacheTimeout: -1,
    pollingInterval: 100,
  });
}

/** A WebSocket provider (eth_subscribe for events). */
function wsProvider() {
  return new ethers.WebSocketProvider(WS_URL, ethers.Network.from(Number(CHAIN_ID)), {
    staticNetwork: true,
    cacheTimeout: -1,
  });
}

/** Dev account `index` as a local wallet (key derived from the mnemonic), connected to `p`. */
function devWallet(index, p) {
  return ethers.HDNodeWallet.fromPhrase(MNEMONIC, undefined, `m/44'/60'/0'/0/${index}`).connect(p);
}

/** Deploys CompatToken with `supply` tokens for `signer`; resolves once mined. */
async function deployToken(signer, supply = 1_000_000n) {
  const factory = new ethers.ContractFactory(artifact.abi, artifact.bytecode, signer);
  const token = await factory.deploy(supply);
  await token.waitForDeployment();
  return token;
}

/** Sends a raw JSON-RPC request and returns the whole response object (result or error). */
async function rawRpc(method, params = []) {
  const response = await fetch(RPC_URL, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
  });
  assert.equal(response.status, 200, `${method}: HTTP ${response.status}`);
  return response.json();
}

/** Waits until `predicate()` holds, polling every 20 ms, for at most `ms`. */
async function until(predicate, ms = 5_000, what = 'condition') {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await predicate()) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Sleeps `ms` milliseconds. */
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

module.exports = {
  artifact,
  CHAIN_ID,
  MNEMONIC,
  RPC_URL,
  WS_URL,
  deployToken,
  devWallet,
  ethers,
  provider,
  rawRpc,
  sleep,
  until,
  wsProvider,
};
