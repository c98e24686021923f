// Benchmark (issue 5): 10,000 small files dropped at once on the demo.
// Reports the time until every row is listed and the longest main-thread
// task (PerformanceObserver "longtask") meanwhile. The uploads themselves
// are not waited for.
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
  await page.locator('[data-ta=dropzone]').waitFor();
  const result = await page.evaluate(async (n) => {
    // The test's own work (making 10,000 File objects) is itself a long
    // task: do it first, let it end, and only then start observing.
    const dt = new DataTransfer();
    for (let i = 0; i < n; i++) dt.items.add(new File([`file ${i}`], `f${i}.txt`, { type: 'text/plain' }));
    await new Promise((r) => setTimeout(r, 100));
    const longest = { ms: 0 };
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) longest.ms = Math.max(longest.ms, entry.duration);
    }).observe({ type: 'longtask', buffered: false });
    const zone = document.querySelector('[data-ta=dropzone]');
    const t0 = performance.now();
    zone.dispatchEvent(new DragEvent('drop', { bubbles: true, cancelable: true, dataTransfer: dt }));
    while (document.querySelectorAll('[data-ta=row]').length < n) {
      await new Promise((r) => setTimeout(r, 50));
    }
    const listedMs = performance.now() - t0;
    // Let pending long tasks be reported.
    await new Promise((r) => setTimeout(r, 500));
    return { listedMs, longestTaskMs: longest.ms };
  }, count);
  console.log(`\n${count} files dropped at once on the demo\n`);
  console.log('| measure | value |');
  console.log('|---|---|');
  console.log(`| time until every row is listed | ${(result.listedMs / 1000).toFixed(2)} s |`);
  console.log(`| longest main-thread task meanwhile | ${result.longestTaskMs.toFixed(0)} ms |`);
  console.log(JSON.stringify({ files: count, ...result }));
} finally {
  await browser.close();
  await server.stop();
}
