/**
 * Replications and reports: common random numbers across policies, the time series against an independent
 * recount, the comparison read back from summary.csv, ClusterLoader2-shaped measurements, and report.html.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Pod } from '../engine/api/objects.js';
import { METRIC_NAMES, METRICS, shownOnStdout } from '../engine/metrics/metric-info.js';
import { meansTable, verdictText } from '../engine/report/table.js';
import { runOutput, type RunOutput } from '../engine/metrics/run-output.js';
import { planTasks, seedsOf, shardTasks } from '../engine/sweep/plan.js';
import { compare, type MetricName, type SummaryRecord } from '../engine/report/comparison.js';
import { parseCsv } from '../engine/report/csv-read.js';
import { measurementsJson, reportFiles, sweepComparison } from '../engine/report/files.js';
import { readSummaryCsv } from '../engine/report/summary-read.js';
import type { Sweep } from '../engine/report/sweep.js';
import { RUN_DURATION_ANNOTATION } from '../engine/node/kubelet.js';
import { runOnce } from '../engine/run.js';
import { loadScenario } from '../engine/scenario/load.js';

const here = dirname(fileURLToPath(import.meta.url));
const small = join(here, '..', '..', 'test', 'fixtures', 'small.yaml');
const { scenario } = loadScenario(small);
const [spread, pack] = scenario.policies;

/** Each batch pod's creation time and drawn lifetime, as the API server committed them. */
function workloadDraws(policy: typeof spread, seed: number): Map<string, [number, string]> {
  const out = new Map<string, [number, string]>();
  runOnce(scenario, policy, seed, {
    observe: (_t, type, o) => {
      if (type === 'ADDED' && o.kind === 'Pod' && o.metadata.name.startsWith('batch-'))
        out.set(o.metadata.name, [o.metadata.creationTimestamp, o.metadata.annotations[RUN_DURATION_ANNOTATION]]);
    },
  });
  return out;
}

test('common random numbers: every policy gets the same workload draws on a seed, another seed gets others', () => {
  const a = workloadDraws(spread, 7);
  const b = workloadDraws(pack, 7);
  assert.is(a.size, 120, 'the fixture creates 120 batch pods');
  const lifetimes = (m: Map<string, [number, string]>): string[] => [...m.keys()].sort().map((k) => `${k}=${m.get(k)?.[1]}`);
  assert.equal(lifetimes(b), lifetimes(a), 'same pods with the same lifetimes under both policies');
  // Arrival times are drawn per workload; creation = arrival + API request latency (median 1 ms), so the two
  // policies' creation times of the same pod stay within a few ms although the scheduler's traffic differs.
  for (const [name, [t]] of a) assert.ok(Math.abs(t - (b.get(name)?.[0] ?? -1e9)) < 50_000, `${name} created at about the same time`);
  const c = workloadDraws(spread, 8);
  assert.not.equal(lifetimes(c), lifetimes(a), 'seed 8 draws other lifetimes');
  assert.equal(seedsOf(42, 3), [42, 43, 44]);
});

test('timeseries.csv rows match an independent recount from the committed changes', () => {
  // Oracle: commit times of each pod's transitions, seen through the run's observe hook.
  const added = new Map<string, number>();
  const bound = new Map<string, number>();
  const running = new Map<string, number>();
  const gone = new Map<string, number>();
  const key = (p: Pod): string => `${p.metadata.namespace}/${p.metadata.name}`;
  const r = runOnce(scenario, pack, 7, {
    sampleInterval: 500_000,
    observe: (t, type, o, old) => {
      if (o.kind !== 'Pod') return;
      const k = key(o);
      if (type === 'ADDED') added.set(k, t);
      if (type === 'DELETED') {
        if (!gone.has(k)) gone.set(k, t);
        return;
      }
      if (o.spec.nodeName !== '' && !bound.has(k)) bound.set(k, t);
      if (o.status.phase === 'Running' && !running.has(k)) running.set(k, t);
      if ((o.status.phase === 'Succeeded' || o.status.phase === 'Failed') && !gone.has(k) && old !== undefined) gone.set(k, t);
    },
  });
  const rows = r.timeseries;
  assert.is(rows.length, Math.ceil(r.end / 500_000) + 1, 'one row per half second, through the first point at or after the end');
  const at = (m: Map<string, number>, k: string, t: number): boolean => (m.get(k) ?? Infinity) <= t;
  for (const row of rows) {
    let pending = 0;
    let run = 0;
    let b = 0;
    for (const k of added.keys()) {
      if (!at(added, k, row.t)) continue;
      if (at(bound, k, row.t)) b++;
      if (at(gone, k, row.t)) continue;
      if (!at(bound, k, row.t)) pending++;
      else if (at(running, k, row.t)) run++;
    }
    assert.is(row.pending, pending, `pending at ${row.t}`);
    assert.is(row.running, run, `running at ${row.t}`);
    assert.is(row.bound, b, `bound by ${row.t}`);
  }
  const last = rows[rows.length - 1];
  assert.is(last.running, r.summary.pods_running);
  assert.is(last.nodesInUse, r.summary.nodes_in_use_end);
  assert.ok(Math.abs(last.cpuPct - r.summary.cpu_alloc_final_pct) < 1e-9);
  assert.ok(rows.some((x) => x.pending > 0) && rows.some((x) => x.running > 50), 'the recount is not trivially zero');
});

test('sampling is passive: the interval does not change the run', () => {
  const a = runOnce(scenario, spread, 7, { sampleInterval: 1_000_000 });
  const b = runOnce(scenario, spread, 7, { sampleInterval: 37_000 });
  assert.is(b.fingerprint, a.fingerprint);
  assert.ok(b.timeseries.length > 20 * a.timeseries.length);
});

function sweepOf(replications: number): Sweep {
  const seeds = seedsOf(7, replications);
  const runs: RunOutput[] = planTasks(['spread', 'pack'], seeds).map((t) =>
    runOutput(runOnce(scenario, t.policy === 'spread' ? spread : pack, t.seed), 1_000_000, false),
  );
  return {
    info: {
      scenario: 'small',
      description: 'd',
      nodes: 25,
      policies: ['spread', 'pack'],
      seeds,
      baseline: null,
      sampleInterval: 1_000_000,
      pods: false,
    },
    runs,
  };
}

const sweep3 = sweepOf(3);

test('comparison: the same aggregates from summary.csv read back, baseline first by default', () => {
  const files = new Map(reportFiles(sweep3));
  const back = readSummaryCsv(files.get('summary.csv') as string, 'summary.csv');
  assert.equal(back.metrics, METRIC_NAMES);
  const fromFile = compare(back.records, null, back.metrics);
  assert.equal(fromFile, sweepComparison(sweep3));
  assert.is(fromFile.baseline, 'spread');
  const nodes = fromFile.rows.find((r) => r.policy === 'pack' && r.metric === 'nodes_in_use_end');
  // Hand check against the three runs: the paired difference's mean is the difference of the means.
  const mean = (p: string): number => sweep3.runs.filter((r) => r.policy === p).reduce((s, r) => s + r.summary.nodes_in_use_end, 0) / 3;
  assert.ok(nodes !== undefined && nodes.diff !== null);
  assert.ok(Math.abs((nodes?.diff?.mean ?? 0) - (mean('pack') - mean('spread'))) < 1e-9);
  assert.is(nodes?.verdict, 'better', 'bin-packing uses fewer nodes');
  const other = compare(back.records, 'pack', back.metrics);
  assert.is(other.rows.find((r) => r.policy === 'spread' && r.metric === 'nodes_in_use_end')?.verdict, 'worse');
  // comparison.csv: one row per policy × metric.
  const csv = parseCsv(files.get('comparison.csv') as string);
  assert.is(csv.length, 1 + 2 * METRIC_NAMES.length);
  assert.equal(csv[0].slice(0, 4), ['scenario', 'policy', 'metric', 'better']);
});

test('stdout tables leave out the fault rows of runs without node faults, and keep them when a run has any', () => {
  const records = (lost: number, recovery: number): SummaryRecord[] =>
    ['a', 'b'].flatMap((policy) =>
      [1, 2].map((seed) => ({
        scenario: 's',
        policy,
        seed,
        values: new Map<MetricName, number>([
          ['pods_created', 10],
          ['pods_lost', policy === 'b' && seed === 2 ? lost : 0],
          ['pods_evicted', 0],
          ['recovery_time_s', recovery],
        ]),
      })),
    );
  const metrics: MetricName[] = ['pods_created', 'pods_lost', 'pods_evicted', 'recovery_time_s'];
  const quiet = compare(records(0, NaN), null, metrics);
  const table = meansTable(quiet);
  assert.match(table, 'pods created');
  assert.not.match(table, 'pods lost');
  assert.not.match(table, 'pods evicted');
  assert.not.match(table, 'time to full replicas');
  assert.not.match(verdictText(quiet), 'pods lost');
  // One run lost 3 pods and recovered: those rows are printed (pods evicted, 0 everywhere, still is not).
  const faulty = meansTable(compare(records(3, 60), null, metrics));
  assert.match(faulty, 'pods lost with failed nodes');
  assert.match(faulty, 'time to full replicas after a node fault (s)');
  assert.not.match(faulty, 'pods evicted');
  assert.ok(shownOnStdout(METRICS.pods_created, [0, 0]), 'a metric without a hide flag is always printed');
});

test('measurements.json has ClusterLoader2 shapes', () => {
  const m = JSON.parse(measurementsJson(sweep3)) as {
    runs: {
      policy: string;
      seed: number;
      PodStartupLatency: { version: string; dataItems: { data: Record<string, number>; unit: string; labels: { Metric: string } }[] };
      SchedulingThroughput: Record<string, number>;
    }[];
  };
  assert.is(m.runs.length, 6);
  const first = m.runs[0];
  assert.is(first.PodStartupLatency.version, '1.0');
  assert.equal(
    first.PodStartupLatency.dataItems.map((d) => d.labels.Metric),
    ['create_to_schedule', 'schedule_to_run', 'create_to_run', 'pod_startup'],
  );
  const s2s = first.PodStartupLatency.dataItems[0];
  assert.is(s2s.unit, 'ms');
  assert.equal(Object.keys(s2s.data), ['Perc50', 'Perc90', 'Perc99']);
  assert.ok(s2s.data.Perc50 <= s2s.data.Perc90 && s2s.data.Perc90 <= s2s.data.Perc99);
  assert.equal(Object.keys(first.SchedulingThroughput), ['perc50', 'perc90', 'perc99', 'max']);
  assert.is(first.SchedulingThroughput.perc50, sweep3.runs[0].summary.throughput_p50_per_s);
});

test('report.html is well-formed, self-contained and escapes names', () => {
  const evil = '<img src=x onerror="alert(1)">&';
  const runs = sweep3.runs.map((r) => (r.policy === 'pack' ? { ...r, policy: evil } : r));
  const s: Sweep = { info: { ...sweep3.info, description: 'a <b>bold</b> "claim"', policies: ['spread', evil] }, runs };
  const html = new Map(reportFiles(s)).get('report.html') as string;
  assert.not.match(html, '<img', 'no tag from input survives');
  assert.not.match(html, '<b>bold</b>');
  assert.match(html, '&lt;img src=x onerror=&quot;alert(1)&quot;&gt;&amp;');
  assert.not.match(html, /<script|https?:\/\/(?!www\.w3\.org\/2000\/svg)/, 'no script, no network reference');
  assert.is((html.match(/<svg /g) ?? []).length, 7);
  // Tags balance (void elements and self-closed SVG shapes aside).
  const stack: string[] = [];
  for (const m of html.matchAll(/<(\/?)([a-zA-Z][a-zA-Z0-9]*)[^>]*?(\/?)>/g)) {
    const [, close, name, self] = m;
    if (self === '/' || ['br', 'meta'].includes(name)) continue;
    if (close === '') stack.push(name);
    else assert.is(stack.pop(), name, `closing </${name}>`);
  }
  assert.equal(stack, []);
});

test('shards: every run in exactly one share', () => {
  const tasks = planTasks(['a', 'b', 'c'], [1, 2, 3, 4]);
  const shares = [0, 1, 2, 3, 4].map((index) => shardTasks(tasks, { index, count: 5 }));
  assert.equal(
    shares
      .flat()
      .map((t) => t.index)
      .sort((x, y) => x - y),
    tasks.map((t) => t.index),
  );
  assert.ok(shares.every((s) => s.length === 2 || s.length === 3));
});

test.run();
