/**
 * CSV reports (csv-stringify). summary.csv holds simulated results only, one row per (policy, seed), columns
 * as documented in docs/reference/reports.md; wall-clock figures go to engine.csv, never into summary.csv.
 */
import { stringify } from 'csv-stringify/sync';
import { METRIC_NAMES } from '../metrics/metric-info.js';
import type { RunSummary } from '../metrics/summary.js';

/** Numbers are written with up to 3 decimals so reports are stable and diffable. */
export function cell(v: number | string): string | number {
  if (typeof v === 'string') return v;
  if (Number.isNaN(v)) return '';
  return Number.isInteger(v) ? v : Number(v.toFixed(3));
}

/** A number exactly as summary.csv stores it (what every aggregate is computed from, so that re-reading the
 * file with `kubesim compare` or merging shards gives the same aggregates as the run itself). */
export function stored(v: number): number {
  const c = cell(v);
  return c === '' ? NaN : Number(c);
}

export interface SummaryRun {
  readonly scenario: string;
  readonly policy: string;
  readonly seed: number;
  readonly summary: RunSummary;
  readonly fingerprint: string;
}

export function summaryCsv(results: readonly SummaryRun[]): string {
  if (results.length === 0) return '';
  const header = ['scenario', 'policy', 'seed', ...METRIC_NAMES, 'fingerprint'];
  const rows = results.map((r) => [r.scenario, r.policy, r.seed, ...METRIC_NAMES.map((c) => cell(r.summary[c])), r.fingerprint]);
  return stringify([header, ...rows]);
}

export interface EngineRow {
  readonly policy: string;
  readonly seed: number;
  readonly wallMs: number;
  readonly events: number;
}

export function engineCsv(rows: readonly EngineRow[]): string {
  const header = ['policy', 'seed', 'wall_ms', 'events', 'events_per_s'];
  return stringify([
    header,
    ...rows.map((r) => [r.policy, r.seed, cell(r.wallMs), r.events, cell(r.wallMs > 0 ? (r.events * 1000) / r.wallMs : 0)]),
  ]);
}
