/**
 * Results for CI systems, from plain data: JUnit XML (one test case per run and per expectation), a JSON
 * summary and a GitHub-flavoured Markdown summary (comparison table and expectation results) for a job summary
 * or a pull-request comment. The CLI writes them with writeFileAtomic; the library returns the same data.
 */
import { METRICS, METRIC_NAMES, shownOnStdout } from '../metrics/metric-info.js';
import type { Expectation } from '../scenario/expect.js';
import type { Direction, Verdict } from '../metrics/stats.js';
import { compare, type Comparison, type MetricName, type MetricRow, type SummaryRecord } from './comparison.js';
import { evaluateExpectations, type ExpectationResult } from './expectations.js';
import { fmt } from './table.js';

/** What a gate decided: the runs (summary rows), their comparison and the expectations' results. */
export interface GateOutcome {
  readonly scenario: string;
  readonly runs: readonly SummaryRecord[];
  readonly comparison: Comparison;
  readonly expectations: readonly ExpectationResult[];
}

/**
 * Compares the runs (baseline policy: `baseline`, else the first) on every metric they have and evaluates the
 * expectations; `baselineRuns` are the records of --baseline-dir, or null.
 */
export function gateOutcome(
  runs: readonly SummaryRecord[],
  baseline: string | null,
  expectations: readonly Expectation[],
  baselineRuns: readonly SummaryRecord[] | null,
): GateOutcome {
  const comparison = compare(
    runs,
    baseline,
    METRIC_NAMES.filter((m) => runs.some((r) => r.values.has(m))),
  );
  return { scenario: comparison.scenario, runs, comparison, expectations: evaluateExpectations(expectations, runs, baselineRuns) };
}

export function failures(o: GateOutcome): readonly ExpectationResult[] {
  return o.expectations.filter((r) => r.status === 'failed');
}

/** XML 1.0 text: the five predefined entities, and characters XML cannot hold dropped. */
export function xmlEscape(s: string): string {
  return s
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/**
 * JUnit XML as Jenkins, GitLab and the GitHub test-report actions read it: a <testsuites> with a suite of runs
 * (each run that finished is a passing test case) and a suite of expectations (failures carry the figures,
 * skipped ones the reason). No timestamps or durations, so the file is as deterministic as the reports.
 */
export function junitXml(o: GateOutcome): string {
  const a = (s: string): string => `"${xmlEscape(s)}"`;
  const fails = failures(o).length;
  const skipped = o.expectations.filter((r) => r.status === 'skipped').length;
  const lines = ['<?xml version="1.0" encoding="UTF-8"?>'];
  lines.push(
    `<testsuites name=${a(`kubesim ${o.scenario}`)} tests="${o.runs.length + o.expectations.length}" failures="${fails}" errors="0" skipped="${skipped}">`,
  );
  lines.push(`  <testsuite name=${a(`${o.scenario}.runs`)} tests="${o.runs.length}" failures="0" errors="0" skipped="0">`);
  for (const r of o.runs) lines.push(`    <testcase classname=${a(`${o.scenario}.runs`)} name=${a(`${r.policy} seed ${r.seed}`)}/>`);
  lines.push('  </testsuite>');
  lines.push(
    `  <testsuite name=${a(`${o.scenario}.expectations`)} tests="${o.expectations.length}" failures="${fails}" errors="0" skipped="${skipped}">`,
  );
  for (const r of o.expectations) {
    const open = `    <testcase classname=${a(`${o.scenario}.expectations`)} name=${a(r.name)}`;
    const where = r.source.line > 0 ? `${r.source.file}:${r.source.line} ${r.source.path}` : r.source.path;
    if (r.status === 'passed') lines.push(`${open}>`, `      <system-out>${xmlEscape(r.detail)}</system-out>`, '    </testcase>');
    else if (r.status === 'skipped') lines.push(`${open}>`, `      <skipped message=${a(r.detail)}/>`, '    </testcase>');
    else
      lines.push(
        `${open}>`,
        `      <failure message=${a(r.detail)} type="expectation">${xmlEscape(`${r.name}\n${r.detail}\n${where}`)}</failure>`,
        '    </testcase>',
      );
  }
  lines.push('  </testsuite>', '</testsuites>', '');
  return lines.join('\n');
}

function rowOf(c: Comparison, policy: string, metric: string): MetricRow {
  return c.rows.find((r) => r.policy === policy && r.metric === metric) as MetricRow;
}

/** A Markdown table cell: pipes escaped, newlines flattened. */
function mdCell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

function verdictCell(r: MetricRow): string {
  if (r.diff === null) return 'baseline';
  if (r.verdict === 'better' || r.verdict === 'worse') {
    const pct =
      Math.abs(r.baselineMean) > 0
        ? ` (${r.diff.mean >= 0 ? '+' : ''}${((100 * r.diff.mean) / Math.abs(r.baselineMean)).toFixed(1)}%)`
        : '';
    return `**${r.verdict}** ${fmt(r.diff.mean)} ± ${fmt(r.diff.halfWidth)}${pct}`;
  }
  return r.verdict ?? '';
}

/**
 * GitHub-flavoured Markdown: a headline, the expectations that failed first, the comparison table (mean ± 95%
 * CI per policy, the paired verdict against the baseline in each policy's cell) and every expectation's result.
 */
export function markdownSummary(o: GateOutcome): string {
  const c = o.comparison;
  const fails = failures(o);
  const out: string[] = [];
  const status = fails.length === 0 ? '✅ all expectations met' : `❌ ${fails.length} expectation${fails.length === 1 ? '' : 's'} failed`;
  const seeds = [...new Set(o.runs.map((r) => r.seed))].length;
  out.push(
    `## kubesim: ${mdCell(o.scenario)}`,
    '',
    `${status} (${o.expectations.length} checked; ${c.policies.length} polic${c.policies.length === 1 ? 'y' : 'ies'} × ${seeds} seed${seeds === 1 ? '' : 's'}, baseline ${mdCell(c.baseline)})`,
    '',
  );
  if (fails.length > 0) {
    for (const r of fails) out.push(`- ❌ \`${r.name}\`: ${mdCell(r.detail)}`);
    out.push('');
  }
  const metrics = c.metrics.filter(
    (m) =>
      METRICS[m].headline &&
      shownOnStdout(
        METRICS[m],
        c.policies.map((p) => rowOf(c, p, m).value.mean),
      ),
  );
  out.push(`| metric (mean ± 95% CI) | ${c.policies.map((p) => `${mdCell(p)} (n=${c.seeds.get(p)?.length ?? 0})`).join(' | ')} |`);
  out.push(`|---|${c.policies.map(() => '---:').join('|')}|`);
  for (const m of metrics) {
    const cells = c.policies.map((p) => {
      const r = rowOf(c, p, m);
      const mean = Number.isNaN(r.value.halfWidth) ? fmt(r.value.mean) : `${fmt(r.value.mean)} ± ${fmt(r.value.halfWidth)}`;
      return r.diff === null || r.direction === 'none' ? mean : `${mean}<br>${verdictCell(r)}`;
    });
    out.push(`| ${mdCell(METRICS[m].label)} | ${cells.join(' | ')} |`);
  }
  out.push('');
  if (o.expectations.length > 0) {
    out.push('| expectation | result | figures |', '|---|---|---|');
    const icon = { passed: '✅ passed', failed: '❌ failed', skipped: '⏭️ skipped' } as const;
    for (const r of o.expectations) out.push(`| \`${mdCell(r.name)}\` | ${icon[r.status]} | ${mdCell(r.detail)} |`);
    out.push('');
  }
  return out.join('\n');
}

/** NaN (no value) as null: JSON has no NaN. */
const num = (v: number): number | null => (Number.isNaN(v) ? null : v);

/** One run's summary row as plain data; a metric without a value (no fault, so no recovery time) is null. */
export interface RunRow {
  readonly policy: string;
  readonly seed: number;
  readonly metrics: Readonly<Partial<Record<MetricName, number | null>>>;
}

/** A 95% interval as [low, high]; null with fewer than 2 values. */
export type Ci95 = readonly [number, number] | null;

/** One (policy, metric) of the comparison as plain data (the columns of comparison.csv). */
export interface ComparisonRow {
  readonly policy: string;
  readonly metric: MetricName;
  /** Which direction is better; 'none' for counts that describe the workload. */
  readonly better: Direction;
  readonly n: number;
  readonly mean: number | null;
  readonly ci95: Ci95;
  /** The paired difference with the baseline on common seeds; null for the baseline itself. */
  readonly diff: { readonly pairs: number; readonly mean: number | null; readonly ci95: Ci95 } | null;
  readonly verdict: Verdict | 'baseline';
}

const ci = (i: { mean: number; halfWidth: number }): Ci95 =>
  Number.isNaN(i.halfWidth) ? null : [i.mean - i.halfWidth, i.mean + i.halfWidth];

export function plainRuns(runs: readonly SummaryRecord[]): RunRow[] {
  return runs.map((r) => ({ policy: r.policy, seed: r.seed, metrics: Object.fromEntries([...r.values].map(([k, v]) => [k, num(v)])) }));
}

export function plainComparison(c: Comparison): ComparisonRow[] {
  return c.rows.map((r) => ({
    policy: r.policy,
    metric: r.metric,
    better: r.direction,
    n: r.value.n,
    mean: num(r.value.mean),
    ci95: ci(r.value),
    diff: r.diff === null ? null : { pairs: r.diff.n, mean: num(r.diff.mean), ci95: ci(r.diff) },
    verdict: r.verdict ?? 'baseline',
  }));
}

/** The machine-readable summary `--json` prints on stdout. */
export function jsonSummary(o: GateOutcome): string {
  const c = o.comparison;
  return `${JSON.stringify(
    {
      scenario: o.scenario,
      passed: failures(o).length === 0,
      failed: failures(o).length,
      policies: c.policies,
      baseline: c.baseline,
      runs: plainRuns(o.runs),
      comparison: plainComparison(c),
      expectations: o.expectations,
    },
    null,
    2,
  )}\n`;
}
