/**
 * An estimate of the memory a sweep needs, checked before any run starts, so a scenario too large for the
 * machine is refused with a clear message instead of dying minutes later with a V8 out-of-memory abort.
 *
 * The per-node and per-pod figures are measured (bench/memory-estimate.ts: heap still held after a run with
 * every node, pod and record alive, after a full GC; Node 20, x86-64):
 *   500 nodes / 1 pod: 2.3 MB; 4,000 nodes / 1 pod: 12.8 MB; 500 nodes / 20,000 pods: 52.2 MB;
 *   2,000 nodes / 40,000 pods: 105.9 MB  →  ≈ 3,000 B per node and ≈ 2,500 B per pod.
 * A run's peak is taken as twice what it holds (V8 collects the old generation only when it has grown, so
 * garbage not yet collected sits next to live objects). The estimate is a guard against absurd inputs, not
 * a promise: it is deliberately simple and errs on the large side.
 */
import { availableParallelism, totalmem } from 'node:os';
import { getHeapStatistics } from 'node:v8';

export const BYTES_PER_NODE = 3_000;
export const BYTES_PER_POD = 2_500;
/** Live objects → peak heap (uncollected garbage). */
const GC_HEADROOM = 2;
/** What a worker thread (its own V8 isolate, the loaded scenario, compiled code) costs before a run. */
const THREAD_BASE_BYTES = 40 * 2 ** 20;
/** The main process (Node itself, the loaded scenario, yargs…). */
const PROCESS_BASE_BYTES = 60 * 2 ** 20;
/** What the main thread keeps of one run until the reports are written: a pods.csv row (PodRow + CSV text). */
const BYTES_PER_POD_ROW = 400;
/** A timeseries row (TimeRow + CSV text). */
const BYTES_PER_SAMPLE = 200;

export interface SweepSize {
  readonly nodes: number;
  /** Pods the scenario asks for (replicas, completions, arrivals). */
  readonly pods: number;
  /** Timeseries samples per run. */
  readonly samples: number;
  readonly runs: number;
  readonly threads: number;
  /** pods.csv requested: every run's per-pod rows are kept until the reports are written. */
  readonly podRows: boolean;
}

export interface MemoryEstimate {
  /** Peak heap of one run, in its worker thread. */
  readonly perRun: number;
  /** The whole process: every thread running at once plus what the main thread keeps of finished runs. */
  readonly total: number;
}

export function estimateMemory(s: SweepSize): MemoryEstimate {
  const perRun = GC_HEADROOM * (s.nodes * BYTES_PER_NODE + s.pods * BYTES_PER_POD);
  const kept = s.runs * (s.samples * BYTES_PER_SAMPLE + (s.podRows ? s.pods * BYTES_PER_POD_ROW : 0));
  const total = PROCESS_BASE_BYTES + Math.min(s.threads, s.runs) * (THREAD_BASE_BYTES + perRun) + kept;
  return { perRun, total };
}

export interface MemoryBudget {
  /** Heap limit of one worker thread. */
  readonly perThread: number;
  readonly total: number;
  /** Where the figures come from, for the message. */
  readonly source: string;
}

/**
 * The default budget: V8's heap limit for one isolate (worker threads get the same default as the main
 * thread) and the machine's physical memory. `--max-memory Q` replaces it: Q in total, Q / threads per thread
 * (the pool then gives each worker that heap limit).
 */
export function memoryBudget(maxMemory: number | null, threads: number): MemoryBudget {
  if (maxMemory !== null) return { perThread: Math.floor(maxMemory / Math.max(1, threads)), total: maxMemory, source: '--max-memory' };
  return {
    perThread: getHeapStatistics().heap_size_limit,
    total: totalmem(),
    source: "the V8 heap limit per thread and the machine's memory",
  };
}

/** Null when the sweep fits; otherwise the reason, with what to do about it. */
export function checkMemory(e: MemoryEstimate, b: MemoryBudget, threads: number): string | null {
  const fix = 'use a smaller scenario, fewer --jobs, or --max-memory SIZE (e.g. 16Gi) if you know it fits';
  if (e.perRun > b.perThread) {
    return `one run needs an estimated ${formatBytes(e.perRun)} of heap, over the ${formatBytes(b.perThread)} a worker thread may use (${b.source}); ${fix}`;
  }
  if (e.total > b.total) {
    return `the sweep needs an estimated ${formatBytes(e.total)} (${threads} thread${threads === 1 ? '' : 's'} at once), over the ${formatBytes(b.total)} available (${b.source}); ${fix}`;
  }
  return null;
}

export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${u === 0 ? v : v.toFixed(1)} ${units[u]}`;
}

/** Worker threads for a sweep: --jobs, else the machine's cores, never more than the runs. */
export function threadCount(jobs: number | undefined, runs: number): number {
  return Math.max(1, Math.min(jobs ?? availableParallelism(), runs));
}
