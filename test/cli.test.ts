/** The kubesim command as a user runs it: reports, determinism across processes, and clear errors. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const cli = join(here, '..', 'engine', 'cli.js');
const fixtures = join(here, '..', '..', 'test', 'fixtures');

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
  assert.match(r.stdout, /trace of pod nginx under policy pack:/);
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

test.run();
