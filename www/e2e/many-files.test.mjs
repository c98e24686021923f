// Smoke version of the 10,000-file benchmark (issue 5), on the package's
// element: 10,000 files dropped at once with a limit of 200 files. The drop
// must be listed in slices (no main-thread task anywhere near what listing
// 10,000 files in one go costs), the limit must hold across the slices, and
// every row must end in its final state: 200 uploaded, the rest refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serverAndBrowser, required, watchProblems } from './support.mjs';

const FILES = 10_000;
const LIMIT = 200;
// Listing 10,000 files in one task took 200 ms here; the slices take a
// fraction of that. Generous for a busy two-core machine, yet a regression
// to one big task breaks it.
const LONGEST_TASK_MS = 150;

const env = serverAndBrowser([], { staticDir: required('TA_WWW_DIR') });

test('10,000 files dropped at once: no long task, the limit holds, every row ends', { timeout: 120_000 }, async () => {
  const page = await env.browser.newPage();
  const problems = watchProblems(page);
  // The example registers the element; this test adds one of its own.
  await page.goto(`${env.server.url}/examples/plain.html`);
  await page.locator('#files [data-ta=dropzone]').waitFor({ timeout: 20_000 });
  const result = await page.evaluate(async ({ n, limit, longestMs }) => {
   const measure = async () => {
    const widget = document.createElement('tracker-attachments');
    for (const [name, value] of Object.entries({
      token: 'dev-token', 'org-id': 'dev-org', 'max-files': String(limit), persist: 'none',
    })) widget.setAttribute(name, value);
    document.body.append(widget);
    const root = () => widget.shadowRoot;
    while (!root()?.querySelector('[data-ta=dropzone]')) await new Promise((r) => setTimeout(r, 20));
    const zone = root().querySelector('[data-ta=dropzone]');
    const count = (selector) => root().querySelectorAll(selector).length;

    // Making the files is a long task of the test's own: before observing.
    const dt = new DataTransfer();
    for (let i = 0; i < n; i++) dt.items.add(new File([`file ${i}`], `f${i}.txt`, { type: 'text/plain' }));
    await new Promise((r) => setTimeout(r, 100));
    let longest = 0;
    const observer = new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) longest = Math.max(longest, entry.duration);
    });
    observer.observe({ type: 'longtask', buffered: false });

    zone.dispatchEvent(new DragEvent('drop', { bubbles: true, cancelable: true, dataTransfer: dt }));
    const final = '[data-ta=row]:is([data-state=done],[data-state=failed],[data-state=refused],[data-state=cancelled])';
    const deadline = performance.now() + 45_000;
    while ((count('[data-ta=row]') < n || count(final) < n) && performance.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
    }
    await new Promise((r) => setTimeout(r, 300));
    observer.disconnect();
    const rows = [...root().querySelectorAll('[data-ta=row]')];
    return {
      rows: rows.length,
      done: count('[data-ta=row][data-state=done]'),
      refused: count('[data-ta=row][data-state=refused]'),
      // The files within the limit are the first ones, in drop order.
      firstDone: rows.slice(0, limit).every((r) => r.dataset.state === 'done'),
      firstNames: rows.slice(0, 3).map((r) => r.querySelector('[data-ta=name]').textContent),
      longest,
      widget,
    };
   };
    const first = await measure();
    first.widget.remove();
    // A long task of the machine's own (a busy shared machine: 52-217 ms
    // here in ten runs, median 70) is not the drop's: the drop is measured
    // once more. Listing in one big task would be long both times.
    let again = null;
    if (first.longest >= longestMs) {
      const second = await measure();
      second.widget.remove();
      again = second.longest;
    }
    return { ...first, widget: undefined, again };
  }, { n: FILES, limit: LIMIT, longestMs: LONGEST_TASK_MS });

  console.log(`longest main-thread task: ${result.longest.toFixed(0)} ms`
    + (result.again === null ? '' : `, ${result.again.toFixed(0)} ms measured again`));
  assert.equal(result.rows, FILES);
  assert.equal(result.done, LIMIT);
  assert.equal(result.refused, FILES - LIMIT);
  assert.ok(result.firstDone, 'the first files dropped are the ones uploaded');
  assert.deepEqual(result.firstNames, ['f0.txt', 'f1.txt', 'f2.txt']);
  const longest = Math.min(result.longest, result.again ?? Infinity);
  assert.ok(longest < LONGEST_TASK_MS, `longest main-thread task ${result.longest.toFixed(0)} ms, then ${result.again?.toFixed(0)} ms`);
  assert.deepEqual(problems, []);
  await page.close();
});
