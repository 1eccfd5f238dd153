/**
 * kubesim as a library, the way a user's project uses it: `import { loadScenario, runScenario } from 'kubesim'`
 * resolved through package.json `exports` from another folder, its TypeScript types checked by tsc against the
 * emitted declarations, and the API's behaviour (plain results, determinism, options, errors, no files unless
 * asked).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InputError, loadScenario, runScenario } from '../engine/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const gate = join(root, 'test', 'fixtures', 'gate.yaml');

/** A user's project: a folder whose node_modules/kubesim is this package (as `npm install` of it would link). */
function userProject(): string {
  const dir = mkdtempSync(join(tmpdir(), 'kubesim-user-'));
  mkdirSync(join(dir, 'node_modules'));
  symlinkSync(root, join(dir, 'node_modules', 'kubesim'), 'dir');
  writeFileSync(join(dir, 'package.json'), '{"name": "user-project", "type": "module", "private": true}\n');
  return dir;
}

test("import { loadScenario, runScenario } from 'kubesim' resolves through package.json exports and runs", () => {
  const dir = userProject();
  writeFileSync(
    join(dir, 'main.mjs'),
    `import { loadScenario, runScenario } from 'kubesim';
const { scenario } = loadScenario(${JSON.stringify(gate)});
const r = await runScenario({ scenario, warnings: [] }, { replications: 2, expect: ['pack better than spread on nodes_in_use_end', 'pods_pending_end > 0 for pack'] });
console.log(JSON.stringify({ name: scenario.name, seeds: r.seeds, runs: r.runs.length, passed: r.passed, results: r.expectations.map((e) => e.status + ' ' + e.name) }));
try {
  await import('kubesim/dist/engine/cli.js');
  console.log('internals importable');
} catch (e) {
  console.log(e.code);
}
`,
  );
  const r = spawnSync(process.execPath, ['main.mjs'], { cwd: dir, encoding: 'utf8' });
  assert.is(r.status, 0, r.stderr);
  const [json, internals] = r.stdout.trim().split('\n');
  assert.equal(JSON.parse(json), {
    name: 'gate',
    seeds: [11, 12],
    runs: 4,
    passed: false,
    results: ['passed pack better than spread on nodes_in_use_end', 'failed pods_pending_end > 0 for pack'],
  });
  assert.is(internals, 'ERR_PACKAGE_PATH_NOT_EXPORTED', 'only the stable API is exported');
});

test('the published types: a typed use compiles with tsc against the declarations, a wrong one does not', () => {
  const dir = userProject();
  const tsc = join(dirname(createRequire(import.meta.url).resolve('typescript')), '..', 'bin', 'tsc');
  // A user's strict NodeNext project; no @types of its own, so the declarations must stand alone.
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        strict: true,
        noEmit: true,
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        target: 'ES2022',
        skipLibCheck: true,
        types: [],
      },
      files: ['use.ts'],
    }),
  );
  const compile = (body: string): { code: number; out: string } => {
    writeFileSync(join(dir, 'use.ts'), body);
    const r = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: dir, encoding: 'utf8' });
    return { code: r.status ?? -1, out: r.stdout + r.stderr };
  };
  const good =
    compile(`import { loadScenario, runScenario, type ScenarioResult, type ExpectationResult, type ComparisonRow, type RunRow, type MetricName } from 'kubesim';
export async function gate(path: string): Promise<boolean> {
  const loaded = loadScenario({ yaml: 'name: x', dir: '.', name: 'x.yaml' });
  const r: ScenarioResult = await runScenario(path, { seed: 1, replications: 3, policies: ['a'], jobs: 2, expect: ['pods_pending_end == 0', { metric: 'node_hours', op: 'no regression' }] });
  const first: RunRow = r.runs[0];
  const p99: number | null | undefined = first.metrics.sched_latency_p99_ms;
  const row: ComparisonRow | undefined = r.comparison.find((c) => c.verdict === 'better');
  const m: MetricName | undefined = row?.metric;
  const failed: ExpectationResult[] = r.expectations.filter((e) => e.status === 'failed');
  return r.passed && failed.length === 0 && loaded.warnings.length >= 0 && p99 !== 0 && m !== 'pods_created';
}
`);
  assert.is(good.code, 0, good.out);
  const bad = compile(`import { runScenario } from 'kubesim';
export async function gate(path: string): Promise<string> {
  const r = await runScenario(path, { replications: '3' });
  return r.passed;
}
`);
  assert.is(bad.code, 2, bad.out);
  assert.match(bad.out, "use.ts(3,39): error TS2322: Type 'string' is not assignable to type 'number'");
  assert.match(bad.out, "use.ts(4,3): error TS2322: Type 'boolean' is not assignable to type 'string'");
});

const TEXT = readFileSync(gate, 'utf8');

test('runScenario: plain results, the same for a path, YAML text and any jobs; nothing written unless asked', async () => {
  const cwd = process.cwd();
  const before = readdirSync(cwd);
  const fromText = await runScenario({ yaml: TEXT, dir: dirname(gate), name: 'gate.yaml' }, { replications: 2 });
  const fromPath = await runScenario(gate, { replications: 2, jobs: 2 });
  assert.equal(fromText, fromPath);
  assert.equal(readdirSync(cwd), before, 'no files written');
  assert.equal(fromText.policies, ['spread', 'pack']);
  assert.is(fromText.baseline, 'spread');
  assert.equal(
    fromText.runs.map((r) => `${r.policy}/${r.seed}`),
    ['spread/11', 'spread/12', 'pack/11', 'pack/12'],
  );
  assert.is(fromText.runs[2].metrics.nodes_in_use_end, 5);
  const row = fromText.comparison.find((c) => c.policy === 'pack' && c.metric === 'nodes_in_use_end');
  assert.equal(row, {
    policy: 'pack',
    metric: 'nodes_in_use_end',
    better: 'lower',
    n: 2,
    mean: 5,
    ci95: [5, 5],
    diff: { pairs: 2, mean: -3, ci95: [-3, -3] },
    verdict: 'better',
  });
  assert.is(fromText.passed, true);
  assert.equal(
    fromText.expectations.map((e) => e.status),
    ['passed', 'passed', 'passed', 'passed', 'passed'],
  );
  // JSON-safe: a metric without a value is null, not NaN.
  assert.equal(JSON.parse(JSON.stringify(fromText)), fromText);
});

test('runScenario options: policies, seed, baseline, expect, out, junit and a baseline dir', async () => {
  const out = mkdtempSync(join(tmpdir(), 'kubesim-lib-'));
  const r = await runScenario(gate, {
    policies: ['pack'],
    seed: 40,
    replications: 2,
    out,
    junit: join(out, 'junit.xml'),
    expect: ['no regression'],
    baselineDir: out.replace(/$/, '-none'),
  }).catch((e: unknown) => e);
  assert.instance(r, InputError);
  assert.match((r as InputError).message, 'baselineDir: ');
  const first = await runScenario(gate, {
    policies: ['pack'],
    seed: 40,
    replications: 2,
    out,
    junit: join(out, 'junit.xml'),
    markdown: join(out, 'summary.md'),
  });
  assert.equal(first.seeds, [40, 41]);
  assert.equal(first.policies, ['pack']);
  for (const f of ['summary.csv', 'comparison.csv', 'timeseries.csv', 'measurements.json', 'report.html', 'junit.xml', 'summary.md'])
    assert.ok(existsSync(join(out, f)), f);
  // The scenario's expectations about spread are skipped (not run); against its own reports nothing regressed.
  assert.ok(first.expectations.some((e) => e.status === 'skipped' && e.detail === 'policy spread was not run'));
  const again = await runScenario(gate, {
    policies: ['pack'],
    seed: 40,
    replications: 2,
    baselineDir: out,
    expect: ['no regression on nodes_in_use_end'],
  });
  assert.equal(
    again.expectations.map((e) => `${e.status} ${e.name}`),
    ['passed no regression on nodes_in_use_end for pack'],
  );
  const spreadBase = await runScenario(gate, { baseline: 'pack', replications: 2, expect: [] });
  assert.is(spreadBase.baseline, 'pack');
  assert.equal(spreadBase.expectations, []);
});

test('runScenario and loadScenario: bad input throws InputError with the field or option named', async () => {
  const err = async (p: Promise<unknown>): Promise<InputError> => {
    const e = await p.then(
      () => null,
      (x: unknown) => x,
    );
    assert.instance(e, InputError);
    return e as InputError;
  };
  assert.match((await err(runScenario(gate, { replications: 0 }))).message, 'replications: expected an integer from 1 to');
  assert.match(
    (await err(runScenario(gate, { policies: ['binpack'] }))).message,
    'policies: no policy binpack; the scenario has spread, pack',
  );
  assert.match(
    (await err(runScenario(gate, { expect: ['nodes_in_use_end < x'] }))).message,
    'expect[0]: "nodes_in_use_end < x": expected a number after <',
  );
  assert.match(
    (await err(runScenario({ yaml: TEXT, dir: dirname(gate) }, { jobs: 2 }))).message,
    'jobs: worker threads load the scenario from its file',
  );
  try {
    loadScenario({ yaml: 'name: x\ncluster: {nodePools: []}\nbogus: 1\n', name: 'mine.yaml' });
    assert.unreachable('accepted an unknown key');
  } catch (e) {
    assert.instance(e, InputError);
    assert.match((e as InputError).message, /mine\.yaml:3:1: bogus: unknown field "bogus"/);
  }
});

test.run();
