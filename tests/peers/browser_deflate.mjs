// permessage-deflate with headless Chromium (playwright-core, /usr/bin/chromium):
// a page opens a WebSocket to examples/websocket_echo.rs, checks that
// `ws.extensions` shows permessage-deflate, and sends 100 KiB of compressible
// text, which must come back whole, three times (several messages on one
// connection).
//
// Usage: node browser_deflate.mjs ws://127.0.0.1:PORT
// Exits 1 on failure.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';

const STEP = 10_000; // ms any single wait may take
const [url] = process.argv.slice(2);
const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'silly-deflate-chromium-'));

let context;
let failed = false;
try {
  context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    timeout: 30_000,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  const page = await context.newPage();
  const result = await page.evaluate(([url, step]) => new Promise((resolve, reject) => {
    const text = '{"user":"ann","text":"hello, world"},'.repeat(3000).slice(0, 100 * 1024);
    const ws = new WebSocket(url);
    const timer = setTimeout(() => reject(new Error('timed out')), step);
    let left = 3;
    const echoed = [];
    ws.onerror = () => reject(new Error('WebSocket error'));
    ws.onopen = () => ws.send(text);
    ws.onmessage = (event) => {
      echoed.push(event.data === text);
      if (--left > 0) {
        ws.send(text);
        return;
      }
      clearTimeout(timer);
      ws.close();
      resolve({ extensions: ws.extensions, echoed });
    };
  }), [url, STEP]);
  assert.match(result.extensions, /^permessage-deflate/, `extensions: ${result.extensions}`);
  assert.deepEqual(result.echoed, [true, true, true], '100 KiB text echoed whole');
  console.log(`ok - browser: ${result.extensions}, 3 x 100 KiB text both ways`);
} catch (err) {
  failed = true;
  console.log(`FAIL - browser permessage-deflate: ${err.message}`);
} finally {
  await context?.close().catch(() => {});
  fs.rmSync(profile, { recursive: true, force: true });
}
console.log(`browser-deflate: ${failed ? 0 : 1} passed, ${failed ? 1 : 0} failed`);
process.exit(failed ? 1 : 0);
