// Subscriptions over WebSocket: ethers' WebSocketProvider (eth_subscribe newHeads and logs behind
// provider.on / contract.on) and raw eth_subscribe / eth_unsubscribe messages; what a logs
// subscription sees around evm_snapshot / evm_revert.
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const WebSocket = require('ws');
const { WS_URL, deployToken, devWallet, ethers, provider, until, sleep, wsProvider } = require('./lib.cjs');

const p = provider();
const alice = devWallet(7, p);
let token;
let tokenAddress;

before(async () => {
  token = await deployToken(alice, 1_000n);
  tokenAddress = await token.getAddress();
});

/** A raw JSON-RPC WebSocket client that keeps every notification. */
class RawSocket {
  static async open() {
    const socket = new RawSocket(new WebSocket(WS_URL));
    await new Promise((resolve, reject) => {
      socket.ws.once('open', resolve);
      socket.ws.once('error', reject);
    });
    return socket;
  }

  constructor(ws) {
    this.ws = ws;
    this.nextId = 1;
    this.waiting = new Map();
    /** Notifications by subscription id, in arrival order. */
    this.notifications = new Map();
    ws.on('message', (text) => {
      const message = JSON.parse(text.toString());
      if (message.method === 'eth_subscription') {
        const { subscription, result } = message.params;
        if (!this.notifications.has(subscription)) this.notifications.set(subscription, []);
        this.notifications.get(subscription).push(result);
      } else if (this.waiting.has(message.id)) {
        this.waiting.get(message.id)(message);
        this.waiting.delete(message.id);
      }
    });
  }

  /** Sends a request; resolves with the whole response. */
  request(method, params = []) {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.waiting.set(id, resolve);
      this.ws.send(JSON.stringify({ jsonrpc: '2.0', id, method, params }));
    });
  }

  /** Subscribes; resolves with the subscription id. */
  async subscribe(...params) {
    const response = await this.request('eth_subscribe', params);
    assert.ok(response.result, JSON.stringify(response));
    this.notifications.set(response.result, this.notifications.get(response.result) ?? []);
    return response.result;
  }

  seen(id) {
    return this.notifications.get(id) ?? [];
  }

  close() {
    this.ws.close();
  }
}

test('WebSocketProvider: plain requests and block events (newHeads)', async () => {
  const ws = wsProvider();
  try {
    assert.equal((await ws.getNetwork()).chainId, 31337n);
    assert.equal(await ws.getBlockNumber(), await p.getBlockNumber());
    const blocks = [];
    await ws.on('block', (number) => blocks.push(number));
    await sleep(500); // the subscription is in place
    const r1 = await (await token.note(1n, 'one')).wait();
    const r2 = await (await token.note(2n, 'two')).wait();
    await until(() => blocks.includes(r2.blockNumber), 5_000, 'block events');
    assert.ok(blocks.includes(r1.blockNumber));
  } finally {
    await ws.destroy();
  }
});

test('WebSocketProvider: contract events (logs subscription) with decoded arguments', async () => {
  const ws = wsProvider();
  try {
    const watched = token.connect(ws);
    const notes = [];
    // With a topic filter, ethers hands the listener only the event payload: decode its log.
    await watched.on(watched.filters.Note(null, alice.address), (...args) => {
      const { log } = args.at(-1);
      const { id, author, text } = token.interface.parseLog(log).args;
      notes.push({ id, author, text, block: log.blockNumber, hash: log.transactionHash });
    });
    const transfers = [];
    await watched.on('Transfer', (from, to, value) => transfers.push({ from, to, value }));
    await sleep(500); // the subscriptions are in place
    const bob = devWallet(8, p);
    const r1 = await (await token.note(5n, 'five')).wait();
    await (await token.transfer(bob.address, 9n)).wait();
    await (await token.connect(bob).note(6n, 'by bob')).wait(); // not alice's: filtered out
    const r2 = await (await token.note(7n, 'seven')).wait();
    await until(() => notes.length >= 2 && transfers.length >= 1, 5_000, 'contract events');
    await sleep(200); // nothing else arrives
    assert.deepEqual(
      notes.map(({ id, author, text, block, hash }) => [id, author, text, block, hash]),
      [
        [5n, alice.address, 'five', r1.blockNumber, r1.hash],
        [7n, alice.address, 'seven', r2.blockNumber, r2.hash],
      ],
    );
    assert.deepEqual(transfers, [{ from: alice.address, to: bob.address, value: 9n }]);
  } finally {
    await ws.destroy();
  }
});

test('raw eth_subscribe: newHeads headers match the blocks, logs match the filter, unsubscribe', async () => {
  const socket = await RawSocket.open();
  try {
    const heads = await socket.subscribe('newHeads');
    const notes = await socket.subscribe('logs', {
      address: tokenAddress,
      topics: [token.interface.getEvent('Note').topicHash],
    });
    assert.notEqual(heads, notes);
    const receipt = await (await token.note(42n, 'raw')).wait();
    await (await token.transfer(devWallet(8).address, 1n)).wait();
    await until(() => socket.seen(heads).length >= 2, 5_000, 'two headers');
    const header = socket.seen(heads).find((head) => BigInt(head.number) === BigInt(receipt.blockNumber));
    const block = await p.send('eth_getBlockByNumber', [ethers.toQuantity(receipt.blockNumber), false]);
    for (const field of ['hash', 'parentHash', 'timestamp', 'logsBloom', 'stateRoot', 'miner', 'gasUsed']) {
      assert.equal(header[field], block[field], field);
    }
    await until(() => socket.seen(notes).length >= 1, 5_000, 'the note');
    await sleep(200);
    assert.equal(socket.seen(notes).length, 1, 'the transfer is not a Note');
    const [log] = socket.seen(notes);
    assert.equal(log.transactionHash, receipt.hash);
    assert.equal(log.removed, false);
    assert.equal(BigInt(log.topics[1]), 42n);
    assert.equal((await socket.request('eth_unsubscribe', [heads])).result, true);
    assert.equal((await socket.request('eth_unsubscribe', [heads])).result, false);
    const count = socket.seen(heads).length;
    await (await token.note(43n, 'after')).wait();
    await until(() => socket.seen(notes).length >= 2, 5_000, 'the second note');
    assert.equal(socket.seen(heads).length, count, 'no header after unsubscribing');
    const unknown = await socket.request('eth_subscribe', ['noSuchKind']);
    assert.ok(unknown.error, 'an unknown subscription kind is an error');
  } finally {
    socket.close();
  }
});

test('evm_revert: subscribers get the re-mined blocks\' logs, none marked removed', async () => {
  const socket = await RawSocket.open();
  try {
    const notes = await socket.subscribe('logs', { address: tokenAddress });
    const snapshot = await p.send('evm_snapshot', []);
    const dropped = await (await token.note(100n, 'dropped')).wait();
    assert.equal(await p.send('evm_revert', [snapshot]), true);
    const kept = await (await token.note(101n, 'kept')).wait();
    assert.equal(kept.blockNumber, dropped.blockNumber, 'the block number is mined again');
    await until(() => socket.seen(notes).length >= 2, 5_000, 'two notes');
    await sleep(300);
    const seen = socket.seen(notes);
    assert.deepEqual(seen.map((log) => [BigInt(log.topics[1]), log.removed]), [
      [100n, false],
      [101n, false],
    ]);
    assert.notEqual(seen[0].blockHash, seen[1].blockHash);
    assert.equal(seen[1].blockHash, (await p.getBlock(kept.blockNumber)).hash);
    assert.equal((await p.getLogs({ address: tokenAddress, blockHash: seen[1].blockHash })).length, 1);
  } finally {
    socket.close();
  }
});

after(() => p.destroy());
