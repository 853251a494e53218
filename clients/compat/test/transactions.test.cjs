// Deploying a contract and moving ETH and tokens, with local keys (eth_sendRawTransaction) and
// with the node's dev accounts (eth_sendTransaction).
'use strict';
const { test } = require('node:test');
const assert = require('node:assert/strict');
const { artifact, deployToken, devWallet, ethers, provider } = require('./lib.cjs');

const p = provider();
const alice = devWallet(1, p);
const bob = devWallet(2, p);

test('deploy a contract: address from sender and nonce, code, constructor state and event', async () => {
  const nonce = await p.getTransactionCount(alice.address);
  const token = await deployToken(alice, 1_000n);
  const address = await token.getAddress();
  assert.equal(address, ethers.getCreateAddress({ from: alice.address, nonce }));
  const receipt = await token.deploymentTransaction().wait();
  assert.equal(receipt.status, 1);
  assert.equal(receipt.contractAddress, address);
  const code = await p.getCode(address);
  assert.ok(code.length > 2);
  // The runtime code is the tail of the creation code's output: it is in the creation bytecode.
  assert.ok(artifact.bytecode.includes(code.slice(2, 200)));
  assert.equal(await token.totalSupply(), 1_000n);
  assert.equal(await token.balanceOf(alice.address), 1_000n);
  assert.equal(await token.owner(), alice.address);
  const [mint] = receipt.logs.map((log) => token.interface.parseLog(log));
  assert.equal(mint.name, 'Transfer');
  assert.deepEqual([...mint.args], [ethers.ZeroAddress, alice.address, 1_000n]);
});

test('ETH transfer (EIP-1559): balances move by the value and the fee exactly', async () => {
  const to = ethers.Wallet.createRandom().address;
  const before = await p.getBalance(alice.address);
  const tx = await alice.sendTransaction({ to, value: ethers.parseEther('1.5') });
  assert.equal(tx.type, 2);
  const receipt = await tx.wait();
  assert.equal(receipt.status, 1);
  assert.equal(receipt.gasUsed, 21_000n);
  const fee = receipt.gasUsed * receipt.gasPrice;
  assert.equal(await p.getBalance(to), ethers.parseEther('1.5'));
  assert.equal(await p.getBalance(alice.address), before - ethers.parseEther('1.5') - fee);
  const block = await p.getBlock(receipt.blockNumber);
  assert.ok(receipt.gasPrice >= block.baseFeePerGas);
  assert.ok(receipt.gasPrice <= tx.maxFeePerGas);
});

test('ETH transfer (legacy, EIP-155): type 0 with a gas price', async () => {
  const to = ethers.Wallet.createRandom().address;
  const gasPrice = (await p.getFeeData()).gasPrice;
  const before = await p.getBalance(alice.address);
  const tx = await alice.sendTransaction({ to, value: 12_345n, type: 0, gasPrice });
  const receipt = await tx.wait();
  assert.equal(receipt.type, 0);
  assert.equal(receipt.gasPrice, gasPrice);
  assert.equal(await p.getBalance(to), 12_345n);
  assert.equal(await p.getBalance(alice.address), before - 12_345n - 21_000n * gasPrice);
  const fetched = await p.getTransaction(tx.hash);
  assert.equal(fetched.chainId, 31337n);
  assert.equal(fetched.from, alice.address);
  assert.equal(fetched.nonce, tx.nonce);
});

test('a dev account signs on the node (eth_sendTransaction) and nonces follow', async () => {
  const signer = await p.getSigner(bob.address);
  const to = ethers.Wallet.createRandom().address;
  const nonce = await p.getTransactionCount(bob.address);
  const tx = await signer.sendTransaction({ to, value: 7n });
  const receipt = await tx.wait();
  assert.equal(receipt.status, 1);
  assert.equal(receipt.from, bob.address);
  assert.equal((await p.getTransaction(tx.hash)).nonce, nonce);
  assert.equal(await p.getTransactionCount(bob.address), nonce + 1);
  assert.equal(await p.getBalance(to), 7n);
});

test('token transfers: balances, Transfer event, receipt logs', async () => {
  const token = await deployToken(alice, 500n);
  const tx = await token.transfer(bob.address, 120n);
  const receipt = await tx.wait();
  assert.equal(await token.balanceOf(alice.address), 380n);
  assert.equal(await token.balanceOf(bob.address), 120n);
  assert.equal(receipt.logs.length, 1);
  const log = receipt.logs[0];
  assert.equal(log.address, await token.getAddress());
  assert.equal(log.transactionHash, tx.hash);
  assert.equal(log.blockNumber, receipt.blockNumber);
  const event = token.interface.parseLog(log);
  assert.deepEqual([...event.args], [alice.address, bob.address, 120n]);
  // A dev account sending through the node works for contract calls too.
  const asBob = token.connect(await p.getSigner(bob.address));
  await (await asBob.transfer(alice.address, 20n)).wait();
  assert.equal(await token.balanceOf(bob.address), 100n);
});
