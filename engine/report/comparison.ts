/**
 * The comparison of policies over replications (comparison.csv and the table on stdout): per policy and
 * metric the mean over seeds with its 95% Student-t interval, and per policy the paired difference with the
 * baseline on the seeds both ran. Computed from summary rows exactly as summary.csv stores them, so
 * `kubesim compare` on the files and a merge of shards reproduce the run's own aggregates.
 */
import { stringify } from 'csv-stringify/sync';
import { METRICS } from '../metrics/metric-info.js';
import type { RunSummary } from '../metrics/summary.js';
import { meanInterval, pairedDifference, verdict, type Direction, type Interval, type Verdict } from '../metrics/stats.js';
import { cell, stored, type SummaryRun } from './csv.js';

export type MetricName = keyof RunSummary;

/** One summary row reduced to what the comparison needs. */
export interface SummaryRecord {
  readonly scenario: string;
  readonly policy: string;
  readonly seed: number;
  readonly values: ReadonlyMap<MetricName, number>;
}

export function recordOf(r: SummaryRun): SummaryRecord {
  const values = new Map<MetricName, number>();
  for (const k of Object.keys(METRICS) as MetricName[]) values.set(k, stored(r.summary[k]));
  return { scenario: r.scenario, policy: r.policy, seed: r.seed, values };
}

export interface MetricRow {
  readonly policy: string;
  readonly metric: MetricName;
  readonly direction: Direction;
  readonly value: Interval;
  /** Null for the baseline itself. */
  readonly diff: Interval | null;
  /** The baseline's mean over the paired seeds (for relative differences). */
  readonly baselineMean: number;
  readonly verdict: Verdict | null;
}

export interface Comparison {
  readonly scenario: string;
  readonly policies: readonly string[];
  readonly baseline: string;
  /** Seeds of each policy, ascending. */
  readonly seeds: ReadonlyMap<string, readonly number[]>;
  readonly metrics: readonly MetricName[];
  readonly rows: readonly MetricRow[];
}

/** Thrown when the records cannot be compared (duplicate runs, unknown baseline). */
export class ComparisonError extends Error {}

/**
 * Groups records by policy (in order of first appearance) and compares each policy with the baseline
 * (default: the first policy). Metrics absent from every record (older files) are left out.
 */
export function compare(records: readonly SummaryRecord[], baseline: string | null, metrics: readonly MetricName[]): Comparison {
  const byPolicy = new Map<string, Map<number, SummaryRecord>>();
  for (const r of records) {
    let m = byPolicy.get(r.policy);
    if (m === undefined) byPolicy.set(r.policy, (m = new Map()));
    if (m.has(r.seed))
      throw new ComparisonError(
        `policy ${r.policy} has two runs with seed ${r.seed}; compare each sweep separately or give the runs different labels`,
      );
    m.set(r.seed, r);
  }
  const policies = [...byPolicy.keys()];
  if (policies.length === 0) throw new ComparisonError('no runs to compare');
  const base = baseline ?? policies[0];
  const baseRuns = byPolicy.get(base);
  if (baseRuns === undefined) throw new ComparisonError(`baseline ${base}: no such policy; the runs have ${policies.join(', ')}`);
  const seeds = new Map<string, number[]>();
  for (const [p, runs] of byPolicy)
    seeds.set(
      p,
      [...runs.keys()].sort((a, b) => a - b),
    );
  const rows: MetricRow[] = [];
  for (const p of policies) {
    const runs = byPolicy.get(p) as Map<number, SummaryRecord>;
    const mine = seeds.get(p) as number[];
    const paired = mine.filter((s) => baseRuns.has(s));
    for (const metric of metrics) {
      const direction = METRICS[metric].direction;
      const value = meanInterval(mine.map((s) => (runs.get(s) as SummaryRecord).values.get(metric) ?? NaN));
      const bv = paired.map((s) => (baseRuns.get(s) as SummaryRecord).values.get(metric) ?? NaN);
      const baselineMean = bv.length > 0 ? bv.reduce((a, b) => a + b, 0) / bv.length : NaN;
      if (p === base) {
        rows.push({ policy: p, metric, direction, value, diff: null, baselineMean, verdict: null });
        continue;
      }
      const diff = pairedDifference(
        paired.map((s) => (runs.get(s) as SummaryRecord).values.get(metric) ?? NaN),
        bv,
      );
      rows.push({ policy: p, metric, direction, value, diff, baselineMean, verdict: verdict(diff, direction) });
    }
  }
  const scenarios = [...new Set(records.map((r) => r.scenario))];
  return { scenario: scenarios.join('+'), policies, baseline: base, seeds, metrics, rows };
}

export function comparisonCsv(c: Comparison): string {
  const header = [
    'scenario',
    'policy',
    'metric',
    'better',
    'n',
    'mean',
    'sd',
    'ci95_low',
    'ci95_high',
    'baseline',
    'pairs',
    'diff_mean',
    'diff_ci95_low',
    'diff_ci95_high',
    'diff_pct',
    'verdict',
  ];
  const num = (v: number): string | number => cell(v);
  const rows = c.rows.map((r) => {
    const v = r.value;
    const d = r.diff;
    return [
      c.scenario,
      r.policy,
      r.metric,
      r.direction,
      v.n,
      num(v.mean),
      num(v.sd),
      num(v.mean - v.halfWidth),
      num(v.mean + v.halfWidth),
      c.baseline,
      d === null ? '' : d.n,
      d === null ? '' : num(d.mean),
      d === null ? '' : num(d.mean - d.halfWidth),
      d === null ? '' : num(d.mean + d.halfWidth),
      d === null || r.baselineMean === 0 ? '' : num((100 * d.mean) / Math.abs(r.baselineMean)),
      r.verdict ?? 'baseline',
    ];
  });
  return stringify([header, ...rows]);
}
