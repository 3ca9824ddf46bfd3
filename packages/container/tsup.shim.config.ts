import { defineConfig } from 'tsup';
import { requireBanner, selfContained } from './tsup.shared.js';

// containerd-shim-kc-v2 (bin/containerd-shim-kc-v2): the shim v2 daemon as one
// bundle like the kc CLI's (every @kc/* package inside, from its sources, so a
// shim resolves no package at run time). A long-lived process: no snapshot.
// Its own config, run after the library build (package.json `build`); the
// library's clean leaves dist/shim/ alone.
export default defineConfig({
  entry: { 'containerd-shim-kc-v2': 'src/shim/run.ts' },
  outDir: 'dist/shim',
  ...selfContained,
  format: ['esm'],
  banner: requireBanner,
});
