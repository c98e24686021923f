// Loads the demo's wasm. An external module rather than Trunk's inline
// loader, so that the page's CSP can forbid inline scripts.
import init from './demo.js';

const wasm = await init({ module_or_path: new URL('./demo_bg.wasm', import.meta.url) });
// The benchmark reads the size of WebAssembly memory through this.
globalThis.trackerAttachmentsDemo = { memory: wasm.memory };
