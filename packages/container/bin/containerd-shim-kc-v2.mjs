#!/usr/bin/env node
// The shim's Node entry (bin/containerd-shim-kc-v2 runs it; `start` re-runs
// it as the serving daemon): dist/shim/containerd-shim-kc-v2.js, one bundle,
// or the sources (entry.mjs).
import { runEntry } from './entry.mjs';

await runEntry('../dist/shim/containerd-shim-kc-v2.js', '../src/shim/run.ts');
