/**
 * The FGD study's GPU plugins in the timed control-plane run (the kernel's GPU block, engine/scheduler/plugins/open-gpu-share):
 * placements and device choices on a small cluster computed by hand from the study's formulas
 * (docs/model/gpu.md), devices written as the gpu-index annotation, devices given back
 * when a pod finishes or is deleted, and a pod that fits only after a departure waiting pending until then.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Pod } from '../engine/api/objects.js';
import { GpuCluster } from '../engine/gpu/cluster.js';
import { GPU_COUNT, GPU_INDEX, GPU_MILLI, GPU_MODEL } from '../engine/gpu/resources.js';
import { devicesOf, gpuIndexOf, grantOfBound } from '../engine/scheduler/plugins/open-gpu-share/index.js';
import { makeNode } from './helpers.js';
import { runOnce, type RunResult } from '../engine/run.js';
import { loadScenario } from '../engine/scenario/load.js';

const NODES = 'sn,cpu_milli,memory_mib,gpu,model\nn-a,32000,65536,2,T4\nn-b,64000,131072,4,V100M16\n';

const policy = (name: string, plugin: string, sel: string): string => `  - name: ${name}
    config:
      apiVersion: kubescheduler.config.k8s.io/v1
      kind: KubeSchedulerConfiguration
      percentageOfNodesToScore: 100
      profiles:
        - plugins:
            filter: {enabled: [{name: Open-Gpu-Share}]}
            score: {disabled: [{name: "*"}], enabled: [{name: ${plugin}, weight: 1000}]}
          pluginConfig:
            - {name: Open-Gpu-Share, args: {gpuSelMethod: ${sel}}}
`;

function run(pods: string, policies: string, duration = '10m', workloads = ''): RunResult {
  const dir = mkdtempSync(join(tmpdir(), 'kubesim-gpu-timed-'));
  try {
    writeFileSync(join(dir, 'nodes.csv'), NODES);
    writeFileSync(
      join(dir, 'pods.csv'),
      `name,cpu_milli,memory_mib,num_gpu,gpu_milli,gpu_spec,qos,pod_phase,creation_time,deletion_time,scheduled_time\n${pods}`,
    );
    const podsFile = pods === '' ? '' : ', pods: pods.csv';
    writeFileSync(
      join(dir, 's.yaml'),
      `name: t\nduration: ${duration}\ntrace: {format: openb, nodes: nodes.csv${podsFile}}\n${workloads}policies:\n${policies}`,
    );
    const loaded = loadScenario(join(dir, 's.yaml'));
    assert.not.ok(
      loaded.warnings.some((w) => /GPU/.test(w)),
      loaded.warnings.join('; '),
    );
    const s = loaded.scenario;
    return runOnce(s, s.policies[0], 1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const pod = (r: RunResult, name: string): Pod => r.store.pods.find((p) => p.metadata.name === name) as Pod;
const placed = (r: RunResult, name: string): [string, string | undefined] => [
  pod(r, name).spec.nodeName,
  pod(r, name).metadata.annotations[GPU_INDEX],
];
const rec = (r: RunResult, name: string) =>
  r.recorder.pods.get(`Pod/default/${name}`) as NonNullable<ReturnType<RunResult['recorder']['pods']['get']>>;

test('GpuPacking in the timed run: placements and devices as computed by hand; a 4-GPU pod waits for a departure', () => {
  // One pod every 10 s (each is bound long before the next arrives); w2 runs 60 s, the others past the end.
  const r = run(
    [
      's1,4000,1024,1,500,,LS,Running,0,100000,0',
      's2,4000,1024,1,300,,LS,Running,10,100000,10',
      'w2,4000,1024,2,1000,,LS,Running,20,80,20',
      's3,4000,1024,1,200,,LS,Running,30,100000,30',
      'w4,4000,1024,4,1000,,LS,Running,40,100000,40',
      'c1,2000,1024,0,0,,LS,Running,50,100000,50',
    ].join('\n'),
    policy('GpuPacking', 'GpuPackingScore', 'best'),
  );
  // s1 (500 milli): both nodes GPU-idle → max(33 − G, G): n-a (2 GPUs) 31, n-b (4 GPUs) 29 → n-a, GPU 0 (lowest of equals).
  assert.equal(placed(r, 's1'), ['n-a', '0']);
  // s2 (300): n-a's GPU 0 has 500 left, shared → max(100 − ⌊50/10⌋, 50) = 95 vs n-b 29 → n-a; best fit GPU 0 (500 < 1000).
  assert.equal(placed(r, 's2'), ['n-a', '0']);
  // w2 (2 whole GPUs): n-a has one idle GPU left → only n-b fits (no scoring); the two lowest idle GPUs.
  assert.equal(placed(r, 'w2'), ['n-b', '0-1']);
  // s3 (200): n-a GPU 0 has 200 left → r = 20, 100 − 2 = 98; n-b: an idle GPU → max(50 − 1, 33) = 49 → n-a GPU 0.
  assert.equal(placed(r, 's3'), ['n-a', '0']);
  // w4 (4 whole GPUs): n-b has 2 idle until w2 finishes (created at 20 s, runs 60 s), n-a has 2 GPUs: pending, then
  // n-b's four GPUs once w2's devices are given back.
  assert.equal(placed(r, 'w4'), ['n-b', '0-1-2-3']);
  assert.ok(rec(r, 'w4').attempts >= 2, `w4 attempts ${rec(r, 'w4').attempts}`);
  assert.ok(
    rec(r, 'w2').finished > 0 && rec(r, 'w4').bound > rec(r, 'w2').finished,
    `w4 bound at ${rec(r, 'w4').bound}, w2 finished at ${rec(r, 'w2').finished}`,
  );
  assert.ok(rec(r, 'w4').bound < rec(r, 'w2').finished + 60_000_000, 'retried soon after the departure');
  // A CPU-only pod scores 0 everywhere under GpuPacking and gets no devices.
  assert.is(placed(r, 'c1')[1], undefined);
  assert.is(r.summary.pods_pending_end, 0);
});

test('model constraints, BestFit normalization and FGD device choice in the timed run', () => {
  const r = run(
    [
      // T4 only: n-a although BestFit prefers... only n-a may take it.
      'm1,4000,1024,1,500,T4,LS,Running,0,100000,0',
      // V100M16|P100: only n-b.
      'm2,4000,1024,1,500,V100M16|P100,LS,Running,10,100000,10',
      // A model nobody has: pending for good.
      'm3,4000,1024,1,500,A100,LS,Running,20,100000,20',
      // BestFit raw = ⌊100·(1 − (0.5·(c − 4000)/64000 + 0.5·(ΣL − 1000)/4000))⌋ (MaxSpec = the largest node: 64 cores,
      // 4 GPUs): n-a c = 28000, ΣL = 1500 → ⌊100·(1 − 0.1875 − 0.0625)⌋ = 75; n-b c = 60000, ΣL = 3500 → ⌊100·(1 −
      // 0.4375 − 0.3125)⌋ = 25 → n-a; its idle GPU 1.
      'b1,4000,1024,1,1000,,LS,Running,30,100000,30',
    ].join('\n'),
    policy('BestFit', 'BestFitScore', 'best'),
  );
  assert.equal(placed(r, 'm1'), ['n-a', '0']);
  assert.equal(placed(r, 'm2'), ['n-b', '0']);
  assert.equal(placed(r, 'm3'), ['', undefined]);
  assert.equal(placed(r, 'b1'), ['n-a', '1']);
  assert.is(r.summary.pods_pending_end, 1);
});

test('devices are given back when a pod is deleted: a pending pod gets them', () => {
  // scheduler_perf churn (recreate): one 2-GPU pod every 10 s (c-0..c-3), then c-0 deleted at 40 s, c-1 at 50 s.
  // GpuPacking: c-0 → n-a (idle, 2 GPUs: 31 > 29) GPUs 0-1; c-1, c-2 → n-b 0-1, 2-3 (n-a full); c-3 finds no 2
  // idle GPUs and waits until c-0's deletion frees n-a's (while c-0 is Terminating it still holds them).
  const churn = `workloads:
  - name: c
    arrival: {type: churn, mode: recreate, number: 4, interval: 10s}
    pod:
      metadata: {annotations: {alibabacloud.com/gpu-count: "2", alibabacloud.com/gpu-milli: "1000"}}
      spec: {terminationGracePeriodSeconds: 5, containers: [{name: w, image: w:1, resources: {requests: {cpu: "1", memory: 1Gi}}}]}
`;
  const r = run('', policy('GpuPacking', 'GpuPackingScore', 'best'), '55s', churn);
  const byName = new Map(r.store.pods.map((p) => [p.metadata.name, p]));
  assert.not.ok(byName.has('c-0'));
  assert.equal([byName.get('c-2')?.spec.nodeName, byName.get('c-2')?.metadata.annotations[GPU_INDEX]], ['n-b', '2-3']);
  assert.equal([byName.get('c-3')?.spec.nodeName, byName.get('c-3')?.metadata.annotations[GPU_INDEX]], ['n-a', '0-1']);
  // Graceful deletion: c-0 is Terminating from 40 s and still holds its GPUs until the kubelet's final DELETE once
  // its container has exited on SIGTERM (default exit time ~1 s, capped by its 5 s grace period); only then are
  // they free.
  const c3 = rec(r, 'c-3');
  const c0 = rec(r, 'c-0');
  assert.ok(c0.deleted > 40_000_000 && c0.deleted < 45_100_000, `c-0 deleted at ${c0.deleted}`);
  assert.ok(
    c3.bound > c0.deleted && c3.attempts >= 2,
    `c-3 bound at ${c3.bound} after ${c3.attempts} attempts; c-0 deleted at ${c0.deleted}`,
  );
});

test('devices are given back when a pod finishes and reused; runs are deterministic', () => {
  // s-big (600) on n-a GPU 0 (GpuPacking: idle n-a 31 > n-b 29); it runs 30 s. s-next (600) at 60 s: n-a is
  // GPU-idle again → 31 > 29 → n-a GPU 0 again (would be GPU 1 if GPU 0 still held 400).
  const rows = ['s-big,4000,1024,1,600,,LS,Running,0,30,0', 's-next,4000,1024,1,600,,LS,Running,60,100000,60'].join('\n');
  const a = run(rows, policy('GpuPacking', 'GpuPackingScore', 'best'));
  assert.equal(placed(a, 's-next'), ['n-a', '0']);
  const b = run(rows, policy('GpuPacking', 'GpuPackingScore', 'best'));
  assert.is(a.fingerprint, b.fingerprint);
});

test('a pod bound by someone else: its gpu-index annotation when it fits, else the devices Reserve would pick', () => {
  assert.is(gpuIndexOf(0b1101), '0-2-3');
  assert.is(devicesOf('0-2-3'), 0b1101);
  assert.is(devicesOf('x'), 0);
  assert.is(devicesOf('16'), 0);
  const c = new GpuCluster([
    makeNode('g', { cpu: 8000, memory: 2 ** 34, pods: 110, [GPU_COUNT]: 4, [GPU_MILLI]: 4000 }, { [GPU_MODEL]: 'T4' }),
  ]);
  c.devices(0, 700, 0b0001, 0, 1); // GPU 0 has 300 milli left
  const ann = (count: number, milli: number, index?: string): Record<string, string> => ({
    [GPU_COUNT]: String(count),
    [GPU_MILLI]: String(milli),
    ...(index === undefined ? {} : { [GPU_INDEX]: index }),
  });
  // 2 whole GPUs preset on 1-2: kept.
  assert.equal(grantOfBound(c, 0, ann(2, 1000, '1-2'), 'p'), { milli: 1000, devices: 0b0110, tag: 2 });
  // Preset on GPU 0 (300 left) for 2 whole GPUs, on a device the node lacks, or the wrong number of devices:
  // the lowest-index idle GPUs instead (1 and 2).
  for (const index of ['0-1', '1-7', '3']) assert.equal(grantOfBound(c, 0, ann(2, 1000, index), 'p')?.devices, 0b0110, index);
  // A 250-milli share without an annotation: the fitting GPU with the least left (GPU 0, 300).
  assert.equal(grantOfBound(c, 0, ann(1, 250), 'p'), { milli: 250, devices: 0b0001, tag: 0 });
  // No GPU request: no grant.
  assert.is(grantOfBound(c, 0, {}, 'p'), null);
});

test.run();
