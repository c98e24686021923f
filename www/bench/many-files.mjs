// Benchmark (issue 5): 10,000 small files dropped at once on the demo.
// Reports the time until every row is listed, the time until every file
// has reached its final state (uploaded, failed, refused or cancelled), and
// the longest main-thread task (PerformanceObserver "longtask") during the
// listing and during the uploads.
//
//   TA_SERVER_BIN=… TA_DIST_DIR=… node bench/many-files.mjs --files 10000
import { startServer, launchBrowser } from '../e2e/support.mjs';

const args = process.argv.slice(2);
const count = Number(args[args.indexOf('--files') + 1] || 10000);

const server = await startServer();
const browser = await launchBrowser();
try {
  const page = await browser.newPage();
  await page.goto(server.url);
  // The first drop zone of the demo, whatever else the page shows.
  await page.locator('[data-ta=dropzone]').first().waitFor();
  const result = await page.evaluate(async (n) => {
    // The test's own work (making 10,000 File objects) is itself a long
    // task: do it first, let it end, and only then start observing.
    const dt = new DataTransfer();
    for (let i = 0; i < n; i++) dt.items.add(new File([`file ${i}`], `f${i}.txt`, { type: 'text/plain' }));
    // The listing window opens here, before the task that drops (which
    // begins before `t0` is read inside it) and after the one above.
    const observing = performance.now();
    await new Promise((r) => setTimeout(r, 100));
    const tasks = [];
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) tasks.push({ start: entry.startTime, ms: entry.duration });
    }).observe({ type: 'longtask', buffered: false });
    const zone = document.querySelector('[data-ta=dropzone]');
    const list = zone.closest('[data-ta=widget]') || document;
    const rows = () => list.querySelectorAll('[data-ta=row]');
    const final = ':is([data-state=done],[data-state=failed],[data-state=refused],[data-state=cancelled])';
    const t0 = performance.now();
    zone.dispatchEvent(new DragEvent('drop', { bubbles: true, cancelable: true, dataTransfer: dt }));
    while (rows().length < n) {
      await new Promise((r) => setTimeout(r, 50));
    }
    const listedAt = performance.now();
    // Polled less often: counting 10,000 rows is work on the page too.
    const deadline = t0 + 600_000;
    while (list.querySelectorAll(`[data-ta=row]${final}`).length < n && performance.now() < deadline) {
      await new Promise((r) => setTimeout(r, 250));
    }
    const doneAt = performance.now();
    // Let pending long tasks be reported.
    await new Promise((r) => setTimeout(r, 500));
    const states = {};
    for (const row of rows()) states[row.dataset.state] = (states[row.dataset.state] || 0) + 1;
    const longest = (from, to) =>
      tasks.filter((t) => t.start >= from && t.start < to).reduce((m, t) => Math.max(m, t.ms), 0);
    return {
      listedMs: listedAt - t0,
      doneMs: doneAt - t0,
      allFinal: doneAt < deadline,
      longestTaskMs: longest(observing, listedAt),
      longestUploadTaskMs: longest(listedAt, doneAt + 500),
      longTasks: tasks.length,
      states,
    };
  }, count);
  console.log(`\n${count} files dropped at once on the demo\n`);
  console.log('| measure | value |');
  console.log('|---|---|');
  console.log(`| time until every row is listed | ${(result.listedMs / 1000).toFixed(2)} s |`);
  console.log(`| longest main-thread task meanwhile | ${result.longestTaskMs.toFixed(0)} ms |`);
  console.log(`| time until every file is done | ${(result.doneMs / 1000).toFixed(2)} s |`);
  console.log(`| longest main-thread task after listing | ${result.longestUploadTaskMs.toFixed(0)} ms |`);
  console.log(JSON.stringify({ files: count, ...result }));
  if (!result.allFinal) {
    console.error('not every file reached a final state within 600 s');
    process.exitCode = 1;
  }
} finally {
  await browser.close();
  await server.stop();
}
