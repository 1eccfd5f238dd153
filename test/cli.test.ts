/** The kubesim command as a user runs it: reports, determinism across processes, and clear errors. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';

const here = dirname(fileURLToPath(import.meta.url));
const cli = join(here, '..', 'engine', 'cli.js');
const fixtures = join(here, '..', '..', 'test', 'fixtures');
const scenarios = join(here, '..', '..', 'scenarios');

function kubesim(...args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8' });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

test('run writes summary.csv and engine.csv; two processes give byte-identical summaries', () => {
  const a = mkdtempSync(join(tmpdir(), 'kubesim-a-'));
  const b = mkdtempSync(join(tmpdir(), 'kubesim-b-'));
  const r1 = kubesim('run', join(fixtures, 'small.yaml'), '--out', a);
  assert.is(r1.code, 0, r1.stderr);
  assert.match(r1.stdout, /pods created/);
  assert.match(r1.stdout, /spread \(seed 7\)/);
  const r2 = kubesim('run', join(fixtures, 'small.yaml'), '--out', b);
  assert.is(r2.code, 0, r2.stderr);
  const s1 = readFileSync(join(a, 'summary.csv'), 'utf8');
  assert.is(s1, readFileSync(join(b, 'summary.csv'), 'utf8'));
  const lines = s1.trim().split('\n');
  assert.is(lines.length, 3, 'header + one row per policy');
  assert.match(lines[0], /^scenario,policy,seed,pods_created,/);
  assert.not.match(lines[0], /wall/, 'wall-clock figures stay out of summary.csv');
  assert.match(readFileSync(join(a, 'engine.csv'), 'utf8'), /^policy,seed,wall_ms,events,events_per_s\n/);
});

test('--seed, --policy and --trace', () => {
  const out = mkdtempSync(join(tmpdir(), 'kubesim-'));
  const r = kubesim('run', join(fixtures, 'small.yaml'), '--out', out, '--seed', '99', '--policy', 'pack', '--trace', 'nginx');
  assert.is(r.code, 0, r.stderr);
  const csv = readFileSync(join(out, 'summary.csv'), 'utf8').trim().split('\n');
  assert.is(csv.length, 2);
  assert.match(csv[1], /^small,pack,99,/);
  assert.match(r.stdout, /trace of pod nginx under policy pack \(seed 99\):/);
  assert.match(r.stdout, /bound: binding to node \S+ committed to etcd/);
});

function badScenario(body: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'kubesim-bad-'));
  const file = join(dir, 'bad.yaml');
  writeFileSync(file, body);
  return file;
}

const GOOD_HEAD = `name: bad
cluster:
  nodePools:
    - name: n
      count: 2
      template: {cpu: "4", memory: 8Gi}
workloads:
  - name: w
    arrival: {type: burst, count: 3}
    pod:
      spec:
        containers:
          - name: c
            image: busybox
            resources:
              requests:
`;

test('a malformed scenario: file, line and field path, exit 2, no stack trace, no report', () => {
  const file = badScenario(GOOD_HEAD + '                cpu: 12x\n');
  const out = join(dirname(file), 'out');
  const r = kubesim('run', file, '--out', out);
  assert.is(r.code, 2);
  assert.match(r.stderr, `${file}:17:`);
  assert.match(r.stderr, 'workloads[0].pod.spec.containers[0].resources.requests.cpu');
  assert.match(r.stderr, /expected a CPU quantity such as "500m" or "2", got "12x"/);
  assert.not.match(r.stderr, /\n\s+at /, 'no stack trace');
  assert.not.ok(existsSync(out), 'no report folder or partial file');
});

test('a typo in a field name is named with a suggestion', () => {
  const file = badScenario(GOOD_HEAD.replace('count: 3', 'cuont: 3') + '                cpu: 1\n');
  const r = kubesim('run', file);
  assert.is(r.code, 2);
  assert.match(r.stderr, /:9:/);
  assert.match(r.stderr, /unknown field "cuont"; did you mean "count"\?/);
});

test('usage errors: unknown policy, missing file', () => {
  const r = kubesim('run', join(fixtures, 'small.yaml'), '--policy', 'nope');
  assert.is(r.code, 2);
  assert.match(r.stderr, /--policy nope: no such policy .* it has spread, pack/);
  const m = kubesim('run', '/nonexistent/scenario.yaml');
  assert.is(m.code, 2);
  assert.match(m.stderr, /\/nonexistent\/scenario\.yaml: .*cannot read file/);
});

const tmp = (p: string): string => mkdtempSync(join(tmpdir(), `kubesim-${p}-`));

/** Every report file of a folder except engine.csv (wall-clock times) and the per-run store, name → content. */
function reports(dir: string): Map<string, string> {
  return new Map(
    readdirSync(dir)
      .filter((f) => f !== 'engine.csv' && f !== 'runs')
      .sort()
      .map((f) => [f, readFileSync(join(dir, f), 'utf8')]),
  );
}

test('replications: --jobs 1 and --jobs 2 write byte-identical reports; stdout shows intervals and verdicts', () => {
  const a = tmp('j1');
  const b = tmp('j2');
  const r1 = kubesim('run', join(fixtures, 'small.yaml'), '--out', a, '--replications', '3', '--jobs', '1', '--pods-csv');
  assert.is(r1.code, 0, r1.stderr);
  const r2 = kubesim('run', join(fixtures, 'small.yaml'), '--out', b, '--replications', '3', '--jobs', '2', '--pods-csv');
  assert.is(r2.code, 0, r2.stderr);
  const ra = reports(a);
  assert.equal([...ra.keys()], ['comparison.csv', 'measurements.json', 'pods.csv', 'report.html', 'summary.csv', 'timeseries.csv']);
  assert.equal(reports(b), ra);
  assert.match(r2.stdout, /on 2 threads/);
  const summary = (ra.get('summary.csv') as string).trim().split('\n');
  assert.equal(
    summary.slice(1).map((l) => l.split(',').slice(1, 3).join(' ')),
    ['spread 7', 'spread 8', 'spread 9', 'pack 7', 'pack 8', 'pack 9'],
  );
  assert.match(r1.stdout, /2 policies × 3 seeds \(7–9/);
  assert.match(r1.stdout, /nodes in use at end\s+25 ± 0\s+/);
  assert.match(r1.stdout, /pack is better than spread on nodes in use at end by \d+(\.\d+)? ± /);
  const pods = (ra.get('pods.csv') as string).trim().split('\n');
  assert.match(pods[0], /^scenario,policy,seed,namespace,name,created_ms,bound_ms,running_ms,finished_ms,deleted_ms,node,attempts,phase$/);
  assert.is(pods.length, 1 + 6 * 183, 'one row per pod and run (the fixture creates 183 pods)');
  assert.not.ok(existsSync(join(a, '.summary.csv.tmp')), 'no temporary file left');
});

test('shards 0/3, 1/3, 2/3 merged == the unsharded run, byte for byte; incomplete merges are refused', () => {
  const whole = tmp('whole');
  const run = kubesim('run', join(fixtures, 'small.yaml'), '--out', whole, '--replications', '2', '--jobs', '1');
  assert.is(run.code, 0, run.stderr);
  const shards = [0, 1, 2].map((i) => {
    const d = tmp(`shard${i}`);
    const r = kubesim('run', join(fixtures, 'small.yaml'), '--out', d, '--replications', '2', '--jobs', '1', '--shard', `${i}/3`);
    assert.is(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`shard ${i}/3 of small: [12] of 4 runs`));
    assert.equal(readdirSync(d).sort(), ['engine.csv', 'runs', 'shard.json']);
    return d;
  });
  const merged = tmp('merged');
  const m = kubesim('merge', shards[2], shards[0], shards[1], '--out', merged);
  assert.is(m.code, 0, m.stderr);
  assert.equal(reports(merged), reports(whole));
  const missing = kubesim('merge', shards[0], shards[2], '--out', tmp('bad'));
  assert.is(missing.code, 2);
  assert.match(missing.stderr, /missing shard 1\/3/);
  const twice = kubesim('merge', shards[0], shards[0], shards[1], '--out', tmp('bad'));
  assert.is(twice.code, 2);
  assert.match(twice.stderr, /shard 0\/3 given twice/);
  const bad = kubesim('run', join(fixtures, 'small.yaml'), '--shard', '3/3');
  assert.is(bad.code, 2);
  assert.match(bad.stderr, /--shard: expected 0 ≤ i < n, got 3\/3/);
});

test('compare re-aggregates summary.csv files; --baseline changes the reference', () => {
  const d = tmp('cmp');
  assert.is(kubesim('run', join(fixtures, 'small.yaml'), '--out', d, '--replications', '2', '--jobs', '1').code, 0);
  const c = kubesim('compare', d, '--baseline', 'pack', '--out', d);
  assert.is(c.code, 0, c.stderr);
  assert.match(c.stdout, /compared with pack on the same seeds/);
  assert.match(c.stdout, /spread is worse than pack on nodes in use at end/);
  const csv = readFileSync(join(d, 'comparison.csv'), 'utf8');
  assert.match(csv, /\nsmall,pack,nodes_in_use_end,lower,2,/);
  const none = kubesim('compare', join(d, 'nope.csv'));
  assert.is(none.code, 2);
  assert.match(none.stderr, /nope\.csv: no such file or folder/);
  const wrong = kubesim('compare', d, '--baseline', 'zzz');
  assert.is(wrong.code, 2);
  assert.match(wrong.stderr, /baseline zzz: no such policy; the runs have spread, pack/);
});

test('validate: a summary and exit 0; a bad scenario exits 2 with its position', () => {
  const v = kubesim('validate', join(fixtures, 'small.yaml'), '--replications', '4');
  assert.is(v.code, 0, v.stderr);
  assert.match(v.stdout, /small\.yaml: valid/);
  assert.match(v.stdout, /cluster:\s+25 nodes in 2 pools \(small ×20, big ×5\)/);
  assert.match(v.stdout, /runs:\s+2 × 4 seeds \(7–10\) = 8/);
  // 1 kubectl pod + 60 Deployment replicas + 120 batch arrivals + 2 huge pods.
  assert.match(v.stdout, /; 183 pods requested/);
  const steps = kubesim('validate', join(scenarios, 'scheduler-perf-steps.yaml'));
  assert.match(steps.stdout, /steps:\s+createNodes, createPods, churn, createPods\n/);
  const bad = kubesim('validate', badScenario(GOOD_HEAD + '                cpu: 12x\n'));
  assert.is(bad.code, 2);
  assert.match(bad.stderr, /:17:/);
  const reps = kubesim(
    'validate',
    badScenario(GOOD_HEAD.replace('name: bad\n', 'name: bad\nreplications: 0\n') + '                cpu: 1\n'),
  );
  assert.is(reps.code, 2);
  assert.match(reps.stderr, /:2:.*replications/);
});

test('bundled scenarios validate; spread-vs-binpack runs with its replications on a smaller sweep', () => {
  for (const f of readdirSync(scenarios).filter((x) => x.endsWith('.yaml'))) {
    // The openb scenarios read the production trace in place from ../shared/traces (never copied into the repo).
    const study = f === 'gpu-fragmentation-openb.yaml' || f === 'openb-replay.yaml';
    if (study && !existsSync(join(scenarios, '..', '..', 'shared', 'traces'))) continue;
    const v = study ? kubesim('validate', join(scenarios, f), '--allow-outside') : kubesim('validate', join(scenarios, f));
    assert.is(v.code, 0, `${f}: ${v.stderr}`);
  }
  const d = tmp('svb');
  const r = kubesim(
    'run',
    join(scenarios, 'spread-vs-binpack.yaml'),
    '--out',
    d,
    '--replications',
    '2',
    '--policy',
    'least-allocated',
    '--policy',
    'most-allocated',
  );
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, /most-allocated is better than least-allocated on nodes in use at end/);
});

test('the Indexed Job example runs one share per completion index', () => {
  const job = parseYaml(readFileSync(join(scenarios, 'k8s', 'sweep-indexed-job.yaml'), 'utf8')) as {
    kind: string;
    spec: {
      completionMode: string;
      completions: number;
      template: { spec: { containers: { env: { name: string; value: string }[]; args: string[] }[] } };
    };
  };
  assert.is(job.kind, 'Job');
  assert.is(job.spec.completionMode, 'Indexed');
  const c = job.spec.template.spec.containers[0];
  assert.is(Number(c.env.find((e) => e.name === 'SHARDS')?.value), job.spec.completions, 'SHARDS = completions');
  assert.match(c.args[0], '--shard "$JOB_COMPLETION_INDEX/$SHARDS"');
  assert.ok(
    existsSync(join(scenarios, c.env.find((e) => e.name === 'SCENARIO')?.value.replace(/^scenarios\//, '') ?? '')),
    'the scenario it names exists',
  );
});

test.run();
