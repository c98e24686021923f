// Benchmark (issue 6, "Size"): the gzip size (zlib level 9, each file on its
// own) of our package's wasm + JS + CSS next to the peers', measured from
// their npm packages in the same run:
//   - FilePond: dist/filepond.min.js + dist/filepond.min.css
//   - Uppy core + Dashboard + XHR upload (the peer with our feature set):
//     bundled and minified here by esbuild into one ES module, plus the
//     core and Dashboard style sheets
//   - Dropzone: dist/dropzone-min.js + dist/dropzone.css
// The peers and esbuild are installed (pinned versions, below) into
// --peers-dir, outside www/package.json; the first run needs the npm
// registry, later runs reuse the directory.
//
//   node bench/size.mjs --ours ../dist --peers-dir ../target/size-peers \
//     [--label 'demo dist/'] [--exclude boot.js,demo.css]
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { measureDir, measureFiles, table } from './size-measure.mjs';

const PEERS = {
  filepond: '4.32.12',
  dropzone: '6.3.5',
  '@uppy/core': '6.3.1',
  '@uppy/dashboard': '6.0.3',
  '@uppy/xhr-upload': '6.0.0',
  esbuild: '0.28.2',
};

const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : fallback;
};
const ours = opt('--ours');
if (!ours) {
  console.error('usage: node bench/size.mjs --ours DIR [--label TEXT] [--exclude a,b] [--peers-dir DIR]');
  process.exit(2);
}
const label = opt('--label', ours);
const exclude = opt('--exclude', '').split(',').filter(Boolean);
const peersDir = resolve(opt('--peers-dir', '../target/size-peers'));

function installPeers() {
  const wanted = Object.entries(PEERS).map(([name, version]) => `${name}@${version}`);
  const have = (name, version) => {
    const manifest = join(peersDir, 'node_modules', name, 'package.json');
    return existsSync(manifest) && JSON.parse(readFileSync(manifest, 'utf8')).version === version;
  };
  if (Object.entries(PEERS).every(([name, version]) => have(name, version))) return;
  mkdirSync(peersDir, { recursive: true });
  writeFileSync(join(peersDir, 'package.json'), '{"private": true}\n');
  console.log(`installing ${wanted.join(' ')} into ${peersDir}`);
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--no-save', '--loglevel=error', ...wanted], {
    cwd: peersDir,
    stdio: 'inherit',
  });
}

const peerFile = (path) => readFileSync(join(peersDir, 'node_modules', path));

const esbuildOptions = {
  bundle: true,
  minify: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2020',
  legalComments: 'none',
  define: { 'process.env.NODE_ENV': '"production"' },
  write: false,
  logLevel: 'error',
};
const loadEsbuild = () => import(pathToFileURL(join(peersDir, 'node_modules/esbuild/lib/main.js')).href);

/**
 * Our package's JS as a user's bundler ships it, and as Uppy's is measured
 * here: the entry module with the wasm-bindgen glue and the element's
 * class bundled and minified by esbuild into one module. The wasm file is
 * loaded by URL and stays outside.
 */
async function ourBundle(dir) {
  const esbuild = await loadEsbuild();
  const result = await esbuild.build({ ...esbuildOptions, entryPoints: [join(dir, 'index.js')] });
  return result.outputFiles[0].contents;
}

async function uppyBundle() {
  const esbuild = await loadEsbuild();
  // Exported, so that nothing is shaken out: a page that uses the three
  // plugins loads all of this.
  const entry = [
    "export { default as Uppy } from '@uppy/core';",
    "export { default as Dashboard } from '@uppy/dashboard';",
    "export { default as XHRUpload } from '@uppy/xhr-upload';",
  ].join('\n');
  const result = await esbuild.build({
    ...esbuildOptions,
    stdin: { contents: entry, resolveDir: peersDir, loader: 'js' },
  });
  return result.outputFiles[0].contents;
}

installPeers();
const version = (name) => PEERS[name];
const shipped = measureDir(resolve(ours), { exclude });
const rows = [
  { name: `tracker-attachments (${label})`, size: shipped },
  {
    name: 'tracker-attachments, JS bundled and minified as Uppy\'s',
    size: measureFiles([
      ...shipped.wasm.files.map((path) => ({ path, kind: 'wasm', bytes: readFileSync(join(resolve(ours), path)) })),
      ...shipped.css.files.map((path) => ({ path, kind: 'css', bytes: readFileSync(join(resolve(ours), path)) })),
      { path: 'bundle.min.js', kind: 'js', bytes: await ourBundle(resolve(ours)) },
    ]),
  },
  {
    name: `FilePond ${version('filepond')}`,
    size: measureFiles([
      { path: 'filepond.min.js', kind: 'js', bytes: peerFile('filepond/dist/filepond.min.js') },
      { path: 'filepond.min.css', kind: 'css', bytes: peerFile('filepond/dist/filepond.min.css') },
    ]),
  },
  {
    name: `Uppy core ${version('@uppy/core')} + Dashboard ${version('@uppy/dashboard')} + XHR ${version('@uppy/xhr-upload')}`,
    size: measureFiles([
      { path: 'uppy.min.js', kind: 'js', bytes: await uppyBundle() },
      { path: 'core.min.css', kind: 'css', bytes: peerFile('@uppy/core/dist/style.min.css') },
      { path: 'dashboard.min.css', kind: 'css', bytes: peerFile('@uppy/dashboard/dist/style.min.css') },
    ]),
  },
  {
    name: `Dropzone ${version('dropzone')}`,
    size: measureFiles([
      { path: 'dropzone-min.js', kind: 'js', bytes: peerFile('dropzone/dist/dropzone-min.js') },
      { path: 'dropzone.css', kind: 'css', bytes: peerFile('dropzone/dist/dropzone.css') },
    ]),
  },
];

console.log(`gzip -9 bytes, each file on its own (ours: ${rows[0].size.total.files.join(', ')})`);
console.log(table(rows));
const [mine, mineBundled, , uppy] = rows;
const ratio = (row) => (row.size.total.gzip / uppy.size.total.gzip).toFixed(2);
console.log(`ours / Uppy core+Dashboard+XHR: ${ratio(mine)} as shipped, ${ratio(mineBundled)} with the JS `
  + 'bundled and minified alike (target: at most 1.00)');
