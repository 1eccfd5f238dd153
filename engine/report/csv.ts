/**
 * CSV reports (csv-stringify). summary.csv holds simulated results only, one row per (policy, seed), columns
 * as documented in the README; wall-clock figures go to engine.csv, never into summary.csv.
 */
import { stringify } from 'csv-stringify/sync';
import type { RunResult } from '../run.js';

/** Numbers are written with up to 3 decimals so reports are stable and diffable. */
function cell(v: number | string): string | number {
  if (typeof v === 'string') return v;
  if (Number.isNaN(v)) return '';
  return Number.isInteger(v) ? v : Number(v.toFixed(3));
}

export function summaryCsv(results: readonly RunResult[]): string {
  if (results.length === 0) return '';
  const cols = Object.keys(results[0].summary) as (keyof RunResult['summary'])[];
  const header = ['scenario', 'policy', 'seed', ...cols, 'fingerprint'];
  const rows = results.map((r) => [r.scenario, r.policy, r.seed, ...cols.map((c) => cell(r.summary[c])), r.fingerprint]);
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
