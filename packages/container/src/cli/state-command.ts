/**
 * `kc state ID`: the OCI state of one container, read from its record (and,
 * for `paused`, its cgroup's freezer). Engines call it after every other
 * command, so it loads only the state store, the status rules and the cgroup
 * handle: bin/kc starts it from a small bundle of its own (dist/cli-state/kc-state.cjs)
 * rather than the whole CLI's.
 */
import { openRecordCgroup } from '../lifecycle/record-cgroup.js';
import { containerStatus, ociState } from '../lifecycle/status.js';
import { StateStore } from '../state/state-store.js';
import { oneId, parseArgs } from './args.js';
import type { Globals } from './args.js';
import { printJson } from './output.js';

/** `kc state ID`: prints runc's state JSON (with `rootfs`, `created`, `owner`). */
export async function stateCommand(argv: string[], g: Globals): Promise<number> {
  const p = parseArgs(argv, []);
  const store = new StateStore(g.root);
  const record = store.load(oneId(p.positionals, 'state'));
  const status = containerStatus(record, store.fifoPath(record.id), () => openRecordCgroup(record)?.frozen ?? false);
  printJson({ ...ociState(record, status), rootfs: record.rootfs, created: record.created, owner: '' });
  return 0;
}
