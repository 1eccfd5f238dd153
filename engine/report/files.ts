/**
 * Every report file of a sweep as (file name, content), computed from plain data only: a run, a merge of
 * shards and a re-run produce the same bytes. engine.csv (wall clock) is written by the CLI, not here.
 */
import { stringify } from 'csv-stringify/sync';
import { METRIC_NAMES } from '../metrics/metric-info.js';
import type { RunOutput } from '../metrics/run-output.js';
import { compare, comparisonCsv, recordOf, type Comparison } from './comparison.js';
import { cell, summaryCsv } from './csv.js';
import { htmlReport } from './html.js';
import type { Sweep } from './sweep.js';

export function sweepComparison(s: Sweep): Comparison {
  return compare(s.runs.map(recordOf), s.info.baseline, METRIC_NAMES);
}

const ms = (us: number): number | string => (us < 0 ? '' : cell(us / 1000));

export function timeseriesCsv(runs: readonly RunOutput[]): string {
  const header = [
    'scenario',
    'policy',
    'seed',
    't_s',
    'pending',
    'running',
    'bound_per_s',
    'cpu_alloc_pct',
    'mem_alloc_pct',
    'nodes_in_use',
    'nodes',
    'nodes_ready',
    'gpu_alloc_pct',
  ];
  const rows: (string | number)[][] = [header];
  for (const r of runs) {
    const perS = 1_000_000 / r.sampleInterval;
    let prevBound = 0;
    for (const p of r.timeseries) {
      rows.push([
        r.scenario,
        r.policy,
        r.seed,
        cell(p.t / 1_000_000),
        p.pending,
        p.running,
        cell((p.bound - prevBound) * perS),
        cell(p.cpuPct),
        cell(p.memPct),
        p.nodesInUse,
        p.nodes,
        p.nodesReady,
        cell(p.gpuPct),
      ]);
      prevBound = p.bound;
    }
  }
  return stringify(rows);
}

export function podsCsv(runs: readonly RunOutput[]): string {
  const header = [
    'scenario',
    'policy',
    'seed',
    'namespace',
    'name',
    'created_ms',
    'bound_ms',
    'running_ms',
    'finished_ms',
    'deleted_ms',
    'node',
    'attempts',
    'phase',
  ];
  const rows: (string | number)[][] = [header];
  for (const r of runs) {
    for (const p of r.pods ?? []) {
      rows.push([
        r.scenario,
        r.policy,
        r.seed,
        p.namespace,
        p.name,
        ms(p.created),
        ms(p.bound),
        ms(p.running),
        ms(p.finished),
        ms(p.deleted),
        p.node,
        p.attempts,
        p.phase,
      ]);
    }
  }
  return stringify(rows);
}

/** ClusterLoader2's measurement shapes (perf-tests clusterloader2: PerfData for PodStartupLatency, plain JSON for SchedulingThroughput), one entry per run. */
export function measurementsJson(s: Sweep): string {
  const r3 = (v: number): number => Number(v.toFixed(3));
  const runs = s.runs.map((r) => ({
    policy: r.policy,
    seed: r.seed,
    PodStartupLatency: {
      version: '1.0',
      dataItems: r.measurements.podStartup.map((m) => ({
        data: { Perc50: r3(m.buckets.Perc50), Perc90: r3(m.buckets.Perc90), Perc99: r3(m.buckets.Perc99) },
        unit: 'ms',
        labels: { Metric: m.metric, Count: String(m.count) },
      })),
    },
    SchedulingThroughput: {
      perc50: r3(r.measurements.throughput.perc50),
      perc90: r3(r.measurements.throughput.perc90),
      perc99: r3(r.measurements.throughput.perc99),
      max: r3(r.measurements.throughput.max),
    },
  }));
  return `${JSON.stringify({ scenario: s.info.scenario, runs }, null, 2)}\n`;
}

export function reportFiles(s: Sweep): [string, string][] {
  const c = sweepComparison(s);
  const files: [string, string][] = [
    ['summary.csv', summaryCsv(s.runs)],
    ['comparison.csv', comparisonCsv(c)],
    ['timeseries.csv', timeseriesCsv(s.runs)],
    ['measurements.json', measurementsJson(s)],
  ];
  if (s.info.pods) files.push(['pods.csv', podsCsv(s.runs)]);
  files.push(['report.html', htmlReport(s, c)]);
  return files;
}
