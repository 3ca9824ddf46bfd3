import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type DescMessage, fromBinary, type MessageShape } from '@bufbuild/protobuf';
import { inventory_entrySchema, pstree_entrySchema, stats_entrySchema } from '../internal/gen/images_pb.js';
import { CriuError } from '../errors.js';
import { ImageMagic, splitImage } from './image-file.js';

/** inventory.img: what kind of dump this is. */
export interface Inventory {
  /** Image format version (2 today). */
  imageVersion: number;
  /** True when fd info is stored per files-table id (`fdinfo-<id>.img`) rather than per pid, as every modern CRIU writes. */
  fdinfoPerId: boolean;
  /** True when namespace images are named by namespace id rather than by pid. */
  nsPerId: boolean;
  /** The root task's cgroup set id. */
  rootCgroupSet: number | undefined;
  /** System uptime at dump time, in microseconds, when recorded. */
  dumpUptime: bigint | undefined;
  /** Pre-dump mode (1 splice, 2 vm_read), when recorded. */
  preDumpMode: number | undefined;
  /** True when the dump was taken with `--tcp-close`: established TCP connections are restored closed. */
  tcpClose: boolean;
  /** Network lock method (1 iptables, 2 nftables, 3 skip), when recorded. */
  networkLockMethod: number | undefined;
  /** CRIU's run id of the dump, when recorded. */
  criuRunId: string | undefined;
}

/** One task of pstree.img (pids as seen inside the dumped pid namespace). */
export interface ProcessEntry {
  /** The task's pid. */
  pid: number;
  /** Its parent's pid; 0 for the root of the dumped tree. */
  ppid: number;
  /** Its process group id. */
  pgid: number;
  /** Its session id. */
  sid: number;
  /** Thread ids of every thread, the main thread (equal to `pid`) included. */
  threads: number[];
}

/** stats-dump: what a dump or pre-dump did. Times are in microseconds. */
export interface DumpStats {
  /** Time spent freezing (seizing) the tasks. */
  freezingTime: number;
  /** Time the tasks stayed frozen, from freeze to resume or kill. */
  frozenTime: number;
  /** Time spent collecting memory pages from the tasks (into pipes). */
  memdumpTime: number;
  /** Time spent writing the collected pages to images (or to the page server). */
  memwriteTime: number;
  /** Pages of the tasks' mappings that were examined. */
  pagesScanned: number;
  /** Pages not written because the parent images (a pre-dump) have them. */
  pagesSkippedParent: number;
  /** Pages written to `pages-*.img` (or sent to a page server). */
  pagesWritten: number;
  /** Pages left to be fetched later by a lazy restore (`lazyPages`). */
  pagesLazy: number;
}

/** stats-restore: what a restore did. Times are in microseconds. */
export interface RestoreStats {
  /** Pages of copy-on-write mappings compared with the parent task's content. */
  pagesCompared: number;
  /** Of those, pages found identical and left shared with the parent instead of copied. */
  pagesSkippedCow: number;
  /** Time spent forking the restored process tree. */
  forkingTime: number;
  /** Time the whole restore took, up to resuming the tasks. */
  restoreTime: number;
  /** Pages read back from the images; undefined when CRIU recorded none (older CRIU, or 0). */
  pagesRestored: number | undefined;
}

/** Decodes one protobuf entry, turning a malformed one into a typed error instead of protobuf's plain Error. */
function decodeEntry<D extends DescMessage>(schema: D, bytes: Uint8Array, name: string): MessageShape<D> {
  try {
    return fromBinary(schema, bytes);
  } catch (e) {
    throw new CriuError(`${name}: malformed entry: ${(e as Error).message}`, { code: 'INVALID_FORMAT', path: name, cause: e });
  }
}

/** Decodes inventory.img bytes. */
export function parseInventory(bytes: Uint8Array, name = 'inventory.img'): Inventory {
  const [first] = splitImage(bytes, ImageMagic.Inventory, name);
  const e = decodeEntry(inventory_entrySchema, first ?? new Uint8Array(), name);
  return {
    imageVersion: e.imgVersion,
    fdinfoPerId: e.fdinfoPerId,
    nsPerId: e.nsPerId,
    rootCgroupSet: e.rootCgSet || undefined,
    dumpUptime: e.dumpUptime || undefined,
    preDumpMode: e.preDumpMode || undefined,
    tcpClose: e.tcpClose,
    networkLockMethod: e.networkLockMethod || undefined,
    criuRunId: e.dumpCriuRunId || undefined,
  };
}

/** Decodes pstree.img bytes into the dumped tasks, root first. */
export function parsePstree(bytes: Uint8Array, name = 'pstree.img'): ProcessEntry[] {
  return splitImage(bytes, ImageMagic.Pstree, name).map((b) => {
    const e = decodeEntry(pstree_entrySchema, b, name);
    return { pid: e.pid, ppid: e.ppid, pgid: e.pgid, sid: e.sid, threads: [...e.threads] };
  });
}

/** Decodes a stats file (stats-dump or stats-restore). */
export function parseStats(
  bytes: Uint8Array,
  name = 'stats',
): {
  /** The dump entry, present in `stats-dump`. */
  dump?: DumpStats;
  /** The restore entry, present in `stats-restore`. */
  restore?: RestoreStats;
} {
  const [first] = splitImage(bytes, ImageMagic.Stats, name);
  const e = decodeEntry(stats_entrySchema, first ?? new Uint8Array(), name);
  const out: { dump?: DumpStats; restore?: RestoreStats } = {};
  if (e.dump) {
    out.dump = {
      freezingTime: e.dump.freezingTime,
      frozenTime: e.dump.frozenTime,
      memdumpTime: e.dump.memdumpTime,
      memwriteTime: e.dump.memwriteTime,
      pagesScanned: Number(e.dump.pagesScanned),
      pagesSkippedParent: Number(e.dump.pagesSkippedParent),
      pagesWritten: Number(e.dump.pagesWritten),
      pagesLazy: Number(e.dump.pagesLazy),
    };
  }
  if (e.restore) {
    out.restore = {
      pagesCompared: Number(e.restore.pagesCompared),
      pagesSkippedCow: Number(e.restore.pagesSkippedCow),
      forkingTime: e.restore.forkingTime,
      restoreTime: e.restore.restoreTime,
      pagesRestored: e.restore.pagesRestored === 0n ? undefined : Number(e.restore.pagesRestored),
    };
  }
  return out;
}

/**
 * Reads `inventory.img` from an images directory, like `crit show inventory.img`.
 *
 * @throws {@link CriuError} with code `INVALID_FORMAT` on a damaged image; Node's ENOENT when absent.
 * @example
 * ```ts
 * readInventory('/tmp/ckpt').imageVersion; // 2
 * ```
 */
export function readInventory(imagesDir: string): Inventory {
  return parseInventory(readFileSync(join(imagesDir, 'inventory.img')), join(imagesDir, 'inventory.img'));
}

/**
 * Lists the dumped process tree from `pstree.img`, root first.
 *
 * @throws {@link CriuError} with code `INVALID_FORMAT` on a damaged image.
 * @example
 * ```ts
 * for (const p of readPstree('/tmp/ckpt')) console.log(p.pid, p.ppid, p.threads.length);
 * ```
 */
export function readPstree(imagesDir: string): ProcessEntry[] {
  return parsePstree(readFileSync(join(imagesDir, 'pstree.img')), join(imagesDir, 'pstree.img'));
}

/**
 * Reads `stats-dump` written by a dump or pre-dump into its work dir.
 *
 * @throws {@link CriuError} with code `INVALID_FORMAT` on a damaged file; Node's ENOENT when absent.
 */
export function readDumpStats(workDir: string): DumpStats {
  const s = parseStats(readFileSync(join(workDir, 'stats-dump')), join(workDir, 'stats-dump'));
  if (!s.dump) throw new CriuError(`${join(workDir, 'stats-dump')} has no dump entry`, { code: 'INVALID_FORMAT' });
  return s.dump;
}

/**
 * Reads `stats-restore` written by a restore into its work dir.
 *
 * @throws {@link CriuError} with code `INVALID_FORMAT` on a damaged file; Node's ENOENT when absent.
 */
export function readRestoreStats(workDir: string): RestoreStats {
  const s = parseStats(readFileSync(join(workDir, 'stats-restore')), join(workDir, 'stats-restore'));
  if (!s.restore) throw new CriuError(`${join(workDir, 'stats-restore')} has no restore entry`, { code: 'INVALID_FORMAT' });
  return s.restore;
}
