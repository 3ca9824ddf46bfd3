/**
 * `kc update`'s flags as runc 1.1's update.go reads them, turned into the
 * OCI `LinuxResources` that {@link Container.update} takes: sizes in go-units'
 * `RAMInBytes` notation (binary multiples: `512M` is 512 MiB), `-1` meaning
 * unlimited, CPU numbers as plain integers, a flag left out (or 0) meaning
 * "unchanged". With `-r FILE` the flags are ignored, as in runc. Pure.
 */
import type { OciResources } from '../oci/types.js';
import { type FlagSpec, flag, type ParsedArgs, UsageError } from './args.js';

/** Every flag `kc update` accepts (runc 1.1's, `--kernel-memory*` included though ignored). */
export const UPDATE_FLAGS: FlagSpec[] = [
  { name: 'resources', short: 'r', value: true },
  { name: 'blkio-weight', value: true },
  { name: 'cpu-period', value: true },
  { name: 'cpu-quota', value: true },
  { name: 'cpu-share', value: true },
  { name: 'cpu-rt-period', value: true },
  { name: 'cpu-rt-runtime', value: true },
  { name: 'cpuset-cpus', value: true },
  { name: 'cpuset-mems', value: true },
  { name: 'kernel-memory', value: true },
  { name: 'kernel-memory-tcp', value: true },
  { name: 'memory', value: true },
  { name: 'memory-reservation', value: true },
  { name: 'memory-swap', value: true },
  { name: 'pids-limit', value: true },
  { name: 'l3-cache-schema', value: true },
  { name: 'mem-bw-schema', value: true },
];

const MULT: Readonly<Record<string, number>> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4, p: 1024 ** 5 };

/**
 * Bytes from a size such as `512M`, `1.5g`, `64 MiB`, `4096` (go-units
 * `RAMInBytes`, which runc uses: binary multiples, an optional `i`/`b`,
 * a fraction truncated after multiplying).
 * @throws {UsageError} for anything else, in go-units' words (`invalid size: 'abc'`).
 */
export function ramInBytes(text: string): number {
  const m = /^(\d+(?:\.\d+)*) ?([kKmMgGtTpP])?[iI]?[bB]?$/.exec(text);
  if (!m) throw new UsageError(`invalid size: '${text}'`);
  const digits = m[1] as string;
  if (!/^\d+(\.\d+)?$/.test(digits)) throw new UsageError(`strconv.ParseFloat: parsing "${digits}": invalid syntax`);
  const bytes = Math.trunc(Number(digits) * (MULT[(m[2] ?? '').toLowerCase()] ?? 1));
  if (!Number.isSafeInteger(bytes)) throw new UsageError(`invalid size: '${text}' (too large)`);
  return bytes;
}

/** An integer flag (Go's ParseInt/ParseUint, base 10, as runc's update); `unsigned` refuses a sign. */
function integer(name: string, text: string, unsigned: boolean): number {
  const ok = unsigned ? /^\+?\d+$/.test(text) : /^[+-]?\d+$/.test(text);
  const n = Number(text);
  if (!ok || !Number.isSafeInteger(n)) {
    throw new UsageError(`invalid value for ${name}: strconv.Parse${unsigned ? 'Uint' : 'Int'}: parsing "${text}": invalid syntax`);
  }
  return n;
}

/** urfave/cli's IntFlag (`--pids-limit`, `--blkio-weight`): its parse error is "Incorrect Usage". */
function intFlag(name: string, text: string): number {
  if (!/^[+-]?\d+$/.test(text) || !Number.isSafeInteger(Number(text))) throw new UsageError(`invalid value "${text}" for flag -${name}: parse error`);
  return Number(text);
}

/** A memory flag: `-1` (unlimited) or a {@link ramInBytes} size. */
function memoryFlag(name: string, text: string): number {
  if (text === '-1') return -1;
  try {
    return ramInBytes(text);
  } catch (e) {
    throw new UsageError(`invalid value for ${name}: ${(e as Error).message}`);
  }
}

/**
 * The OCI resources runc's update builds from its flags (not `-r`): only
 * the flags given appear. Intel RDT flags are refused (kc has no RDT).
 * @throws {UsageError} for a malformed value or an RDT flag.
 */
export function resourcesFromFlags(p: ParsedArgs): OciResources {
  for (const rdt of ['l3-cache-schema', 'mem-bw-schema']) {
    if (flag(p, rdt)) throw new UsageError(`--${rdt}: Intel RDT is not supported by kc`);
  }
  const r: OciResources = {};
  const memory: NonNullable<OciResources['memory']> = {};
  const memFlags = [
    ['memory', 'limit'],
    ['memory-swap', 'swap'],
    ['memory-reservation', 'reservation'],
    ['kernel-memory', 'kernel'],
    ['kernel-memory-tcp', 'kernelTCP'],
  ] as const;
  for (const [name, key] of memFlags) {
    const v = flag(p, name);
    if (v) memory[key] = memoryFlag(name, v);
  }
  if (Object.keys(memory).length) r.memory = memory;
  const cpu: NonNullable<OciResources['cpu']> = {};
  const cpuFlags = [
    ['cpu-period', 'period', true],
    ['cpu-rt-period', 'realtimePeriod', true],
    ['cpu-share', 'shares', true],
    ['cpu-quota', 'quota', false],
    ['cpu-rt-runtime', 'realtimeRuntime', false],
  ] as const;
  for (const [name, key, unsigned] of cpuFlags) {
    const v = flag(p, name);
    if (v) cpu[key] = integer(name, v, unsigned);
  }
  const cpus = flag(p, 'cpuset-cpus');
  const mems = flag(p, 'cpuset-mems');
  if (cpus) cpu.cpus = cpus;
  if (mems) cpu.mems = mems;
  if (Object.keys(cpu).length) r.cpu = cpu;
  const pids = flag(p, 'pids-limit');
  if (pids !== undefined) r.pids = { limit: intFlag('pids-limit', pids) };
  const weight = flag(p, 'blkio-weight');
  if (weight !== undefined) r.blockIO = { weight: intFlag('blkio-weight', weight) };
  return r;
}

/**
 * The OCI resources of a `-r` file's text (runc decodes it into
 * `specs.LinuxResources`).
 * @throws {UsageError} when it is not a JSON object.
 */
export function resourcesFromJson(text: string, source: string): OciResources {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`${source}: not valid JSON: ${(e as Error).message}`);
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new UsageError(`${source}: must hold a JSON object (OCI LinuxResources)`);
  return v as OciResources;
}
