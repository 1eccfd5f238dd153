/**
 * Pins of the FGD study's arrival-only replay (engine/gpu/replay.ts): for every GPU score policy of the study
 * (scenarios/gpu-fragmentation-openb.yaml: Random, DotProd, GpuClustering, GpuPacking, BestFit, FGD) plus two
 * combined profiles (FGD + BestFit weighted; GpuPacking without NodeResourcesFit, random device choice), on the
 * openb trace (read in place from ../shared/traces) for seeds 42 and 43: each run's placement fingerprint, its
 * counts and end figures, the study's figures at 100% and 130% arrived workload, digests of the whole per-event
 * log and of the bucketed curves, and the comparison over the two seeds. The values were computed once by the
 * replay as it was before it became a driver of the scheduler's kernel (issue 16) and are written here as
 * literals: any change to placement, Reserve, tie-breaking, random draws or the metrics shows up here.
 * A tiny fixture trace (test/fixtures/gpu) is pinned too, so the file tests something without the trace.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runGpuSweep } from '../engine/gpu/command.js';
import type { GpuRun } from '../engine/gpu/experiment.js';
import { comparison } from '../engine/gpu/report.js';
import { loadScenario } from '../engine/scenario/load.js';
import type { Scenario } from '../engine/scenario/types.js';
import { GPU_FIXTURES, REPO, TRACES, traceTestFor } from './helpers.js';

const traceTest = traceTestFor('gpu-replay-pins');

const digest = (data: string | Uint8Array): string => createHash('sha256').update(data).digest('hex').slice(0, 16);

/** What is pinned of one run (numbers exactly as computed; digests of the log's float bits and of the curves). */
function figures(r: GpuRun): Record<string, number | string> {
  const res = r.result;
  const last = res.log.arrived.length - 1;
  const bucket = (x: number) => r.buckets.find((b) => b.x === x);
  const bytes = (a: Float64Array): Uint8Array => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  const log = createHash('sha256').update(bytes(res.log.arrived)).update(bytes(res.log.allocated)).update(bytes(res.log.frag));
  return {
    fingerprint: res.fingerprint,
    pods: res.pods,
    resampled: res.resampled,
    removed: res.removed,
    scheduled: res.scheduled,
    failed: res.failed,
    gpusInUse: res.gpusInUse,
    cpuPct: res.cpuPct,
    memPct: res.memPct,
    allocEndPct: (100 * res.log.allocated[last]) / res.capacityMilli,
    fragEndPct: (100 * res.log.frag[last]) / res.capacityMilli,
    unalloc100: bucket(100)?.unalloc ?? NaN,
    frag100: bucket(100)?.fragAmount ?? NaN,
    unalloc130: bucket(130)?.unalloc ?? NaN,
    frag130: bucket(130)?.fragAmount ?? NaN,
    log: log.digest('hex').slice(0, 16),
    curves: digest(JSON.stringify(r.buckets)),
  };
}

/** The study's scenario with its trace paths made absolute and two combined policies appended. */
function studyWithCombined(dir: string): Scenario {
  const text = readFileSync(join(REPO, 'scenarios', 'gpu-fragmentation-openb.yaml'), 'utf8')
    .replace(/\.\.\/\.\.\/shared\/traces/g, TRACES)
    .replace(
      '\nreport:',
      `
  - name: FGD-BestFit
    config:
      apiVersion: kubescheduler.config.k8s.io/v1
      kind: KubeSchedulerConfiguration
      percentageOfNodesToScore: 100
      profiles:
        - schedulerName: default-scheduler
          plugins:
            filter: {enabled: [{name: Open-Gpu-Share}]}
            score:
              disabled: [{name: "*"}]
              enabled: [{name: FGDScore, weight: 1000}, {name: BestFitScore, weight: 500}]
  - name: Packing-NoFit
    config:
      apiVersion: kubescheduler.config.k8s.io/v1
      kind: KubeSchedulerConfiguration
      percentageOfNodesToScore: 100
      profiles:
        - schedulerName: default-scheduler
          plugins:
            filter: {enabled: [{name: Open-Gpu-Share}], disabled: [{name: NodeResourcesFit}]}
            score:
              disabled: [{name: "*"}]
              enabled: [{name: GpuPackingScore, weight: 1000}, {name: RandomScore, weight: 1}]
          pluginConfig:
            - name: Open-Gpu-Share
              args: {gpuSelMethod: random}

report:`,
    );
  const path = join(dir, 'study.yaml');
  writeFileSync(path, text);
  return loadScenario(path, { allowOutside: true }).scenario;
}

const PINS: Record<string, Record<string, number | string>> = {
  'Random/42': {
    fingerprint: '9161a158',
    pods: 10868,
    resampled: 2716,
    removed: 0,
    scheduled: 8107,
    failed: 2761,
    gpusInUse: 5944,
    cpuPct: 79.28934945523183,
    memPct: 58.79101514864741,
    allocEndPct: 87.59980682549903,
    fragEndPct: 12.306588425383211,
    unalloc100: 13.64,
    frag100: 13.44,
    unalloc130: 12.4,
    frag130: 12.31,
    log: 'ec5d045c1bf75452',
    curves: 'f59c33622743fa7a',
  },
  'Random/43': {
    fingerprint: '63db1ae3',
    pods: 10817,
    resampled: 2665,
    removed: 0,
    scheduled: 8163,
    failed: 2654,
    gpusInUse: 5974,
    cpuPct: 79.76860154366555,
    memPct: 59.03691530101673,
    allocEndPct: 87.92562781712815,
    fragEndPct: 11.982582662982368,
    unalloc100: 13.29,
    frag100: 13.05,
    unalloc130: 12.08,
    frag130: 11.98,
    log: '0e0a0dd694c4bfc3',
    curves: 'd19e4dbe96e99535',
  },
  'DotProd/42': {
    fingerprint: '0b0e7a5e',
    pods: 10868,
    resampled: 2716,
    removed: 0,
    scheduled: 8004,
    failed: 2864,
    gpusInUse: 5976,
    cpuPct: 80.65907230559345,
    memPct: 59.82972975247449,
    allocEndPct: 90.6081777205409,
    fragEndPct: 9.33253295151699,
    unalloc100: 9.64,
    frag100: 9.58,
    unalloc130: 9.39,
    frag130: 9.33,
    log: '101a74e0aae55004',
    curves: '7ff53e008610bb2c',
  },
  'DotProd/43': {
    fingerprint: 'e39ceac0',
    pods: 10817,
    resampled: 2665,
    removed: 0,
    scheduled: 8071,
    failed: 2746,
    gpusInUse: 6011,
    cpuPct: 81.25309013436991,
    memPct: 60.237130501237246,
    allocEndPct: 91.19591113972956,
    fragEndPct: 8.758735284104478,
    unalloc100: 9.05,
    frag100: 8.99,
    unalloc130: 8.81,
    frag130: 8.76,
    log: '33515b45b611b8a9',
    curves: '3e53115a513a56fa',
  },
  'GpuClustering/42': {
    fingerprint: '41144760',
    pods: 10868,
    resampled: 2716,
    removed: 0,
    scheduled: 8069,
    failed: 2799,
    gpusInUse: 5948,
    cpuPct: 81.3441925657366,
    memPct: 60.343924384743,
    allocEndPct: 91.62572440437862,
    fragEndPct: 8.193345097813548,
    unalloc100: 8.62,
    frag100: 8.44,
    unalloc130: 8.37,
    frag130: 8.19,
    log: '31845b1fc2579010',
    curves: '76cceaa18a3b1f7e',
  },
  'GpuClustering/43': {
    fingerprint: '5e78b694',
    pods: 10817,
    resampled: 2665,
    removed: 0,
    scheduled: 8129,
    failed: 2688,
    gpusInUse: 5978,
    cpuPct: 81.7095890410959,
    memPct: 60.60251734876123,
    allocEndPct: 91.9869607211848,
    fragEndPct: 7.903996717244031,
    unalloc100: 8.24,
    frag100: 8.13,
    unalloc130: 8.02,
    frag130: 7.91,
    log: '2b25b8adbfb1c034',
    curves: '669fc50e7202e6c1',
  },
  'GpuPacking/42': {
    fingerprint: '5baa26a0',
    pods: 10868,
    resampled: 2716,
    removed: 0,
    scheduled: 8103,
    failed: 2765,
    gpusInUse: 5998,
    cpuPct: 81.65750995159692,
    memPct: 60.59512475356693,
    allocEndPct: 92.10254346426272,
    fragEndPct: 7.845636572083721,
    unalloc100: 8.15,
    frag100: 8.09,
    unalloc130: 7.9,
    frag130: 7.85,
    log: 'f78d3a2f460faebc',
    curves: '32cea9f549d83c44',
  },
  'GpuPacking/43': {
    fingerprint: '90bb68db',
    pods: 10817,
    resampled: 2665,
    removed: 0,
    scheduled: 8130,
    failed: 2687,
    gpusInUse: 6003,
    cpuPct: 81.7253321871087,
    memPct: 60.60565393206831,
    allocEndPct: 91.99903412749516,
    fragEndPct: 7.933948839021062,
    unalloc100: 8.24,
    frag100: 8.15,
    unalloc130: 8,
    frag130: 7.94,
    log: 'ea9619d5c24cea65',
    curves: 'd2fcfcc2c82a6400',
  },
  'BestFit/42': {
    fingerprint: '2f6b2bf8',
    pods: 10868,
    resampled: 2716,
    removed: 0,
    scheduled: 8164,
    failed: 2704,
    gpusInUse: 6109,
    cpuPct: 82.1020800239212,
    memPct: 60.95584334573544,
    allocEndPct: 92.91934964584675,
    fragEndPct: 6.992456178375229,
    unalloc100: 7.33,
    frag100: 7.24,
    unalloc130: 7.08,
    frag130: 6.99,
    log: 'e1a5199c295abbf6',
    curves: '5663b51f2125adf2',
  },
  'BestFit/43': {
    fingerprint: 'f06fcb21',
    pods: 10817,
    resampled: 2665,
    removed: 0,
    scheduled: 8183,
    failed: 2634,
    gpusInUse: 6104,
    cpuPct: 82.26325851725878,
    memPct: 61.05257150211119,
    allocEndPct: 92.88715389568577,
    fragEndPct: 7.053524812782906,
    unalloc100: 7.34,
    frag100: 7.28,
    unalloc130: 7.12,
    frag130: 7.06,
    log: 'e11934e9f7380f08',
    curves: 'f91fae1df181aad5',
  },
  'FGD/42': {
    fingerprint: '3d965f18',
    pods: 10868,
    resampled: 2716,
    removed: 0,
    scheduled: 8340,
    failed: 2528,
    gpusInUse: 6188,
    cpuPct: 83.63305985908913,
    memPct: 62.16799415547132,
    allocEndPct: 95.33741146168705,
    fragEndPct: 4.612714643171071,
    unalloc100: 4.86,
    frag100: 4.8,
    unalloc130: 4.66,
    frag130: 4.61,
    log: '278cfd54fad40adf',
    curves: '3828ab7da323a775',
  },
  'FGD/43': {
    fingerprint: '04ed5ad1',
    pods: 10817,
    resampled: 2665,
    removed: 0,
    scheduled: 8361,
    failed: 2456,
    gpusInUse: 6195,
    cpuPct: 83.95477583210301,
    memPct: 62.365746176159,
    allocEndPct: 95.44929169349646,
    fragEndPct: 4.526474018949953,
    unalloc100: 4.71,
    frag100: 4.68,
    unalloc130: 4.55,
    frag130: 4.53,
    log: '01d4f7fed27090eb',
    curves: 'e6dc62d911b9379b',
  },
  'FGD-BestFit/42': {
    fingerprint: 'a6285cc9',
    pods: 10868,
    resampled: 2716,
    removed: 0,
    scheduled: 8264,
    failed: 2604,
    gpusInUse: 6183,
    cpuPct: 82.95864620904895,
    memPct: 61.63667484616987,
    allocEndPct: 94.25032195750161,
    fragEndPct: 5.69838272115528,
    unalloc100: 5.94,
    frag100: 5.88,
    unalloc130: 5.75,
    frag130: 5.7,
    log: '136633b23b013438',
    curves: 'f2cee7d98c4213b2',
  },
  'FGD-BestFit/43': {
    fingerprint: '1ecba128',
    pods: 10817,
    resampled: 2665,
    removed: 0,
    scheduled: 8271,
    failed: 2546,
    gpusInUse: 6169,
    cpuPct: 83.13201891270627,
    memPct: 61.6941690156142,
    allocEndPct: 94.1411783644559,
    fragEndPct: 5.812882412629948,
    unalloc100: 6.01,
    frag100: 5.94,
    unalloc130: 5.86,
    frag130: 5.81,
    log: '74e2bfda57ab1928',
    curves: '8b0070c49d5c2a29',
  },
  'Packing-NoFit/42': {
    fingerprint: '11075872',
    pods: 10868,
    resampled: 2716,
    removed: 0,
    scheduled: 8385,
    failed: 2483,
    gpusInUse: 6212,
    cpuPct: 84.17454820684371,
    memPct: 62.6101376801883,
    allocEndPct: 95.96039922730199,
    fragEndPct: 4.028049106686074,
    unalloc100: 4.12,
    frag100: 4.11,
    unalloc130: 4.04,
    frag130: 4.03,
    log: '74462b37a7608eb3',
    curves: 'adbcd7f03b71ac0d',
  },
  'Packing-NoFit/43': {
    fingerprint: 'b0c717c2',
    pods: 10817,
    resampled: 2665,
    removed: 0,
    scheduled: 8387,
    failed: 2430,
    gpusInUse: 6212,
    cpuPct: 84.42963426713263,
    memPct: 62.76325983001199,
    allocEndPct: 96.04990341274952,
    fragEndPct: 3.9392322005923646,
    unalloc100: 4.03,
    frag100: 4.02,
    unalloc130: 3.95,
    frag130: 3.94,
    log: 'b9d73119ef1fb964',
    curves: 'cd40c4580ae097c5',
  },
};

const COMPARISON: Record<string, number> = {
  'Random/unalloc_gpu_pct@100': 13.465,
  'Random/unalloc_gpu_pct@130': 12.24,
  'Random/frag_amount_pct@100': 13.245000000000001,
  'Random/frag_amount_pct@130': 12.145,
  'DotProd/unalloc_gpu_pct@100': 9.345,
  'DotProd/unalloc_gpu_pct@130': 9.100000000000001,
  'DotProd/frag_amount_pct@100': 9.285,
  'DotProd/frag_amount_pct@130': 9.045,
  'GpuClustering/unalloc_gpu_pct@100': 8.43,
  'GpuClustering/unalloc_gpu_pct@130': 8.195,
  'GpuClustering/frag_amount_pct@100': 8.285,
  'GpuClustering/frag_amount_pct@130': 8.05,
  'GpuPacking/unalloc_gpu_pct@100': 8.195,
  'GpuPacking/unalloc_gpu_pct@130': 7.95,
  'GpuPacking/frag_amount_pct@100': 8.120000000000001,
  'GpuPacking/frag_amount_pct@130': 7.895,
  'BestFit/unalloc_gpu_pct@100': 7.335,
  'BestFit/unalloc_gpu_pct@130': 7.1,
  'BestFit/frag_amount_pct@100': 7.26,
  'BestFit/frag_amount_pct@130': 7.025,
  'FGD/unalloc_gpu_pct@100': 4.785,
  'FGD/unalloc_gpu_pct@130': 4.605,
  'FGD/frag_amount_pct@100': 4.74,
  'FGD/frag_amount_pct@130': 4.57,
  'FGD-BestFit/unalloc_gpu_pct@100': 5.975,
  'FGD-BestFit/unalloc_gpu_pct@130': 5.805,
  'FGD-BestFit/frag_amount_pct@100': 5.91,
  'FGD-BestFit/frag_amount_pct@130': 5.755,
  'Packing-NoFit/unalloc_gpu_pct@100': 4.075,
  'Packing-NoFit/unalloc_gpu_pct@130': 3.995,
  'Packing-NoFit/frag_amount_pct@100': 4.0649999999999995,
  'Packing-NoFit/frag_amount_pct@130': 3.9850000000000003,
};

traceTest('openb study: every policy × seeds 42, 43 — fingerprints, figures and comparison unchanged', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kubesim-gpu-pins-'));
  try {
    const s = studyWithCombined(dir);
    const spec = s.gpuReplay as NonNullable<Scenario['gpuReplay']>;
    const policies = s.policies.map((p) => p.name);
    assert.equal(policies, ['Random', 'DotProd', 'GpuClustering', 'GpuPacking', 'BestFit', 'FGD', 'FGD-BestFit', 'Packing-NoFit']);
    const sweep = runGpuSweep(s, spec, policies, [42, 43]);
    const got: Record<string, Record<string, number | string>> = {};
    for (const r of sweep.runs) got[`${r.policy}/${r.seed}`] = figures(r);
    const cmp: Record<string, number> = {};
    for (const row of comparison(sweep)) cmp[`${row.policy}/${row.metric}@${row.x}`] = row.stat.mean;
    assert.equal(Object.keys(got), Object.keys(PINS));
    for (const key of Object.keys(PINS)) assert.equal(got[key], PINS[key], key);
    assert.equal(cmp, COMPARISON);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

const TINY_PINS: Record<string, Record<string, number | string>> = {
  'FGD/1': {
    fingerprint: '69865cd4',
    pods: 11,
    resampled: 6,
    removed: 0,
    scheduled: 8,
    failed: 3,
    gpusInUse: 5,
    cpuPct: 32.142857142857146,
    memPct: 25,
    allocEndPct: 83.33333333333333,
    fragEndPct: 10,
    unalloc100: NaN,
    frag100: NaN,
    unalloc130: NaN,
    frag130: NaN,
    log: '1d24be98724273e2',
    curves: 'c2fd696b93fdfd04',
  },
  'FGD/2': {
    fingerprint: 'f6349288',
    pods: 10,
    resampled: 5,
    removed: 0,
    scheduled: 8,
    failed: 2,
    gpusInUse: 5,
    cpuPct: 26.785714285714285,
    memPct: 23.214285714285715,
    allocEndPct: 70.83333333333333,
    fragEndPct: 16.666666666666668,
    unalloc100: NaN,
    frag100: NaN,
    unalloc130: NaN,
    frag130: NaN,
    log: '952c92e21b23dd82',
    curves: '86a5b5424233d8e3',
  },
  'Random/1': {
    fingerprint: '8f204f03',
    pods: 11,
    resampled: 6,
    removed: 0,
    scheduled: 8,
    failed: 3,
    gpusInUse: 5,
    cpuPct: 32.142857142857146,
    memPct: 25,
    allocEndPct: 83.33333333333333,
    fragEndPct: 10,
    unalloc100: NaN,
    frag100: NaN,
    unalloc130: NaN,
    frag130: NaN,
    log: '1d24be98724273e2',
    curves: 'c2fd696b93fdfd04',
  },
  'Random/2': {
    fingerprint: 'd4c78429',
    pods: 10,
    resampled: 5,
    removed: 0,
    scheduled: 8,
    failed: 2,
    gpusInUse: 5,
    cpuPct: 26.785714285714285,
    memPct: 23.214285714285715,
    allocEndPct: 70.83333333333333,
    fragEndPct: 14.16666666666667,
    unalloc100: NaN,
    frag100: NaN,
    unalloc130: NaN,
    frag130: NaN,
    log: 'dce20f3f86dbe483',
    curves: '0820d03b6feb5f5a',
  },
};

test('tiny fixture trace: FGD and Random × seeds 1, 2 unchanged', () => {
  const s = loadScenario(join(GPU_FIXTURES, 'tiny.yaml')).scenario;
  const sweep = runGpuSweep(s, s.gpuReplay as NonNullable<Scenario['gpuReplay']>, ['FGD', 'Random'], [1, 2]);
  const got: Record<string, Record<string, number | string>> = {};
  for (const r of sweep.runs) got[`${r.policy}/${r.seed}`] = figures(r);
  assert.equal(got, TINY_PINS);
});

test.run();
