import init from '../pkg/index.js';

await init();
