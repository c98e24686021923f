// Takes what a drop carries, in one call from WebAssembly: read item by item
// from Rust, a drop of 10,000 files made some 60,000 calls across the
// boundary and a main-thread task three times as long as this loop.
// Duck-typed, so a browser without `webkitGetAsEntry` falls back to plain
// files and tests can hand in items of their own; it never throws.

// Calls `target[name]()`; a missing method, a throw, `null` or `undefined`
// give `null`.
function call(target, name) {
  try {
    const method = target[name];
    if (typeof method !== 'function') {
      return null;
    }
    return method.call(target) ?? null;
  } catch {
    return null;
  }
}

// Whether `value` is a `File` (or `FileList`) of any window: a drop on a
// widget in a same-origin iframe carries the iframe's, which fail
// `instanceof` here.
function isA(value, name) {
  return Object.prototype.toString.call(value) === `[object ${name}]`;
}

// `[files, folders]`: `File`s to list now and directory entries to walk.
// Items of kind `file` that are folders become entries; strings (text and
// link drags) are skipped. Without items that give either, the transfer's
// `files` list.
export function takeDrop(transfer) {
  const files = [];
  const folders = [];
  try {
    const items = transfer.items;
    const count = items ? Number(items.length) : 0;
    const length = Number.isFinite(count) ? Math.min(Math.max(count, 0), 2 ** 32 - 1) : 0;
    for (let i = 0; i < length; i++) {
      const item = items[i];
      if (item === null || typeof item !== 'object' || item.kind !== 'file') {
        continue;
      }
      const entry = call(item, 'webkitGetAsEntry');
      if (entry !== null && entry.isDirectory) {
        folders.push(entry);
        continue;
      }
      const file = call(item, 'getAsFile');
      if (isA(file, 'File')) {
        files.push(file);
      }
    }
    if (files.length === 0 && folders.length === 0 && isA(transfer.files, 'FileList')) {
      // One by one: a spread of 100,000 or more arguments throws.
      for (const file of transfer.files) {
        files.push(file);
      }
    }
  } catch {
    // A getter that throws ends the reading; what was taken stays.
  }
  return [files, folders];
}
