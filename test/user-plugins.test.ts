/**
 * A user's own Filter/Score plugins from a module (--plugin-module; engine/scheduler/user-plugins.ts), with the
 * fixture test/fixtures/plugins/example-plugins.mjs. Expected scores are computed by hand from the fixture's
 * formulas and DefaultNormalizeScore.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { explain } from '../engine/explain/explain.js';
import { readExplainInput } from '../engine/explain/inputs.js';
import { InputError } from '../engine/scenario/input-error.js';
import { isKnownPlugin } from '../engine/scenario/scheduler-config.js';
import { clearUserPlugins, loadPluginModules, UserPluginError } from '../engine/scheduler/user-plugins.js';

const here = dirname(fileURLToPath(import.meta.url));
const cli = join(here, '..', 'engine', 'cli.js');
const fixtures = join(here, '..', '..', 'test', 'fixtures', 'plugins');
const EXAMPLE = join(fixtures, 'example-plugins.mjs');

function write(name: string, text: string, dir = mkdtempSync(join(tmpdir(), 'kubesim-plugins-'))): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

const node = (name: string, cpu: string, tier: string): string =>
  `apiVersion: v1\nkind: Node\nmetadata: {name: ${name}, labels: {tier: ${tier}}}\nstatus: {allocatable: {cpu: "${cpu}", memory: 8Gi, pods: "110"}}\n`;
const pod = (name: string, cpu: string, nodeName = ''): string =>
  `apiVersion: v1\nkind: Pod\nmetadata: {name: ${name}}\nspec:\n${nodeName === '' ? '' : `  nodeName: ${nodeName}\n`}  containers: [{name: c, image: pause, resources: {requests: {cpu: "${cpu}", memory: 0}}}]\n`;

const CONFIG = `apiVersion: kubescheduler.config.k8s.io/v1
kind: KubeSchedulerConfiguration
profiles:
  - plugins:
      filter:
        enabled: [{name: GoldOnly}]
      score:
        disabled: [{name: "*"}]
        enabled: [{name: FreeCpuPercent, weight: 2}, {name: FewerPods}]
`;

test.after(() => clearUserPlugins());

test("a module's filter and score plugins, enabled from a KubeSchedulerConfiguration, in explain", async () => {
  await loadPluginModules([EXAMPLE], isKnownPlugin);
  const e = explain({
    ...readExplainInput({
      nodes: write('nodes.yaml', [node('g1', '4', 'gold'), node('g2', '8', 'gold'), node('s', '16', 'silver')].join('---\n')),
      pod: write('pod.yaml', pod('p', '1')),
      pods: write('pods.yaml', [pod('a', '1', 'g2'), pod('b', '1', 'g2')].join('---\n')),
      config: write('config.yaml', CONFIG),
    }),
    seed: 1,
  });
  const n = Object.fromEntries(e.nodes.map((x) => [x.name, x]));
  assert.equal(n.s.reasons, ['node(s) are not gold']);
  assert.is(n.s.feasible, false);
  // FreeCpuPercent: g1 (4000 - 0 - 1000) × 100 / 4000 = 75; g2 (8000 - 2000 - 1000) × 100 / 8000 = 62.5 → 62.
  // FewerPods, reverse DefaultNormalizeScore over pod counts 0 and 2: g1 100 − 0 = 100, g2 100 − 100 = 0.
  assert.equal(n.g1.scores, { FreeCpuPercent: 75, FewerPods: 100 });
  assert.equal(n.g2.scores, { FreeCpuPercent: 62, FewerPods: 0 });
  assert.is(n.g1.totalScore, 2 * 75 + 100);
  assert.is(n.g2.totalScore, 2 * 62);
  assert.is(e.selectedNode, 'g1');
});

test('bad modules and bad scores: clear errors naming the module', async () => {
  const err = async (paths: string[]): Promise<string> => {
    try {
      await loadPluginModules(paths, isKnownPlugin);
    } catch (e) {
      assert.instance(e, InputError);
      return (e as Error).message;
    }
    assert.unreachable('expected an InputError');
    return '';
  };
  assert.match(
    await err([join(fixtures, 'reserved-name.mjs')]),
    /reserved-name\.mjs: plugins\[0\]: "NodeResourcesFit" is the name of a plugin kubesim already has/,
  );
  assert.match(await err([join(fixtures, 'no-export.mjs')]), /no-export\.mjs: expected an export `plugins`/);
  assert.match(await err([write('broken.mjs', 'export const plugins = [;\n')]), /broken\.mjs: cannot load plugin module: /);
  assert.match(await err([join(tmpdir(), 'no-such-kubesim-plugin.mjs')]), /cannot read plugin module/);

  await loadPluginModules([join(fixtures, 'bad-score.mjs')], isKnownPlugin);
  const cfg = CONFIG.replace('[{name: FreeCpuPercent, weight: 2}, {name: FewerPods}]', '[{name: TooHigh}]').replace(
    '      filter:\n        enabled: [{name: GoldOnly}]\n',
    '',
  );
  const input = readExplainInput({
    nodes: write('nodes.yaml', node('x', '4', 'gold') + '---\n' + node('y', '4', 'gold')),
    pod: write('pod.yaml', pod('p', '1')),
    config: write('config.yaml', cfg),
  });
  try {
    explain({ ...input, seed: 1 });
    assert.unreachable('expected a UserPluginError');
  } catch (e) {
    assert.instance(e, UserPluginError);
    assert.match(
      (e as Error).message,
      /plugin TooHigh \(.*bad-score\.mjs\) returned score 250 for node x; expected 0 to 100 \(or set normalize\)/,
    );
  }
});

function kubesim(...args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8' });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

test('CLI: plugins exist only with --plugin-module; kubesim run loads the module in its worker threads', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kubesim-plugins-run-'));
  const nodes = write('nodes.yaml', node('g1', '4', 'gold') + '---\n' + node('s', '4', 'silver'), dir);
  const podFile = write('pod.yaml', pod('p', '1'), dir);
  const config = write('config.yaml', CONFIG, dir);
  const without = kubesim('explain', '--nodes', nodes, '--pod', podFile, '--config', config);
  assert.is(without.code, 2);
  assert.match(without.stderr, /config\.yaml:\d+:\d+: profiles\[0\]\.plugins\.filter\.enabled\[0\]\.name: unknown plugin "GoldOnly"/);
  const ok = kubesim('explain', '--nodes', nodes, '--pod', podFile, '--config', config, '--plugin-module', EXAMPLE);
  assert.is(ok.code, 0, ok.stderr);
  assert.is((JSON.parse(ok.stdout) as { selectedNode: string }).selectedNode, 'g1');

  // A cluster with no gold node: under GoldOnly every pod stays pending; the default policy places them.
  const scenario = write(
    'scenario.yaml',
    `name: plugins
duration: 1m
cluster:
  nodePools:
    - {name: silver, count: 3, template: {cpu: "4", memory: 8Gi, labels: {tier: silver}}}
workloads:
  - name: p
    arrival: {type: burst, count: 4}
    pod:
      spec:
        containers: [{name: c, image: pause, resources: {requests: {cpu: 500m}}}]
policies:
  - name: default
  - name: gold-only
    file: config.yaml
`,
    dir,
  );
  assert.is(kubesim('validate', scenario).code, 2, 'the scenario names GoldOnly: unknown without the module');
  const out = join(dir, 'out');
  const r = kubesim('run', scenario, '--plugin-module', EXAMPLE, '--out', out, '--jobs', '2');
  assert.is(r.code, 0, r.stderr);
  const rows = readFileSync(join(out, 'summary.csv'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => l.split(','));
  const col = rows[0].indexOf('pods_pending_end');
  const byPolicy = Object.fromEntries(rows.slice(1).map((row) => [row[1], Number(row[col])]));
  assert.is(byPolicy.default, 0);
  assert.is(byPolicy['gold-only'], 4);
});

test.run();
