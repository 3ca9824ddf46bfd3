/** A half-open range of system-call numbers [start, end) sharing one outcome. */
export interface NumberInterval<T> {
	start: number;
	end: number;
	/** How often a number in it is expected: kc uses the count of real syscalls inside. */
	weight: number;
	outcome: T;
}

/** A binary search tree over intervals: `nr >= split ? right : left`. */
export type DecisionTree<T> =
	| { leaf: T }
	| { split: number; left: DecisionTree<T>; right: DecisionTree<T> };

/**
 * The optimal alphabetic search tree over sorted, adjacent intervals: it
 * minimises sum(weight × depth), i.e. the mean number of comparisons per
 * expected system call (Knuth's O(n²) dynamic programme, "Optimum binary
 * search trees", Acta Informatica 1971, with leaves only).
 */
export function buildDecisionTree<T>(
	intervals: readonly NumberInterval<T>[],
): DecisionTree<T> {
	const n = intervals.length;
	if (n === 0) throw new Error("no intervals");
	const prefix = new Float64Array(n + 1);
	// A tiny weight per interval keeps never-used gaps from piling up into one deep chain.
	for (let i = 0; i < n; i++)
		prefix[i + 1] =
			(prefix[i] as number) + (intervals[i] as NumberInterval<T>).weight + 1e-3;
	const W = (i: number, j: number) =>
		(prefix[j + 1] as number) - (prefix[i] as number);
	// cost[i][j], root[i][j] for intervals i..j inclusive; root = index of the first interval of the right part.
	const cost: Float64Array[] = Array.from(
		{ length: n },
		() => new Float64Array(n),
	);
	const root: Int32Array[] = Array.from({ length: n }, () => new Int32Array(n));
	for (let i = 0; i + 1 < n; i++) {
		(cost[i] as Float64Array)[i + 1] = W(i, i + 1);
		(root[i] as Int32Array)[i + 1] = i + 1;
	}
	for (let len = 3; len <= n; len++) {
		for (let i = 0; i + len - 1 < n; i++) {
			const j = i + len - 1;
			const lo = Math.max(i + 1, (root[i] as Int32Array)[j - 1] as number);
			const hi = Math.min(j, (root[i + 1] as Int32Array)[j] as number);
			let best = Number.POSITIVE_INFINITY;
			let bestK = lo;
			for (let k = lo; k <= hi; k++) {
				const c =
					(k - 1 > i ? ((cost[i] as Float64Array)[k - 1] as number) : 0) +
					(k < j ? ((cost[k] as Float64Array)[j] as number) : 0);
				if (c < best) {
					best = c;
					bestK = k;
				}
			}
			(cost[i] as Float64Array)[j] = best + W(i, j);
			(root[i] as Int32Array)[j] = bestK;
		}
	}
	const build = (i: number, j: number): DecisionTree<T> => {
		if (i === j) return { leaf: (intervals[i] as NumberInterval<T>).outcome };
		const k = (root[i] as Int32Array)[j] as number;
		return {
			split: (intervals[k] as NumberInterval<T>).start,
			left: build(i, k - 1),
			right: build(k, j),
		};
	};
	return build(0, n - 1);
}
