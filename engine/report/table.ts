/**
 * What a run prints on stdout: with one seed, a table of each run's key metrics; with replications, the mean
 * and 95% interval of each policy, then each policy against the baseline ("A is better than B on X by Y ± Z").
 */
import { METRICS, shownOnStdout } from '../metrics/metric-info.js';
import type { SummaryRun } from './csv.js';
import type { Comparison, MetricRow } from './comparison.js';

const HEADLINE = (Object.keys(METRICS) as (keyof typeof METRICS)[]).filter((k) => METRICS[k].headline);

/** A number for people: integers as they are, others with 1–2 decimals or 2 significant digits. */
export function fmt(v: number): string {
  if (Number.isNaN(v)) return '-';
  if (Number.isInteger(v)) return String(v);
  const a = Math.abs(v);
  if (a >= 10) return v.toFixed(1);
  if (a >= 1) return v.toFixed(2);
  return v.toPrecision(2);
}

/** Right-aligned columns, the first left-aligned, a rule under the header. */
function grid(rows: readonly (readonly string[])[]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((row) => row[c].length)));
  return rows
    .map((row, i) => {
      const line = row.map((text, c) => (c === 0 ? text.padEnd(widths[c]) : text.padStart(widths[c]))).join('  ');
      return i === 0 ? `${line}\n${widths.map((w) => '-'.repeat(w)).join('  ')}` : line;
    })
    .join('\n');
}

export function runTable(results: readonly SummaryRun[]): string {
  const head = ['metric', ...results.map((r) => `${r.policy} (seed ${r.seed})`)];
  const shown = HEADLINE.filter((k) =>
    shownOnStdout(
      METRICS[k],
      results.map((r) => r.summary[k]),
    ),
  );
  return grid([head, ...shown.map((k) => [METRICS[k].label, ...results.map((r) => fmt(r.summary[k]))])]);
}

function meanText(r: MetricRow): string {
  if (Number.isNaN(r.value.halfWidth)) return fmt(r.value.mean);
  return `${fmt(r.value.mean)} ± ${fmt(r.value.halfWidth)}`;
}

export function meansTable(c: Comparison): string {
  const row = (p: string, m: string): MetricRow => c.rows.find((r) => r.policy === p && r.metric === m) as MetricRow;
  const metrics = c.metrics.filter(
    (m) =>
      METRICS[m].headline &&
      shownOnStdout(
        METRICS[m],
        c.policies.map((p) => row(p, m).value.mean),
      ),
  );
  const head = ['metric (mean ± 95% CI)', ...c.policies.map((p) => `${p} (n=${c.seeds.get(p)?.length ?? 0})`)];
  return grid([head, ...metrics.map((m) => [METRICS[m].label, ...c.policies.map((p) => meanText(row(p, m)))])]);
}

function pct(r: MetricRow): string {
  if (r.diff === null || !(Math.abs(r.baselineMean) > 0)) return '';
  const v = (100 * r.diff.mean) / Math.abs(r.baselineMean);
  return ` (${v >= 0 ? '+' : ''}${v.toFixed(1)}%)`;
}

/** The paired comparison with the baseline, one sentence per significant difference on a headline metric. */
/** A metric's mean per policy (what decides whether a hideable row is printed). */
function means(c: Comparison, metric: string): number[] {
  return c.rows.filter((r) => r.metric === metric).map((r) => r.value.mean);
}

export function verdictText(c: Comparison): string {
  const lines: string[] = [`compared with ${c.baseline} on the same seeds (paired differences, 95% CI):`];
  for (const p of c.policies) {
    if (p === c.baseline) continue;
    const rows = c.rows.filter(
      (r) => r.policy === p && METRICS[r.metric].headline && r.direction !== 'none' && shownOnStdout(METRICS[r.metric], means(c, r.metric)),
    );
    const same: string[] = [];
    const noInterval: string[] = [];
    for (const r of rows) {
      const d = r.diff;
      if (d === null || r.verdict === null) continue;
      const label = METRICS[r.metric].label;
      if (r.verdict === 'better' || r.verdict === 'worse') {
        lines.push(`  ${p} is ${r.verdict} than ${c.baseline} on ${label} by ${fmt(Math.abs(d.mean))} ± ${fmt(d.halfWidth)}${pct(r)}`);
      } else if (r.verdict === 'no interval') {
        // A metric without any value (no node fault, so no recovery time) has nothing to compare: not worth a line.
        if (!Number.isNaN(d.mean)) noInterval.push(label);
      } else same.push(label);
    }
    if (same.length > 0) lines.push(`  ${p}: no significant difference from ${c.baseline} on ${same.join(', ')}`);
    if (noInterval.length > 0) lines.push(`  ${p}: fewer than 2 paired seeds, no interval for ${noInterval.join(', ')}`);
  }
  return lines.join('\n');
}
