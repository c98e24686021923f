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

// Handles of mounted widgets. The handle owns its widget, and wasm-bindgen
// frees a handle that is garbage-collected: without this set, a page that
// calls mount() without keeping the result would lose the widget at some
// later collection. A handle leaves it on unmount() or free().
const mounted = new Set();

/** Mounts the widget into `element`'s shadow root; call after `await init()`. */
export function mount(element, options = {}) {
  if (!ready) {
    throw new Error('tracker-attachments: call `await init()` before mount()');
  }
  // An element of a same-origin iframe is its own window's HTMLElement.
  const realm = element?.ownerDocument?.defaultView;
  if (!(element instanceof HTMLElement) && !(realm && element instanceof realm.HTMLElement)) {
    throw new TypeError('tracker-attachments: mount() needs an HTMLElement to mount into');
  }
  const handle = mountWidget(element, options);
  mounted.add(handle);
  const unmount = handle.unmount.bind(handle);
  const free = handle.free.bind(handle);
  let freed = false;
  handle.unmount = () => {
    mounted.delete(handle);
    if (!freed) unmount();
  };
  handle.free = () => {
    mounted.delete(handle);
    if (freed) return;
    freed = true;
    free();
    refuseUse(handle);
  };
  if (Symbol.dispose) handle[Symbol.dispose] = handle.free;
  return handle;
}

// A freed handle's methods and properties would reach freed wasm memory
// (wasm-bindgen throws "null pointer passed to rust"): they throw an error
// that says what happened instead. unmount() and free() stay harmless.
function refuseUse(handle) {
  const refuse = () => {
    throw new Error('tracker-attachments: this mount() handle was freed; mount() again for a new one');
  };
  const proto = Object.getPrototypeOf(handle);
  for (const name of Object.getOwnPropertyNames(proto)) {
    if (name === 'constructor' || name === 'free' || name === 'unmount') continue;
    const { get, set, value } = Object.getOwnPropertyDescriptor(proto, name);
    if (get || set) {
      Object.defineProperty(handle, name, { get: refuse, set: refuse, configurable: true });
    } else if (typeof value === 'function') {
      handle[name] = refuse;
    }
  }
}

export default init;
