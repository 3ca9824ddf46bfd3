/** A half-open range of system-call numbers [start, end) sharing one outcome. */
export interface NumberInterval<T> {
  start: number;
  end: number;
  /** How often a number in it is expected: kc uses the count of real syscalls inside. */
  weight: number;
  outcome: T;
}

/** A binary search tree over intervals: `nr >= split ? right : left`. */
export type DecisionTree<T> = { leaf: T } | { split: number; left: DecisionTree<T>; right: DecisionTree<T> };

/**
 * The optimal alphabetic search tree over sorted, adjacent intervals: it
 * minimises sum(weight × depth), i.e. the mean number of comparisons per
 * expected system call (Knuth's O(n²) dynamic programme, "Optimum binary
 * search trees", Acta Informatica 1971, with leaves only). The tables are
 * flat typed arrays indexed `i * n + j`: compiling Docker's profile builds
 * trees of ~150 intervals, and this loop is most of the compile time.
 */
export function buildDecisionTree<T>(intervals: readonly NumberInterval<T>[]): DecisionTree<T> {
  const n = intervals.length;
  if (n === 0) throw new Error('no intervals');
  const prefix = new Float64Array(n + 1);
  // A tiny weight per interval keeps never-used gaps from piling up into one deep chain.
  for (let i = 0; i < n; i++) prefix[i + 1] = (prefix[i] as number) + (intervals[i] as NumberInterval<T>).weight + 1e-3;
  // cost[i*n+j], root[i*n+j] for intervals i..j inclusive; root = index of the first interval of the right part.
  const cost = new Float64Array(n * n);
  const root = new Int32Array(n * n);
  for (let i = 0; i + 1 < n; i++) {
    cost[i * n + i + 1] = (prefix[i + 2] as number) - (prefix[i] as number);
    root[i * n + i + 1] = i + 1;
  }
  for (let len = 3; len <= n; len++) {
    for (let i = 0; i + len - 1 < n; i++) {
      const j = i + len - 1;
      const row = i * n;
      const lo = Math.max(i + 1, root[row + j - 1] as number);
      const hi = Math.min(j, root[row + n + j] as number);
      let best = Number.POSITIVE_INFINITY;
      let bestK = lo;
      for (let k = lo; k <= hi; k++) {
        // cost of a single interval is 0 (a leaf): the typed array's zero fill gives it.
        const c = (cost[row + k - 1] as number) + (k < j ? (cost[k * n + j] as number) : 0);
        if (c < best) {
          best = c;
          bestK = k;
        }
      }
      cost[row + j] = best + (prefix[j + 1] as number) - (prefix[i] as number);
      root[row + j] = bestK;
    }
  }
  const build = (i: number, j: number): DecisionTree<T> => {
    if (i === j) return { leaf: (intervals[i] as NumberInterval<T>).outcome };
    const k = root[i * n + j] as number;
    return {
      split: (intervals[k] as NumberInterval<T>).start,
      left: build(i, k - 1),
      right: build(k, j),
    };
  };
  return build(0, n - 1);
}
