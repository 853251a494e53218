// Logs: eth_getLogs by address, topics (exact, OR lists, wildcards), block ranges and block hash;
// polled filters (eth_newFilter, eth_getFilterChanges, eth_getFilterLogs, eth_uninstallFilter,
// eth_newBlockFilter).
'use strict';
const { test, before } = require('node:test');
const assert = require('node:assert/strict');
const { deployToken, devWallet, ethers, provider, rawRpc } = require('./lib.cjs');

const p = provider();
const alice = devWallet(5, p);
const bob = devWallet(6, p);
let token;
let tokenAddress;
let other;
let first;
let last;
/** The block of each note, by id. */
const noteBlocks = new Map();

const topic = (name) => token.interface.getEvent(name).topicHash;
const idTopic = (id) => ethers.zeroPadValue(ethers.toBeHex(id), 32);

before(async () => {
  token = await deployToken(alice, 1_000n);
  other = await deployToken(bob, 1_000n);
  tokenAddress = await token.getAddress();
  first = await p.getBlockNumber();
  // notes 1 and 2 by alice, 3 by bob, in blocks of their own, then a transfer, on `token`;
  // a transfer on `other`.
  for (const [id, signer] of [[1n, alice], [2n, alice], [3n, bob]]) {
    const receipt = await (await token.connect(signer).note(id, `note ${id}`)).wait();
    noteBlocks.set(id, receipt.blockNumber);
  }
  await (await token.transfer(bob.address, 10n)).wait();
  await (await other.transfer(alice.address, 20n)).wait();
  last = await p.getBlockNumber();
});

const range = { fromBlock: () => first + 1, toBlock: () => last };
const getLogs = (filter) => p.getLogs({ fromBlock: range.fromBlock(), toBlock: range.toBlock(), ...filter });

test('by address', async () => {
  const logs = await getLogs({ address: tokenAddress });
  assert.equal(logs.length, 4);
  assert.ok(logs.every((log) => log.address === tokenAddress));
  // In chain order, with consistent positions.
  for (let i = 1; i < logs.length; i += 1) assert.ok(logs[i].blockNumber > logs[i - 1].blockNumber);
  const both = await getLogs({ address: [tokenAddress, await other.getAddress()] });
  assert.equal(both.length, 5);
});

test('by topics: exact, OR list, wildcard position, indexed argument', async () => {
  const notes = await getLogs({ topics: [topic('Note')] });
  assert.deepEqual(notes.map((log) => BigInt(log.topics[1])), [1n, 2n, 3n]);
  const transfers = await getLogs({ topics: [topic('Transfer')] });
  assert.equal(transfers.length, 2);
  const any = await getLogs({ topics: [[topic('Note'), topic('Transfer')]] });
  assert.equal(any.length, 5);
  const byAuthor = await getLogs({ topics: [topic('Note'), null, ethers.zeroPadValue(alice.address, 32)] });
  assert.deepEqual(byAuthor.map((log) => BigInt(log.topics[1])), [1n, 2n]);
  const twoOrThree = await getLogs({ topics: [null, [idTopic(2n), idTopic(3n)]] });
  assert.deepEqual(twoOrThree.map((log) => BigInt(log.topics[1])), [2n, 3n]);
  const none = await getLogs({ topics: [topic('Note'), idTopic(99n)] });
  assert.equal(none.length, 0);
  // ethers' contract-level query builds the same filter.
  const queried = await token.queryFilter(token.filters.Note(2n), range.fromBlock(), range.toBlock());
  assert.equal(queried.length, 1);
  assert.equal(queried[0].args.text, 'note 2');
  assert.equal(queried[0].args.author, alice.address);
});

test('by block range and by block hash', async () => {
  const second = noteBlocks.get(2n);
  const only = await p.getLogs({ address: tokenAddress, fromBlock: second, toBlock: second });
  assert.equal(only.length, 1);
  assert.equal(BigInt(only[0].topics[1]), 2n);
  const upTo = await p.getLogs({ address: tokenAddress, fromBlock: first + 1, toBlock: second });
  assert.equal(upTo.length, 2);
  const block = await p.getBlock(second);
  const byHash = await p.getLogs({ address: tokenAddress, blockHash: block.hash });
  assert.equal(byHash.length, 1);
  assert.equal(byHash[0].blockHash, block.hash);
  assert.equal(byHash[0].transactionHash, block.transactions[0]);
  const latest = await p.getLogs({ fromBlock: 'latest', toBlock: 'latest' });
  assert.equal(latest.length, 1);
  assert.equal(latest[0].address, await other.getAddress());
  // A range past the head is clamped to it; one that starts after the head is refused.
  const clamped = await p.getLogs({ address: tokenAddress, fromBlock: second, toBlock: last + 20 });
  assert.equal(clamped.length, 3);
  const future = await rawRpc('eth_getLogs', [{ fromBlock: ethers.toQuantity(last + 10) }]);
  assert.equal(future.error?.code, -32602, JSON.stringify(future));
  const unknown = await rawRpc('eth_getLogs', [{ blockHash: ethers.id('no such block') }]);
  assert.ok(unknown.error, 'an unknown block hash is an error');
});

test('eth_newFilter / eth_getFilterChanges / eth_getFilterLogs / eth_uninstallFilter', async () => {
  const notes = { address: tokenAddress, topics: [topic('Note')] };
  // Without fromBlock: only logs of blocks mined after the filter.
  const fresh = await p.send('eth_newFilter', [notes]);
  // With a fromBlock in the past: the first poll brings the logs already there (as anvil does).
  const since = await p.send('eth_newFilter', [{ ...notes, fromBlock: ethers.toQuantity(first + 1) }]);
  assert.deepEqual(await p.send('eth_getFilterChanges', [fresh]), []);
  const history = await p.send('eth_getFilterChanges', [since]);
  assert.deepEqual(history.map((log) => BigInt(log.topics[1])), [1n, 2n, 3n]);
  await (await token.note(10n, 'ten')).wait();
  await (await token.transfer(bob.address, 1n)).wait(); // not a Note: filtered out
  await (await token.connect(bob).note(11n, 'eleven')).wait();
  for (const filter of [fresh, since]) {
    const changes = await p.send('eth_getFilterChanges', [filter]);
    assert.deepEqual(changes.map((log) => BigInt(log.topics[1])), [10n, 11n]);
    assert.ok(changes.every((log) => log.removed === false && ethers.getAddress(log.address) === tokenAddress));
    assert.deepEqual(await p.send('eth_getFilterChanges', [filter]), []);
  }
  const all = await p.send('eth_getFilterLogs', [since]);
  assert.deepEqual(all.map((log) => BigInt(log.topics[1])), [1n, 2n, 3n, 10n, 11n]);
  // eth_getFilterLogs of a filter without fromBlock: from the latest block on.
  assert.deepEqual((await p.send('eth_getFilterLogs', [fresh])).map((log) => BigInt(log.topics[1])), [11n]);
  assert.equal(await p.send('eth_uninstallFilter', [since]), true);
  assert.equal(await p.send('eth_uninstallFilter', [since]), false);
  assert.equal(await p.send('eth_uninstallFilter', [fresh]), true);
  const gone = await rawRpc('eth_getFilterChanges', [since]);
  assert.ok(gone.error, 'an uninstalled filter is an error');
});

test('eth_newBlockFilter reports the hashes of new blocks', async () => {
  const filter = await p.send('eth_newBlockFilter', []);
  const r1 = await (await token.note(20n, 'a')).wait();
  const r2 = await (await token.note(21n, 'b')).wait();
  const hashes = await p.send('eth_getFilterChanges', [filter]);
  assert.deepEqual(hashes, [r1.blockHash, r2.blockHash]);
  assert.deepEqual(await p.send('eth_getFilterChanges', [filter]), []);
  assert.equal(await p.send('eth_uninstallFilter', [filter]), true);
});
