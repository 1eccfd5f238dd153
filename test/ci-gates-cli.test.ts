/**
 * The CI gate as a build runs it: `kubesim run` with a scenario's expect: section and `kubesim check` on
 * existing reports, their exit codes (0 all hold, 1 an expectation failed, 2 bad input), --json on stdout with
 * the human output on stderr, --junit and --markdown files, and --baseline-dir regressions.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { parseCsv } from '../engine/report/csv-read.js';

const here = dirname(fileURLToPath(import.meta.url));
const cli = join(here, '..', 'engine', 'cli.js');
const gate = join(here, '..', '..', 'test', 'fixtures', 'gate.yaml');

function kubesim(...args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8' });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

const tmp = (): string => mkdtempSync(join(tmpdir(), 'kubesim-gate-'));

/** gate.yaml with its expect: section replaced by `expect` (lines of YAML list items), in a folder of its own. */
function gateWith(expect: string): string {
  const text = readFileSync(gate, 'utf8');
  const file = join(tmp(), 'gate.yaml');
  writeFileSync(file, `${text.slice(0, text.lastIndexOf('\nexpect:'))}\nexpect:\n${expect}`);
  return file;
}

// One run of the fixture, shared by the `check` tests below (reports are deterministic).
const reports = tmp();
let first: { code: number; stdout: string; stderr: string };

test('run: expectations that hold exit 0; --json prints only JSON on stdout, the tables go to stderr; --junit and --markdown files', () => {
  const dir = tmp();
  first = kubesim('run', gate, '--out', reports, '--json', '--junit', join(dir, 'junit.xml'), '--markdown', join(dir, 'summary.md'));
  assert.is(first.code, 0, first.stderr);
  const j = JSON.parse(first.stdout) as {
    scenario: string;
    passed: boolean;
    runs: unknown[];
    expectations: { name: string; status: string }[];
  };
  assert.is(j.scenario, 'gate');
  assert.is(j.passed, true);
  assert.is(j.runs.length, 6);
  assert.equal(
    j.expectations.map((e) => `${e.status} ${e.name}`),
    [
      'passed pods_pending_end == 0 for spread',
      'passed pods_pending_end == 0 for pack',
      'passed sched_latency_p99_ms < 60000 for pack',
      'passed pack better than spread on nodes_in_use_end',
      'passed pods_scheduled >= 40 for spread',
    ],
  );
  assert.match(first.stderr, 'metric (mean ± 95% CI)');
  assert.match(first.stderr, 'expectations: 5 passed, 0 failed');
  const xml = readFileSync(join(dir, 'junit.xml'), 'utf8');
  assert.match(
    xml,
    /^<\?xml version="1.0" encoding="UTF-8"\?>\n<testsuites name="kubesim gate" tests="11" failures="0" errors="0" skipped="0">/,
  );
  assert.is((xml.match(/<testcase /g) ?? []).length, 11);
  const md = readFileSync(join(dir, 'summary.md'), 'utf8');
  assert.match(md, '✅ all expectations met (5 checked; 2 policies × 3 seeds, baseline spread)');
  assert.match(md, '| `pack better than spread on nodes_in_use_end` | ✅ passed |');
  assert.ok(existsSync(join(reports, 'summary.csv')));
});

test('run: a failed expectation exits 1 with one line of figures each; the reports are still written', () => {
  const file = gateWith('  - spread better than pack on nodes_in_use_end\n  - "nodes_in_use_end < 6"\n  - pods_pending_end == 0\n');
  const out = join(dirname(file), 'out');
  const r = kubesim('run', file, '--out', out);
  assert.is(r.code, 1, r.stderr);
  const fails = r.stdout.split('\n').filter((l) => l.startsWith('FAIL '));
  assert.is(fails.length, 2);
  assert.match(
    fails[0],
    /^FAIL spread better than pack on nodes_in_use_end: nodes_in_use_end 8 vs 5 of pack: difference 3 \(\+60%\), 95% CI \[3, 3\], 3 paired seeds: significantly worse \(.*gate\.yaml:\d+ expect\[0\]\)$/,
  );
  assert.match(fails[1], /^FAIL nodes_in_use_end < 6 for spread: mean 8 ± 0 over 3 seeds, not < 6 /);
  assert.match(r.stdout, 'expectations: 3 passed, 2 failed');
  assert.ok(existsSync(join(out, 'summary.csv')));
});

test('run: a bad expectation is bad input: exit 2 with file, line and path, before any run', () => {
  const file = gateWith('  - pods_pending_end == 0\n  - "sched_latency_p99 < 2000"\n');
  const out = join(dirname(file), 'out');
  const r = kubesim('run', file, '--out', out);
  assert.is(r.code, 2);
  assert.match(
    r.stderr,
    /^kubesim: error: .*gate\.yaml:\d+:\d+: expect\[1\]: "sched_latency_p99 < 2000": unknown metric "sched_latency_p99"; did you mean "sched_latency_p99_ms"\?; the metrics \(summary.csv columns\) are: pods_created, /,
  );
  assert.not.match(r.stderr, /\n\s+at /, 'no stack trace');
  assert.not.ok(existsSync(out));
  const missing = kubesim('run', gate, '--out', join(dirname(file), 'out2'), '--baseline-dir', join(dirname(file), 'nowhere'));
  assert.is(missing.code, 2);
  assert.match(missing.stderr, '--baseline-dir ');
  assert.match(missing.stderr, 'nowhere: no such file or folder');
  assert.not.ok(existsSync(join(dirname(file), 'out2')));
  const shard = kubesim('run', gate, '--out', join(dirname(file), 'out3'), '--shard', '0/2', '--junit', join(dirname(file), 'j.xml'));
  assert.is(shard.code, 2);
  assert.match(shard.stderr, 'need the whole sweep: use them with kubesim check on the merged reports');
});

test('check: expectations on existing reports, from --expect FILE or the scenario; exit 0, 1 or 2', () => {
  const dir = tmp();
  const ok = join(dir, 'ok.yaml');
  writeFileSync(ok, '- pack better than spread on nodes_in_use_end\n- {metric: pods_scheduled, op: "==", value: 40}\n');
  let r = kubesim('check', reports, '--expect', ok);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, 'gate: 2 policies, 6 runs on 3 seeds from');
  assert.match(r.stdout, 'expectations: 3 passed, 0 failed');
  // The scenario file as target: its own expect: section, on the reports given.
  r = kubesim('check', gate, '--reports', reports);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, 'expectations: 5 passed, 0 failed');
  // A mapping with an expect: key works too; a failure exits 1.
  const bad = join(dir, 'bad.yaml');
  writeFileSync(bad, 'expect:\n  - pack no worse than spread on startup_latency_p50_ms\n');
  r = kubesim('check', join(reports, 'summary.csv'), '--expect', bad, '--junit', join(dir, 'j.xml'));
  assert.is(r.code, 1, r.stderr);
  assert.match(
    r.stdout,
    /\nFAIL pack no worse than spread on startup_latency_p50_ms: startup_latency_p50_ms [0-9.]+ vs [0-9.]+ of spread: difference [0-9.]+ \(\+[0-9.]+%\), 95% CI \[[0-9.]+, [0-9.]+\], 3 paired seeds: could be worse by [0-9.]+, more than the 0% allowed \(0\)/,
  );
  assert.match(readFileSync(join(dir, 'j.xml'), 'utf8'), 'failures="1"');
  // Bad input: a policy the reports do not have, an unknown key, no expectations at all.
  const unknown = join(dir, 'unknown.yaml');
  writeFileSync(unknown, '- "nodes_end < 3"\n- binpack better than spread on nodes_in_use_end\n');
  r = kubesim('check', reports, '--expect', unknown);
  assert.is(r.code, 2);
  assert.match(r.stderr, `${unknown}:2:3: [1]: no policy "binpack"; the policies are spread, pack`);
  writeFileSync(unknown, 'expectations: []\n');
  r = kubesim('check', reports, '--expect', unknown);
  assert.is(r.code, 2);
  assert.match(r.stderr, 'unknown field "expectations"');
  r = kubesim('check', reports, '--expect', ok, '--baseline', 'binpack');
  assert.is(r.code, 2);
  assert.match(r.stderr, '--baseline binpack: no such policy in the reports (spread, pack)');
  r = kubesim('check', reports, '--expect', ok, '--baseline', 'pack', '--markdown', join(dir, 'pack.md'));
  assert.is(r.code, 0, r.stderr);
  assert.match(readFileSync(join(dir, 'pack.md'), 'utf8'), 'baseline pack)');
  r = kubesim('check', reports);
  assert.is(r.code, 2);
  assert.match(r.stderr, 'give the expectations with --expect FILE');
});

/** A copy of the reports' summary.csv with `metric` multiplied by `factor` in every row. */
function scaledBaseline(metric: string, factor: number): string {
  const rows = parseCsv(readFileSync(join(reports, 'summary.csv'), 'utf8'));
  const c = rows[0].indexOf(metric);
  const dir = tmp();
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'summary.csv'),
    rows.map((row, i) => (i === 0 ? row : row.map((v, j) => (j === c ? String(Number(v) * factor) : v))).join(',')).join('\n') + '\n',
  );
  return dir;
}

test('--baseline-dir: an unchanged run passes, a regression beyond the CI fails with its figures', () => {
  // The same scenario and seeds again: every paired difference is 0.
  const out = tmp();
  let r = kubesim('run', gate, '--out', out, '--baseline-dir', reports, '--policy', 'pack');
  assert.is(r.code, 0, r.stdout + r.stderr);
  // The scenario's expectations about spread are skipped: --policy left it out.
  assert.match(r.stdout, 'skip pack better than spread on nodes_in_use_end: policy spread was not run');
  assert.match(r.stdout, /expectations: \d+ passed, 0 failed, 2 skipped/);
  // Against a baseline whose pods started twice as fast, today's startup latency is a regression.
  const faster = scaledBaseline('startup_latency_p99_ms', 0.5);
  r = kubesim('check', reports, '--expect', join(faster, 'none.yaml'), '--baseline-dir', faster);
  assert.is(r.code, 2, 'the --expect file must exist');
  const empty = join(faster, 'none.yaml');
  writeFileSync(empty, '[]\n');
  r = kubesim('check', reports, '--expect', empty, '--baseline-dir', faster);
  assert.is(r.code, 1, r.stdout + r.stderr);
  const fails = r.stdout.split('\n').filter((l) => l.startsWith('FAIL '));
  assert.equal(
    fails.map((l) => l.slice(0, l.indexOf(':'))),
    ['FAIL no regression on startup_latency_p99_ms for spread', 'FAIL no regression on startup_latency_p99_ms for pack'],
  );
  assert.match(
    fails[0],
    /of the baseline dir: difference [0-9.]+ \(\+100%\), 95% CI \[[0-9.]+, [0-9.]+\], 3 paired seeds: worse by at least [0-9.]+$/,
  );
  // A margin wide enough lets it through; a baseline that was slower is no regression.
  writeFileSync(empty, '- no regression on startup_latency_p99_ms by 150%\n');
  assert.is(kubesim('check', reports, '--expect', empty, '--baseline-dir', faster).code, 0);
  writeFileSync(empty, '[]\n');
  assert.is(kubesim('check', reports, '--expect', empty, '--baseline-dir', scaledBaseline('startup_latency_p99_ms', 2)).code, 0);
});

test('the example CI workflow parses, and every kubesim option it uses exists', () => {
  const file = join(here, '..', '..', 'docs', 'examples', 'github-workflow.yml');
  const wf = parseYaml(readFileSync(file, 'utf8')) as {
    on: { pull_request: { paths: string[] } };
    jobs: Record<string, { steps: { run?: string }[] }>;
  };
  assert.ok(wf.on.pull_request.paths.length > 0);
  const commands = Object.values(wf.jobs)
    .flatMap((j) => j.steps.map((s) => s.run ?? ''))
    .flatMap((run) => run.replace(/\\\n\s*/g, ' ').split('\n'))
    .map((l) => l.trim())
    .filter((l) => l.startsWith('npx kubesim '));
  assert.ok(commands.length >= 2);
  const used = commands.map((c) => c.split(/\s+/)).map((t) => ({ command: t[2], options: t.filter((x) => x.startsWith('--')) }));
  assert.ok(used.some((u) => u.options.includes('--baseline-dir') && u.options.includes('--junit')));
  for (const u of used) {
    const help = kubesim(u.command, '--help').stdout;
    for (const o of u.options) assert.match(help, `  ${o} `, `${u.command} ${o}`);
  }
});

test.run();
