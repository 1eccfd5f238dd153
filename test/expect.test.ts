/**
 * The `expect:` grammar (engine/scenario/expect.ts) and its evaluation (engine/report/expectations.ts) on
 * summary records, and the CI outputs built from them (engine/report/ci-output.ts): JUnit XML, Markdown, JSON.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { METRIC_NAMES } from '../engine/metrics/metric-info.js';
import { gateOutcome, jsonSummary, junitXml, markdownSummary } from '../engine/report/ci-output.js';
import type { MetricName, SummaryRecord } from '../engine/report/comparison.js';
import { evaluateExpectations, resultLine, withBaselineDefault, type ExpectationResult } from '../engine/report/expectations.js';
import { expectationText, parseExpectations, type Expectation } from '../engine/scenario/expect.js';
import { InputError } from '../engine/scenario/input-error.js';
import { parseScenario } from '../engine/scenario/load.js';
import { parseYamlDocuments } from '../engine/scenario/yaml-field.js';
import { expectInputError } from './helpers.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');

function parse(yaml: string, policies: readonly string[] | null = ['a', 'b']): Expectation[] {
  return parseExpectations(parseYamlDocuments(`expect:\n${yaml}`, 'x.yaml')[0].get('expect'), policies);
}
const one = (item: string): Expectation => parse(`  - ${item}\n`)[0];
const without = (e: Expectation): Omit<Expectation, 'source'> => {
  const { source: _source, ...rest } = e;
  return rest;
};

test('string grammar: thresholds, comparisons and regressions', () => {
  assert.equal(without(one('"sched_latency_p99_ms < 2000"')), {
    kind: 'threshold',
    metric: 'sched_latency_p99_ms',
    policy: null,
    op: '<',
    value: 2000,
  });
  assert.equal(without(one('pods_pending_end==0 for b')), {
    kind: 'threshold',
    metric: 'pods_pending_end',
    policy: 'b',
    op: '==',
    value: 0,
  });
  for (const op of ['<', '<=', '>', '>=', '==', '!=']) assert.is((one(`"nodes_end ${op} -1.5e1"`) as { op: string }).op, op);
  assert.is((one('"nodes_end >= -1.5e1"') as { value: number }).value, -15);
  assert.equal(without(one('a better than b on nodes_in_use_end')), { kind: 'better', policy: 'a', than: 'b', metric: 'nodes_in_use_end' });
  assert.equal(without(one('a no worse than b by 5% on sched_latency_p99_ms')), {
    kind: 'noWorse',
    policy: 'a',
    than: 'b',
    marginPct: 5,
    metric: 'sched_latency_p99_ms',
  });
  assert.equal(without(one('a no worse than b on sched_latency_p99_ms')), {
    kind: 'noWorse',
    policy: 'a',
    than: 'b',
    marginPct: 0,
    metric: 'sched_latency_p99_ms',
  });
  assert.equal(without(one('no regression')), { kind: 'regression', metric: null, policy: null, marginPct: 0 });
  assert.equal(without(one('no regression on node_hours by 2.5 % for a')), {
    kind: 'regression',
    metric: 'node_hours',
    policy: 'a',
    marginPct: 2.5,
  });
  // The canonical text reads back to the same expectation.
  for (const item of [
    '"nodes_end <= 3 for a"',
    'a better than b on nodes_in_use_end',
    'a no worse than b by 5% on node_hours',
    'no regression on node_hours by 1% for b',
  ]) {
    const e = one(item);
    assert.equal(without(one(expectationText(e))), without(e), item);
  }
});

test('mapping form: the same expectations, and keys that do not apply are refused', () => {
  assert.equal(without(one('{metric: pods_scheduled, op: ">=", value: 40, policy: a}')), {
    kind: 'threshold',
    metric: 'pods_scheduled',
    policy: 'a',
    op: '>=',
    value: 40,
  });
  assert.equal(without(one('{policy: a, op: better than, than: b, metric: node_hours}')), {
    kind: 'better',
    metric: 'node_hours',
    policy: 'a',
    than: 'b',
  });
  assert.equal(without(one('{policy: a, op: no worse than, than: b, metric: node_hours, by: 3}')), {
    kind: 'noWorse',
    metric: 'node_hours',
    policy: 'a',
    than: 'b',
    marginPct: 3,
  });
  assert.equal(without(one('{op: no regression, by: "2%"}')), { kind: 'regression', metric: null, policy: null, marginPct: 2 });
  let e = expectInputError(() => one('{metric: node_hours, op: "<", value: 3, than: b}'));
  assert.is(e.path, 'expect[0].than');
  assert.match(e.detail, 'does not apply to op "<"');
  e = expectInputError(() => one('{metric: node_hours, op: "lt", value: 3}'));
  assert.is(e.path, 'expect[0].op');
  assert.match(e.detail, 'expected one of "<", "<=", ">", ">=", "==", "!=", "better than", "no worse than", "no regression", got "lt"');
  e = expectInputError(() => one('{metric: node_hours, op: "<"}'));
  assert.is(e.path, 'expect[0].value');
  e = expectInputError(() => one('{op: better than, than: b, metric: node_hours}'));
  assert.is(e.path, 'expect[0].policy');
});

test('errors name the file, line and field path; an unknown metric lists every valid one', () => {
  const e = expectInputError(() => parse('  - pods_pending_end == 0\n  - "sched_latncy_p99_ms < 2000"\n'));
  assert.is(e.file, 'x.yaml');
  assert.is(e.line, 3);
  assert.is(e.path, 'expect[1]');
  assert.match(e.detail, 'unknown metric "sched_latncy_p99_ms"; did you mean "sched_latency_p99_ms"?');
  for (const m of METRIC_NAMES) assert.ok(e.detail.includes(m), m);
  const mapped = expectInputError(() => one('{metric: podz, op: "<", value: 1}'));
  assert.is(mapped.path, 'expect[0].metric');
  assert.match(mapped.detail, 'unknown metric "podz"');
  // A metric with no better direction cannot be "better".
  assert.match(expectInputError(() => one('a better than b on pods_created')).detail, 'pods_created has no better direction');
  assert.match(expectInputError(() => one('a is faster than b')).detail, 'expected "METRIC OP NUMBER [for POLICY]"');
  assert.match(expectInputError(() => one('"nodes_end < many"')).detail, 'expected a number after <, got "many"');
  assert.match(expectInputError(() => one('"nodes_end < 3 or so"')).detail, 'expected nothing or "for POLICY"');
  assert.match(expectInputError(() => one('a no worse than b by lots on node_hours')).detail, 'expected a percentage');
  assert.match(expectInputError(() => one('[1]')).detail, 'expected a string or a mapping');
  // Policies are checked against the scenario's.
  const p = expectInputError(() => one('a better than c on node_hours'));
  assert.match(p.detail, 'no policy "c"; the policies are a, b');
});

test('the loader reads expect: with the scenario, checking policy names against its policies', () => {
  const text = readFileSync(join(root, 'test', 'fixtures', 'gate.yaml'), 'utf8');
  const s = parseScenario(parseYamlDocuments(text, 'gate.yaml')[0], join(root, 'test', 'fixtures', 'gate.yaml')).scenario;
  assert.equal(s.expect.map(expectationText), [
    'pods_pending_end == 0',
    'sched_latency_p99_ms < 60000 for pack',
    'pack better than spread on nodes_in_use_end',
    'pods_scheduled >= 40 for spread',
  ]);
  const bad = text.replace('pack better than spread', 'pack better than binpack');
  try {
    parseScenario(parseYamlDocuments(bad, 'gate.yaml')[0], join(root, 'test', 'fixtures', 'gate.yaml'));
    assert.unreachable('accepted an unknown policy');
  } catch (err) {
    assert.instance(err, InputError);
    assert.is((err as InputError).path, 'expect[2]');
    assert.match((err as InputError).detail, 'no policy "binpack"; the policies are spread, pack');
  }
});

test('a gpuReplay scenario refuses expect: (not supported there yet) rather than ignoring it', () => {
  const file = join(root, 'test', 'fixtures', 'gpu', 'tiny.yaml');
  const text = `${readFileSync(file, 'utf8')}\nexpect:\n  - pods_pending_end == 0\n`;
  try {
    parseScenario(parseYamlDocuments(text, file)[0], file);
    assert.unreachable('accepted expect: in a gpuReplay scenario');
  } catch (err) {
    assert.instance(err, InputError);
    assert.is((err as InputError).path, 'expect');
    assert.match((err as InputError).detail, 'a gpuReplay scenario does not support them yet');
  }
});

test('the schema describes the mapping form exactly as the loader accepts it', () => {
  const schema = JSON.parse(readFileSync(join(root, 'scenarios', 'scenario.schema.json'), 'utf8')) as {
    properties: Record<string, unknown>;
    $defs: { expectation: { oneOf: [unknown, { properties: Record<string, { enum?: string[] }> }] } };
  };
  assert.ok('expect' in schema.properties);
  const mapping = schema.$defs.expectation.oneOf[1].properties;
  const e = expectInputError(() => one('{op: "<", zzzzzzzz: 1}'));
  const loaderKeys = (/expected one of: (.*)$/.exec(e.detail) as RegExpExecArray)[1].split(', ');
  assert.equal(Object.keys(mapping).sort(), loaderKeys.sort());
  assert.equal(mapping.metric.enum, METRIC_NAMES);
  const opErr = expectInputError(() => one('{op: zzzz}'));
  const ops = (/expected one of (.*), got/.exec(opErr.detail) as RegExpExecArray)[1].split(', ').map((t) => JSON.parse(t) as string);
  assert.equal(mapping.op.enum, ops);
});

// ---- evaluation ----

function rec(policy: string, seed: number, values: Partial<Record<MetricName, number>>): SummaryRecord {
  return { scenario: 's', policy, seed, values: new Map(Object.entries(values) as [MetricName, number][]) };
}
/** Records of `policy` with one value of `metric` per seed 1, 2, … */
const series = (policy: string, metric: MetricName, vs: readonly number[]): SummaryRecord[] =>
  vs.map((v, i) => rec(policy, i + 1, { [metric]: v }));
const T975_2 = 4.302652729911275; // Student t, 97.5% quantile, 2 degrees of freedom (tables)

function evalOne(item: string, records: readonly SummaryRecord[], baseline: readonly SummaryRecord[] | null = null): ExpectationResult[] {
  return evaluateExpectations(parse(`  - ${item}\n`, null), records, baseline);
}

test('thresholds: every operator on the policy mean, one result per policy', () => {
  const runs = [...series('a', 'nodes_end', [2, 4]), ...series('b', 'nodes_end', [5, 5])]; // means 3 and 5
  const statuses = (item: string): string[] => evalOne(item, runs).map((r) => `${r.policy}:${r.status}`);
  assert.equal(statuses('"nodes_end < 5"'), ['a:passed', 'b:failed']);
  assert.equal(statuses('"nodes_end <= 5"'), ['a:passed', 'b:passed']);
  assert.equal(statuses('"nodes_end > 3"'), ['a:failed', 'b:passed']);
  assert.equal(statuses('"nodes_end >= 3"'), ['a:passed', 'b:passed']);
  assert.equal(statuses('"nodes_end == 3"'), ['a:passed', 'b:failed']);
  assert.equal(statuses('"nodes_end != 3"'), ['a:failed', 'b:passed']);
  assert.equal(statuses('"nodes_end < 4 for b"'), ['b:failed']);
  const [fail] = evalOne('"nodes_end < 4 for b"', runs);
  assert.is(fail.name, 'nodes_end < 4 for b');
  assert.is(fail.detail, 'mean 5 ± 0 over 2 seeds, not < 4');
  // A metric the runs have no value for fails rather than passing silently.
  assert.equal(
    evalOne('"recovery_time_s < 10"', series('a', 'recovery_time_s', [NaN, NaN])).map((r) => r.status),
    ['failed'],
  );
});

test('better than: a real paired difference passes with its CI, no significant difference fails', () => {
  const real = [...series('a', 'sched_latency_p99_ms', [5, 6, 7]), ...series('b', 'sched_latency_p99_ms', [10, 11, 13])];
  const [ok] = evalOne('a better than b on sched_latency_p99_ms', real);
  assert.is(ok.status, 'passed');
  // Differences −5, −5, −6: mean −16/3, sd √(1/3), half-width t·sd/√3.
  const hw = (T975_2 * Math.sqrt(1 / 3)) / Math.sqrt(3);
  const r3 = (v: number): string => String(Number(v.toFixed(3)));
  assert.match(ok.detail, `difference ${r3(-16 / 3)}`);
  assert.match(ok.detail, `95% CI [${r3(-16 / 3 - hw)}, ${r3(-16 / 3 + hw)}], 3 paired seeds`);
  // The same difference the other way round is "worse", so b better than a fails… and a higher-is-better metric flips.
  assert.is(evalOne('b better than a on sched_latency_p99_ms', real)[0].status, 'failed');
  const tput = [...series('a', 'throughput_avg_per_s', [5, 6, 7]), ...series('b', 'throughput_avg_per_s', [10, 11, 13])];
  assert.is(evalOne('b better than a on throughput_avg_per_s', tput)[0].status, 'passed');
  const noisy = [...series('a', 'sched_latency_p99_ms', [10, 12, 9]), ...series('b', 'sched_latency_p99_ms', [11, 10, 11])];
  const [ns] = evalOne('a better than b on sched_latency_p99_ms', noisy);
  assert.is(ns.status, 'failed');
  assert.match(ns.detail, 'no significant difference');
  // One seed gives no interval: the result says so instead of guessing.
  const single = [...series('a', 'sched_latency_p99_ms', [5]), ...series('b', 'sched_latency_p99_ms', [10])];
  const [nI] = evalOne('a better than b on sched_latency_p99_ms', single);
  assert.is(nI.status, 'failed');
  assert.match(nI.detail, 'one pair gives no confidence interval');
  // Pairs are by seed: no common seed, nothing to compare.
  const apart = [
    ...series('a', 'sched_latency_p99_ms', [5, 6]),
    rec('b', 9, { sched_latency_p99_ms: 10 }),
    rec('b', 10, { sched_latency_p99_ms: 10 }),
  ];
  assert.match(evalOne('a better than b on sched_latency_p99_ms', apart)[0].detail, 'no seed common to both policies');
});

test('no worse than by N%: the worse end of the interval decides against the margin', () => {
  const runs = [...series('a', 'node_hours', [101, 102, 101]), ...series('b', 'node_hours', [100, 100, 100])];
  // Differences 1, 2, 1: upper end 4/3 + t·sd/√3 ≈ 2.77, within 5% of 100, not within 2%.
  assert.is(evalOne('a no worse than b by 5% on node_hours', runs)[0].status, 'passed');
  const [f] = evalOne('a no worse than b by 2% on node_hours', runs);
  assert.is(f.status, 'failed');
  assert.match(f.detail, 'more than the 2% allowed (2)');
  assert.is(evalOne('a no worse than b on node_hours', runs)[0].status, 'failed');
  // b is better by 4/3 on average, but the interval (−1.33 ± 1.43) still reaches 0.1 worse: at 0% that is not
  // shown, at 1% of 101.3 it is.
  assert.is(evalOne('b no worse than a on node_hours', runs)[0].status, 'failed');
  assert.is(evalOne('b no worse than a by 1% on node_hours', runs)[0].status, 'passed');
  const same = [...series('a', 'node_hours', [7, 8]), ...series('b', 'node_hours', [7, 8])];
  assert.is(evalOne('a no worse than b on node_hours', same)[0].status, 'passed', 'identical on every seed');
});

test('no regression against a baseline folder: worse beyond the CI fails, better or identical passes, none given skips', () => {
  const base = series('a', 'sched_latency_p99_ms', [10, 11, 12]);
  const worse = series('a', 'sched_latency_p99_ms', [20, 21, 23]);
  const better = series('a', 'sched_latency_p99_ms', [5, 6, 6]);
  const [w] = evalOne('no regression on sched_latency_p99_ms', worse, base);
  assert.is(w.status, 'failed');
  assert.match(w.detail, 'sched_latency_p99_ms 21.333 vs 11 of the baseline dir: difference 10.333');
  assert.match(w.detail, 'worse by at least');
  assert.is(evalOne('no regression on sched_latency_p99_ms', better, base)[0].status, 'passed');
  assert.is(evalOne('no regression on sched_latency_p99_ms', base, base)[0].status, 'passed');
  // Worse on average (+0.67) but the interval (±5.7) includes 0: not a regression shown beyond the CI.
  const [noisy] = evalOne('no regression on sched_latency_p99_ms', series('a', 'sched_latency_p99_ms', [12, 9, 14]), base);
  assert.is(noisy.status, 'passed', noisy.detail);
  assert.is(evalOne('no regression on sched_latency_p99_ms by 200%', worse, base)[0].status, 'passed', 'within the margin');
  // Higher is better for throughput: a drop is the regression.
  assert.is(
    evalOne(
      'no regression on throughput_avg_per_s',
      series('a', 'throughput_avg_per_s', [5, 6, 6]),
      series('a', 'throughput_avg_per_s', [10, 11, 12]),
    )[0].status,
    'failed',
  );
  // One seed: identical passes, any change has no interval and fails with the reason.
  assert.is(evalOne('no regression on node_hours', series('a', 'node_hours', [3]), series('a', 'node_hours', [3]))[0].status, 'passed');
  assert.match(
    evalOne('no regression on node_hours', series('a', 'node_hours', [4]), series('a', 'node_hours', [3]))[0].detail,
    'run 2 or more replications',
  );
  const [skip] = evalOne('no regression', worse, null);
  assert.is(skip.status, 'skipped');
  assert.match(skip.detail, 'no --baseline-dir given');
  assert.match(
    evalOne('no regression', worse, series('z', 'sched_latency_p99_ms', [1, 2, 3]))[0].detail,
    'the baseline dir has no runs of policy a',
  );
  // Every directed metric: one result per metric with values, the metrics without values left out.
  const all = evalOne(
    'no regression',
    [
      rec('a', 1, { node_hours: 1, nodes_max: 2, recovery_time_s: NaN }),
      rec('a', 2, { node_hours: 1, nodes_max: 2, recovery_time_s: NaN }),
    ],
    [rec('a', 1, { node_hours: 1, nodes_max: 3 }), rec('a', 2, { node_hours: 1, nodes_max: 3 })],
  );
  assert.equal(
    all.filter((r) => r.metric === 'node_hours' || r.metric === 'nodes_max').map((r) => `${r.metric}:${r.status}`),
    ['nodes_max:passed', 'node_hours:passed'],
  );
  assert.not.ok(all.some((r) => r.metric === 'recovery_time_s'));
  assert.not.ok(
    all.some((r) => r.metric === 'pods_created'),
    'metrics without a better direction are not regressions',
  );
  // --baseline-dir alone adds "no regression" (unless the scenario has its own).
  assert.is(withBaselineDefault([], true, 'f').map(expectationText).join(), 'no regression');
  assert.is(withBaselineDefault([], false, 'f').length, 0);
  assert.is(withBaselineDefault(parse('  - no regression on node_hours\n', null), true, 'f').length, 1);
});

// ---- outputs ----

/**
 * A strict XML 1.0 well-formedness check of what JUnit writers produce: one declaration, elements properly
 * nested and closed, quoted attributes without '<' or a raw '&', text without '<' or a raw '&'.
 */
function checkXml(xml: string): string[] {
  const errs: string[] = [];
  const body = xml.replace(/^<\?xml version="1\.0" encoding="UTF-8"\?>\n/, '');
  if (body === xml) errs.push('no XML declaration');
  const stack: string[] = [];
  const entity = /&(?!(amp|lt|gt|quot|apos);)/;
  let i = 0;
  let roots = 0;
  while (i < body.length) {
    const lt = body.indexOf('<', i);
    const text = body.slice(i, lt < 0 ? body.length : lt);
    if (entity.test(text)) errs.push(`raw & in text "${text}"`);
    if (stack.length === 0 && text.trim() !== '') errs.push(`text outside the root: "${text}"`);
    if (lt < 0) break;
    const gt = body.indexOf('>', lt);
    const tag = body.slice(lt + 1, gt);
    const m = /^(\/?)([A-Za-z_][\w.-]*)((?:\s+[A-Za-z_][\w.-]*="[^"<]*")*)\s*(\/?)$/.exec(tag);
    if (m === null) {
      errs.push(`malformed tag <${tag}>`);
      break;
    }
    if (entity.test(m[3])) errs.push(`raw & in attributes of <${m[2]}>`);
    if (m[1] === '/') {
      if (stack.pop() !== m[2]) errs.push(`</${m[2]}> closes the wrong element`);
    } else if (m[4] !== '/') {
      if (stack.length === 0) roots++;
      stack.push(m[2]);
    } else if (stack.length === 0) roots++;
    i = gt + 1;
  }
  if (stack.length > 0) errs.push(`unclosed ${stack.join(', ')}`);
  if (roots !== 1) errs.push(`${roots} root elements`);
  return errs;
}

function outcome() {
  const runs = [...series('a&b', 'nodes_in_use_end', [5, 6, 5]), ...series('c<d>', 'nodes_in_use_end', [9, 9, 10])];
  // Policy names from a summary.csv may hold characters XML and Markdown escape; the mapping form can name them.
  const list = parse(
    '  - {policy: "a&b", op: better than, than: "c<d>", metric: nodes_in_use_end}\n  - "nodes_in_use_end < 6"\n  - no regression\n',
    null,
  );
  return gateOutcome(runs, 'c<d>', list, null);
}

test('JUnit XML: well-formed, one test case per run and per expectation, failures carry the figures', () => {
  assert.equal(checkXml('<?xml version="1.0" encoding="UTF-8"?>\n<a><b x="1"/>t</a>\n'), [], 'the checker accepts XML');
  assert.ok(checkXml('<?xml version="1.0" encoding="UTF-8"?>\n<a><b></a>\n').length > 0, 'the checker refuses bad nesting');
  assert.ok(checkXml('<?xml version="1.0" encoding="UTF-8"?>\n<a x="<">&</a>\n').length > 0, 'the checker refuses raw < and &');
  const o = outcome();
  const xml = junitXml(o);
  assert.equal(checkXml(xml), []);
  assert.is((xml.match(/<testcase /g) ?? []).length, 6 + o.expectations.length);
  assert.is(o.expectations.length, 1 + 2 + 2);
  assert.match(xml, '<testsuites name="kubesim s" tests="11" failures="1" errors="0" skipped="2">');
  assert.match(xml, '<testcase classname="s.runs" name="a&amp;b seed 1"/>');
  assert.is((xml.match(/<failure /g) ?? []).length, 1);
  // c<d>: 9, 9, 10: mean 28/3, sd √(1/3), half-width t·sd/√3.
  const hw = ((T975_2 * Math.sqrt(1 / 3)) / Math.sqrt(3)).toFixed(3);
  assert.match(
    xml,
    `<testcase classname="s.expectations" name="nodes_in_use_end &lt; 6 for c&lt;d&gt;">\n      <failure message="mean 9.333 ± ${hw} over 3 seeds, not &lt; 6" type="expectation">`,
  );
  assert.is((xml.match(/<skipped message="no --baseline-dir given"\/>/g) ?? []).length, 2);
  assert.is(junitXml(o), xml, 'no timestamps: deterministic');
});

test('Markdown: status, failures, the comparison table and every expectation', () => {
  const md = markdownSummary(outcome());
  assert.match(md, '## kubesim: s\n\n❌ 1 expectation failed (5 checked; 2 policies × 3 seeds, baseline c<d>)');
  assert.match(md, '- ❌ `nodes_in_use_end < 6 for c<d>`: mean 9.333');
  assert.match(md, '| metric (mean ± 95% CI) | a&b (n=3) | c<d> (n=3) |\n|---|---:|---:|');
  // Paired differences −4, −3, −5: mean −4, sd 1, half-width t/√3; −4 / 9.33 = −42.9%.
  assert.match(md, `| nodes in use at end | 5.33 ± 1.43<br>**better** -4 ± ${(T975_2 / Math.sqrt(3)).toFixed(2)} (-42.9%) | 9.33 ± 1.43 |`);
  assert.match(md, '| `a&b better than c<d> on nodes_in_use_end` | ✅ passed |');
  assert.match(md, '| `no regression for a&b` | ⏭️ skipped | no --baseline-dir given |');
  const ok = markdownSummary(gateOutcome(series('a', 'nodes_end', [1, 1]), null, [], null));
  assert.match(ok, '✅ all expectations met (0 checked');
  assert.not.match(ok, '| expectation |');
});

test('JSON summary: plain data with null for missing values, and the results with their figures', () => {
  const j = JSON.parse(jsonSummary(outcome())) as {
    passed: boolean;
    failed: number;
    baseline: string;
    runs: { policy: string; seed: number; metrics: Record<string, number | null> }[];
    comparison: { policy: string; metric: string; mean: number; ci95: [number, number]; verdict: string }[];
    expectations: { name: string; status: string; detail: string }[];
  };
  assert.is(j.passed, false);
  assert.is(j.failed, 1);
  assert.is(j.baseline, 'c<d>');
  assert.equal(j.runs[0], { policy: 'a&b', seed: 1, metrics: { nodes_in_use_end: 5 } });
  const row = j.comparison.find((r) => r.policy === 'a&b' && r.metric === 'nodes_in_use_end');
  assert.is(row?.verdict, 'better');
  assert.equal(
    j.expectations.map((e) => e.status),
    ['passed', 'passed', 'failed', 'skipped', 'skipped'],
  );
  assert.equal(JSON.parse(jsonSummary(gateOutcome([rec('a', 1, { recovery_time_s: NaN })], null, [], null))).runs[0].metrics, {
    recovery_time_s: null,
  });
});

test("one line per result, with the expectation's position for failures", () => {
  const [f] = evaluateExpectations(parse('  - "nodes_end < 1"\n', null), series('a', 'nodes_end', [2, 2]), null);
  assert.is(resultLine(f), 'FAIL nodes_end < 1 for a: mean 2 ± 0 over 2 seeds, not < 1 (x.yaml:2 expect[0])');
});

test.run();
