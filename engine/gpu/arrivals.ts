/**
 * The FGD study's arrival sequence and node order (fgd-method.md §3.2–3.3; the simulator's
 * pkg/simulator/core.go tuning and node renaming), drawn from kubesim's named streams so every policy of a seed
 * sees the same sequence and the same node order (common random numbers).
 */
import type { RngStream } from '../core/rng.js';
import type { GpuPods } from './pods.js';

/** Go's rand.Shuffle (Fisher–Yates from the end). */
export function shuffleInPlace(a: Int32Array | number[], rng: RngStream): void {
  for (let i = a.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = a[i];
    a[i] = a[j];
    a[j] = t;
  }
}

function byName(pods: GpuPods, rows: readonly number[]): number[] {
  return [...rows].sort((x, y) => (pods.names[x] < pods.names[y] ? -1 : pods.names[x] > pods.names[y] ? 1 : x - y));
}

export interface ArrivalSequence {
  /** Pod rows in arrival order. */
  readonly rows: Int32Array;
  /** Rows resampled to reach the target (they arrive after every original pod). */
  readonly resampled: number;
  /** Original pods removed at random to get down to the target. */
  readonly removed: number;
}

/**
 * The originals sorted by name, shuffled (when `shuffle`), then tuned to `ratio` × GPU capacity: below it,
 * pods drawn uniformly (with replacement) from the originals are appended until the next draw's per-GPU milli
 * would overshoot — the study's stop rule compares gpu_milli, not num_gpu × gpu_milli, so CPU-only draws never
 * stop it and an 8-GPU draw may overshoot; above it, random pods are removed until the total is at most the
 * target.
 */
export function arrivalSequence(
  pods: GpuPods,
  originals: readonly number[],
  capacityMilli: number,
  ratio: number,
  shuffle: boolean,
  rng: RngStream,
): ArrivalSequence {
  const sorted = byName(pods, originals);
  const seq = [...sorted];
  if (shuffle) shuffleInPlace(seq, rng);
  const target = ratio * capacityMilli;
  let total = 0;
  for (const r of seq) total += pods.gpuRequest(r);
  let resampled = 0;
  let removed = 0;
  if (ratio > 0 && total < target && sorted.length > 0) {
    for (;;) {
      const r = sorted[rng.int(sorted.length)];
      if (total + pods.milli[r] > target) break;
      total += pods.gpuRequest(r);
      seq.push(r);
      resampled++;
    }
  } else if (ratio > 0 && total > target) {
    while (total > target && seq.length > 0) {
      const [r] = seq.splice(rng.int(seq.length), 1);
      total -= pods.gpuRequest(r);
      removed++;
    }
  }
  return { rows: Int32Array.from(seq), resampled, removed };
}

/**
 * The static tie-break order: the study prefixes each node's name with a random permutation index and the
 * scheduler fork picks the lexicographically smallest name among equal scores, i.e. a uniformly random priority
 * fixed for the run. Returns node rows, highest priority first (nodes sorted by name get perm[i]).
 */
export function nodePriorityOrder(names: readonly string[], rng: RngStream): Int32Array {
  const sorted = names.map((_, i) => i).sort((x, y) => (names[x] < names[y] ? -1 : names[x] > names[y] ? 1 : x - y));
  const perm = Int32Array.from(sorted, (_, i) => i);
  shuffleInPlace(perm, rng);
  const order = new Int32Array(names.length);
  for (let i = 0; i < sorted.length; i++) order[perm[i]] = sorted[i];
  return order;
}
