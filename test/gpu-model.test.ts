/**
 * The GPU-sharing model and the FGD study's policies on small hand-computed clusters
 * (formulas: docs/model/gpu.md; the simulator's pkg/simulator/plugin/*_score.go).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Pod } from '../engine/api/objects.js';
import { RngStream } from '../engine/core/rng.js';
import { arrivalSequence, nodePriorityOrder } from '../engine/gpu/arrivals.js';
import { GpuCluster } from '../engine/gpu/cluster.js';
import { Fragmentation } from '../engine/gpu/fragmentation.js';
import { bucketize, pyRound } from '../engine/gpu/metrics.js';
import { bestFitRaw, minMaxNormalize } from '../engine/scheduler/plugins/best-fit-score/index.js';
import { bestDevice, randomDevice, wholeDevices } from '../engine/scheduler/plugins/open-gpu-share/device-select.js';
import { dotProductScore } from '../engine/scheduler/plugins/dot-product-score/index.js';
import { FgdScore, fgdScoreOf } from '../engine/scheduler/plugins/fgd-score/index.js';
import { gpuClusteringScore, gpuTagOf } from '../engine/scheduler/plugins/gpu-clustering-score/index.js';
import { gpuPackingScore } from '../engine/scheduler/plugins/gpu-packing-score/index.js';
import { GpuPods } from '../engine/gpu/pods.js';
import { GPU_COUNT, GPU_MILLI, GPU_MODEL, gpuNodeOf, gpuRequestOf } from '../engine/gpu/resources.js';
import type { TypicalPods } from '../engine/gpu/typical-pods.js';
import { makeNode, makePod, makeSpec } from './helpers.js';

const gpuNode = (name: string, cpu: number, gpus: number, model: string) =>
  makeNode(
    name,
    { cpu, memory: 512 * 2 ** 30, pods: 110, [GPU_COUNT]: gpus, [GPU_MILLI]: gpus * 1000 },
    gpus > 0 ? { [GPU_MODEL]: model } : {},
  );

function gpuPod(name: string, cpu: number, gpus: number, milli: number, models = ''): Pod {
  const p = makePod(name, makeSpec([{ cpu, memory: 2 ** 30 }]));
  const annotations: Record<string, string> = gpus > 0 ? { [GPU_COUNT]: String(gpus), [GPU_MILLI]: String(milli) } : {};
  if (models !== '') annotations[GPU_MODEL] = models;
  return { ...p, metadata: { ...p.metadata, annotations } };
}

/**
 * "big": 128 cores, 8 GPUs, already running a pod of 32 cores and 500 milli on GPU 0 → cpu free 96000, left
 * [500, 1000 × 7], ΣL 7500. "small": 64 cores, 2 idle GPUs. MaxSpec = (128000, 8000).
 */
function twoNodes(): GpuCluster {
  const c = new GpuCluster([gpuNode('big', 128000, 8, 'G2'), gpuNode('small', 64000, 2, 'T4')]);
  c.bind(0, 32000, 2 ** 30, 500, 0b1, gpuTagOf(1, 500));
  return c;
}

test('manifest mapping: node GPUs from extended resources and label, pod request from annotations', () => {
  assert.equal(gpuNodeOf(gpuNode('n', 1000, 4, 'V100M16')), { count: 4, model: 'V100M16' });
  assert.equal(gpuNodeOf(makeNode('cpu-only', { cpu: 1000 })), { count: 0, model: '' });
  assert.match(
    String(gpuNodeOf(makeNode('bad', { cpu: 1, [GPU_COUNT]: 2, [GPU_MILLI]: 1500 }))),
    /must be 1000 × alibabacloud.com\/gpu-count = 2000/,
  );
  assert.equal(gpuRequestOf(gpuPod('share', 1000, 1, 250, 'T4|P100')), { count: 1, milli: 250, models: ['T4', 'P100'] });
  assert.equal(gpuRequestOf(gpuPod('cpu', 1000, 0, 0)), { count: 0, milli: 0, models: [] });
  assert.match(String(gpuRequestOf(gpuPod('multi', 1000, 2, 500))), /takes them whole/);
  assert.match(String(gpuRequestOf(gpuPod('over', 1000, 1, 1200))), /from 0 to 1000/);
});

test('cluster state: per-GPU milli, aggregates, release gives back exactly what bind took', () => {
  const c = twoNodes();
  assert.equal([...c.left], [500, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000]);
  assert.equal([c.leftSum[0], c.maxLeft[0], c.fullFree[0], c.cpuFree[0]], [7500, 1000, 7, 96000]);
  c.bind(1, 1000, 0, 1000, 0b11, gpuTagOf(2, 1000));
  assert.equal([c.leftSum[1], c.maxLeft[1], c.fullFree[1], c.tagMask[1]], [0, 0, 0, 1 << 2]);
  c.release(1, 1000, 0, 1000, 0b11, gpuTagOf(2, 1000));
  assert.equal([c.leftSum[1], c.maxLeft[1], c.fullFree[1], c.tagMask[1], c.cpuFree[1]], [2000, 1000, 2, 0, 64000]);
  assert.equal(c.allocatedMilli(), 500);
  assert.throws(() => c.bind(0, 0, 0, 600, 0b1, 0), /would have -100 milli free/);
});

test('BestFit, DotProd, GpuPacking, GpuClustering scores on hand-computed nodes', () => {
  const c = twoNodes();
  // BestFit big: 100·(1 − (0.5·80000/128000 + 0.5·7250/8000)) = 23.4375; small: 100·(1 − (0.1875 + 0.109375)) = 70.3125.
  assert.equal([bestFitRaw(c, 0, 16000, 1, 250), bestFitRaw(c, 1, 16000, 1, 250)], [23, 70]);
  const s = Float64Array.from([23, 70, 46]);
  minMaxNormalize(s, 3);
  assert.equal([...s], [0, 100, 48]); // (46 − 23)·100/47 = 48.9 → 48
  const same = Float64Array.from([5, 5]);
  minMaxNormalize(same, 2);
  assert.equal([...same], [0, 0]);
  // DotProd big: 100·(1 − (0.75·0.125 + 0.9375·0.03125)/2) = 93.85; small: 100·(1 − (0.0625 + 0.0078125)/2) = 96.48.
  assert.equal([dotProductScore(c, 0, 16000, 1, 250), dotProductScore(c, 1, 16000, 1, 250)], [93, 96]);
  // GpuPacking: big shares GPU 0 (500 left → r = 50): max(100 − 5, 50) = 95; small is idle with 2 GPUs: max(31, 2) = 31;
  // a 2-GPU pod on big takes 2 idle GPUs: max(50 − 2, 33) = 48; CPU-only pods score 0.
  assert.equal(
    [gpuPackingScore(c, 0, 1, 250), gpuPackingScore(c, 1, 1, 250), gpuPackingScore(c, 0, 2, 1000), gpuPackingScore(c, 0, 0, 0)],
    [95, 31, 48, 0],
  );
  // A sharing pod too big for GPU 0 takes a new GPU on a partly used node: max(50 − 1, 33) = 49.
  assert.is(gpuPackingScore(c, 0, 1, 600), 49);
  // GpuClustering: base(big) = ⌊25·500/8000⌋ = 1, base(small) = ⌊25·6000/8000⌋ = 18.
  assert.equal(
    [
      gpuClusteringScore(c, 0, gpuTagOf(1, 250)),
      gpuClusteringScore(c, 1, gpuTagOf(1, 250)),
      gpuClusteringScore(c, 0, gpuTagOf(1, 1000)),
      gpuClusteringScore(c, 0, -1),
    ],
    [76, 43, 1, 0],
  );
  c.bind(0, 0, 0, 1000, 0b10, gpuTagOf(1, 1000));
  // Tags {share, 1-gpu}: the pod's tag among others → base + 50 with base ⌊25·1500/8000⌋ = 4.
  assert.is(gpuClusteringScore(c, 0, gpuTagOf(1, 250)), 54);
});

/** Two typical classes: a 500-milli sharing pod (cpu 1000) and a CPU-only pod, p = 0.5 each. */
const TYPICAL: TypicalPods = {
  cpu: Float64Array.from([1000, 1000]),
  milli: Int32Array.from([500, 0]),
  gpus: Int32Array.from([1, 0]),
  spec: ['', ''],
  counts: Int32Array.from([1, 1]),
  p: Float64Array.from([0.5, 0.5]),
  covered: 2,
  total: 2,
};

test('FGD: node fragmentation, score and GPU choice by hand', () => {
  const c = twoNodes();
  const frag = new Fragmentation(c, TYPICAL);
  // big: CPU-only class sees all 7500 idle milli; the 500-milli class fits every GPU → 0.5·7500 = 3750. small: 0.5·2000.
  assert.equal([...frag.nodeF], [3750, 1000]);
  // 250 milli on GPU 0 (500 → 250): class 1 now finds 250 unusable, ΣL 7250 → F' = 3750, ΔF 0 → 50;
  // on GPU 1 (1000 → 750) → F' = 3625, ΔF = 125 → ⌊100·σ(0.125)⌋ = 53. The node scores 53 and picks GPU 1.
  assert.is(frag.after(0, 1, 500, 250, 16000), 3750);
  assert.is(frag.after(0, 1, 1000, 750, 16000), 3625);
  assert.equal([fgdScoreOf(3750, 3750), fgdScoreOf(3750, 3625), fgdScoreOf(0, 1000)], [50, 53, 26]);
  const fgd = new FgdScore(c, frag);
  assert.is(fgd.score(0, 16000, 1, 250), 53);
  assert.is(fgd.device, 1);
  // A whole 2-GPU pod on small empties it: F' = 0 → ΔF = 1000 → ⌊100·σ(1)⌋ = 73.
  assert.is(fgd.score(1, 1000, 2, 1000), 73);
  // Incremental aggregates agree with a recomputation after a bind.
  c.bind(0, 16000, 0, 250, 0b10, 0);
  frag.refresh(0);
  assert.is(frag.nodeF[0], 3625);
});

test('device choice: whole GPUs lowest index, best = least left, random among fitting', () => {
  const c = twoNodes();
  assert.is(wholeDevices(c, 0, 2), 0b110);
  assert.is(wholeDevices(c, 1, 3), 0);
  c.bind(0, 0, 0, 300, 0b1000, 0); // GPU 3 → 700 left
  assert.is(bestDevice(c, 0, 250), 0); // 500 left is the tightest fit
  assert.is(bestDevice(c, 0, 600), 3); // 700
  assert.is(bestDevice(c, 0, 1001), -1);
  const rng = new RngStream(1, 'test');
  const seen = new Set<number>();
  for (let i = 0; i < 200; i++) seen.add(randomDevice(c, 0, 600, rng));
  assert.equal([...seen].sort(), [1, 2, 3, 4, 5, 6, 7]); // every GPU with ≥ 600 left, never GPU 0
});

test('pods table: requests, model acceptance, class keys', () => {
  const c = new GpuCluster([gpuNode('a', 8000, 1, 'T4'), gpuNode('b', 8000, 1, 'P100'), gpuNode('c', 8000, 0, '')]);
  assert.equal(c.models, ['P100', 'T4']);
  const t = new GpuPods([gpuPod('x', 500, 1, 300, 'T4'), gpuPod('y', 500, 1, 300, 'T4'), gpuPod('z', 500, 1, 300)], c.models);
  assert.equal([t.accepts(0, 0), t.accepts(0, 1), t.accepts(2, 0)], [false, true, true]);
  assert.equal([...t.key], [0, 0, 1]);
  assert.equal([t.cpu[0], t.mem[0], t.gpuRequest(0), t.isSharing(0)], [500, 2 ** 30, 300, true]);
});

test('arrival sequence: shuffle of the originals, then resampled up to the target; node order is a permutation', () => {
  const c = new GpuCluster([gpuNode('a', 8000, 1, 'T4')]);
  // Four pods of 400, 300, 0 and 1000 milli: 1700 milli; target 1.3 × 1000 × 2 GPUs... here capacity 2000 → 2600.
  const pods = new GpuPods([gpuPod('p3', 1, 1, 400), gpuPod('p1', 1, 1, 300), gpuPod('p2', 1, 0, 0), gpuPod('p0', 1, 1, 1000)], c.models);
  const s = arrivalSequence(pods, [0, 1, 2, 3], 2000, 1.3, true, new RngStream(7, 'a'));
  assert.equal([...s.rows.slice(0, 4)].sort(), [0, 1, 2, 3]);
  let total = 0;
  for (const r of s.rows) total += pods.gpuRequest(r);
  assert.ok(total <= 2600 && total > 2600 - 1000, `total ${total}`);
  assert.is(s.rows.length, 4 + s.resampled);
  const down = arrivalSequence(pods, [0, 1, 2, 3], 1000, 1.3, false, new RngStream(7, 'a'));
  assert.ok(down.removed > 0);
  let t2 = 0;
  for (const r of down.rows) t2 += pods.gpuRequest(r);
  assert.ok(t2 <= 1300);
  const order = nodePriorityOrder(['n2', 'n0', 'n1', 'n3'], new RngStream(3, 'o'));
  assert.equal([...order].sort(), [0, 1, 2, 3]);
  assert.equal([...nodePriorityOrder(['n2', 'n0', 'n1', 'n3'], new RngStream(3, 'o'))], [...order]);
});

test("metrics: Python rounding and the study's bucketing with the ±1 fallback", () => {
  assert.equal(
    [pyRound(2.5), pyRound(3.5), pyRound(0.125, 2), pyRound(0.375, 2), pyRound(1.005, 2), pyRound(2.675, 2)],
    [2, 4, 0.12, 0.38, 1, 2.67],
  );
  // Capacity 1000 milli; arrivals reach 0%, 1%, 3%, 3% (no event at 2%: it averages buckets 1..3).
  const log = {
    arrived: Float64Array.from([0, 10, 30, 30]),
    allocated: Float64Array.from([0, 10, 20, 30]),
    frag: Float64Array.from([100, 90, 80, 70]),
  };
  const rows = bucketize(log, 1000, 3);
  assert.equal(
    rows.map((r) => [r.x, r.alloc, r.unalloc, r.events]),
    [
      [0, 0, 100, 1],
      [1, 1, 99, 1],
      [2, 2, 98, 3],
      [3, 2.5, 97.5, 2],
    ],
  );
  // Frag amount: 100 · mean(F)/capacity; ratio: mean of 100·F/idle.
  assert.is(rows[3].fragAmount, 7.5);
  assert.is(rows[3].fragRatio, pyRound(((100 * 80) / 980 + (100 * 70) / 970) / 2, 2));
});

test.run();
