// The demo page under real offline emulation (Playwright's
// `context.setOffline`, which sets `navigator.onLine`, fires the window's
// events and fails every request): a file added offline sends nothing,
// says it waits for the network, and uploads once the browser is back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serverAndBrowser, dropFiles } from './support.mjs';

const env = serverAndBrowser();

test('a file added offline sends nothing and uploads once back online', async () => {
  const context = await env.browser.newContext({ locale: 'en-US' });
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (err) => problems.push(String(err)));
  await page.goto(env.server.url);
  await page.locator('[data-ta=dropzone]').waitFor();
  // Every upload the page tries, sent or failed.
  const uploads = [];
  page.on('request', (r) => { if (r.method() === 'POST') uploads.push(r.url()); });

  await context.setOffline(true);
  await page.waitForFunction(() => navigator.onLine === false);
  await dropFiles(page, '[data-ta=dropzone]', [
    { name: 'offline.txt', type: 'text/plain', bytes: Buffer.from('written offline') },
  ]);
  const row = page.locator('[data-ta=row]', { hasText: 'offline.txt' });
  await row.locator('[data-ta=status]', { hasText: 'Waiting for the network' }).waitFor();
  await page.locator('[data-ta=summary]', { hasText: 'Offline: uploads will resume' }).waitFor();
  assert.equal(await row.getAttribute('data-state'), 'queued');
  assert.deepEqual(uploads, []);

  await context.setOffline(false);
  await row.and(page.locator('[data-state=done]')).waitFor({ timeout: 20_000 });
  assert.equal(uploads.length, 1, uploads.join('\n'));
  assert.equal(await page.locator('[data-ta=summary]', { hasText: 'Offline' }).count(), 0);
  assert.deepEqual(problems, []);
  await context.close();
});
