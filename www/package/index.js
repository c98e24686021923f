// tracker-attachments: load the WebAssembly module once and register the
// <tracker-attachments> element. Importing this file has no side effect;
// `await init()` does the work.
import loadWasm, { defineTrackerAttachments, mount as mountWidget } from './tracker_attachments.js';

let loading = null;
let ready = false;

/**
 * Loads the wasm (from next to this file unless `wasm` says where) and
 * defines <tracker-attachments>. Safe to call many times.
 */
export function init(wasm) {
  if (loading === null) {
    const source = wasm === undefined ? undefined : { module_or_path: wasm };
    loading = loadWasm(source).then(() => {
      defineTrackerAttachments();
      ready = true;
    });
    // A failed load may be retried (e.g. after the network came back).
    loading.catch(() => {
      loading = null;
    });
  }
  return loading;
}

/** Mounts the widget into `element`'s shadow root; call after `await init()`. */
export function mount(element, options = {}) {
  if (!ready) {
    throw new Error('tracker-attachments: call `await init()` before mount()');
  }
  return mountWidget(element, options);
}

export default init;
