/**
 * Entry of dist/cli-state/kc-state.cjs, the `kc state` bundle (bin/kc runs it
 * for `state`). Engines call `state` after every other command (podman several
 * times per container), and it needs only the record and the status rules:
 * this bundle holds just those, so it starts faster than the whole CLI's
 * (a tenth of the code to read and take from the code cache). Same flags,
 * output and errors as main.ts.
 */
import { stateCommand } from './state-command.js';
import { main } from './main.js';

main(process.argv.slice(2), { state: stateCommand }).then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`kc: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  },
);
