/** The comparison table printed on stdout after a run: one column per policy, one row per key metric. */
import type { RunResult } from '../run.js';
import type { RunSummary } from '../metrics/summary.js';

const ROWS: readonly [keyof RunSummary, string][] = [
  ['pods_created', 'pods created'],
  ['pods_scheduled', 'pods scheduled'],
  ['pods_running', 'pods running at end'],
  ['pods_pending_end', 'pods pending at end'],
  ['sched_latency_p50_ms', 'scheduling latency p50 (ms)'],
  ['sched_latency_p99_ms', 'scheduling latency p99 (ms)'],
  ['startup_latency_p50_ms', 'pod startup latency p50 (ms)'],
  ['startup_latency_p99_ms', 'pod startup latency p99 (ms)'],
  ['throughput_avg_per_s', 'scheduling throughput avg (pods/s)'],
  ['cpu_alloc_final_pct', 'cpu allocated at end (%)'],
  ['mem_alloc_final_pct', 'memory allocated at end (%)'],
  ['nodes_in_use_end', 'nodes in use at end'],
  ['net_prog_latency_p99_ms', 'network programming p99 (ms)'],
  ['sim_end_s', 'simulated time (s)'],
];

function fmt(v: number): string {
  if (Number.isNaN(v)) return '-';
  return Number.isInteger(v) ? String(v) : v.toFixed(1);
}

export function comparisonTable(results: readonly RunResult[]): string {
  const head = ['metric', ...results.map((r) => `${r.policy} (seed ${r.seed})`)];
  const body = ROWS.map(([k, label]) => [label, ...results.map((r) => fmt(r.summary[k]))]);
  const all = [head, ...body];
  const widths = head.map((_, c) => Math.max(...all.map((row) => row[c].length)));
  return all
    .map((row, i) => {
      const line = row.map((cellText, c) => (c === 0 ? cellText.padEnd(widths[c]) : cellText.padStart(widths[c]))).join('  ');
      return i === 0 ? `${line}\n${widths.map((w) => '-'.repeat(w)).join('  ')}` : line;
    })
    .join('\n');
}
