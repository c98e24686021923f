// The pages in www/examples, served with the package under the strict CSP
// header, each used the way its text says.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  serverAndBrowser, required, watchProblems, saveScreenshot, seriousA11yViolations,
  makePng, STRICT_CSP,
} from './support.mjs';

// The strict policy plus what image previews and thumbnails need (blob: URLs),
// as the package README recommends.
const EXAMPLES_CSP = `${STRICT_CSP}; img-src 'self' blob:`;

// www/ as the site root: the examples import ../pkg/index.js.
const env = serverAndBrowser([], { staticDir: required('TA_WWW_DIR'), csp: EXAMPLES_CSP });

async function open(path) {
  const page = await env.browser.newPage();
  const problems = watchProblems(page);
  await page.goto(`${env.server.url}/examples/${path}`);
  await page.locator('tracker-attachments [data-ta=dropzone]').first().waitFor({ timeout: 20_000 });
  return { page, problems };
}

const text = (name, body = `contents of ${name}`) => ({ name, mimeType: 'text/plain', buffer: Buffer.from(body) });

test('plain.html shows the kept ids and the events, and keeps them across a reload', async () => {
  const { page, problems } = await open('plain.html');
  await page.locator('#files [data-ta=file-input]').setInputFiles([text('notes.txt')]);
  const ids = page.locator('[data-example=ids]');
  await page.waitForFunction(() => /^\d+$/.test(document.querySelector('[data-example=ids]').textContent));
  const id = await ids.textContent();
  assert.equal(await page.locator('[data-example=last-event]').textContent(), 'upload-success notes.txt');

  await page.reload();
  await page.waitForFunction((want) => document.querySelector('[data-example=ids]').textContent === want, id);
  assert.deepEqual(await seriousA11yViolations(page), []);
  await saveScreenshot(page, 'example-plain');
  assert.deepEqual(problems, []);
  await page.close();
});

test('plain.html on a system in dark mode: the widget paints its own dark ground, readable', async () => {
  // The page itself stays light (plain.html sets no dark colours): the
  // widget's light text must not land on the page's white.
  const { page, problems } = await open('plain.html');
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.locator('#files [data-ta=file-input]').setInputFiles([text('dark-notes.txt')]);
  await page.locator('#files [data-ta=row][data-state=done]').waitFor();
  const ground = await page.locator('#files [data-ta=widget]')
    .evaluate((el) => getComputedStyle(el).backgroundColor);
  assert.equal(ground, 'rgb(29, 33, 41)');
  assert.deepEqual(await seriousA11yViolations(page), []);
  await saveScreenshot(page, 'example-plain-dark');
  assert.deepEqual(problems, []);
  await page.close();
});

test('form.html submits the kept ids with the form', async () => {
  const { page, problems } = await open('form.html');
  await page.locator('tracker-attachments [data-ta=file-input]').setInputFiles([text('a.log'), text('b.log')]);
  await page.waitForFunction(
    () => new FormData(document.querySelector('form')).getAll('attachmentIds').length === 2,
    null,
    { timeout: 20_000 },
  );
  const ids = await page.evaluate(() => document.querySelector('tracker-attachments').attachmentIds);
  await page.locator('[data-example=submit]').click();
  await page.waitForURL(/attachmentIds=/);
  const query = new URL(page.url()).searchParams;
  assert.deepEqual(query.getAll('attachmentIds').sort(), [...ids].sort());
  assert.equal(query.get('summary'), 'Crash on save');
  await page.waitForFunction(() => document.querySelector('[data-example=submitted]').textContent.includes(':'));
  assert.equal(await page.locator('[data-example=submitted]').textContent(), `Crash on save: ${ids.join(' ')}`);
  // The submitted files leave the widget so the next bug starts empty.
  await page.waitForFunction(() => document.querySelector('tracker-attachments').attachmentIds.length === 0);
  assert.deepEqual(problems, []);
  await page.close();
});

test('two-widgets.html keeps two separate lists with their own restrictions', async () => {
  const { page, problems } = await open('two-widgets.html');
  await page.locator('#screenshots [data-ta=file-input]').setInputFiles([
    { name: 'shot.png', mimeType: 'image/png', buffer: makePng(64, 32) },
    text('wrong.txt'),
  ]);
  await page.locator('#logs [data-ta=file-input]').setInputFiles([text('app.log'), text('db.log')]);
  await page.waitForFunction(() => {
    const count = (id) => document.getElementById(id).attachmentIds.length;
    return count('screenshots') === 1 && count('logs') === 2;
  }, null, { timeout: 20_000 });
  const shots = (await page.locator('[data-example=screenshots-ids]').textContent()).split(' ');
  const logs = (await page.locator('[data-example=logs-ids]').textContent()).split(' ');
  assert.equal(shots.length, 1);
  assert.equal(logs.length, 2);
  assert.ok(shots.every((id) => !logs.includes(id)));
  // accept="image/*" refused the text file in the first widget only.
  assert.equal(await page.locator('#screenshots [data-ta=row][data-state=refused]').count(), 1);
  assert.equal(await page.locator('#logs [data-ta=row][data-state=refused]').count(), 0);
  await saveScreenshot(page, 'example-two-widgets');
  assert.deepEqual(problems, []);
  await page.close();
});

test('dark.html themes the widget through custom properties', async () => {
  const { page, problems } = await open('dark.html');
  const accent = await page.evaluate(() => {
    const widget = document.querySelector('tracker-attachments').shadowRoot.querySelector('.ta-widget');
    return getComputedStyle(widget).getPropertyValue('--_ta-accent').trim();
  });
  assert.equal(accent, '#ffb86b');
  const background = await page.locator('tracker-attachments [data-ta=dropzone]')
    .evaluate((el) => getComputedStyle(el).backgroundColor);
  assert.equal(background, 'rgb(24, 28, 37)');
  assert.deepEqual(await seriousA11yViolations(page), []);
  await saveScreenshot(page, 'example-dark');
  assert.deepEqual(problems, []);
  await page.close();
});
