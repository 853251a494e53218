// Node basics through ethers: network, accounts, blocks that chain by hash, fee data.
'use strict';
const { test } = require('node:test');
const assert = require('node:assert/strict');
const { CHAIN_ID, devWallet, ethers, provider, rawRpc } = require('./lib.cjs');

const p = provider();

test('chain id and network version', async () => {
  const network = await new ethers.JsonRpcProvider(process.env.RPC_URL).getNetwork();
  assert.equal(network.chainId, CHAIN_ID);
  assert.equal(await p.send('net_version', []), CHAIN_ID.toString());
  assert.equal(BigInt(await p.send('eth_chainId', [])), CHAIN_ID);
});

test('dev accounts are the mnemonic\'s first ten, funded', async () => {
  const accounts = await p.listAccounts();
  assert.equal(accounts.length, 10);
  for (let index = 0; index < 10; index += 1) {
    assert.equal(accounts[index].address, devWallet(index).address);
  }
  for (const account of accounts) {
    assert.ok((await p.getBalance(account.address)) > ethers.parseEther('1000'));
  }
});

test('blocks chain by hash and answer by number and by hash', async () => {
  const wallet = devWallet(9, p);
  await (await wallet.sendTransaction({ to: ethers.ZeroAddress, value: 1n })).wait();
  const head = await p.getBlockNumber();
  assert.ok(head >= 1);
  const latest = await p.getBlock('latest');
  assert.equal(latest.number, head);
  const parent = await p.getBlock(head - 1);
  assert.equal(latest.parentHash, parent.hash);
  const byHash = await p.getBlock(latest.hash);
  assert.equal(byHash.number, head);
  assert.equal(byHash.hash, latest.hash);
  assert.ok(latest.timestamp >= parent.timestamp);
  assert.ok(latest.baseFeePerGas > 0n);
  const full = await p.getBlock(head, true);
  assert.equal(full.prefetchedTransactions.length, latest.transactions.length);
  assert.equal(full.prefetchedTransactions[0].hash, latest.transactions[0]);
  assert.equal(await p.getBlock(head + 1000), null);
});

test('fee data: EIP-1559 and legacy prices, fee history', async () => {
  const fees = await p.getFeeData();
  assert.ok(fees.gasPrice > 0n);
  assert.ok(fees.maxFeePerGas >= fees.maxPriorityFeePerGas);
  assert.ok(fees.maxPriorityFeePerGas > 0n);
  const history = await p.send('eth_feeHistory', ['0x2', 'latest', [50]]);
  assert.equal(history.baseFeePerGas.length, 3);
  assert.equal(history.reward.length, 2);
  assert.equal(BigInt(history.oldestBlock), BigInt(await p.getBlockNumber()) - 1n);
});

test('unknown method and malformed params get the standard error codes', async () => {
  assert.equal((await rawRpc('eth_noSuchMethod')).error.code, -32601);
  assert.equal((await rawRpc('eth_getBalance', ['not an address', 'latest'])).error.code, -32602);
});
