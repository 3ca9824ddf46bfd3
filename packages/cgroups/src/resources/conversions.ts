/**
 * The value conversions between cgroup v1 and v2 that container runtimes use,
 * so a limit written through kc lands on the same number runc and crun write.
 */

/** v1 `cpu.shares` range accepted by the conversion (kernel: MIN_SHARES..MAX_SHARES). */
export const CPU_SHARES_MIN = 2;
/** Upper end of `cpu.shares`. */
export const CPU_SHARES_MAX = 262144;
/** v2 `cpu.weight` range (Documentation/admin-guide/cgroup-v2.rst, "cpu.weight"). */
export const CPU_WEIGHT_MIN = 1;
/** Upper end of `cpu.weight`. */
export const CPU_WEIGHT_MAX = 10000;
/** v1 `blkio.weight` range (Documentation/admin-guide/cgroup-v1/blkio-controller.rst). */
export const BLKIO_WEIGHT_MIN = 10;
/** Upper end of `blkio.weight`. */
export const BLKIO_WEIGHT_MAX = 1000;

/**
 * v1 `cpu.shares` → v2 `cpu.weight`, as runc (opencontainers/cgroups
 * `ConvertCPUSharesToCgroupV2Value`) and crun (`convert_shares_to_weight`)
 * compute it since 2025: a quadratic in log2(shares) through the three points
 * (2 → 1), (1024 → 100), (262144 → 10000), so the kernel defaults map onto
 * each other, rounded up:
 * `ceil(10 ^ ((l² + 125·l) / 612 − 7/34))` with `l = log2(shares)`.
 * 0 means "unset" and stays 0, like both runtimes.
 */
export function cpuSharesToWeight(shares: number): number {
  if (shares === 0) return 0;
  if (shares <= CPU_SHARES_MIN) return CPU_WEIGHT_MIN;
  if (shares >= CPU_SHARES_MAX) return CPU_WEIGHT_MAX;
  const l = Math.log2(shares);
  const exponent = (l * l + 125 * l) / 612 - 7 / 34;
  return Math.ceil(10 ** exponent);
}

/** The smallest x in [lo, hi] with f(x) >= target, for a non-decreasing f. */
function smallestReaching(f: (x: number) => number, target: number, lo: number, hi: number): number {
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    if (f(mid) >= target) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/**
 * v2 `cpu.weight` → v1 `cpu.shares`: the largest shares value that
 * {@link cpuSharesToWeight} maps back to `weight` (runtimes define no inverse;
 * the forward map rounds up, so the largest pre-image is the one whose
 * exact value is `weight`: 100 → 1024, and weight → shares → weight is the
 * identity).
 */
export function cpuWeightToShares(weight: number): number {
  if (weight === 0) return 0;
  if (weight <= CPU_WEIGHT_MIN) return CPU_SHARES_MIN;
  if (weight >= CPU_WEIGHT_MAX) return CPU_SHARES_MAX;
  return smallestReaching(cpuSharesToWeight, weight + 1, CPU_SHARES_MIN, CPU_SHARES_MAX) - 1;
}

/**
 * v1 `blkio.weight` → v2 `io.weight`: `1 + (w − 10) · 9999 / 990` in integer
 * arithmetic (runc `ConvertBlkIOToIOWeightValue`, crun likewise), mapping
 * 10..1000 linearly onto 1..10000. 0 means "unset" and stays 0.
 */
export function blkioWeightToIoWeight(blkioWeight: number): number {
  if (blkioWeight === 0) return 0;
  return 1 + Math.floor(((blkioWeight - BLKIO_WEIGHT_MIN) * 9999) / 990);
}

/**
 * v2 `io.weight` → v1 `blkio.weight`: the smallest blkio weight whose
 * {@link blkioWeightToIoWeight} reaches `ioWeight` (v1 has 991 steps for v2's
 * 10000, so this is many-to-one; blkio → io → blkio is the identity).
 */
export function ioWeightToBlkioWeight(ioWeight: number): number {
  if (ioWeight === 0) return 0;
  return smallestReaching(blkioWeightToIoWeight, Math.min(ioWeight, 10000), BLKIO_WEIGHT_MIN, BLKIO_WEIGHT_MAX);
}

/**
 * The v1 `memory.memsw.limit_in_bytes` (memory + swap) for a v2-style swap
 * allowance on top of `memoryMax` (runc `ConvertMemorySwapToCgroupV2Value`,
 * the other way round). `'max'` stays `'max'`.
 */
export function swapToMemsw(memoryMax: number | 'max', swapMax: number | 'max'): number | 'max' {
  if (swapMax === 'max' || memoryMax === 'max') return 'max';
  return memoryMax + swapMax;
}

/** The v2 `memory.swap.max` equivalent of v1's memory+swap limit. */
export function memswToSwap(memoryMax: number | 'max', memsw: number | 'max'): number | 'max' {
  if (memsw === 'max') return 'max';
  if (memoryMax === 'max') return 'max';
  return Math.max(0, memsw - memoryMax);
}
