/**
 * Evaluates a scenario's expectations (engine/scenario/expect.ts) on summary rows, the same records the
 * comparison reads (comparison.ts), so a run, `kubesim check` on its summary.csv and the library agree.
 * Every comparison uses the existing statistics: the mean interval and the paired difference on common seeds
 * with its 95% Student-t interval (metrics/stats.ts through compare()). Plain data in, plain data out.
 */
import { METRICS, METRIC_NAMES } from '../metrics/metric-info.js';
import { meanInterval, type Interval } from '../metrics/stats.js';
import { expectationText, unknownPolicy, type ExpectSource, type Expectation, type ThresholdOp } from '../scenario/expect.js';
import { compare, type MetricName, type MetricRow, type SummaryRecord } from './comparison.js';

export type ExpectationStatus = 'passed' | 'failed' | 'skipped';

export interface ExpectationResult {
  /** The expectation for one policy (and metric), in the string grammar: the test case's name. */
  readonly name: string;
  readonly kind: Expectation['kind'];
  readonly policy: string | null;
  readonly metric: MetricName | null;
  readonly status: ExpectationStatus;
  /** One line with the figures that decided it. */
  readonly detail: string;
  /** Where the expectation was written. */
  readonly source: ExpectSource;
}

/**
 * With --baseline-dir and no `no regression` of its own, the scenario is held to "no regression" on every
 * metric with a better direction, for every policy.
 */
export function withBaselineDefault(list: readonly Expectation[], baselineGiven: boolean, file: string): Expectation[] {
  if (!baselineGiven || list.some((e) => e.kind === 'regression')) return [...list];
  return [...list, { kind: 'regression', metric: null, policy: null, marginPct: 0, source: { file, line: 0, path: '--baseline-dir' } }];
}

/**
 * Results of every expectation, expanded to one per policy (and per metric for a regression on every metric),
 * in the order written. `baseline` holds the records of --baseline-dir, or null when none was given (regression
 * expectations are then skipped).
 */
export function evaluateExpectations(
  list: readonly Expectation[],
  records: readonly SummaryRecord[],
  baseline: readonly SummaryRecord[] | null,
): ExpectationResult[] {
  const policies = [...new Set(records.map((r) => r.policy))];
  const out: ExpectationResult[] = [];
  for (const e of list) {
    const base = { kind: e.kind, source: e.source };
    // A policy left out of the run (--policy) has nothing to check: skipped, not failed.
    const absent = unknownPolicy(e, policies);
    if (absent !== null) {
      out.push({
        ...base,
        name: expectationText(e),
        policy: e.policy,
        metric: e.metric,
        status: 'skipped',
        detail: `policy ${absent} was not run`,
      });
      continue;
    }
    switch (e.kind) {
      case 'threshold':
        for (const p of e.policy === null ? policies : [e.policy]) {
          const { status, detail } = threshold(
            e.metric,
            e.op,
            e.value,
            records.filter((r) => r.policy === p),
          );
          out.push({ ...base, name: expectationText({ ...e, policy: p }), policy: p, metric: e.metric, status, detail });
        }
        break;
      case 'better':
      case 'noWorse': {
        const row = pairedRow(
          records.filter((r) => r.policy === e.policy || r.policy === e.than),
          e.policy,
          e.than,
          e.metric,
        );
        const { status, detail } = e.kind === 'better' ? betterThan(row, e.than) : noWorseThan(row, e.than, e.marginPct);
        out.push({ ...base, name: expectationText(e), policy: e.policy, metric: e.metric, status, detail });
        break;
      }
      case 'regression':
        for (const p of e.policy === null ? policies : [e.policy]) out.push(...regression(e, p, records, baseline));
        break;
    }
  }
  return out;
}

const fmt = (v: number): string => (Number.isNaN(v) ? 'no value' : String(Number(v.toFixed(3))));
const seedsText = (n: number): string => `${n} seed${n === 1 ? '' : 's'}`;

function intervalText(i: Interval): string {
  return Number.isNaN(i.halfWidth) ? fmt(i.mean) : `${fmt(i.mean)} ± ${fmt(i.halfWidth)}`;
}

const TESTS: Record<ThresholdOp, (a: number, b: number) => boolean> = {
  '<': (a, b) => a < b,
  '<=': (a, b) => a <= b,
  '>': (a, b) => a > b,
  '>=': (a, b) => a >= b,
  '==': (a, b) => a === b,
  '!=': (a, b) => a !== b,
};

/** A threshold holds for the policy's mean over its seeds (the figure the comparison table shows). */
function threshold(
  metric: MetricName,
  op: ThresholdOp,
  value: number,
  runs: readonly SummaryRecord[],
): { status: ExpectationStatus; detail: string } {
  if (runs.length === 0) return { status: 'failed', detail: 'no runs of this policy' };
  const i = meanInterval(runs.map((r) => r.values.get(metric) ?? NaN));
  const what = `mean ${intervalText(i)} over ${seedsText(i.n)}`;
  if (Number.isNaN(i.mean)) return { status: 'failed', detail: `${metric} has no value in the runs` };
  return TESTS[op](i.mean, value) ? { status: 'passed', detail: what } : { status: 'failed', detail: `${what}, not ${op} ${value}` };
}

/** The paired difference policy − than on their common seeds (compare() with `than` as the baseline). */
function pairedRow(records: readonly SummaryRecord[], policy: string, than: string, metric: MetricName): MetricRow | null {
  if (!records.some((r) => r.policy === policy) || !records.some((r) => r.policy === than)) return null;
  const c = compare(records, than, [metric]);
  return c.rows.find((r) => r.policy === policy) ?? null;
}

/** Worsening = the paired difference signed so that positive is worse (for lower-is-better metrics, the difference itself). */
function worsening(row: MetricRow): { mean: number; halfWidth: number } {
  const d = row.diff as Interval;
  return row.direction === 'higher' ? { mean: -d.mean, halfWidth: d.halfWidth } : { mean: d.mean, halfWidth: d.halfWidth };
}

/** Every paired run gave the same value (an unchanged run is deterministic, so this needs no interval). */
function identical(d: Interval): boolean {
  return d.n > 0 && d.mean === 0 && (d.n === 1 || d.sd === 0);
}

function diffText(row: MetricRow, than: string): string {
  const d = row.diff as Interval;
  const pct =
    row.baselineMean === 0 || Number.isNaN(d.mean)
      ? ''
      : ` (${d.mean >= 0 ? '+' : ''}${fmt((100 * d.mean) / Math.abs(row.baselineMean))}%)`;
  const ci = Number.isNaN(d.halfWidth) ? 'no interval' : `95% CI [${fmt(d.mean - d.halfWidth)}, ${fmt(d.mean + d.halfWidth)}]`;
  return `${row.metric} ${fmt(row.value.mean)} vs ${fmt(row.baselineMean)} of ${than}: difference ${fmt(d.mean)}${pct}, ${ci}, ${d.n} paired seed${d.n === 1 ? '' : 's'}`;
}

/** Nothing to decide on: a policy without runs, no common seed, a metric without values, or one pair only. */
function undecidable(row: MetricRow | null, than: string): string | null {
  if (row === null) return 'no runs of one of the two policies';
  const d = row.diff as Interval;
  if (d.n === 0) return `no seed common to both policies`;
  if (Number.isNaN(d.mean)) return `${row.metric} has no value in some runs`;
  if (identical(d)) return null;
  if (Number.isNaN(d.halfWidth)) return `${diffText(row, than)}; one pair gives no confidence interval: run 2 or more replications`;
  return null;
}

/** Better: the whole 95% interval of the difference lies on the better side of 0 (stats.verdict 'better'). */
function betterThan(row: MetricRow | null, than: string): { status: ExpectationStatus; detail: string } {
  const why = undecidable(row, than);
  if (why !== null) return { status: 'failed', detail: why };
  const r = row as MetricRow;
  const text = diffText(r, than);
  if (r.verdict === 'better') return { status: 'passed', detail: text };
  return {
    status: 'failed',
    detail: `${text}: ${r.verdict === 'worse' ? 'significantly worse' : r.verdict === 'no difference' ? 'identical on every seed' : 'no significant difference'}`,
  };
}

/** No worse by N %: the interval's worse end is within N % of the other policy's mean (a non-inferiority test). */
function noWorseThan(row: MetricRow | null, than: string, marginPct: number): { status: ExpectationStatus; detail: string } {
  const why = undecidable(row, than);
  if (why !== null) return { status: 'failed', detail: why };
  const r = row as MetricRow;
  const text = diffText(r, than);
  if (identical(r.diff as Interval)) return { status: 'passed', detail: text };
  const w = worsening(r);
  const allowed = (marginPct / 100) * Math.abs(r.baselineMean);
  if (w.mean + w.halfWidth <= allowed) return { status: 'passed', detail: text };
  return {
    status: 'failed',
    detail: `${text}: could be worse by ${fmt(w.mean + w.halfWidth)}, more than the ${marginPct}% allowed (${fmt(allowed)})`,
  };
}

const BASELINE_SUFFIX = ' (baseline dir)';

function regression(
  e: Extract<Expectation, { kind: 'regression' }>,
  policy: string,
  records: readonly SummaryRecord[],
  baseline: readonly SummaryRecord[] | null,
): ExpectationResult[] {
  const metrics = e.metric !== null ? [e.metric] : METRIC_NAMES.filter((m) => METRICS[m].direction !== 'none');
  const result = (metric: MetricName | null, status: ExpectationStatus, detail: string): ExpectationResult => ({
    kind: 'regression',
    source: e.source,
    name: expectationText({ ...e, metric, policy }),
    policy,
    metric,
    status,
    detail,
  });
  if (baseline === null) return [result(e.metric, 'skipped', 'no --baseline-dir given')];
  const mine = records.filter((r) => r.policy === policy);
  const theirs = baseline.filter((r) => r.policy === policy);
  if (mine.length === 0) return [result(e.metric, 'failed', 'no runs of this policy')];
  if (theirs.length === 0) return [result(e.metric, 'failed', `the baseline dir has no runs of policy ${policy}`)];
  const label = `${policy}${BASELINE_SUFFIX}`;
  const c = compare([...mine, ...theirs.map((r) => ({ ...r, policy: label }))], label, metrics);
  const out: ExpectationResult[] = [];
  for (const row of c.rows) {
    if (row.policy !== policy) continue;
    const d = row.diff as Interval;
    const all = [...mine, ...theirs].map((r) => r.values.get(row.metric) ?? NaN);
    // A metric neither side has a value for (no fault, so no recovery time) is not a result of the policy.
    if (e.metric === null && all.every((v) => Number.isNaN(v))) continue;
    const why = undecidable(row, 'the baseline dir');
    if (why !== null) {
      out.push(result(row.metric, 'failed', why));
      continue;
    }
    const text = diffText(row, 'the baseline dir');
    if (identical(d)) {
      out.push(result(row.metric, 'passed', text));
      continue;
    }
    const w = worsening(row);
    const allowed = (e.marginPct / 100) * Math.abs(row.baselineMean);
    if (w.mean - w.halfWidth > allowed)
      out.push(
        result(
          row.metric,
          'failed',
          `${text}: worse by at least ${fmt(w.mean - w.halfWidth)}${e.marginPct > 0 ? `, more than the ${e.marginPct}% allowed (${fmt(allowed)})` : ''}`,
        ),
      );
    else out.push(result(row.metric, 'passed', text));
  }
  return out;
}

/** One line per result, as printed by the CLI: `FAIL <name>: <figures>  (file:line path)`. */
export function resultLine(r: ExpectationResult): string {
  const tag = r.status === 'passed' ? 'ok  ' : r.status === 'failed' ? 'FAIL' : 'skip';
  const where = r.source.line > 0 ? ` (${r.source.file}:${r.source.line} ${r.source.path})` : '';
  return `${tag} ${r.name}: ${r.detail}${r.status === 'failed' ? where : ''}`;
}
