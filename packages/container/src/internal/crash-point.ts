/**
 * TEST-ONLY process-level fault injection (issue #19): with
 * `KC_TEST_CRASH_AT=<stage>[,<stage>...]` in the environment, the kc process
 * (the CLI, or any Node program using this package) sends itself SIGKILL when
 * it reaches that stage, as an engine's timeout, the OOM killer or a node
 * reboot would kill it. The crash tests then check that `kc delete -f ID`
 * removes everything that was left. Never set it outside tests.
 *
 * Stages (one place each, in the order they are reached):
 * - create: `create:reserved` (record + lock in place), `create:cgroup`
 *   (cgroup made, before the spawn), `create:spawned` (held process exists,
 *   recorded), `create:hooks` (prestart/createRuntime/createContainer hooks
 *   ran), `create:saved` (final record written, before the hand-off),
 *   `create:handoff` (hand-off sent: create is complete);
 * - start: `start:locked`, `start:released` (user program released, before
 *   the poststart hooks);
 * - exec: `exec:spawned`;
 * - delete: `delete:locked`, `delete:killed` (processes gone), `delete:cgroup`
 *   (cgroup removed, record still there);
 * - checkpoint: `checkpoint:locked`, `checkpoint:dumped`;
 * - restore: `restore:reserved`, `restore:cgroup`, `restore:restored` (tree
 *   restored and recorded, before it moves into its cgroup).
 * - update: `update:locked`, `update:written` (cgroup written, record not
 *   yet), `update:saved` (record written).
 */

/** Every stage name {@link crashPoint} is called with, for tests and docs. */
export const CRASH_STAGES = [
  'create:reserved',
  'create:cgroup',
  'create:spawned',
  'create:hooks',
  'create:saved',
  'create:handoff',
  'start:locked',
  'start:released',
  'exec:spawned',
  'delete:locked',
  'delete:killed',
  'delete:cgroup',
  'checkpoint:locked',
  'checkpoint:dumped',
  'restore:reserved',
  'restore:cgroup',
  'restore:restored',
  'update:locked',
  'update:written',
  'update:saved',
] as const;

/** A stage name of {@link CRASH_STAGES}. */
export type CrashStage = (typeof CRASH_STAGES)[number];

/** SIGKILLs this process when `KC_TEST_CRASH_AT` names `stage` (test-only; see the file comment). */
export function crashPoint(stage: CrashStage): void {
  const want = process.env.KC_TEST_CRASH_AT;
  if (want?.split(',').includes(stage)) process.kill(process.pid, 'SIGKILL');
}
