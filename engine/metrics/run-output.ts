/**
 * What the reports need from one run, as plain data (it crosses the worker-thread boundary and goes into shard
 * files as JSON): the summary row, the time series, per-pod rows when asked for, latency percentile curves
 * for the CDF charts, and ClusterLoader2-style measurements. Everything in it is simulated; nothing depends
 * on the wall clock.
 */
import type { RunResult } from '../run.js';
import type { RunSummary } from './summary.js';
import { quantile, sortedCopy, throughputWindows } from './summary.js';
import type { TimeRow } from './timeseries.js';
import type { TraceStep } from './trace.js';

/** One pod's lifecycle (pods.csv); times in virtual microseconds, −1 when the step never happened. */
export interface PodRow {
  readonly namespace: string;
  readonly name: string;
  readonly created: number;
  readonly bound: number;
  readonly running: number;
  readonly finished: number;
  readonly deleted: number;
  readonly node: string;
  readonly attempts: number;
  readonly phase: string;
}

/** ClusterLoader2 PodStartupLatency DataItem buckets (ms) for one transition. */
export interface LatencyBuckets {
  readonly Perc50: number;
  readonly Perc90: number;
  readonly Perc99: number;
}

export interface Measurements {
  /** Transition name (create_to_schedule, schedule_to_run, create_to_run, pod_startup) → buckets; absent when no pod made it. */
  readonly podStartup: readonly { readonly metric: string; readonly buckets: LatencyBuckets; readonly count: number }[];
  /** SchedulingThroughput over 1-second windows, pods/s. */
  readonly throughput: { readonly perc50: number; readonly perc90: number; readonly perc99: number; readonly max: number };
}

export interface RunOutput {
  readonly scenario: string;
  readonly policy: string;
  readonly seed: number;
  readonly summary: RunSummary;
  readonly fingerprint: string;
  readonly trace: readonly TraceStep[];
  readonly sampleInterval: number;
  readonly timeseries: readonly TimeRow[];
  /** Percentiles 0, 1, …, 100 (nearest rank; 0 = minimum) of creation → binding and creation → Running, ms. */
  readonly cdf: { readonly sched: readonly number[]; readonly startup: readonly number[] };
  readonly measurements: Measurements;
  readonly pods: readonly PodRow[] | null;
}

export const CDF_POINTS = 101;

function percentileCurve(samples: readonly number[]): number[] {
  if (samples.length === 0) return [];
  const s = sortedCopy(samples);
  const out: number[] = [];
  for (let p = 0; p < CDF_POINTS; p++) out.push(p === 0 ? s[0] / 1000 : quantile(s, p) / 1000);
  return out;
}

function buckets(samples: readonly number[]): LatencyBuckets {
  const s = sortedCopy(samples);
  return { Perc50: quantile(s, 50) / 1000, Perc90: quantile(s, 90) / 1000, Perc99: quantile(s, 99) / 1000 };
}

export function runOutput(r: RunResult, sampleInterval: number, withPods: boolean): RunOutput {
  const createToSchedule: number[] = [];
  const scheduleToRun: number[] = [];
  const createToRun: number[] = [];
  let firstCreated = Infinity;
  const pods: PodRow[] = [];
  for (const p of r.recorder.measuredPods()) {
    if (p.created < firstCreated) firstCreated = p.created;
    if (p.bound >= 0) createToSchedule.push(p.bound - p.created);
    if (p.bound >= 0 && p.running >= 0) scheduleToRun.push(p.running - p.bound);
    if (p.running >= 0) createToRun.push(p.running - p.created);
  }
  for (const p of r.recorder.pods.values()) {
    if (withPods) {
      // The key is Pod/<namespace>/<name>.
      const [, namespace, name] = p.key.split('/');
      pods.push({
        namespace,
        name,
        created: p.created,
        bound: p.bound,
        running: p.running,
        finished: p.finished,
        deleted: p.deleted,
        node: p.node,
        attempts: p.attempts,
        phase: p.phase,
      });
    }
  }
  // ClusterLoader2 (pod_startup_latency.go) takes "watch" as the moment its informer saw the pod Running; the
  // commit of the Running status is that moment here, so pod_startup equals create_to_run.
  const transitions: [string, number[]][] = [
    ['create_to_schedule', createToSchedule],
    ['schedule_to_run', scheduleToRun],
    ['create_to_run', createToRun],
    ['pod_startup', createToRun],
  ];
  const windows = throughputWindows(firstCreated, r.recorder.measuredBindTimes());
  const tw = sortedCopy(windows);
  const num = (v: number): number => (Number.isNaN(v) ? 0 : v);
  return {
    scenario: r.scenario,
    policy: r.policy,
    seed: r.seed,
    summary: r.summary,
    fingerprint: r.fingerprint,
    trace: r.trace,
    sampleInterval,
    timeseries: r.timeseries,
    cdf: { sched: percentileCurve(createToSchedule), startup: percentileCurve(createToRun) },
    measurements: {
      podStartup: transitions.filter(([, xs]) => xs.length > 0).map(([metric, xs]) => ({ metric, buckets: buckets(xs), count: xs.length })),
      throughput: {
        perc50: num(quantile(tw, 50)),
        perc90: num(quantile(tw, 90)),
        perc99: num(quantile(tw, 99)),
        max: num(quantile(tw, 100)),
      },
    },
    pods: withPods ? pods : null,
  };
}

/**
 * JSON has no NaN: a summary value without samples (an empty percentile, a recovery that never happened) is
 * written as null by JSON.stringify. Readers of stored run outputs (shard files, --resume) call this to get
 * NaN back, so a reused run aggregates exactly like a fresh one.
 */
export function reviveSummaryNaN(output: unknown): void {
  const o = output as { summary?: Record<string, unknown>; timeseries?: Record<string, unknown>[] } | null;
  const summary = o?.summary;
  if (summary !== undefined && summary !== null) for (const k of Object.keys(summary)) if (summary[k] === null) summary[k] = NaN;
  // timeseries.csv's gpu_alloc_pct is NaN in a cluster without GPUs.
  if (Array.isArray(o?.timeseries)) for (const row of o.timeseries) if (row !== null && row.gpuPct === null) row.gpuPct = NaN;
}
