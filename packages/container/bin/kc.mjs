#!/usr/bin/env node
// The kc CLI as ES modules (bin/kc runs this with KC_ESM=1 or when
// dist/cli-cjs is not built): dist/cli/kc.js, one bundle whose commands are
// chunks loaded on use (see tsup.config.ts), or the sources (entry.mjs).
import { runEntry } from './entry.mjs';

await runEntry('../dist/cli/kc.js', '../src/cli/run.ts');
