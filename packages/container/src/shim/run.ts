// Entry of bin/containerd-shim-kc-v2 (bundled to dist/shim/containerd-shim-kc-v2.js, see tsup.config.ts).
import { main } from './main.js';

await main(process.argv.slice(2));
