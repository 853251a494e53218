// Signing by the node's dev accounts: eth_signTypedData_v4 (EIP-712) and personal_sign, checked
// against ethers' own recovery and against the same key signing locally.
'use strict';
const { test } = require('node:test');
const assert = require('node:assert/strict');
const { devWallet, ethers, provider } = require('./lib.cjs');

const p = provider();
const index = 8;
const local = devWallet(index);

const domain = {
  name: 'CompatSuite',
  version: '1',
  chainId: 31337,
  verifyingContract: '0xCcCCccccCCCCcCCCCCCcCcCccCcCCCcCcccccccC',
};
const types = {
  Person: [
    { name: 'name', type: 'string' },
    { name: 'wallet', type: 'address' },
  ],
  Mail: [
    { name: 'from', type: 'Person' },
    { name: 'to', type: 'Person[]' },
    { name: 'contents', type: 'string' },
    { name: 'amount', type: 'uint256' },
    { name: 'salt', type: 'bytes32' },
  ],
};
const message = {
  from: { name: 'Alice', wallet: local.address },
  to: [
    { name: 'Bob', wallet: '0xbBbBBBBbbBBBbbbBbbBbbbbBBbBbbbbBbBbbBBbB' },
    { name: 'Carol', wallet: '0x0000000000000000000000000000000000000001' },
  ],
  contents: 'Hello, Bob and Carol!',
  amount: 10n ** 24n,
  salt: ethers.id('salt'),
};

test('eth_signTypedData_v4 by a dev account recovers to it and equals a local signature', async () => {
  const signer = await p.getSigner(local.address);
  const signature = await signer.signTypedData(domain, types, message);
  assert.equal(ethers.verifyTypedData(domain, types, message, signature), local.address);
  // RFC 6979 signatures are deterministic: the node's equals the key's own.
  assert.equal(signature, await local.signTypedData(domain, types, message));
  const digest = ethers.TypedDataEncoder.hash(domain, types, message);
  assert.equal(ethers.recoverAddress(digest, signature), local.address);
  // A changed message recovers to someone else.
  const tampered = { ...message, amount: message.amount + 1n };
  assert.notEqual(ethers.verifyTypedData(domain, types, tampered, signature), local.address);
});

test('eth_signTypedData_v4 with the typed data as a JSON string (as MetaMask-style clients send it)', async () => {
  const payload = ethers.TypedDataEncoder.getPayload(domain, types, message);
  const signature = await p.send('eth_signTypedData_v4', [
    local.address.toLowerCase(),
    JSON.stringify(payload),
  ]);
  assert.equal(ethers.verifyTypedData(domain, types, message, signature), local.address);
});

test('personal_sign by a dev account', async () => {
  const signer = await p.getSigner(local.address);
  const signature = await signer.signMessage('poco compat suite');
  assert.equal(ethers.verifyMessage('poco compat suite', signature), local.address);
  assert.equal(signature, await local.signMessage('poco compat suite'));
});

test('signing for an account the node does not hold is refused', async () => {
  const stranger = ethers.Wallet.createRandom().address;
  await assert.rejects(
    p.send('eth_signTypedData_v4', [stranger, JSON.stringify(ethers.TypedDataEncoder.getPayload(domain, types, message))]),
  );
});
