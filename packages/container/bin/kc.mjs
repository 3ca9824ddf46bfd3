#!/usr/bin/env node
// The kc CLI without its startup snapshot (bin/kc runs this when there is no
// usable dist/snapshot/kc.blob): dist/cli/kc.js, one bundle whose commands
// are chunks loaded on use (see tsup.config.ts), or the sources (entry.mjs).
import { runEntry } from './entry.mjs';

await runEntry('../dist/cli/kc.js', '../src/cli/run.ts');
