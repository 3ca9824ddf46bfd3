import { existsSync } from 'node:fs';
import type { OciState, OciStatus } from '../oci/types.js';
import type { ContainerRecord } from '../state/container-record.js';
import { sameProcessAlive } from '../state/state-store.js';

/**
 * The container's status as runc derives it: creating while the record
 * says create has not finished (see CreateStage), stopped when its first process
 * is gone (or the pid was reused), created while the exec fifo still exists,
 * paused while the freezer holds it, else running.
 */
export function containerStatus(record: ContainerRecord, fifoPath: string, isFrozen: () => boolean): OciStatus {
  // A create that has not finished (or never will: its kc died) says so, whatever its process does.
  if (record.stage !== undefined || record.pid === 0) return 'creating';
  if (!sameProcessAlive(record.pid, record.pidStartTime)) return 'stopped';
  if (!record.started && existsSync(fifoPath)) return 'created';
  if (isFrozen()) return 'paused';
  return 'running';
}

/** The OCI state JSON of a record (runtime.md "State"). */
export function ociState(record: ContainerRecord, status: OciStatus): OciState {
  const state: OciState = {
    ociVersion: record.ociVersion,
    id: record.id,
    status,
    pid: status === 'stopped' ? 0 : record.pid,
    bundle: record.bundle,
  };
  if (record.annotations && Object.keys(record.annotations).length > 0) state.annotations = record.annotations;
  return state;
}
