// Shared by the end-to-end tests: the reference server with the built demo,
// Debian's Chromium driven by playwright-core, and test images.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { before, after } from 'node:test';
import { chromium } from 'playwright-core';

export const TOKEN = 'dev-token';
export const ORG = 'dev-org';

export function required(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the end-to-end tests with \`cargo xtask test\``);
  return value;
}

/** The policy the package promises to work under (issue 6), sent as a header. */
export const STRICT_CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'";

/**
 * Starts the reference server on a free port serving `staticDir` (the built
 * demo by default), with `csp` as a Content-Security-Policy header on it,
 * keeping its data in a new directory under `dataRoot`.
 */
export async function startServer(extraArgs = [], { staticDir, csp, dataRoot } = {}) {
  const dataDir = mkdtempSync(join(dataRoot ?? tmpdir(), 'ta-e2e-'));
  const child = spawn(required('TA_SERVER_BIN'), [
    '--listen', '127.0.0.1:0',
    '--data-dir', dataDir,
    '--static-dir', staticDir ?? required('TA_DIST_DIR'),
    // As `cargo xtask demo` runs it: the page's fault switch uses /faulty.
    '--faulty-mirror-rate', '0.3', '--fault-seed', '7',
    ...(csp ? ['--static-csp', csp] : []),
    ...extraArgs,
  ], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stderr.on('data', (d) => { log += d; });
  const url = await new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`server did not start in 30 s:\n${out}${log}`)), 30_000);
    child.stdout.on('data', (d) => {
      out += d;
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) { clearTimeout(timer); resolve(m[1]); }
    });
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`server exited with ${code}:\n${out}${log}`)); });
  });
  return {
    url,
    log: () => log,
    async stop() {
      child.kill('SIGTERM');
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * A reference server (`startServer`'s arguments) and a browser for one test
 * file: started before its first test, stopped after its last. Read them as
 * `env.server` and `env.browser` inside the tests.
 */
export function serverAndBrowser(extraArgs = [], serverOptions = {}) {
  const env = { server: null, browser: null };
  before(async () => {
    env.server = await startServer(extraArgs, serverOptions);
    env.browser = await launchBrowser();
  });
  after(async () => {
    await env.browser?.close();
    await env.server?.stop();
  });
  return env;
}

/** Debian's Chromium, headless, with the flags this machine needs. */
export async function launchBrowser(extraArgs = []) {
  const args = [
    ...extraArgs,
    '--disable-gpu', '--disable-background-networking', '--disable-component-update',
    '--disable-sync', '--no-first-run', '--disable-quic', '--disable-dev-shm-usage',
  ];
  if (process.getuid && process.getuid() === 0) args.push('--no-sandbox');
  return chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', headless: true, args });
}

function crc32(buf) {
  let c, crc = 0xffffffff;
  for (let n = 0; n < buf.length; n++) {
    c = (crc ^ buf[n]) & 0xff;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    crc = (crc >>> 8) ^ c;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const len = Buffer.alloc(4); len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4); crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}

/** A real RGB PNG of the given size with a diagonal gradient. */
export function makePng(width, height) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0); ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; ihdr[9] = 2; // 8-bit RGB
  const rows = [];
  for (let y = 0; y < height; y++) {
    const row = Buffer.alloc(1 + width * 3);
    for (let x = 0; x < width; x++) {
      row[1 + x * 3] = (x * 255 / width) | 0;
      row[2 + x * 3] = (y * 255 / height) | 0;
      row[3 + x * 3] = 160;
    }
    rows.push(row);
  }
  return Buffer.concat([
    Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(Buffer.concat(rows))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** Drops files (name, mime, bytes) onto `selector` through a real DataTransfer. */
export async function dropFiles(page, selector, files) {
  const transfer = await page.evaluateHandle((specs) => {
    const dt = new DataTransfer();
    for (const { name, type, bytes } of specs) {
      dt.items.add(new File([new Uint8Array(bytes)], name, { type }));
    }
    return dt;
  }, files.map((f) => ({ name: f.name, type: f.type, bytes: [...f.bytes] })));
  await page.locator(selector).dispatchEvent('drop', { dataTransfer: transfer });
  await transfer.dispose();
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/**
 * Runs axe-core on the page and returns its serious and critical violations
 * (rule id, impact, and the offending nodes). Evaluated through the
 * devtools protocol, so the page's strict CSP does not block it.
 */
export async function seriousA11yViolations(page) {
  const result = await page.evaluate(async (source) => {
    if (!globalThis.axe) (0, eval)(source);
    const { violations } = await globalThis.axe.run(document, { resultTypes: ['violations'] });
    return violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.map((n) => n.target.join(' ')) }));
  }, axeSource);
  return result.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

/**
 * Collects what must not happen on a page: console errors (Chromium reports
 * CSP refusals there) and uncaught exceptions.
 */
export function watchProblems(page) {
  const problems = [];
  page.on('console', (msg) => {
    // The browser's own favicon probe is not the page's problem.
    if (msg.type() === 'error' && !msg.location().url?.endsWith('/favicon.ico')) {
      problems.push(`console: ${msg.text()} (${msg.location().url})`);
    }
  });
  page.on('pageerror', (err) => problems.push(`page: ${err}`));
  return problems;
}

/** Saves a screenshot of `page` as `<name>.png` for a person to look at; returns its path. */
export async function saveScreenshot(page, name) {
  const dir = process.env.TA_SCREENSHOT_DIR;
  if (!dir) return null;
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}
