/**
 * FGD's "target workload" (Weng et al., ATC 2023 §4; docs/model/gpu.md): the most popular
 * pod classes of the original trace, with their probabilities. Classes are keyed by (cpu, per-GPU milli,
 * GPU count, gpu_spec) — memory is not part of the key, CPU-only pods are included — sorted by count
 * descending (ties: key descending, cpu then milli then count then spec), and taken until they cover at least
 * `threshold` % of the pods (the simulator's podPopularityThreshold 95); probabilities are renormalized over the
 * kept classes.
 */
import type { GpuPods } from './pods.js';

export interface TypicalPods {
  readonly cpu: Float64Array;
  readonly milli: Int32Array;
  readonly gpus: Int32Array;
  /** Acceptable models, '|'-joined; '' = any. */
  readonly spec: readonly string[];
  /** Class counts in the trace. */
  readonly counts: Int32Array;
  /** Renormalized probabilities (sum 1). */
  readonly p: Float64Array;
  /** Pods covered by the kept classes, and all pods. */
  readonly covered: number;
  readonly total: number;
}

/** Classes of the given pod rows (the original trace, before resampling). */
export function typicalPods(pods: GpuPods, rows: readonly number[], threshold = 95): TypicalPods {
  const byKey = new Map<string, { cpu: number; milli: number; gpus: number; spec: string; n: number }>();
  for (const r of rows) {
    const key = `${pods.cpu[r]}/${pods.milli[r]}/${pods.gpus[r]}/${pods.spec[r]}`;
    const c = byKey.get(key);
    if (c === undefined) byKey.set(key, { cpu: pods.cpu[r], milli: pods.milli[r], gpus: pods.gpus[r], spec: pods.spec[r], n: 1 });
    else c.n++;
  }
  const classes = [...byKey.values()].sort(
    (a, b) => b.n - a.n || b.cpu - a.cpu || b.milli - a.milli || b.gpus - a.gpus || (a.spec < b.spec ? 1 : a.spec > b.spec ? -1 : 0),
  );
  const total = rows.length;
  const kept: typeof classes = [];
  let covered = 0;
  for (const c of classes) {
    if (total > 0 && (covered * 100) / total >= threshold) break;
    kept.push(c);
    covered += c.n;
  }
  return {
    cpu: Float64Array.from(kept, (c) => c.cpu),
    milli: Int32Array.from(kept, (c) => c.milli),
    gpus: Int32Array.from(kept, (c) => c.gpus),
    spec: kept.map((c) => c.spec),
    counts: Int32Array.from(kept, (c) => c.n),
    p: Float64Array.from(kept, (c) => c.n / covered),
    covered,
    total,
  };
}
