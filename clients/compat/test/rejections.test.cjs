// Transactions a node must refuse, as ethers sees the refusal: a used nonce, funds short of
// value + gas, another chain's id, a bad signature. Nothing is mined for any of them.
'use strict';
const { test } = require('node:test');
const assert = require('node:assert/strict');
const { devWallet, ethers, provider } = require('./lib.cjs');

const p = provider();
const sender = devWallet(3, p);

/** A signed EIP-1559 transfer from `wallet` with `fields` over the defaults. */
async function signed(wallet, fields = {}) {
  const fees = await p.getFeeData();
  return wallet.signTransaction({
    type: 2,
    chainId: 31337n,
    to: ethers.ZeroAddress,
    value: 1n,
    gasLimit: 21_000n,
    maxFeePerGas: fees.maxFeePerGas,
    maxPriorityFeePerGas: fees.maxPriorityFeePerGas,
    nonce: await p.getTransactionCount(wallet.address),
    ...fields,
  });
}

/** Broadcasts `raw`; asserts the refusal is `code` and that no block was mined. */
async function assertRefused(raw, code) {
  const head = await p.getBlockNumber();
  await assert.rejects(p.broadcastTransaction(raw), (error) => {
    assert.equal(error.code, code, error.message);
    return true;
  });
  assert.equal(await p.getBlockNumber(), head);
}

test('a used nonce: NONCE_EXPIRED', async () => {
  await (await sender.sendTransaction({ to: ethers.ZeroAddress, value: 1n })).wait();
  const nonce = (await p.getTransactionCount(sender.address)) - 1;
  await assertRefused(await signed(sender, { nonce }), 'NONCE_EXPIRED');
});

test('value + gas above the balance: INSUFFICIENT_FUNDS', async () => {
  const poor = ethers.Wallet.createRandom().connect(p);
  await (await sender.sendTransaction({ to: poor.address, value: ethers.parseEther('0.001') })).wait();
  await assertRefused(await signed(poor, { value: ethers.parseEther('0.001') }), 'INSUFFICIENT_FUNDS');
  const head = await p.getBlockNumber();
  await assert.rejects(poor.sendTransaction({ to: sender.address, value: ethers.parseEther('1') }), (error) => {
    assert.equal(error.code, 'INSUFFICIENT_FUNDS', error.message);
    return true;
  });
  assert.equal(await p.getBlockNumber(), head);
});

test('another chain id is refused', async () => {
  const head = await p.getBlockNumber();
  const nonce = await p.getTransactionCount(sender.address);
  await assert.rejects(p.broadcastTransaction(await signed(sender, { chainId: 1n })));
  assert.equal(await p.getBlockNumber(), head);
  assert.equal(await p.getTransactionCount(sender.address), nonce);
});

test('a tampered signature does not spend the signer\'s funds', async () => {
  const raw = await signed(sender);
  const tx = ethers.Transaction.from(raw);
  // Another s value: the signature recovers to some other, unfunded address (or to none).
  const signature = ethers.Signature.from({
    r: tx.signature.r,
    s: ethers.toBeHex(BigInt(tx.signature.s) - 1n, 32),
    yParity: tx.signature.yParity,
  });
  const tampered = ethers.Transaction.from({ ...tx.toJSON(), signature }).serialized;
  const nonce = await p.getTransactionCount(sender.address);
  const head = await p.getBlockNumber();
  await assert.rejects(p.broadcastTransaction(tampered));
  assert.equal(await p.getBlockNumber(), head);
  assert.equal(await p.getTransactionCount(sender.address), nonce);
});
