/** Entry point of the `kc` binary: runs {@link main} on process.argv and exits with its code. */
import { main } from './main.js';

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`kc: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  },
);
