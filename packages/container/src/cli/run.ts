/** Entry point of the `kc` binary: runs {@link main} on process.argv and exits with its code. */
import { RUNNERS } from './commands.js';
import { main } from './main.js';

main(process.argv.slice(2), RUNNERS).then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`kc: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  },
);
