// The reference SDK's CLI (iexec 9.0.1) as a black box against the poco devchain and the poco
// market (its `iexecGateway`). run.sh starts both and sets:
//   IEXEC_BIN, POCO_CHAIN_URL, POCO_MARKET_URL, POCO_HUB, POCO_DEVCHAIN_BANNER (the devchain's
//   JSON line: dev accounts and keys), POCO_WORKDIR, POCO_CLOSED_URL (a port nothing listens on).
// Each role (app owner, dataset owner, scheduler, requester) is a CLI project folder with its
// own unencrypted wallet.json (a devchain dev key) and the same chain.json. Every CLI call uses
// --raw (JSON on stdout; also turns off the CLI's npm update check). The tests run in order and
// share state: a failure makes the later ones fail too.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import fs from 'node:fs';
import path from 'node:path';

const run = promisify(execFile);
const env = (name) => {
  const value = process.env[name];
  assert.ok(value, `${name} is not set (run the suite through run.sh)`);
  return value;
};
const IEXEC = env('IEXEC_BIN');
const CHAIN = env('POCO_CHAIN_URL');
const MARKET = env('POCO_MARKET_URL');
const HUB = env('POCO_HUB');
const WORK = env('POCO_WORKDIR');
const CLOSED = env('POCO_CLOSED_URL');
const banner = JSON.parse(fs.readFileSync(env('POCO_DEVCHAIN_BANNER'), 'utf8').split('\n')[0]);
const CHAIN_ID = banner.chainId;
const ZERO = '0x0000000000000000000000000000000000000000';
// The order types whose CLI preflight check asks the SMS here (see the publish test).
const PREFLIGHT_NEEDS_SMS = new Set(['dataset', 'request']);
const NO_TAG = '0x0000000000000000000000000000000000000000000000000000000000000000';

const roles = { app: 1, dataset: 2, scheduler: 3, requester: 4 };
const account = (role) => banner.accounts[roles[role]];
const dir = (role) => path.join(WORK, role);

/** Runs `iexec <args> --raw` in a role's folder; returns the parsed JSON, asserts `ok`. */
async function iexec(role, args, { expectFailure = false } = {}) {
  let stdout;
  let stderr;
  let failed = null;
  try {
    ({ stdout, stderr } = await run(IEXEC, [...args, '--raw'], {
      cwd: dir(role),
      timeout: 120_000,
      env: { ...process.env, NO_COLOR: '1' },
    }));
  } catch (error) {
    ({ stdout, stderr } = error);
    failed = error;
  }
  // Some answers (failures, partial failures) go to stderr.
  const text = (stdout ?? '').trim() || (stderr ?? '').trim();
  let json;
  try {
    json = JSON.parse(text.split('\n').pop());
  } catch {
    throw new Error(`iexec ${args.join(' ')}: no JSON answer (${failed?.message ?? 'exit 0'})\n${stdout}\n${stderr}`);
  }
  if (expectFailure) {
    assert.equal(json.ok, false, `iexec ${args.join(' ')} should fail: ${text}`);
  } else {
    // The CLI prints its JSON error on stderr.
    assert.equal(json.ok, true, `iexec ${args.join(' ')}: ${text}`);
  }
  return json;
}

/** GET on poco's native API. */
async function native(pathAndQuery) {
  const response = await fetch(`${MARKET}${pathAndQuery}`);
  const body = await response.json();
  return { status: response.status, body };
}

const big = (value) => BigInt(value);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Edits a role's iexec.json. */
function editIexecJson(role, edit) {
  const file = path.join(dir(role), 'iexec.json');
  const json = JSON.parse(fs.readFileSync(file, 'utf8'));
  edit(json);
  fs.writeFileSync(file, JSON.stringify(json, null, 2));
}

const state = { orders: {} };

// One entry per order type: the role, the CLI's names, the native book, the price field.
const kinds = {
  app: { role: 'app', flag: '--app', orderName: 'apporder', book: 'app', price: 'appprice' },
  dataset: {
    role: 'dataset',
    flag: '--dataset',
    orderName: 'datasetorder',
    book: 'dataset',
    price: 'datasetprice',
  },
  workerpool: {
    role: 'scheduler',
    flag: '--workerpool',
    orderName: 'workerpoolorder',
    book: 'workerpool',
    price: 'workerpoolprice',
  },
  request: {
    role: 'requester',
    flag: '--request',
    orderName: 'requestorder',
    book: 'request',
    price: 'workerpoolmaxprice',
  },
};

test('setup: a CLI project per role, chain.json pointing at poco, dev wallets', async () => {
  fs.rmSync(WORK, { recursive: true, force: true });
  for (const role of Object.keys(roles)) {
    fs.mkdirSync(dir(role), { recursive: true });
    await iexec(role, ['init', '--skip-wallet']);
    const chainJson = {
      default: 'poco',
      chains: {
        poco: {
          id: `${CHAIN_ID}`,
          host: CHAIN,
          hub: HUB,
          iexecGateway: MARKET,
          // Not run by this test: a closed local port, so nothing leaves the machine.
          sms: CLOSED,
          ipfsGateway: CLOSED,
          pocoSubgraph: CLOSED,
          compass: CLOSED,
        },
      },
    };
    fs.writeFileSync(path.join(dir(role), 'chain.json'), JSON.stringify(chainJson, null, 2));
    const imported = await iexec(role, ['wallet', 'import', account(role).privateKey, '--unencrypted']);
    assert.equal(imported.address.toLowerCase(), account(role).address.toLowerCase());
  }
  const info = await iexec('requester', ['info']);
  assert.equal(info.hubAddress.toLowerCase(), HUB.toLowerCase(), JSON.stringify(info));
  const wallet = await iexec('requester', ['wallet', 'show']);
  assert.ok(big(wallet.balance.nRLC) > 0n, `the requester holds RLC: ${JSON.stringify(wallet)}`);
});

test('app, dataset and workerpool deployed with the CLI', async () => {
  await iexec('app', ['app', 'init']);
  const app = await iexec('app', ['app', 'deploy']);
  state.app = app.address;
  await iexec('dataset', ['dataset', 'init']);
  const dataset = await iexec('dataset', ['dataset', 'deploy']);
  state.dataset = dataset.address;
  await iexec('scheduler', ['workerpool', 'init']);
  const pool = await iexec('scheduler', ['workerpool', 'deploy']);
  state.workerpool = pool.address;
  for (const [role, kind, address] of [
    ['app', 'app', state.app],
    ['dataset', 'dataset', state.dataset],
    ['scheduler', 'workerpool', state.workerpool],
  ]) {
    const shown = await iexec(role, [kind, 'show', address]);
    assert.equal(shown[kind].owner.toLowerCase(), account(role).address.toLowerCase(), kind);
  }
});

test('accounts funded with iexec account deposit', async () => {
  for (const role of ['scheduler', 'requester']) {
    const before = await iexec(role, ['account', 'show']);
    await iexec(role, ['account', 'deposit', '100', 'RLC']);
    const after = await iexec(role, ['account', 'show']);
    assert.equal(
      big(after.balance.stake) - big(before.balance.stake),
      100_000_000_000n,
      `${role}: ${JSON.stringify(after)}`,
    );
  }
});

test('order init, sign and publish for each order type', async () => {
  const prices = { app: '3', dataset: '2', workerpool: '5' };
  for (const [name, kind] of Object.entries(kinds)) {
    await iexec(kind.role, ['order', 'init', kind.flag]);
    editIexecJson(kind.role, (json) => {
      const order = json.order[kind.orderName];
      order.tag = NO_TAG;
      if (name === 'request') {
        Object.assign(order, {
          app: state.app,
          appmaxprice: prices.app,
          dataset: state.dataset,
          datasetmaxprice: prices.dataset,
          workerpool: ZERO,
          workerpoolmaxprice: prices.workerpool,
          volume: '2',
          category: '0',
          trust: '0',
          params: { iexec_args: 'hello poco' },
        });
      } else {
        Object.assign(order, { [kind.price]: prices[name], volume: '10' });
      }
    });
    // iexec 9.0.1 adds the TDX tag (0x9: tee + tdx) to every order it signs, so the preflight
    // check of an order that carries a dataset (the dataset order, and this request order,
    // which names the dataset) asks the SMS whether the dataset's key is stored. poco's SMS is
    // not part of this test: the check is skipped for those two orders only.
    const preflight = PREFLIGHT_NEEDS_SMS.has(name) ? ['--skip-preflight-check'] : [];
    const signed = await iexec(kind.role, ['order', 'sign', kind.flag, ...preflight]);
    assert.ok(signed[kind.orderName]?.sign, `${name}: ${JSON.stringify(signed)}`);
    const published = await iexec(kind.role, [
      'order',
      'publish',
      kind.flag,
      '--force',
      ...preflight,
    ]);
    const hash = published[kind.orderName]?.orderHash;
    assert.match(hash ?? '', /^0x[0-9a-f]{64}$/, `${name}: ${JSON.stringify(published)}`);
    state.orders[name] = { hash, signed: signed[kind.orderName] };
    // The same order in poco's native API, signed by the role's account.
    const { status, body } = await native(`/v1/orders/${kind.book}/${hash}`);
    assert.equal(status, 200, JSON.stringify(body));
    assert.equal(body.status, 'open');
    assert.equal(body.signer.toLowerCase(), account(kind.role).address.toLowerCase());
    assert.equal(body.order.sign, signed[kind.orderName].sign);
    // The tag the CLI signed (9.0.1 adds tee + tdx to every order) is the tag poco stored.
    assert.equal(big(body.order.tag), big(signed[kind.orderName].tag), `${name} tag`);
    assert.equal(big(body.order.volume), big(signed[kind.orderName].volume));
  }
});

/** Asserts a CLI orderbook entry matches poco's native record of the same order. */
async function matchesNative(book, entry) {
  const { status, body } = await native(`/v1/orders/${book}/${entry.orderHash}`);
  assert.equal(status, 200, JSON.stringify(body));
  assert.equal(big(entry.remaining), big(body.remaining), `${book} remaining`);
  return body;
}

test('iexec orderbook app | dataset | workerpool | requester shows what poco lists', async () => {
  const books = [
    ['app', ['orderbook', 'app', state.app], 'appOrders', `/v1/orders/app?app=${state.app}`],
    [
      'dataset',
      ['orderbook', 'dataset', state.dataset],
      'datasetOrders',
      `/v1/orders/dataset?dataset=${state.dataset}`,
    ],
    [
      'workerpool',
      ['orderbook', 'workerpool', state.workerpool, '--category', '0'],
      'workerpoolOrders',
      `/v1/orders/workerpool?workerpool=${state.workerpool}`,
    ],
    [
      'request',
      ['orderbook', 'requester', account('requester').address, '--category', '0'],
      'requestOrders',
      `/v1/orders/request?requester=${account('requester').address}`,
    ],
  ];
  for (const [name, args, key, nativeList] of books) {
    const shown = await iexec('requester', args);
    const entries = shown[key];
    assert.ok(Array.isArray(entries), `${name}: ${JSON.stringify(shown)}`);
    const { body } = await native(nativeList);
    assert.deepEqual(
      entries.map((entry) => entry.orderHash),
      body.orders.map((order) => order.orderHash),
      `${name}: the CLI lists what the native API lists`,
    );
    assert.equal(shown.count, body.orders.length, `${name} count`);
    assert.deepEqual(entries.map((entry) => entry.orderHash), [state.orders[name].hash]);
    const record = await matchesNative(kinds[name].book, entries[0]);
    if (name !== 'request') {
      assert.equal(big(entries[0].price), big(record.order[kinds[name].price]), `${name} price`);
    }
  }
});

test('iexec order show --app | --dataset | --workerpool | --request', async () => {
  for (const [name, kind] of Object.entries(kinds)) {
    const shown = await iexec('requester', ['order', 'show', kind.flag, state.orders[name].hash]);
    const record = shown[kind.orderName];
    assert.ok(record, `${name}: ${JSON.stringify(shown)}`);
    assert.equal(record.orderHash, state.orders[name].hash);
    assert.equal(record.status, 'open');
    assert.equal(record.order.sign, state.orders[name].signed.sign);
    assert.equal(big(record.order[kind.price]), big(state.orders[name].signed[kind.price]));
    await matchesNative(kind.book, record);
  }
});

test('iexec order fill: matchOrders with the published orders, books follow within blocks', async () => {
  const filled = await iexec('requester', [
    'order',
    'fill',
    '--app',
    state.orders.app.hash,
    '--dataset',
    state.orders.dataset.hash,
    '--workerpool',
    state.orders.workerpool.hash,
    '--request',
    state.orders.request.hash,
    '--force',
    // The deal uses the dataset: its preflight check asks the SMS (not run here).
    '--skip-preflight-check',
  ]);
  assert.equal(filled.volume, '2', JSON.stringify(filled));
  assert.match(filled.dealid, /^0x[0-9a-f]{64}$/);
  state.dealid = filled.dealid;
  const deal = await iexec('requester', ['deal', 'show', filled.dealid]);
  assert.equal(deal.deal.app.pointer.toLowerCase(), state.app.toLowerCase(), JSON.stringify(deal));
  assert.equal(`${deal.deal.botSize}`, '2');

  // The watcher follows the match: sell orders 8 left, the request filled.
  const expected = { app: 8n, dataset: 8n, workerpool: 8n, request: 0n };
  for (let tries = 0; ; tries += 1) {
    const remaining = {};
    for (const [name, kind] of Object.entries(kinds)) {
      const { body } = await native(`/v1/orders/${kind.book}/${state.orders[name].hash}`);
      remaining[name] = big(body.remaining);
    }
    if (Object.keys(expected).every((name) => remaining[name] === expected[name])) break;
    assert.ok(tries < 100, `remaining volumes after the fill: ${JSON.stringify(remaining, (_, v) => `${v}`)}`);
    await sleep(100);
  }
  const apps = await iexec('requester', ['orderbook', 'app', state.app]);
  assert.equal(big(apps.appOrders[0].remaining), 8n);
  const shown = await iexec('requester', ['order', 'show', '--request', state.orders.request.hash]);
  assert.equal(shown.requestorder.status, 'filled');
  assert.equal(big(shown.requestorder.remaining), 0n);
  const requests = await iexec('requester', [
    'orderbook',
    'requester',
    account('requester').address,
    '--category',
    '0',
  ]);
  assert.equal(requests.count, 0, 'a filled request leaves the book');
});

test('iexec order unpublish for each sell order, then a request order', async () => {
  for (const name of ['app', 'dataset', 'workerpool']) {
    const kind = kinds[name];
    const hash = state.orders[name].hash;
    const out = await iexec(kind.role, ['order', 'unpublish', kind.flag, hash, '--force']);
    assert.equal(out[kind.orderName]?.orderHash ?? out[kind.orderName], hash, JSON.stringify(out));
    const { body } = await native(`/v1/orders/${kind.book}/${hash}`);
    assert.equal(body.status, 'unpublished');
    const failed = await iexec('requester', ['order', 'show', kind.flag, hash], { expectFailure: true });
    assert.ok(failed.fail?.length === 1, JSON.stringify(failed));
  }
  const apps = await iexec('requester', ['orderbook', 'app', state.app]);
  assert.equal(apps.count, 0);
  const pools = await iexec('requester', ['orderbook', 'workerpool', state.workerpool, '--category', '0']);
  assert.equal(pools.count, 0);

  // A second request order (new salt), published then unpublished by the requester.
  await iexec('requester', ['order', 'sign', '--request', '--skip-preflight-check']);
  const published = await iexec('requester', [
    'order',
    'publish',
    '--request',
    '--force',
    '--skip-preflight-check',
  ]);
  const hash = published.requestorder.orderHash;
  assert.notEqual(hash, state.orders.request.hash);
  let listed = await iexec('requester', ['orderbook', 'requester', account('requester').address, '--category', '0']);
  assert.deepEqual(listed.requestOrders.map((entry) => entry.orderHash), [hash]);
  await iexec('requester', ['order', 'unpublish', '--request', hash, '--force']);
  listed = await iexec('requester', ['orderbook', 'requester', account('requester').address, '--category', '0']);
  assert.equal(listed.count, 0);
  const { body } = await native(`/v1/orders/request?requester=${account('requester').address}`);
  assert.equal(body.orders.length, 0);
});

test("refusals reach the CLI: someone else's order, an already published one", async () => {
  // The requester tries to publish the app owner's signed app order: not the owner.
  await iexec('app', ['order', 'sign', '--app']);
  const ordersJson = JSON.parse(fs.readFileSync(path.join(dir('app'), 'orders.json'), 'utf8'));
  fs.writeFileSync(path.join(dir('requester'), 'orders.json'), JSON.stringify(ordersJson));
  const refused = await iexec('requester', ['order', 'publish', '--app', '--force'], {
    expectFailure: true,
  });
  assert.match(JSON.stringify(refused), /not the owner/, JSON.stringify(refused));
  const { body } = await native(`/v1/orders/app?app=${state.app}`);
  assert.equal(body.orders.length, 0, 'nothing stored');
  // The owner publishes it; publishing it again is refused.
  await iexec('app', ['order', 'publish', '--app', '--force']);
  const again = await iexec('app', ['order', 'publish', '--app', '--force'], { expectFailure: true });
  assert.match(JSON.stringify(again), /already in the book/, JSON.stringify(again));
});
