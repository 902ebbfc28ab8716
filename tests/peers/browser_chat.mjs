// The chat page (examples/chat.rs) in headless Chromium, driven by
// playwright-core with the system's /usr/bin/chromium (no browser download).
//
// Usage: node browser_chat.mjs http://127.0.0.1:PORT SCREENSHOT.png
// Needs a freshly started chat server (names are user-1, user-2, ... in order).
// Two pages chat, a third joins, one leaves; every page's list is checked
// exactly, in order. Saves a screenshot of the first page. Exits 1 on failure.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';

const STEP = 10_000; // ms any single wait may take
const [base, screenshot] = process.argv.slice(2);
const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'silly-chat-chromium-'));
const problems = []; // console errors and page errors, from every page

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function openChat(context, label) {
  const page = await context.newPage();
  page.on('console', (msg) => { if (msg.type() === 'error') problems.push(`${label} console: ${msg.text()}`); });
  page.on('pageerror', (err) => problems.push(`${label} page error: ${err.message}`));
  const response = await page.goto(`${base}/`, { timeout: STEP });
  assert.equal(response.status(), 200);
  return page;
}

const items = (page) => page.$$eval('#messages li', (els) => els.map((el) => el.textContent));

/** Waits until the page's list is exactly `expected`. */
async function expectList(page, expected, what) {
  const deadline = Date.now() + STEP;
  let got;
  while (Date.now() < deadline) {
    got = await items(page);
    if (JSON.stringify(got) === JSON.stringify(expected)) return;
    await sleep(50);
  }
  assert.fail(`${what}:\n  expected ${JSON.stringify(expected)}\n  got      ${JSON.stringify(got)}`);
}

async function say(page, text, { enter = false } = {}) {
  await page.fill('#input', text, { timeout: STEP });
  if (enter) await page.press('#input', 'Enter', { timeout: STEP });
  else await page.click('#send', { timeout: STEP });
}

let context;
let failed = false;
try {
  context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    timeout: 30_000,
    viewport: { width: 720, height: 520 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run'],
  });

  // Two pages: each sends a message, both see both, in order.
  const a = await openChat(context, 'A');
  const listA = ['You are user-1 (1 online)'];
  await expectList(a, listA, 'A joins');
  assert.equal(await a.textContent('#status'), 'connected as user-1');
  const b = await openChat(context, 'B');
  const listB = ['You are user-2 (2 online)'];
  await expectList(b, listB, 'B joins');
  listA.push('user-2 joined');
  await expectList(a, listA, 'A sees B join');

  await say(a, 'hello from A');
  listA.push('user-1: hello from A');
  listB.push('user-1: hello from A');
  await expectList(a, listA, 'A sees its message');
  await expectList(b, listB, 'B sees A\'s message');
  // Markup is shown as text, never run.
  const markup = 'hi from B <b>not bold</b> <img src=x onerror="window.pwned=1">';
  await say(b, markup, { enter: true });
  listA.push(`user-2: ${markup}`);
  listB.push(`user-2: ${markup}`);
  await expectList(a, listA, 'A sees B\'s message');
  await expectList(b, listB, 'B sees its message');
  for (const page of [a, b]) {
    assert.equal(await page.locator('#messages b, #messages img').count(), 0, 'markup became elements');
    assert.equal(await page.evaluate(() => window.pwned), undefined);
  }
  assert.equal(await a.inputValue('#input'), '', 'the input is cleared after sending');

  // A third page joins and sees new messages (there is no history).
  const c = await openChat(context, 'C');
  const listC = ['You are user-3 (3 online)'];
  await expectList(c, listC, 'C joins');
  listA.push('user-3 joined');
  listB.push('user-3 joined');
  await expectList(a, listA, 'A sees C join');
  await expectList(b, listB, 'B sees C join');
  await say(c, 'C here');
  await say(a, 'welcome, C');
  for (const list of [listA, listB, listC]) list.push('user-3: C here', 'user-1: welcome, C');
  await expectList(c, listC, 'C sees new messages');
  await expectList(a, listA, 'A sees C\'s message');
  await expectList(b, listB, 'B sees C\'s message');

  // Closing a page gives the others a leave notice.
  await b.close();
  listA.push('user-2 left');
  listC.push('user-2 left');
  await expectList(a, listA, 'A sees B leave');
  await expectList(c, listC, 'C sees B leave');
  await say(c, 'bye, B – à bientôt');
  listA.push('user-3: bye, B – à bientôt');
  listC.push('user-3: bye, B – à bientôt');
  await expectList(a, listA, 'A after B left');
  await expectList(c, listC, 'C after B left');

  assert.deepEqual(problems, [], 'console or page errors');
  await a.screenshot({ path: screenshot, timeout: STEP });
  console.log(`ok - browser chat: 3 pages, ${listA.length} items on the first page; screenshot ${screenshot}`);
} catch (err) {
  failed = true;
  console.log(`FAIL - browser chat: ${err.message}`);
  if (problems.length) console.log(problems.join('\n'));
} finally {
  await context?.close().catch(() => {});
  fs.rmSync(profile, { recursive: true, force: true });
}
console.log(`browser: ${failed ? 0 : 1} passed, ${failed ? 1 : 0} failed`);
process.exit(failed ? 1 : 0);
