// Reverts: custom errors with arguments and reason strings come back with their data, and ethers
// decodes them, from eth_call, eth_estimateGas and a mined transaction.
'use strict';
const { test, before } = require('node:test');
const assert = require('node:assert/strict');
const { deployToken, devWallet, ethers, provider, rawRpc } = require('./lib.cjs');

const p = provider();
const owner = devWallet(3, p);
const other = devWallet(4, p);
let token;

before(async () => {
  token = await deployToken(owner, 100n);
});

/**
 * Asserts that `promise` rejects with a CALL_EXCEPTION whose revert decodes to `name(args)`:
 * ethers decodes it itself for contract calls (`error.revert`); elsewhere (estimateGas, a
 * provider call) it hands the raw `error.data`, decoded here with the token's ABI.
 */
async function assertCustomError(promise, name, args) {
  await assert.rejects(promise, (error) => {
    assert.equal(error.code, 'CALL_EXCEPTION', error.message);
    const revert = error.revert ?? token.interface.parseError(error.data);
    assert.ok(revert, `no revert data in: ${error.message}`);
    assert.equal(revert.name, name);
    assert.deepEqual([...revert.args], args);
    return true;
  });
}

test('eth_call: ethers decodes a custom error with arguments', async () => {
  await assertCustomError(
    token.transfer.staticCall(other.address, 101n),
    'InsufficientBalance',
    [owner.address, 100n, 101n],
  );
  const asOther = token.connect(other);
  await assertCustomError(asOther.mint.staticCall(other.address, 1n), 'NotOwner', [
    other.address,
    owner.address,
  ]);
});

test('eth_call: the revert data is the ABI-encoded error, under JSON-RPC code 3', async () => {
  const data = token.interface.encodeFunctionData('transfer', [other.address, 1_000n]);
  const answer = await rawRpc('eth_call', [
    { from: owner.address, to: await token.getAddress(), data },
    'latest',
  ]);
  assert.equal(answer.error.code, 3);
  assert.match(answer.error.message, /execution reverted/);
  assert.equal(
    answer.error.data,
    token.interface.encodeErrorResult('InsufficientBalance', [owner.address, 100n, 1_000n]),
  );
});

test('a reason string (Error(string)) is decoded', async () => {
  await assert.rejects(token.fail.staticCall(), (error) => {
    assert.equal(error.code, 'CALL_EXCEPTION');
    assert.equal(error.reason, 'CompatToken: always fails');
    assert.equal(error.revert.name, 'Error');
    return true;
  });
});

test('eth_estimateGas: a reverting transaction is refused with the decoded error', async () => {
  await assertCustomError(
    token.transfer.estimateGas(other.address, 500n),
    'InsufficientBalance',
    [owner.address, 100n, 500n],
  );
  // Sending without a gas limit estimates first: the send itself is refused, nothing is mined.
  const head = await p.getBlockNumber();
  const nonce = await p.getTransactionCount(owner.address);
  await assertCustomError(token.transfer(other.address, 500n), 'InsufficientBalance', [
    owner.address,
    100n,
    500n,
  ]);
  assert.equal(await p.getBlockNumber(), head);
  assert.equal(await p.getTransactionCount(owner.address), nonce);
});

test('a mined transaction that reverts: status 0, gas spent, state unchanged', async () => {
  const nonce = await p.getTransactionCount(owner.address);
  const tx = await token.transfer(other.address, 500n, { gasLimit: 100_000n });
  await assert.rejects(tx.wait(), (error) => {
    assert.equal(error.code, 'CALL_EXCEPTION');
    assert.equal(error.receipt.status, 0);
    assert.ok(error.receipt.gasUsed > 21_000n && error.receipt.gasUsed < 100_000n);
    assert.equal(error.receipt.logs.length, 0);
    return true;
  });
  assert.equal(await p.getTransactionCount(owner.address), nonce + 1);
  assert.equal(await token.balanceOf(owner.address), 100n);
  assert.equal(await token.balanceOf(other.address), 0n);
  // Replaying the mined transaction as a call at its block's parent gives the error data back.
  const mined = await p.getTransaction(tx.hash);
  const replay = { from: mined.from, to: mined.to, data: mined.data };
  await assertCustomError(
    p.call({ ...replay, blockTag: mined.blockNumber - 1 }),
    'InsufficientBalance',
    [owner.address, 100n, 500n],
  );
});
