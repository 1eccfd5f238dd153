/**
 * One run's results as a flat row of numbers (the summary.csv schema, documented in docs/reference/reports.md).
 * Percentiles are nearest-rank, index ceil(n·p/100) − 1 of the sorted samples, as scheduler_perf and
 * ClusterLoader2 compute them.
 */
import { MICROS_PER_SECOND, type Micros } from '../core/time.js';
import type { MetricsRecorder } from './recorder.js';

export function quantile(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const idx = Math.max(0, Math.ceil((n * p) / 100) - 1);
  return sorted[Math.min(idx, n - 1)];
}

export function sortedCopy(xs: readonly number[]): Float64Array {
  const a = Float64Array.from(xs);
  a.sort();
  return a;
}

/** Pods bound in each 1-second window from the first pod creation to the last binding (SchedulingThroughput). */
export function throughputWindows(firstCreated: Micros, bindTimes: readonly Micros[]): number[] {
  if (bindTimes.length === 0) return [];
  const last = bindTimes[bindTimes.length - 1];
  const n = Math.max(1, Math.ceil((last - firstCreated + 1) / MICROS_PER_SECOND));
  const w = new Array<number>(n).fill(0);
  for (const t of bindTimes) w[Math.min(n - 1, Math.floor((t - firstCreated) / MICROS_PER_SECOND))]++;
  return w;
}

export interface RunSummary {
  readonly pods_created: number;
  readonly pods_scheduled: number;
  readonly pods_running: number;
  readonly pods_starting_end: number;
  readonly pods_succeeded: number;
  readonly pods_failed: number;
  readonly pods_deleted: number;
  readonly pods_pending_end: number;
  readonly scheduling_attempts: number;
  readonly unschedulable_attempts: number;
  readonly sched_latency_p50_ms: number;
  readonly sched_latency_p90_ms: number;
  readonly sched_latency_p99_ms: number;
  readonly sched_latency_max_ms: number;
  readonly startup_latency_p50_ms: number;
  readonly startup_latency_p90_ms: number;
  readonly startup_latency_p99_ms: number;
  readonly throughput_avg_per_s: number;
  readonly throughput_p50_per_s: number;
  readonly throughput_p90_per_s: number;
  readonly throughput_p99_per_s: number;
  readonly cpu_alloc_mean_pct: number;
  readonly cpu_alloc_final_pct: number;
  readonly mem_alloc_mean_pct: number;
  readonly mem_alloc_final_pct: number;
  readonly nodes: number;
  readonly nodes_in_use_end: number;
  readonly net_prog_latency_p50_ms: number;
  readonly net_prog_latency_p99_ms: number;
  readonly api_requests: number;
  readonly api_throttled_requests: number;
  readonly api_rejected_429: number;
  readonly sim_end_s: number;
  readonly events: number;
  readonly api_latency_create_p50_ms: number;
  readonly api_latency_create_p99_ms: number;
  readonly api_latency_update_p50_ms: number;
  readonly api_latency_update_p99_ms: number;
  readonly api_latency_delete_p50_ms: number;
  readonly api_latency_delete_p99_ms: number;
  readonly pods_lost: number;
  readonly pods_evicted: number;
  readonly pods_rescheduled: number;
  readonly recovery_time_s: number;
  readonly nodes_end: number;
  readonly nodes_max: number;
  readonly node_hours: number;
  readonly gpu_alloc_mean_pct: number;
  readonly gpu_alloc_peak_pct: number;
  readonly gpu_alloc_final_pct: number;
  readonly gpu_pods_pending_end: number;
  readonly gang_gpu_hours_idle: number;
  readonly gang_wait_mean_s: number;
  readonly gang_timeouts: number;
}

/** The columns of gang scheduling (Coscheduling), empty (NaN) in runs without it. */
export const GANG_COLUMNS: readonly (keyof RunSummary)[] = ['gang_gpu_hours_idle', 'gang_wait_mean_s', 'gang_timeouts'];

export interface EngineCounters {
  readonly schedulingAttempts: number;
  readonly unschedulableAttempts: number;
  readonly apiRequests: number;
  readonly throttledRequests: number;
  /** Attempts the API server answered 429 (APF queue full or wait limit). */
  readonly rejected429?: number;
  readonly events: number;
  readonly end: Micros;
  /** Every answered API request (verb and latency), for per-verb percentiles. */
  readonly requests?: readonly { readonly verb: string; readonly latency: Micros }[];
  /** Permit waits that timed out (Coscheduling); undefined when no profile enables it. */
  readonly gangTimeouts?: number;
}

/** p50 and p99 (ms) of the API request latencies of one verb. */
function verbLatency(requests: EngineCounters['requests'], verb: string): [number, number] {
  const xs: number[] = [];
  if (requests !== undefined) for (const r of requests) if (r.verb === verb) xs.push(r.latency);
  const s = sortedCopy(xs);
  return [ms(quantile(s, 50)), ms(quantile(s, 99))];
}

const ms = (us: number): number => us / 1000;

export function summarize(m: MetricsRecorder, c: EngineCounters): RunSummary {
  let created = 0;
  let scheduled = 0;
  let running = 0;
  let starting = 0;
  let succeeded = 0;
  let failed = 0;
  let deleted = 0;
  let pending = 0;
  let gpuPending = 0;
  let firstCreated = Infinity;
  const sched: number[] = [];
  const startup: number[] = [];
  for (const r of m.pods.values()) {
    created++;
    if (r.bound >= 0) scheduled++;
    // A pod that ran to completion counts as such even if it was deleted afterwards (the pod garbage collector
    // removes the finished pods of deleted nodes); a pod still Terminating at the end (its node is down) was
    // deleted by its owner as much as a gone one.
    if (r.finished >= 0 && r.phase === 'Succeeded') succeeded++;
    else if (r.finished >= 0 && r.phase === 'Failed') failed++;
    else if (r.deleted >= 0 || r.terminating >= 0) deleted++;
    else if (r.phase === 'Succeeded') succeeded++;
    else if (r.phase === 'Failed') failed++;
    else if (r.bound >= 0) {
      if (r.phase === 'Running') running++;
      else starting++;
    } else {
      pending++;
      if (r.gpuMilli > 0) gpuPending++;
    }
  }
  // Latencies and throughput come from the measured pods (all, unless a step list marks some).
  for (const r of m.measuredPods()) {
    if (r.created < firstCreated) firstCreated = r.created;
    if (r.bound >= 0) sched.push(r.bound - r.created);
    if (r.running >= 0) startup.push(r.running - r.created);
  }
  const s = sortedCopy(sched);
  const st = sortedCopy(startup);
  const windows = throughputWindows(firstCreated, m.measuredBindTimes());
  const tw = sortedCopy(windows);
  const avg = windows.length > 0 ? windows.reduce((a, b) => a + b, 0) / windows.length : 0;
  const alloc = m.allocation(c.end);
  const np = sortedCopy(m.netProgLatencies);
  const create = verbLatency(c.requests, 'create');
  const update = verbLatency(c.requests, 'update');
  const del = verbLatency(c.requests, 'delete');
  return {
    pods_created: created,
    pods_scheduled: scheduled,
    pods_running: running,
    pods_starting_end: starting,
    pods_succeeded: succeeded,
    pods_failed: failed,
    pods_deleted: deleted,
    pods_pending_end: pending,
    scheduling_attempts: c.schedulingAttempts,
    unschedulable_attempts: c.unschedulableAttempts,
    sched_latency_p50_ms: ms(quantile(s, 50)),
    sched_latency_p90_ms: ms(quantile(s, 90)),
    sched_latency_p99_ms: ms(quantile(s, 99)),
    sched_latency_max_ms: ms(quantile(s, 100)),
    startup_latency_p50_ms: ms(quantile(st, 50)),
    startup_latency_p90_ms: ms(quantile(st, 90)),
    startup_latency_p99_ms: ms(quantile(st, 99)),
    throughput_avg_per_s: avg,
    throughput_p50_per_s: quantile(tw, 50),
    throughput_p90_per_s: quantile(tw, 90),
    throughput_p99_per_s: quantile(tw, 99),
    cpu_alloc_mean_pct: 100 * alloc.cpuMean,
    cpu_alloc_final_pct: 100 * alloc.cpuFinal,
    mem_alloc_mean_pct: 100 * alloc.memMean,
    mem_alloc_final_pct: 100 * alloc.memFinal,
    nodes: m.nodes,
    nodes_in_use_end: alloc.nodesInUse,
    net_prog_latency_p50_ms: ms(quantile(np, 50)),
    net_prog_latency_p99_ms: ms(quantile(np, 99)),
    api_requests: c.apiRequests,
    api_throttled_requests: c.throttledRequests,
    api_rejected_429: c.rejected429 ?? 0,
    sim_end_s: c.end / MICROS_PER_SECOND,
    events: c.events,
    api_latency_create_p50_ms: create[0],
    api_latency_create_p99_ms: create[1],
    api_latency_update_p50_ms: update[0],
    api_latency_update_p99_ms: update[1],
    api_latency_delete_p50_ms: del[0],
    api_latency_delete_p99_ms: del[1],
    pods_lost: m.podsLost,
    pods_evicted: m.podsEvicted,
    pods_rescheduled: m.podsRescheduled,
    // The slowest recovery from a node fault; empty when some fault was never recovered from, 0 without faults.
    recovery_time_s:
      m.nodeFaults === 0 || m.recoveryTimes.length < m.nodeFaults
        ? NaN
        : m.recoveryTimes.reduce((a, b) => Math.max(a, b), 0) / MICROS_PER_SECOND,
    nodes_end: m.nodesNow,
    nodes_max: m.nodesMax,
    node_hours: m.nodeHours(c.end),
    // GPU milli allocated to bound pods as % of the nodes' GPU milli; empty without GPUs (engine/gpu).
    gpu_alloc_mean_pct: 100 * alloc.gpuMean,
    gpu_alloc_peak_pct: 100 * alloc.gpuPeak,
    gpu_alloc_final_pct: 100 * alloc.gpuFinal,
    gpu_pods_pending_end: m.allocGpu > 0 ? gpuPending : NaN,
    // Coscheduling: GPUs held by pods assumed and waiting at Permit for their group, × the wait, in hours.
    gang_gpu_hours_idle: c.gangTimeouts === undefined ? NaN : m.gangGpuIdle / MICROS_PER_SECOND / 3600,
    gang_wait_mean_s:
      c.gangTimeouts === undefined || m.gangWaits.length === 0
        ? NaN
        : m.gangWaits.reduce((a, b) => a + b, 0) / m.gangWaits.length / MICROS_PER_SECOND,
    gang_timeouts: c.gangTimeouts ?? NaN,
  };
}
