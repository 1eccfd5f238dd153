/**
 * The virtual time one scheduling cycle takes: a fixed overhead, then the Filter and Score phases, which
 * upstream runs over the nodes with `parallelism` workers (pkg/scheduler/framework/parallelize/parallelism.go
 * Parallelizer.Until → workqueue.ParallelizeUntil with chunkSizeFor: workers take chunks of nodes from a shared
 * channel).
 *
 * perNodeFilter / perNodeScore are calibrated wall-clock figures at upstream's default parallelism, 16 (from
 * scheduler_perf throughput, engine/scenario/defaults.ts), so at 16 a phase costs perNode × nodes exactly. At
 * another parallelism the phase is scaled by the parallelizer's critical path (the pieces the busiest worker
 * processes) at that parallelism over the critical path at 16: one worker makes a 500-node filter ~11x slower,
 * 64 workers make it ~2x faster (chunks of √n nodes bound the speed-up).
 */
import type { Micros } from '../core/time.js';

/** KubeSchedulerConfiguration parallelism default (apis/config/v1/defaults.go). */
export const DEFAULT_PARALLELISM = 16;

/** chunkSizeFor: max(1, min(⌊√n⌋, n/parallelism + 1)). */
export function chunkSizeFor(n: number, parallelism: number): number {
  let s = Math.floor(Math.sqrt(n));
  const r = Math.floor(n / parallelism) + 1;
  if (s > r) s = r;
  return s < 1 ? 1 : s;
}

/**
 * Pieces the busiest worker processes when `done` of `n` pieces are processed (the filter stops early once
 * enough feasible nodes are found) in chunks of chunkSizeFor(n) by min(parallelism, chunks) workers.
 */
export function criticalPath(done: number, n: number, parallelism: number): number {
  if (done <= 0) return 0;
  const chunk = chunkSizeFor(Math.max(n, done), parallelism);
  const chunks = Math.ceil(done / chunk);
  const workers = Math.min(parallelism, chunks);
  return Math.min(done, Math.ceil(chunks / workers) * chunk);
}

function phase(perNode: Micros, done: number, n: number, parallelism: number): number {
  if (done <= 0) return 0;
  const base = done * perNode;
  if (parallelism === DEFAULT_PARALLELISM) return base;
  return (base * criticalPath(done, n, parallelism)) / criticalPath(done, n, DEFAULT_PARALLELISM);
}

export interface CycleCostParams {
  readonly cycleOverhead: Micros;
  readonly perNodeFilter: Micros;
  readonly perNodeScore: Micros;
}

/**
 * One cycle: overhead + Filter over `filtered` of `nodes` nodes + preemption dry runs (`evaluations` nodes,
 * each costed as a node filtered) + Score over `scored` nodes.
 */
export function cycleCost(
  c: CycleCostParams,
  parallelism: number,
  nodes: number,
  filtered: number,
  evaluations: number,
  scored: number,
): Micros {
  const t =
    c.cycleOverhead +
    phase(c.perNodeFilter, filtered, nodes, parallelism) +
    phase(c.perNodeFilter, evaluations, evaluations, parallelism) +
    phase(c.perNodeScore, scored, scored, parallelism);
  return Math.round(t);
}
