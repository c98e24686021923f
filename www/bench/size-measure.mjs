// The measuring half of bench/size.mjs, without network or tools, so that a
// unit test (e2e/size-measure.test.mjs) can check it.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { gzipSync } from 'node:zlib';

/** Bytes after gzip at zlib level 9 (no file name in the header). */
export function gzipSize(bytes) {
  return gzipSync(bytes, { level: 9 }).length;
}

export const KINDS = ['wasm', 'js', 'css'];

function kindOf(name) {
  if (name.endsWith('.wasm')) return 'wasm';
  if (name.endsWith('.js') || name.endsWith('.mjs')) return 'js';
  if (name.endsWith('.css')) return 'css';
  return null;
}

/** Every file under `dir`, as paths relative to it with `/` separators. */
function walk(dir, root = dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      return name === 'node_modules' ? [] : walk(path, root);
    }
    return [relative(root, path).split(sep).join('/')];
  });
}

/**
 * Sizes of the `.wasm`, `.js`/`.mjs` (snippets/ included) and `.css` files
 * under `dir`, except the relative paths in `exclude`: `{kind: {raw, gzip,
 * files}}` plus `total`. Each file is gzipped on its own, as a server sends
 * it.
 */
export function measureDir(dir, { exclude = [] } = {}) {
  const files = walk(dir)
    .filter((path) => !exclude.includes(path))
    .map((path) => ({ path, kind: kindOf(path) }))
    .filter((f) => f.kind)
    .map((f) => ({ ...f, bytes: readFileSync(join(dir, f.path)) }));
  return measureFiles(files);
}

/** `files`: `[{path, kind, bytes}]` (a Buffer or string each). */
export function measureFiles(files) {
  const result = { total: { raw: 0, gzip: 0, files: [] } };
  for (const kind of KINDS) result[kind] = { raw: 0, gzip: 0, files: [] };
  for (const { path, kind, bytes } of files) {
    const buffer = Buffer.from(bytes);
    for (const slot of [result[kind], result.total]) {
      slot.raw += buffer.length;
      slot.gzip += gzipSize(buffer);
      slot.files.push(path);
    }
  }
  return result;
}

const kb = (bytes) => (bytes / 1000).toFixed(1);

/** A plain-text table: one row per measured thing, gzip bytes and KB. */
export function table(rows) {
  const head = ['', 'wasm gz', 'js gz', 'css gz', 'total gz', 'total raw'];
  const body = rows.map(({ name, size }) => [
    name,
    ...KINDS.map((k) => (size[k].files.length ? String(size[k].gzip) : '-')),
    `${size.total.gzip} (${kb(size.total.gzip)} KB)`,
    String(size.total.raw),
  ]);
  const widths = head.map((_, i) => Math.max(...[head, ...body].map((r) => r[i].length)));
  return [head, ...body]
    .map((r) => r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  '))
    .join('\n');
}
