/**
 * What each summary.csv column means for a comparison: a label for tables, and which direction is better.
 * Counts that describe the workload or the run's size rather than the policy's quality have no direction.
 */
import type { Direction } from './stats.js';
import type { RunSummary } from './summary.js';

export interface MetricInfo {
  readonly label: string;
  readonly direction: Direction;
  /** Shown in the comparison printed on stdout (every metric goes to comparison.csv). */
  readonly headline: boolean;
  /** Left out of the stdout tables when no run has a value (metrics of features a scenario may not use). */
  readonly hideEmpty?: boolean;
  /** Left out of the stdout tables when no run has a value other than 0 (fault counts in runs without faults). */
  readonly hideZero?: boolean;
}

/** Whether a headline metric is printed on stdout, given its values over the runs (every metric goes to the CSVs). */
export function shownOnStdout(info: MetricInfo, values: readonly number[]): boolean {
  if (info.hideZero === true) return values.some((v) => !Number.isNaN(v) && v !== 0);
  if (info.hideEmpty === true) return values.some((v) => !Number.isNaN(v));
  return true;
}

export const METRICS: Readonly<Record<keyof RunSummary, MetricInfo>> = {
  pods_created: { label: 'pods created', direction: 'none', headline: true },
  pods_scheduled: { label: 'pods scheduled', direction: 'higher', headline: true },
  pods_running: { label: 'pods running at end', direction: 'higher', headline: true },
  pods_starting_end: { label: 'pods starting at end', direction: 'lower', headline: false },
  pods_succeeded: { label: 'pods succeeded', direction: 'higher', headline: false },
  pods_failed: { label: 'pods failed', direction: 'lower', headline: false },
  pods_deleted: { label: 'pods deleted', direction: 'none', headline: false },
  pods_pending_end: { label: 'pods pending at end', direction: 'lower', headline: true },
  scheduling_attempts: { label: 'scheduling attempts', direction: 'lower', headline: false },
  unschedulable_attempts: { label: 'unschedulable attempts', direction: 'lower', headline: false },
  sched_latency_p50_ms: { label: 'scheduling latency p50 (ms)', direction: 'lower', headline: true },
  sched_latency_p90_ms: { label: 'scheduling latency p90 (ms)', direction: 'lower', headline: false },
  sched_latency_p99_ms: { label: 'scheduling latency p99 (ms)', direction: 'lower', headline: true },
  sched_latency_max_ms: { label: 'scheduling latency max (ms)', direction: 'lower', headline: false },
  startup_latency_p50_ms: { label: 'pod startup latency p50 (ms)', direction: 'lower', headline: true },
  startup_latency_p90_ms: { label: 'pod startup latency p90 (ms)', direction: 'lower', headline: false },
  startup_latency_p99_ms: { label: 'pod startup latency p99 (ms)', direction: 'lower', headline: true },
  throughput_avg_per_s: { label: 'scheduling throughput avg (pods/s)', direction: 'higher', headline: true },
  throughput_p50_per_s: { label: 'scheduling throughput p50 (pods/s)', direction: 'higher', headline: false },
  throughput_p90_per_s: { label: 'scheduling throughput p90 (pods/s)', direction: 'higher', headline: false },
  throughput_p99_per_s: { label: 'scheduling throughput p99 (pods/s)', direction: 'higher', headline: false },
  // The same pods request the same resources under every policy: allocation differs only through pods left
  // pending, which the pending count already judges.
  cpu_alloc_mean_pct: { label: 'cpu allocated, time average (%)', direction: 'none', headline: false },
  cpu_alloc_final_pct: { label: 'cpu allocated at end (%)', direction: 'none', headline: true },
  mem_alloc_mean_pct: { label: 'memory allocated, time average (%)', direction: 'none', headline: false },
  mem_alloc_final_pct: { label: 'memory allocated at end (%)', direction: 'none', headline: true },
  nodes: { label: 'nodes', direction: 'none', headline: false },
  nodes_in_use_end: { label: 'nodes in use at end', direction: 'lower', headline: true },
  net_prog_latency_p50_ms: { label: 'network programming p50 (ms)', direction: 'lower', headline: false },
  net_prog_latency_p99_ms: { label: 'network programming p99 (ms)', direction: 'lower', headline: true },
  api_requests: { label: 'API requests', direction: 'none', headline: false },
  api_throttled_requests: { label: 'API requests throttled by their client', direction: 'lower', headline: false },
  api_rejected_429: { label: 'API requests rejected 429 by priority and fairness', direction: 'lower', headline: false },
  sim_end_s: { label: 'simulated time (s)', direction: 'none', headline: true },
  events: { label: 'engine events', direction: 'none', headline: false },
  api_latency_create_p50_ms: { label: 'API create latency p50 (ms)', direction: 'lower', headline: false },
  api_latency_create_p99_ms: { label: 'API create latency p99 (ms)', direction: 'lower', headline: false },
  api_latency_update_p50_ms: { label: 'API update latency p50 (ms)', direction: 'lower', headline: false },
  api_latency_update_p99_ms: { label: 'API update latency p99 (ms)', direction: 'lower', headline: false },
  api_latency_delete_p50_ms: { label: 'API delete latency p50 (ms)', direction: 'lower', headline: false },
  api_latency_delete_p99_ms: { label: 'API delete latency p99 (ms)', direction: 'lower', headline: false },
  // Which pods a node fault takes down depends on where the policy put them.
  pods_lost: { label: 'pods lost with failed nodes', direction: 'lower', headline: true, hideZero: true },
  pods_evicted: { label: 'pods evicted (NoExecute taints)', direction: 'lower', headline: true, hideZero: true },
  pods_rescheduled: { label: 'replacement pods scheduled', direction: 'none', headline: false },
  recovery_time_s: { label: 'time to full replicas after a node fault (s)', direction: 'lower', headline: true, hideEmpty: true },
  nodes_end: { label: 'nodes at end', direction: 'lower', headline: false },
  nodes_max: { label: 'nodes at most', direction: 'lower', headline: false },
  node_hours: { label: 'node-hours', direction: 'lower', headline: false },
  // GPU sharing (engine/gpu): the study's measure is the GPU allocated; pods a fragmented cluster cannot place stay pending.
  gpu_alloc_mean_pct: { label: 'GPU milli allocated, time average (%)', direction: 'higher', headline: true, hideEmpty: true },
  gpu_alloc_peak_pct: { label: 'GPU milli allocated at most (%)', direction: 'higher', headline: false },
  gpu_alloc_final_pct: { label: 'GPU milli allocated at end (%)', direction: 'higher', headline: false },
  gpu_pods_pending_end: { label: 'GPU pods pending at end', direction: 'lower', headline: true, hideEmpty: true },
  // Gang scheduling (Coscheduling): GPUs held idle by pods waiting at Permit for their group.
  gang_gpu_hours_idle: { label: 'GPU-hours idle while a gang waits', direction: 'lower', headline: true, hideEmpty: true },
  gang_wait_mean_s: { label: 'Permit wait of gang pods, mean (s)', direction: 'lower', headline: false, hideEmpty: true },
  gang_timeouts: { label: 'gang Permit waits timed out', direction: 'lower', headline: false, hideEmpty: true },
};

export const METRIC_NAMES = Object.keys(METRICS) as (keyof RunSummary)[];
