// The demo page served by the reference server: a PNG dropped on the zone is
// uploaded as a Tracker temporary attachment, its id is kept, and the
// server's thumbnail loads through a blob: URL under the page's strict CSP.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  serverAndBrowser, makePng, dropFiles, seriousA11yViolations, saveScreenshot, TOKEN, ORG,
} from './support.mjs';

const env = serverAndBrowser();

test('a dropped PNG is uploaded and shows its server thumbnail', async () => {
  const page = await env.browser.newPage();
  const problems = [];
  page.on('console', (msg) => { if (msg.type() === 'error') problems.push(msg.text()); });
  page.on('pageerror', (err) => problems.push(String(err)));

  await page.goto(env.server.url);
  await page.locator('[data-ta=dropzone]').waitFor();
  assert.deepEqual(await seriousA11yViolations(page), [], 'empty widget');

  await dropFiles(page, '[data-ta=dropzone]', [
    { name: 'screenshot 1.png', type: 'image/png', bytes: makePng(640, 320) },
  ]);

  const row = page.locator('[data-ta=row]');
  await row.and(page.locator('[data-state=done]')).waitFor({ timeout: 20_000 });
  const id = await row.getAttribute('data-attachment-id');
  assert.match(id, /^\d+$/);
  assert.equal(await row.locator('[data-ta=name]').textContent(), 'screenshot 1.png');
  assert.deepEqual(await page.locator('[data-ta=kept-id]').allTextContents(), [id]);

  // The thumbnail: a blob: URL holding the server's 256x128 rendering.
  const img = row.locator('img[data-ta=thumbnail]');
  await img.waitFor({ timeout: 20_000 });
  await page.waitForFunction(
    (el) => el.complete && el.naturalWidth > 0,
    await img.elementHandle(),
    { timeout: 10_000 },
  );
  const shown = await img.evaluate((el) => ({ src: el.src, w: el.naturalWidth, h: el.naturalHeight }));
  assert.match(shown.src, /^blob:/);
  assert.deepEqual([shown.w, shown.h], [256, 128]);

  // The server really stored it as a temporary attachment under that id.
  const res = await fetch(`${env.server.url}/v2/attachments/${id}`, {
    headers: { Authorization: `OAuth ${TOKEN}`, 'X-Org-ID': ORG },
  });
  assert.equal(res.status, 200);
  const meta = await res.json();
  assert.equal(meta.name, 'screenshot 1.png');
  assert.equal(meta.mimetype, 'image/png');

  assert.deepEqual(await seriousA11yViolations(page), [], 'after an upload');

  // No token in browser storage, and no CSP or script errors on the page.
  const stored = await page.evaluate(() => JSON.stringify({ ...sessionStorage, ...localStorage }));
  assert.ok(!stored.includes(TOKEN), stored);
  assert.deepEqual(problems, []);

  await saveScreenshot(page, 'demo-light-uploaded');

  // A reload keeps the kept list (sessionStorage, ids and metadata only).
  await page.reload();
  await page.locator('[data-ta=kept-id]').first().waitFor();
  assert.deepEqual(await page.locator('[data-ta=kept-id]').allTextContents(), [id]);

  // Attach to DEMO-1 from the widget: the list empties and the issue has it.
  await page.locator('[data-ta=attach-button]').click();
  await page.locator('[data-ta=attach-status]', { hasText: '1 file attached to DEMO-1' }).waitFor();
  assert.equal(await page.locator('[data-ta=kept-id]').count(), 0);
  const issue = await fetch(`${env.server.url}/v2/issues/DEMO-1/attachments`, {
    headers: { Authorization: `OAuth ${TOKEN}`, 'X-Org-ID': ORG },
  });
  const attached = await issue.json();
  assert.ok(attached.some((a) => a.id === id && a.name === 'screenshot 1.png'), JSON.stringify(attached));
  // The page's own list of the issue's attachments shows it too.
  await page.locator('[data-demo=issue-attachments] li', { hasText: 'screenshot 1.png' }).waitFor();
  // Once attached, the temporary id cannot be attached again. `reload`
  // returns before boot.js has mounted the widget, when no list at all
  // would count 0 too: the kept section comes first, drawn in the same
  // mount as its items (the list is read from storage before that), and
  // hidden only because the list is empty.
  await page.reload();
  const kept = page.locator('[data-ta=kept]');
  await kept.waitFor({ state: 'attached' });
  assert.ok(await kept.isHidden(), 'the kept section is hidden when empty');
  assert.equal(await page.locator('[data-ta=kept-id]').count(), 0);
  assert.deepEqual(problems, []);
  await page.close();
});
