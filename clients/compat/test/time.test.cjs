// Time travel and state snapshots: evm_increaseTime, evm_setNextBlockTimestamp, evm_mine,
// evm_snapshot / evm_revert, seen through block timestamps, a contract's view of block.timestamp,
// balances and nonces.
'use strict';
const { test, before } = require('node:test');
const assert = require('node:assert/strict');
const { deployToken, devWallet, ethers, provider } = require('./lib.cjs');

const p = provider();
const alice = devWallet(9, p);
let token;

before(async () => {
  token = await deployToken(alice, 1_000n);
});

const latest = () => p.getBlock('latest');

test('evm_mine mines an empty block on demand', async () => {
  const before = await latest();
  await p.send('evm_mine', []);
  const block = await latest();
  assert.equal(block.number, before.number + 1);
  assert.equal(block.transactions.length, 0);
  assert.equal(block.parentHash, before.hash);
  assert.ok(block.timestamp >= before.timestamp);
});

test('evm_increaseTime moves the next block\'s clock forward', async () => {
  const before = await latest();
  // The answer is the clock's total offset (its exact value depends on earlier time travel).
  const shift = await p.send('evm_increaseTime', [3_600]);
  assert.ok(Number.isInteger(Number(shift)), `total shift ${shift}`);
  await p.send('evm_mine', []);
  const block = await latest();
  assert.ok(block.timestamp >= before.timestamp + 3_600);
  assert.ok(block.timestamp < before.timestamp + 3_600 + 60);
  // A contract sees the same time.
  const [timestamp, number] = await token.clock();
  assert.equal(number, BigInt(block.number));
  assert.equal(timestamp, BigInt(block.timestamp));
});

test('evm_setNextBlockTimestamp fixes the next block\'s timestamp exactly', async () => {
  const target = (await latest()).timestamp + 86_400;
  await p.send('evm_setNextBlockTimestamp', [target]);
  const receipt = await (await token.note(1n, 'tomorrow')).wait();
  const block = await p.getBlock(receipt.blockNumber);
  assert.equal(block.timestamp, target);
  // The clock goes on from there.
  await p.send('evm_mine', []);
  assert.ok((await latest()).timestamp >= target);
  // evm_mine with a timestamp mines at it.
  const later = target + 1_000;
  await p.send('evm_mine', [later]);
  assert.equal((await latest()).timestamp, later);
});

test('a timestamp in the past is refused', async () => {
  const head = await latest();
  await assert.rejects(p.send('evm_setNextBlockTimestamp', [head.timestamp - 10]));
});

test('evm_snapshot / evm_revert restore blocks, balances, nonces, contract state and time', async () => {
  const bob = devWallet(8).address;
  const head = await latest();
  const balance = await p.getBalance(alice.address);
  const nonce = await p.getTransactionCount(alice.address);
  const snapshot = await p.send('evm_snapshot', []);
  await (await token.transfer(bob, 10n)).wait();
  await (await alice.sendTransaction({ to: bob, value: ethers.parseEther('1') })).wait();
  await p.send('evm_increaseTime', [100_000]);
  await p.send('evm_mine', []);
  assert.equal(await token.balanceOf(bob), 10n);
  assert.equal(await p.send('evm_revert', [snapshot]), true);
  assert.equal(await p.getBlockNumber(), head.number);
  assert.equal((await latest()).hash, head.hash);
  assert.equal(await p.getBalance(alice.address), balance);
  assert.equal(await p.getTransactionCount(alice.address), nonce);
  assert.equal(await token.balanceOf(bob), 0n);
  // The time shift is undone too.
  await p.send('evm_mine', []);
  assert.ok((await latest()).timestamp < head.timestamp + 100_000);
  // A snapshot is used up by its revert.
  assert.equal(await p.send('evm_revert', [snapshot]), false);
});

test('nested snapshots: inner then outer, each used once', async () => {
  const outer = await p.send('evm_snapshot', []);
  await (await token.note(2n, 'a')).wait();
  const inner = await p.send('evm_snapshot', []);
  await (await token.note(3n, 'b')).wait();
  const afterInner = await p.getBlockNumber();
  assert.equal(await p.send('evm_revert', [inner]), true);
  assert.equal(await p.getBlockNumber(), afterInner - 1);
  assert.equal(await p.send('evm_revert', [outer]), true);
  assert.equal(await p.getBlockNumber(), afterInner - 2);
  assert.equal(await p.send('evm_revert', [inner]), false);
  assert.equal(await p.send('evm_revert', [outer]), false);
});
