// `persist="local"` across tabs: two pages of one browser context share
// `localStorage`, as two tabs of one profile do. Each drops several files
// at once, at the same moment as the other, a few rounds over: both pages
// and the stored list must end with every id. A tab's read of storage may
// not show the other tab's write yet (it arrives later, with its storage
// event); a list written from such a read once made the other tab drop its
// own ids. And a store refused (a full quota) warns once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serverAndBrowser, required, watchProblems } from './support.mjs';

const env = serverAndBrowser([], { staticDir: required('TA_WWW_DIR') });

const FILES = 4;
const ROUNDS = 3;

/** Opens the plain example (it registers the element) and adds a widget of its own. */
async function pageWithWidget(context, attributes) {
  const page = await context.newPage();
  const problems = watchProblems(page);
  const warnings = [];
  page.on('console', (msg) => { if (msg.type() === 'warning') warnings.push(msg.text()); });
  await page.goto(`${env.server.url}/examples/plain.html`);
  await page.locator('#files [data-ta=dropzone]').waitFor({ timeout: 20_000 });
  await page.evaluate(async (attrs) => {
    const widget = document.createElement('tracker-attachments');
    widget.id = 'tabs';
    for (const [name, value] of Object.entries(attrs)) widget.setAttribute(name, value);
    const form = document.createElement('form');
    form.id = 'tabs-form';
    form.append(widget);
    document.body.append(form);
    while (!widget.shadowRoot?.querySelector('[data-ta=dropzone]')) {
      await new Promise((r) => setTimeout(r, 20));
    }
  }, { token: 'dev-token', 'org-id': 'dev-org', ...attributes });
  return { page, problems, warnings };
}

/** Drops `names` (small text files) on the widget, all in one drop. */
function drop(page, names) {
  return page.evaluate((names) => {
    const widget = document.getElementById('tabs');
    const dt = new DataTransfer();
    for (const name of names) dt.items.add(new File([`contents of ${name}`], name, { type: 'text/plain' }));
    widget.shadowRoot.querySelector('[data-ta=dropzone]')
      .dispatchEvent(new DragEvent('drop', { bubbles: true, cancelable: true, dataTransfer: dt }));
  }, names);
}

/** Waits until `count` rows are uploaded; returns their attachment ids. */
async function uploadedIds(page, count) {
  await page.waitForFunction((n) => {
    const root = document.getElementById('tabs').shadowRoot;
    return root.querySelectorAll('[data-ta=row][data-state=done]').length >= n;
  }, count, { timeout: 20_000 });
  return page.evaluate(() => [...document.getElementById('tabs').shadowRoot
    .querySelectorAll('[data-ta=row][data-state=done]')].map((row) => row.dataset.attachmentId));
}

/** What the page holds: the widget's ids, what its form submits, and the stored list. */
function holdings(page, key) {
  return page.evaluate((key) => {
    const widget = document.getElementById('tabs');
    const stored = JSON.parse(localStorage.getItem(`tracker-attachments:${key}`) ?? '{"items":[]}');
    return {
      widget: [...widget.attachmentIds].sort(),
      kept: [...widget.shadowRoot.querySelectorAll('[data-ta=kept-item]')].map((i) => i.dataset.id).sort(),
      submitted: new FormData(document.getElementById('tabs-form')).getAll('attachment').sort(),
      stored: stored.items.map((i) => i.id).sort(),
    };
  }, key);
}

test('two tabs uploading at the same moment with persist="local" both keep every id', { timeout: 120_000 }, async () => {
  const context = await env.browser.newContext();
  const key = `tabs-${Date.now()}`;
  // `name`: what the form submits carries the ids.
  const attributes = { persist: 'local', 'persist-key': key, name: 'attachment' };
  const a = await pageWithWidget(context, attributes);
  const b = await pageWithWidget(context, attributes);
  let all = [];
  for (let round = 1; round <= ROUNDS; round++) {
    const names = (tab) => Array.from({ length: FILES }, (_, i) => `${tab}${round}-${i}.txt`);
    await Promise.all([drop(a.page, names('a')), drop(b.page, names('b'))]);
    const [fromA, fromB] = await Promise.all([
      uploadedIds(a.page, round * FILES), uploadedIds(b.page, round * FILES),
    ]);
    all = [...fromA, ...fromB].sort();
    assert.equal(new Set(all).size, 2 * round * FILES, 'every upload has an id of its own');
    // The tabs hear of each other's lists through storage events: waited
    // for, up to a bound, until each page holds every id. An id dropped by
    // a merge does not come back, so the wait ends in a failure then.
    const everyIdHeld = (page) => page.waitForFunction(([key, ids]) => {
      const widget = document.getElementById('tabs');
      const stored = JSON.parse(localStorage.getItem(`tracker-attachments:${key}`) ?? '{"items":[]}');
      const kept = [...widget.shadowRoot.querySelectorAll('[data-ta=kept-item]')].map((i) => i.dataset.id);
      const holds = (list) => ids.every((id) => list.includes(id));
      const submitted = new FormData(document.getElementById('tabs-form')).getAll('attachment');
      return holds([...widget.attachmentIds]) && holds(stored.items.map((i) => i.id)) && holds(kept)
        && holds(submitted);
    }, [key, all], { timeout: 8_000, polling: 50 }).catch(() => null);
    await Promise.all([everyIdHeld(a.page), everyIdHeld(b.page)]);
    for (const [tab, { page }] of [['a', a], ['b', b]]) {
      const held = await holdings(page, key);
      assert.deepEqual(held.widget, all, `round ${round}: page ${tab}'s attachmentIds`);
      assert.deepEqual(held.kept, all, `round ${round}: page ${tab}'s kept list`);
      assert.deepEqual(held.submitted, all, `round ${round}: what page ${tab}'s form submits`);
      assert.deepEqual(held.stored, all, `round ${round}: localStorage as page ${tab} reads it`);
    }
  }
  assert.deepEqual([...a.problems, ...b.problems], []);
  await context.close();
});

test('a store refused by a full localStorage warns once, naming the storage and key, and uploads go on', { timeout: 60_000 }, async () => {
  const context = await env.browser.newContext();
  const key = `full-${Date.now()}`;
  await context.addInitScript((key) => {
    // The quota: every write of the widget's list throws while `full`.
    window.storageFull = true;
    const setItem = Storage.prototype.setItem;
    Storage.prototype.setItem = function (name, value) {
      if (window.storageFull && name === `tracker-attachments:${key}`) {
        throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
      }
      return setItem.call(this, name, value);
    };
  }, key);
  const { page, problems, warnings } = await pageWithWidget(context, { persist: 'local', 'persist-key': key });
  const told = () => warnings.filter((w) => /could not be stored/.test(w));
  await drop(page, ['q1.txt', 'q2.txt']);
  await uploadedIds(page, 2);
  await drop(page, ['q3.txt']);
  const ids = await uploadedIds(page, 3);
  // Each upload stored the list again (and failed): told once.
  await page.waitForFunction(() => document.getElementById('tabs').attachmentIds.length === 3);
  assert.equal(told().length, 1, warnings.join('\n'));
  const [warning] = told();
  assert.match(warning, /localStorage/);
  assert.match(warning, new RegExp(key));
  for (const id of ids) assert.ok(!warning.includes(id), `the warning names no id: ${warning}`);
  assert.ok(!/dev-token/.test(warning));
  assert.equal(await page.evaluate((k) => localStorage.getItem(`tracker-attachments:${k}`), key), null);
  // Stored again once there is room, and a later failure is told again.
  await page.evaluate(() => { window.storageFull = false; });
  await drop(page, ['q4.txt']);
  await uploadedIds(page, 4);
  await page.waitForFunction((k) => JSON.parse(localStorage.getItem(`tracker-attachments:${k}`) ?? '{"items":[]}').items.length === 4, key);
  assert.equal(told().length, 1);
  await page.evaluate(() => { window.storageFull = true; });
  await drop(page, ['q5.txt']);
  await uploadedIds(page, 5);
  await page.waitForFunction(() => document.getElementById('tabs').attachmentIds.length === 5);
  assert.equal(told().length, 2, warnings.join('\n'));
  assert.deepEqual(problems, []);
  await context.close();
});
