/**
 * The openb trace with its creation and deletion times through the full control plane (scenarios/openb-replay.yaml):
 * the trace window and time scale of the import, the GPU allocation metrics of the timed run's summary (values
 * derived by hand from the fixture trace), and, at every commit of the run, that no GPU device holds more than its
 * 1000 milli (gpu-index annotations of the bound, unfinished pods). The real trace (../shared/traces) is used on a
 * reduced window; those tests are skipped when it is absent.
 */
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { isTerminal, type KubeObject, type Node, type Pod } from '../engine/api/objects.js';
import { GPU_COUNT, GPU_INDEX, gpuRequestOf } from '../engine/gpu/resources.js';
import { runOnce, type RunResult } from '../engine/run.js';
import { loadScenario } from '../engine/scenario/load.js';
import type { Scenario } from '../engine/scenario/types.js';
import { GPU_FIXTURES, REPO, traceTestFor } from './helpers.js';

const repo = REPO;
const fixtures = GPU_FIXTURES;
const traceTest = traceTestFor('openb-replay');

/** The bundled scenario's policies section (the six policies of the study). */
const policies = (): string => {
  const text = readFileSync(join(repo, 'scenarios', 'openb-replay.yaml'), 'utf8');
  return text.slice(text.indexOf('\npolicies:') + 1, text.indexOf('\nreport:') + 1);
};

/** Runs the scenario, checking at every commit that no device is oversubscribed; returns the run. */
function runChecked(s: Scenario, policy: string): RunResult {
  const nodes = new Map<string, number>();
  const pods = new Map<string, Pod>();
  const check = (): void => {
    const used = new Map<string, number>();
    for (const p of pods.values()) {
      const g = gpuRequestOf(p);
      if (typeof g === 'string' || g.count === 0) continue;
      const ids = (p.metadata.annotations[GPU_INDEX] ?? '')
        .split('-')
        .filter((x) => x !== '')
        .map(Number);
      assert.is(ids.length, g.count, `${p.metadata.name}: ${g.count} devices, got "${p.metadata.annotations[GPU_INDEX]}"`);
      for (const id of ids) {
        assert.ok(id < (nodes.get(p.spec.nodeName) ?? 0), `${p.metadata.name}: device ${id} on ${p.spec.nodeName}`);
        const k = `${p.spec.nodeName}/${id}`;
        used.set(k, (used.get(k) ?? 0) + g.milli);
        assert.ok((used.get(k) as number) <= 1000, `device ${k} holds ${used.get(k)} milli`);
      }
    }
  };
  const observe = (_t: number, type: string, o: KubeObject): void => {
    if (o.kind === 'Node') nodes.set(o.metadata.name, (o as Node).status.allocatable[GPU_COUNT] ?? 0);
    if (o.kind !== 'Pod') return;
    const p = o as Pod;
    const key = `${p.metadata.namespace}/${p.metadata.name}`;
    if (type === 'DELETED' || isTerminal(p) || p.spec.nodeName === '') {
      if (pods.delete(key)) return;
      return;
    }
    pods.set(key, p);
    check();
  };
  return runOnce(s, s.policies.find((p) => p.name === policy) as Scenario['policies'][number], s.seed, { observe });
}

test('fixture trace, timed: window and time scale, placements, GPU allocation metrics by hand', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kubesim-openb-'));
  try {
    copyFileSync(join(fixtures, 'nodes.csv'), join(dir, 'nodes.csv'));
    copyFileSync(join(fixtures, 'pods.csv'), join(dir, 'pods.csv'));
    // Keep pods created in [10 s, 50 s) of the trace: p-1..p-4 (p-0 at 0 s is left out), arrivals at (t − 10 s) / 2.
    writeFileSync(
      join(dir, 's.yaml'),
      `name: tiny-timed\nseed: 3\nduration: 5m\ntrace: {format: openb, nodes: nodes.csv, pods: pods.csv, from: 10s, until: 50s, timeScale: 0.5}\n${policies()}`,
    );
    const s = loadScenario(join(dir, 's.yaml')).scenario;
    assert.equal(
      s.objects.map((o) => [o.object.metadata.name, o.at, o.object.metadata.annotations['kubesim.io/run-duration']]),
      [
        ['p-1', 0, '40s'],
        ['p-2', 5_000_000, '10s'],
        ['p-3', 10_000_000, '60s'],
        ['p-4', 15_000_000, '20s'],
      ],
    );
    for (const policy of ['FGD', 'BestFit', 'Random']) {
      const r = runChecked(s, policy);
      const node = (name: string): string => (r.store.pods.find((p) => p.metadata.name === name) as Pod).spec.nodeName;
      // p-3 wants 2 whole V100M16 GPUs (only n-b has them), p-4 a share of a T4 or P100 (only n-a).
      assert.is(node('p-3'), 'n-b', policy);
      assert.is(node('p-4'), 'n-a', policy);
      assert.is(r.summary.pods_scheduled, 4, policy);
      // 6 GPUs = 6000 milli. p-1 (1000) runs from its binding near 0 s for 40 s, p-3 (2000) from ~10 s for 60 s,
      // p-4 (250) from ~15 s for 20 s: all three overlap, so the peak is 3250 / 6000 = 54.17%; at the end none runs.
      assert.ok(Math.abs(r.summary.gpu_alloc_peak_pct - (100 * 3250) / 6000) < 1e-9, `${policy} peak ${r.summary.gpu_alloc_peak_pct}`);
      assert.is(r.summary.gpu_alloc_final_pct, 0);
      assert.is(r.summary.gpu_pods_pending_end, 0);
      // Time average: Σ milli × (finished − bound) / (6000 × the run's end); each pod holds its GPUs from its binding
      // to its end (start-up + the trace's run time: 40, 60, 20 s).
      const held = (name: string, milli: number): number => {
        const rec = r.recorder.pods.get(`Pod/default/${name}`);
        assert.ok(rec !== undefined && rec.bound >= 0 && rec.finished > rec.bound);
        return milli * (rec.finished - rec.bound);
      };
      const area = held('p-1', 1000) + held('p-3', 2000) + held('p-4', 250);
      assert.ok(
        Math.abs(r.summary.gpu_alloc_mean_pct - (100 * area) / 6000 / (r.summary.sim_end_s * 1e6)) < 1e-9,
        `${policy} mean ${r.summary.gpu_alloc_mean_pct}`,
      );
      assert.ok(area / 1e6 > 1000 * 40 + 2000 * 60 + 250 * 20, 'at least the trace run times');
      const gpuCol = r.timeseries.map((row) => row.gpuPct).filter((x) => !Number.isNaN(x));
      assert.ok(gpuCol.length > 0 && Math.min(...gpuCol) >= 0);
      assert.ok(Math.max(...gpuCol) <= r.summary.gpu_alloc_peak_pct + 1e-9);
    }
    // A cluster without GPUs leaves the GPU columns empty.
    writeFileSync(
      join(dir, 'cpu.yaml'),
      'name: cpu\nduration: 10s\ncluster: {nodePools: [{name: c, count: 1, template: {cpu: "4", memory: 4Gi}}]}\n',
    );
    const cpu = loadScenario(join(dir, 'cpu.yaml')).scenario;
    const c = runOnce(cpu, cpu.policies[0], 1);
    assert.ok(Number.isNaN(c.summary.gpu_alloc_mean_pct) && Number.isNaN(c.summary.gpu_pods_pending_end));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

traceTest('openb-replay.yaml: the documented window (8,125 pods from day 115, arrivals within 303 s)', () => {
  const s = loadScenario(join(repo, 'scenarios', 'openb-replay.yaml'), { allowOutside: true }).scenario;
  const pods = s.objects.filter((o) => o.object.kind === 'Pod');
  assert.is(pods.length, 8125);
  // Day 115 to the last creation (12,901,761 s): (12,901,761 − 9,936,000) s / 10,000 = 296.6 s.
  assert.is(Math.max(...pods.map((o) => o.at)), Math.round((12_901_761 - 2760 * 3600) * 1e6 * 0.0001));
  assert.equal(
    s.policies.map((p) => p.name),
    ['Random', 'DotProd', 'GpuClustering', 'GpuPacking', 'BestFit', 'FGD'],
  );
});

traceTest('openb trace, reduced window (days 115–118), timed: every pod placed, no device oversubscribed, deterministic', () => {
  const text = readFileSync(join(repo, 'scenarios', 'openb-replay.yaml'), 'utf8').replace(
    '  from: 2760h\n',
    '  from: 2760h\n  until: 2832h\n',
  );
  const dir = mkdtempSync(join(tmpdir(), 'kubesim-openb-window-'));
  try {
    writeFileSync(join(dir, 'r.yaml'), text.replace(/\.\.\/\.\.\/shared/g, join(repo, '..', 'shared')));
    const s = loadScenario(join(dir, 'r.yaml'), { allowOutside: true }).scenario;
    const n = s.objects.filter((o) => o.object.kind === 'Pod').length;
    assert.is(n, 395);
    for (const policy of ['FGD', 'GpuPacking']) {
      const r = runChecked(s, policy);
      assert.is(r.summary.pods_scheduled, n, policy);
      assert.ok(r.summary.gpu_alloc_peak_pct > 0 && r.summary.gpu_alloc_peak_pct <= 100);
      if (policy === 'FGD') assert.is(runOnce(s, s.policies[5], s.seed).fingerprint, r.fingerprint);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
