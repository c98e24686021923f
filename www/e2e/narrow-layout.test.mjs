// The demo's rows at phone widths (a list in a narrow sidebar is the same
// case: the widget asks its list's width, not the viewport's). In
// tracker-issue mode a finished row has two buttons, a failed one Retry and
// Remove, and the delete question takes a row's buttons' place: whatever the
// row shows, its file name and status stay readable and inside it, and no
// button leaves it. Wide, the buttons stay to the right of the name.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serverAndBrowser, dropFiles, saveScreenshot, watchProblems } from './support.mjs';

const env = serverAndBrowser();

const textFile = (name) => ({ name, type: 'text/plain', bytes: Buffer.from(`contents of ${name}`) });
const MIN_WIDTH = 80;

/**
 * The demo at `width` px in `locale`, in tracker-issue mode, with two
 * finished files and one failed: its upload is answered 404 here, as for an
 * issue that does not exist (a 4xx is not retried).
 */
async function openRows(width, locale) {
  const page = await env.browser.newPage({ viewport: { width, height: 900 } });
  const problems = watchProblems(page);
  await page.route('**/*', (route) => {
    const request = route.request();
    if (request.method() === 'POST' && request.postDataBuffer()?.includes('failing.txt')) {
      return route.fulfill({
        status: 404,
        contentType: 'application/json',
        body: JSON.stringify({ errors: {}, errorMessages: ['Issue DEMO-1 does not exist.'], statusCode: 404 }),
      });
    }
    return route.continue();
  });
  await page.goto(env.server.url);
  await page.locator('[data-ta=dropzone]').waitFor();
  await page.locator('[data-demo=locale]').selectOption(locale);
  await page.locator('[data-demo=mode]').selectOption('tracker-issue');
  await dropFiles(page, '[data-ta=dropzone]', [
    // No break in it: the delete question must still wrap inside the row.
    textFile('Quarterly_report_final_version_2026_November_revised.pdf'),
    textFile('screenshot-2026-11-23 at 10.15.42 of the login form.png'),
  ]);
  await page.waitForFunction(() => document.querySelectorAll('[data-ta=row][data-state=done]').length === 2);
  await dropFiles(page, '[data-ta=dropzone]', [textFile('failing.txt')]);
  await page.locator('[data-ta=row][data-state=failed]').waitFor({ timeout: 20_000 });
  return { page, problems };
}

/** Each row's boxes: the row, name, status, size (and its line count), buttons, question. */
function rowBoxes(page) {
  return page.locator('[data-ta=row]').evaluateAll((rows) => rows.map((row) => {
    const box = (el) => {
      if (!el) return null;
      const { left, right, top, bottom, width } = el.getBoundingClientRect();
      return { left, right, top, bottom, width, overflows: el.scrollWidth > el.clientWidth + 1 };
    };
    const size = row.querySelector('.ta-size');
    const range = document.createRange();
    range.selectNodeContents(size);
    return {
      state: row.dataset.state,
      name: row.querySelector('[data-ta=name]').textContent,
      row: box(row),
      nameBox: box(row.querySelector('[data-ta=name]')),
      status: box(row.querySelector('[data-ta=status]')),
      statusText: row.querySelector('[data-ta=status]').textContent,
      sizeLines: new Set([...range.getClientRects()].map((r) => Math.round(r.top))).size,
      sizeText: size.textContent,
      buttons: [...row.querySelectorAll('button')].map((b) => ({ text: b.textContent, ...box(b) })),
      question: box(row.querySelector('[data-ta=delete-question]')),
    };
  }));
}

const inside = (inner, outer) => inner.left >= outer.left - 0.5 && inner.right <= outer.right + 0.5;
const overlap = (a, b) => a.left < b.right - 0.5 && b.left < a.right - 0.5 && a.top < b.bottom - 0.5 && b.top < a.bottom - 0.5;

function assertReadable(rows, where) {
  for (const r of rows) {
    const at = `${where}, ${r.state} row ${r.name}`;
    for (const [what, b] of [['name', r.nameBox], ['status', r.status]]) {
      assert.ok(b.width >= MIN_WIDTH, `${at}: ${what} is ${Math.round(b.width)} px wide`);
      assert.ok(inside(b, r.row), `${at}: ${what} leaves the row`);
    }
    assert.ok(!r.status.overflows, `${at}: status "${r.statusText}" is cut`);
    assert.equal(r.sizeLines, 1, `${at}: size "${r.sizeText}" wraps`);
    for (const b of r.buttons) {
      assert.ok(inside(b, r.row), `${at}: button ${b.text} leaves the row`);
      assert.ok(!overlap(b, r.nameBox) && !overlap(b, r.status), `${at}: button ${b.text} covers the name or status`);
    }
    if (r.question) {
      assert.ok(inside(r.question, r.row), `${at}: the delete question leaves the row`);
      assert.ok(!r.question.overflows, `${at}: the delete question is cut`);
    }
  }
}

for (const width of [280, 320, 375]) {
  for (const locale of ['en', 'ru']) {
    test(`at ${width} px in ${locale}, every row shows its name and status`, async () => {
      const { page, problems } = await openRows(width, locale);
      const rows = await rowBoxes(page);
      assert.deepEqual(rows.map((r) => r.state), ['done', 'done', 'failed']);
      assertReadable(rows, `${width} px ${locale}`);
      // The widget's own content fits it (the demo's issue list below is the page's).
      const { scrollWidth, clientWidth } = await page.locator('[data-ta=widget]')
        .evaluate((el) => ({ scrollWidth: el.scrollWidth, clientWidth: el.clientWidth }));
      assert.ok(scrollWidth <= clientWidth, `the widget overflows: ${scrollWidth} > ${clientWidth}`);
      console.log(`screenshot: ${await saveScreenshot(page, `narrow-rows-${width}-${locale}`)}`);

      // The delete question in a row, and its Delete and Keep.
      await page.locator('[data-ta=row]').first().locator('[data-ta=delete-from-issue]').click();
      await page.locator('[data-ta=delete-question]').waitFor();
      assertReadable(await rowBoxes(page), `${width} px ${locale}, asking`);
      console.log(`screenshot: ${await saveScreenshot(page, `narrow-confirm-${width}-${locale}`)}`);

      assert.deepEqual(problems.filter((p) => !p.includes('404')), []);
      await page.close();
    });
  }
}

test('kept files at 280 px show their names', async () => {
  const page = await env.browser.newPage({ viewport: { width: 280, height: 900 } });
  await page.goto(env.server.url);
  await page.locator('[data-ta=dropzone]').waitFor();
  await page.locator('[data-demo=locale]').selectOption('ru');
  await dropFiles(page, '[data-ta=dropzone]', [textFile('отчёт-очень-длинное-имя-файла.txt'), textFile('a.txt')]);
  await page.waitForFunction(() => document.querySelectorAll('[data-ta=kept-item]').length === 2, null, { timeout: 20_000 });
  const items = await page.locator('[data-ta=kept-item]').evaluateAll((items) => items.map((item) => {
    const box = (el) => el.getBoundingClientRect().toJSON();
    return { item: box(item), name: box(item.querySelector('.ta-name')), button: box(item.querySelector('button')) };
  }));
  for (const { item, name, button } of items) {
    assert.ok(name.width >= MIN_WIDTH, `kept name is ${Math.round(name.width)} px wide`);
    assert.ok(inside(name, item) && inside(button, item), 'a kept item\'s name or button leaves it');
  }
  console.log(`screenshot: ${await saveScreenshot(page, 'narrow-kept-280-ru')}`);
  await page.close();
});

test('wide, the buttons stay on the name\'s line, to its right', async () => {
  const { page, problems } = await openRows(1000, 'ru');
  await page.locator('[data-ta=row]').first().locator('[data-ta=delete-from-issue]').click();
  await page.locator('[data-ta=delete-question]').waitFor();
  const rows = await rowBoxes(page);
  assertReadable(rows, '1000 px ru');
  for (const r of rows) {
    for (const b of r.buttons) {
      assert.ok(b.left >= r.nameBox.right, `${r.name}: button ${b.text} is not right of the name`);
    }
    // The buttons share a line, and it is the name's or the next (a
    // question above them), never under the status.
    const tops = new Set(r.buttons.map((b) => Math.round(b.top)));
    assert.equal(tops.size, 1, `${r.name}: buttons on ${tops.size} lines`);
    assert.ok(r.buttons[0].top < r.status.bottom, `${r.name}: buttons under the status`);
  }
  console.log(`screenshot: ${await saveScreenshot(page, 'narrow-wide-1000-ru')}`);
  assert.deepEqual(problems.filter((p) => !p.includes('404')), []);
  await page.close();
});
