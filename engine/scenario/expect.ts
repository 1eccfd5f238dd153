/**
 * The scenario's `expect:` section (and `kubesim check --expect FILE`): what a CI build asserts about the
 * results. Each item is a string of the small grammar below or the same thing as a mapping; both parse to one
 * Expectation (plain data). Metric names are summary.csv's columns; policy names are checked against the
 * scenario's policies (or, for `check`, the policies found in the reports).
 *
 *   threshold   METRIC OP NUMBER [for POLICY]                  OP: < <= > >= == !=
 *   comparison  POLICY better than POLICY on METRIC
 *               POLICY no worse than POLICY [by N%] on METRIC
 *   regression  no regression [on METRIC] [by N%] [for POLICY]  (against --baseline-dir)
 *
 * Mapping form: {metric, policy, op, value, than, by} with op one of the OPs, "better than", "no worse than"
 * or "no regression". The evaluation is engine/report/expectations.ts; the user guide docs/guides/ci-gates.md.
 */
import { METRICS, METRIC_NAMES } from '../metrics/metric-info.js';
import type { RunSummary } from '../metrics/summary.js';
import { suggestClosest, type Field } from './yaml-field.js';

type MetricName = keyof RunSummary;
export const THRESHOLD_OPS = ['<', '<=', '>', '>=', '==', '!='] as const;
export type ThresholdOp = (typeof THRESHOLD_OPS)[number];
export const RELATION_OPS = ['better than', 'no worse than', 'no regression'] as const;

/** Where an expectation was written, for messages and test names. */
export interface ExpectSource {
  readonly file: string;
  readonly line: number;
  /** Field path such as `expect[2]`. */
  readonly path: string;
}

export type Expectation =
  /** The policy's mean over its seeds compared with a constant; policy null = every policy. */
  | {
      readonly kind: 'threshold';
      readonly metric: MetricName;
      readonly policy: string | null;
      readonly op: ThresholdOp;
      readonly value: number;
      readonly source: ExpectSource;
    }
  /** The 95% interval of the paired difference policy − than lies entirely on the metric's better side. */
  | { readonly kind: 'better'; readonly metric: MetricName; readonly policy: string; readonly than: string; readonly source: ExpectSource }
  /** The 95% interval's worse end stays within `marginPct` % of `than`'s mean (non-inferiority). */
  | {
      readonly kind: 'noWorse';
      readonly metric: MetricName;
      readonly policy: string;
      readonly than: string;
      readonly marginPct: number;
      readonly source: ExpectSource;
    }
  /**
   * Against the runs of --baseline-dir on the same seeds: fails when the interval shows the metric worse by more
   * than `marginPct` %. metric null = every metric with a better direction; policy null = every policy.
   */
  | {
      readonly kind: 'regression';
      readonly metric: MetricName | null;
      readonly policy: string | null;
      readonly marginPct: number;
      readonly source: ExpectSource;
    };

/** The expectation as one line of the string grammar (the canonical text, also for the mapping form). */
export function expectationText(e: Expectation): string {
  const by = (m: number): string => (m === 0 ? '' : ` by ${m}%`);
  switch (e.kind) {
    case 'threshold':
      return `${e.metric} ${e.op} ${e.value}${e.policy === null ? '' : ` for ${e.policy}`}`;
    case 'better':
      return `${e.policy} better than ${e.than} on ${e.metric}`;
    case 'noWorse':
      return `${e.policy} no worse than ${e.than}${by(e.marginPct)} on ${e.metric}`;
    case 'regression':
      return `no regression${e.metric === null ? '' : ` on ${e.metric}`}${by(e.marginPct)}${e.policy === null ? '' : ` for ${e.policy}`}`;
  }
}

const GRAMMAR =
  'expected "METRIC OP NUMBER [for POLICY]" (OP one of < <= > >= == !=), "POLICY better than POLICY on METRIC", ' +
  '"POLICY no worse than POLICY [by N%] on METRIC" or "no regression [on METRIC] [by N%] [for POLICY]"';

/**
 * Parses the items of an `expect:` list. `policies` are the names the expectations may use (null: not known
 * yet; `kubesim check` checks them against the reports with checkPolicies).
 */
export function parseExpectations(f: Field, policies: readonly string[] | null): Expectation[] {
  if (!f.exists || f.kind() === 'null') return [];
  return f.items().map((item) => {
    const e = item.kind() === 'map' ? parseMapping(item) : parseString(item);
    if (policies !== null) {
      const bad = unknownPolicy(e, policies);
      if (bad !== null) item.fail(`no policy "${bad}"; the policies are ${policies.join(', ')}`);
    }
    return e;
  });
}

/** The first policy an expectation names that is not among `policies`, or null. */
export function unknownPolicy(e: Expectation, policies: readonly string[]): string | null {
  const named = e.kind === 'better' || e.kind === 'noWorse' ? [e.policy, e.than] : [e.policy];
  return named.find((p): p is string => p !== null && !policies.includes(p)) ?? null;
}

function sourceOf(f: Field): ExpectSource {
  return { file: f.file, line: f.line, path: f.path };
}

function metricOf(name: string, fail: (detail: string) => never): MetricName {
  if ((METRIC_NAMES as string[]).includes(name)) return name as MetricName;
  // A name missing its unit suffix ("sched_latency_p99") is too far for the edit distance but still a clear guess.
  const guess = suggestClosest(name, METRIC_NAMES) ?? METRIC_NAMES.find((m) => name.length >= 4 && m.startsWith(name));
  return fail(
    `unknown metric "${name}"${guess === undefined ? '' : `; did you mean "${guess}"?`}; the metrics (summary.csv columns) are: ${METRIC_NAMES.join(', ')}`,
  );
}

function directed(metric: MetricName, what: string, fail: (detail: string) => never): MetricName {
  if (METRICS[metric].direction === 'none')
    fail(
      `${metric} has no better direction (it describes the workload), so "${what}" has no meaning for it; use a threshold such as "${metric} <= N"`,
    );
  return metric;
}

/** "5%", "5 %", "5" or a YAML number: a non-negative percentage. */
function percent(text: string, fail: (detail: string) => never): number {
  const m = /^([0-9]+(?:\.[0-9]+)?)\s*%?$/.exec(text.trim());
  if (m === null) return fail(`expected a percentage such as 5%, got "${text}"`);
  return Number(m[1]);
}

const NUMBER = /^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/;
const NAME = /^[A-Za-z0-9._-]+$/;

function parseString(f: Field): Expectation {
  if (f.kind() !== 'scalar') f.fail(`expected a string or a mapping (metric, policy, op, value, than, by), got ${f.describe()}`);
  const text = f.str().trim();
  const fail = (detail: string): never => f.fail(`"${text}": ${detail}`);
  const source = sourceOf(f);
  // Operators may be written without spaces ("pods_pending_end==0").
  const tokens = text
    .replace(/(<=|>=|==|!=|<|>)/, ' $1 ')
    .split(/\s+/)
    .filter((t) => t !== '');
  const op = tokens[1];
  if ((THRESHOLD_OPS as readonly string[]).includes(op)) {
    const [metric, , value, forWord, policy] = tokens;
    if (value === undefined || !NUMBER.test(value))
      return fail(`expected a number after ${op}, got ${value === undefined ? 'nothing' : `"${value}"`}`);
    if (tokens.length !== 3 && !(tokens.length === 5 && forWord === 'for' && NAME.test(policy)))
      return fail(`expected nothing or "for POLICY" after the number; ${GRAMMAR}`);
    return {
      kind: 'threshold',
      metric: metricOf(metric, fail),
      policy: tokens.length === 5 ? policy : null,
      op: op as ThresholdOp,
      value: Number(value),
      source,
    };
  }
  const joined = tokens.join(' ');
  let m = /^no regression(?: on (\S+))?(?: by (\S+(?: %)?))?(?: for (\S+))?$/.exec(joined);
  if (m !== null) {
    const metric = m[1] === undefined ? null : directed(metricOf(m[1], fail), 'no regression', fail);
    return { kind: 'regression', metric, policy: m[3] ?? null, marginPct: m[2] === undefined ? 0 : percent(m[2], fail), source };
  }
  m = /^(\S+) better than (\S+) on (\S+)$/.exec(joined);
  if (m !== null) return { kind: 'better', policy: m[1], than: m[2], metric: directed(metricOf(m[3], fail), 'better than', fail), source };
  m = /^(\S+) no worse than (\S+)(?: by (\S+(?: %)?))? on (\S+)$/.exec(joined);
  if (m !== null) {
    return {
      kind: 'noWorse',
      policy: m[1],
      than: m[2],
      marginPct: m[3] === undefined ? 0 : percent(m[3], fail),
      metric: directed(metricOf(m[4], fail), 'no worse than', fail),
      source,
    };
  }
  return fail(GRAMMAR);
}

function parseMapping(f: Field): Expectation {
  f.rejectUnknownKeys(['metric', 'policy', 'op', 'value', 'than', 'by']);
  const source = sourceOf(f);
  const op = f.get('op').oneOf([...THRESHOLD_OPS, ...RELATION_OPS]);
  const metricField = f.get('metric');
  const metricAt = (g: Field): MetricName => metricOf(g.str(), (d) => g.fail(d));
  const policy = f.get('policy').exists ? f.get('policy').str() : null;
  const forbid = (keys: string[]): void => {
    for (const k of keys) if (f.get(k).exists) f.get(k).fail(`does not apply to op "${op}"`);
  };
  const margin = (): number => (f.get('by').exists ? percent(f.get('by').scalarString(), (d) => f.get('by').fail(d)) : 0);
  if ((THRESHOLD_OPS as readonly string[]).includes(op)) {
    forbid(['than', 'by']);
    return { kind: 'threshold', metric: metricAt(metricField), policy, op: op as ThresholdOp, value: f.get('value').num(), source };
  }
  forbid(['value']);
  if (op === 'no regression') {
    forbid(['than']);
    const metric = metricField.exists ? directed(metricAt(metricField), op, (d) => metricField.fail(d)) : null;
    return { kind: 'regression', metric, policy, marginPct: margin(), source };
  }
  if (policy === null) f.get('policy').fail(`expected the policy that is "${op}" the policy named by than`);
  const than = f.get('than').str();
  const metric = directed(metricAt(metricField), op, (d) => metricField.fail(d));
  if (op === 'better than') {
    forbid(['by']);
    return { kind: 'better', metric, policy: policy as string, than, source };
  }
  return { kind: 'noWorse', metric, policy: policy as string, than, marginPct: margin(), source };
}
