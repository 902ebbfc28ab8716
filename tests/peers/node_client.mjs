// Node `ws` client against our servers.
//
// Usage: node node_client.mjs ECHO_URL CHECK_URL LIMIT
//   ECHO_URL   examples/websocket_echo.rs
//   CHECK_URL  examples/ws_check_server.rs started with a LIMIT-byte message limit
// Prints one line per check and `node-client: N passed, M failed`; exits 1 on
// any failure. Every wait is bounded (10 s per step).
import assert from 'node:assert/strict';
import WebSocket from 'ws';

const STEP = 10_000; // ms any single wait may take
const [echoUrl, checkUrl] = process.argv.slice(2, 4).map((u) => u.replace(/\/$/, ''));
const limit = Number(process.argv[4]);

function within(promise, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out: ${what}`)), STEP);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Opens a socket whose messages, pongs and close are queued for the checks. */
function open(url) {
  const ws = new WebSocket(url, { maxPayload: 16 * 1024 * 1024 });
  const inbox = [];
  let wake = () => {};
  ws.on('message', (data, isBinary) => { inbox.push({ data, isBinary }); wake(); });
  ws.on('error', () => {}); // the close event tells the checks
  ws.closed = new Promise((resolve) => {
    ws.on('close', (code, reason) => { resolve({ code, reason: reason.toString() }); wake(); });
  });
  ws.next = () => within(new Promise((resolve, reject) => {
    const look = () => {
      if (inbox.length) resolve(inbox.shift());
      else if (ws.readyState === WebSocket.CLOSED) reject(new Error('closed'));
      else wake = look;
    };
    look();
  }), 'a message');
  return within(new Promise((resolve, reject) => {
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  }), `connect ${url}`);
}

async function echo(url, data, binary) {
  const ws = await open(url);
  ws.send(data, { binary });
  const got = await ws.next();
  assert.equal(got.isBinary, binary, 'message type');
  assert.ok(Buffer.from(got.data).equals(Buffer.from(data)), `sent ${data.length} bytes, got ${got.data.length} others`);
  ws.close();
  await within(ws.closed, 'close');
}

async function expectClose(ws, code) {
  const { code: got, reason } = await within(ws.closed, 'the server to close');
  assert.equal(got, code, `close code (reason ${JSON.stringify(reason)})`);
}

async function lastClose() {
  const ws = await open(`${checkUrl}/last-close`);
  const { data } = await ws.next();
  await within(ws.closed, 'close');
  return data.toString();
}

const checks = [
  ['permessage-deflate: 100 KiB text both ways', async () => {
    // ws offers permessage-deflate by default on the client side.
    const ws = await open(echoUrl);
    assert.match(ws.extensions, /^permessage-deflate/, `extensions: ${ws.extensions}`);
    const text = '{"user":"ann","text":"hello, world"},'.repeat(3000).slice(0, 100 * 1024);
    ws.send(text);
    const got = await ws.next();
    assert.equal(got.isBinary, false);
    assert.equal(got.data.toString(), text);
    ws.close();
    await within(ws.closed, 'close');
  }],
  ['text', () => echo(echoUrl, 'Hello, Server! ünïcödé ✓ 🦀', false)],
  ['binary', () => echo(echoUrl, Buffer.from([...Array(256).keys()]), true)],
  ['empty text', () => echo(echoUrl, '', false)],
  ['1 MiB binary', () => echo(echoUrl, Buffer.from(Array.from({ length: 1 << 20 }, (_, i) => i % 251)), true)],
  ['1 MiB text', () => echo(echoUrl, 'abcé'.repeat(Math.floor((1 << 20) / 5) + 1), false)],
  ['fragmented text', async () => {
    const ws = await open(echoUrl);
    ws.send('frag-1 ', { fin: false });
    ws.send('frag-2 ', { fin: false });
    ws.send('frag-3 é', { fin: true });
    const got = await ws.next();
    assert.equal(got.isBinary, false);
    assert.equal(got.data.toString(), 'frag-1 frag-2 frag-3 é');
    ws.close();
    await within(ws.closed, 'close');
  }],
  ['fragmented binary', async () => {
    const ws = await open(echoUrl);
    const parts = [Buffer.from([0, 1]), Buffer.alloc(70000, 2), Buffer.from([3])];
    parts.forEach((part, i) => ws.send(part, { binary: true, fin: i === parts.length - 1 }));
    const got = await ws.next();
    assert.equal(got.isBinary, true);
    assert.ok(got.data.equals(Buffer.concat(parts)));
    ws.close();
    await within(ws.closed, 'close');
  }],
  ['ping gets a pong', async () => {
    const ws = await open(echoUrl);
    const pong = within(new Promise((resolve) => ws.once('pong', resolve)), 'pong');
    ws.ping(Buffer.from('ping-1'));
    assert.equal((await pong).toString(), 'ping-1');
    ws.send('after ping');
    assert.equal((await ws.next()).data.toString(), 'after ping');
    ws.close();
    await within(ws.closed, 'close');
  }],
  ['close with code and reason', async () => {
    const ws = await open(checkUrl);
    ws.send('before close');
    assert.equal((await ws.next()).data.toString(), 'before close');
    ws.close(4001, 'bye bye');
    await expectClose(ws, 4001);
    let seen;
    for (let i = 0; i < 30; i++) {
      seen = await lastClose();
      if (seen === '4001 bye bye') return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.fail(`server's last close: ${JSON.stringify(seen)}`);
  }],
  ['invalid UTF-8: server closes with 1007', async () => {
    const ws = await open(echoUrl);
    ws.send(Buffer.from([0x6f, 0x6b, 0xff, 0xfe]), { binary: false }); // text frame, unchecked
    await expectClose(ws, 1007);
  }],
  ['invalid UTF-8 across fragments: 1007', async () => {
    const ws = await open(echoUrl);
    ws.send(Buffer.from('caf'), { binary: false, fin: false });
    ws.send(Buffer.from([0xc3]), { binary: false, fin: true }); // "é" cut after its first byte
    await expectClose(ws, 1007);
  }],
  [`message of exactly ${limit} bytes`, () => echo(checkUrl, Buffer.alloc(limit, 0x79), true)],
  ['oversized message: server closes with 1009', async () => {
    const ws = await open(checkUrl);
    ws.send(Buffer.alloc(limit + 1, 0x7a));
    await expectClose(ws, 1009);
  }],
  ['oversized fragmented message: 1009', async () => {
    const ws = await open(checkUrl);
    const half = Math.floor(limit / 2) + 1;
    ws.send('a'.repeat(half), { fin: false });
    ws.send('b'.repeat(half), { fin: true });
    await expectClose(ws, 1009);
  }],
];

let passed = 0;
let failed = 0;
for (const [name, check] of checks) {
  try {
    await check();
    passed += 1;
    console.log(`ok - ${name}`);
  } catch (err) {
    failed += 1;
    console.log(`FAIL - ${name}: ${err.message}`);
  }
}
console.log(`node-client: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
