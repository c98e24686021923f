// The measuring half of the size benchmark (bench/size-measure.mjs); the
// benchmark itself downloads the peers and runs only in `cargo xtask bench`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { gzipSize, measureDir, table } from '../bench/size-measure.mjs';

test('gzipSize is the length of a level-9 gzip that inflates back', () => {
  const text = Buffer.from('tracker-attachments '.repeat(500));
  const size = gzipSize(text);
  assert.equal(size, gzipSync(text, { level: 9 }).length);
  assert.ok(size < text.length / 10, `${size}`);
  assert.deepEqual(gunzipSync(gzipSync(text, { level: 9 })), text);
});

test('measureDir counts wasm, js with snippets, and css, and nothing else', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ta-size-'));
  try {
    const files = {
      'pkg_bg.wasm': Buffer.alloc(3000, 7),
      'pkg.js': 'export default 1;\n'.repeat(40),
      'snippets/tracker-attachments-0123/src/element/element.js': 'class A {}\n'.repeat(30),
      'style.css': '.ta { color: red }\n'.repeat(20),
      'pkg.d.ts': 'export {};\n',
      'package.json': '{}',
      'README.md': '# x',
      'boot.js': 'import "./pkg.js";',
    };
    for (const [path, body] of Object.entries(files)) {
      mkdirSync(join(dir, path, '..'), { recursive: true });
      writeFileSync(join(dir, path), body);
    }
    const size = measureDir(dir, { exclude: ['boot.js'] });
    assert.deepEqual(size.wasm.files, ['pkg_bg.wasm']);
    assert.deepEqual([...size.js.files].sort(), ['pkg.js', 'snippets/tracker-attachments-0123/src/element/element.js']);
    assert.deepEqual(size.css.files, ['style.css']);
    assert.equal(size.wasm.raw, 3000);
    assert.equal(size.js.raw, Buffer.byteLength(files['pkg.js']) + Buffer.byteLength(files['snippets/tracker-attachments-0123/src/element/element.js']));
    // Each file gzipped on its own, then summed.
    assert.equal(size.js.gzip, gzipSize(Buffer.from(files['pkg.js'])) + gzipSize(Buffer.from(files['snippets/tracker-attachments-0123/src/element/element.js'])));
    assert.equal(size.total.gzip, size.wasm.gzip + size.js.gzip + size.css.gzip);
    assert.equal(size.total.raw, size.wasm.raw + size.js.raw + size.css.raw);
    const shown = table([{ name: 'ours', size }]);
    assert.match(shown, new RegExp(`ours\\s+${size.wasm.gzip}\\s+${size.js.gzip}\\s+${size.css.gzip}\\s+${size.total.gzip} `));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
