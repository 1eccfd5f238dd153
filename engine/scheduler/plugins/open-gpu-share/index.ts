/**
 * Open-Gpu-Share, the FGD study's GPU-sharing plugin (hkust-adsl/kubernetes-scheduler-simulator
 * pkg/simulator/plugin/open_gpu_share.go; fgd-method.md §3.5, §3.7), and the kernel's GPU block that runs it with
 * the profile's GPU score plugins, in both drivers of the scheduler (the timed control plane and the
 * arrival-only replay, engine/gpu/replay.ts): PreFilter/Filter (a sharing pod needs one GPU with its milli free,
 * a k-GPU pod k idle GPUs, the node's GPU model among the pod's accepted ones), the score plugins' weighted sum
 * (../gpu-scores.ts) and Reserve (which devices the pod gets: ./device-select.ts, or FGDScore's GPU), over the
 * GPU columns of the scheduler cache (NodeTable.gpu), per feasible node without allocating.
 *
 * Device annotation `alibabacloud.com/gpu-index` with the device ids joined by "-"
 * (pkg/type/open-gpu-share/utils/const.go DeviceIndex, DevIdSep).
 */
import type { RngStream } from '../../../core/rng.js';
import type { GpuCluster } from '../../../gpu/cluster.js';
import { Fragmentation } from '../../../gpu/fragmentation.js';
import { GPU_INDEX, MAX_GPUS_PER_NODE, MILLI_PER_GPU, gpuRequestOf, type GpuGrant, type GpuPodRequest } from '../../../gpu/resources.js';
import type { TypicalPods } from '../../../gpu/typical-pods.js';
import type { NodeTable } from '../../node-table.js';
import type { PodInput } from '../../pod-input.js';
import { CachedFgdScore, FgdScore, NAME as FGD } from '../fgd-score/index.js';
import { gpuTagOf } from '../gpu-clustering-score/index.js';
import { addGpuScores, type GpuScore, type GpuScorePlugin } from '../gpu-scores.js';
import { NAME as RANDOM } from '../random-score/index.js';
import { bestDevice, randomDevice, wholeDevices } from './device-select.js';

/** The plugin's name in a KubeSchedulerConfiguration. */
export const NAME = 'Open-Gpu-Share';

/**
 * Args.gpuSelMethod: how a shared GPU is chosen on the selected node (Reserve): `best` = the fitting GPU with the
 * least milli left, `random` = uniform among fitting GPUs, `FGDScore` = the GPU with the highest FGD score.
 * Whole-GPU pods always take the lowest-index free GPUs.
 */
export type GpuSelMethod = 'best' | 'random' | 'FGDScore';
export const SEL_METHODS: readonly GpuSelMethod[] = ['best', 'random', 'FGDScore'];

/** A profile's GPU plugins (scenario/scheduler-config.ts compiles it; Profile.gpu). */
export interface GpuProfile {
  readonly schedulerName: string;
  readonly percentageOfNodesToScore: number;
  /** Open-Gpu-Share enabled at filter. */
  readonly gpuFilter: boolean;
  /** NodeResourcesFit enabled at filter (cpu, memory, pods). */
  readonly fitFilter: boolean;
  /** Enabled GPU score plugins with their weights (in GPU_SCORE_PLUGINS order; the total is a sum). */
  readonly scores: readonly GpuScore[];
  /** Enabled score plugins other than the GPU ones (the GPU replay refuses them: engine/gpu/experiment.ts). */
  readonly otherScores: readonly string[];
  /** Args.gpuSelMethod; null = the policy's own (FGDScore for FGD, random for Random, else best). */
  readonly gpuSelMethod: GpuSelMethod | null;
}

/** The device choice a profile uses: its explicit gpuSelMethod, else the one the study pairs with its score plugin. */
export function selMethodOf(p: GpuProfile): GpuSelMethod {
  if (p.gpuSelMethod !== null) return p.gpuSelMethod;
  if (p.scores.some((s) => s.name === FGD)) return 'FGDScore';
  if (p.scores.length > 0 && p.scores.every((s) => s.name === RANDOM)) return 'random';
  return 'best';
}

/** kubesim's wording of Open-Gpu-Share's filter failure (the simulator logs no reason string). */
export const REASON_GPU = 'Insufficient GPU (Open-Gpu-Share)';

/** The `alibabacloud.com/gpu-index` value of a device mask: device ids ascending, joined by "-". */
export function gpuIndexOf(devices: number): string {
  const ids: number[] = [];
  for (let k = 0; k < 32; k++) if ((devices >>> k) & 1) ids.push(k);
  return ids.join('-');
}

/** The device mask of an `alibabacloud.com/gpu-index` value (0 when absent or malformed). */
export function devicesOf(index: string | undefined): number {
  if (index === undefined || !/^[0-9]+(-[0-9]+)*$/.test(index)) return 0;
  let mask = 0;
  for (const id of index.split('-')) {
    if (Number(id) >= MAX_GPUS_PER_NODE) return 0;
    mask |= 1 << Number(id);
  }
  return mask;
}

/** True when `devices` names exactly `count` of the node's GPUs, each with at least `milli` left. */
function devicesFit(c: GpuCluster, row: number, devices: number, count: number, milli: number): boolean {
  let n = 0;
  for (let k = 0; k < MAX_GPUS_PER_NODE; k++) {
    if (((devices >>> k) & 1) === 0) continue;
    if (k >= c.gpuCount[row] || c.left[c.gpuStart[row] + k] < milli) return false;
    n++;
  }
  return n === count;
}

/**
 * The devices of a pod the cache learns bound (not assumed by this scheduler): its gpu-index annotation when it
 * names devices that can hold it, else the choice Reserve's "best" method would make; a pod no devices can hold
 * (bound past them by someone else) is accounted without devices.
 */
export function grantOfBound(c: GpuCluster, row: number, annotations: Readonly<Record<string, string>>, name: string): GpuGrant | null {
  const g = gpuRequestOf({ metadata: { name, annotations } });
  if (typeof g === 'string' || g.count === 0) return null;
  let devices = devicesOf(annotations[GPU_INDEX]);
  if (!devicesFit(c, row, devices, g.count, g.milli)) {
    devices = g.count === 1 && g.milli < MILLI_PER_GPU ? maskOf(bestDevice(c, row, g.milli)) : wholeDevices(c, row, g.count);
  }
  return { milli: g.milli, devices, tag: gpuTagOf(g.count, g.milli) };
}

const maskOf = (dev: number): number => (dev < 0 ? 0 : 1 << dev);

/**
 * Each pod's GPU request (or why it is malformed), parsed once: a function of the pod's name and annotations,
 * which a PodInput never changes, and a pod may be scheduled many times (retries, the replay's resampled pods).
 */
const REQUESTS = new WeakMap<PodInput, GpuPodRequest | string>();

export class GpuShare {
  private readonly sel: GpuSelMethod;
  private typical: TypicalPods | null = null;
  private frag: Fragmentation | null = null;
  private fgd: CachedFgdScore | null = null;
  private raw = new Float64Array(0);
  private accept = new Uint8Array(0);
  // The cycle's pod (a ScoredPod for addGpuScores).
  cpu = 0;
  gpus = 0;
  milli = 0;
  private sharing = false;
  private free: Int32Array = new Int32Array(0);
  private need = 0;
  private model: Int32Array = new Int32Array(0);
  /** Set when the pod's GPU annotations are malformed (PreFilter rejects it). */
  error: string | null = null;

  constructor(readonly profile: GpuProfile) {
    this.sel = selMethodOf(profile);
  }

  /** FGD's target workload (typical pods of the scenario's pods); required before scoring with FGDScore. */
  setWorkload(typical: TypicalPods): void {
    this.typical = typical;
    this.frag = null;
  }

  /** PreFilter: reads the pod's GPU request; true when the Filter has GPU work to do for it. */
  prepare(t: NodeTable, pod: PodInput): boolean {
    const c = t.gpu as GpuCluster;
    let g = REQUESTS.get(pod);
    if (g === undefined) REQUESTS.set(pod, (g = gpuRequestOf({ metadata: { name: pod.name, annotations: pod.annotations } })));
    this.error = typeof g === 'string' ? g : null;
    this.cpu = pod.requests.cpu;
    if (typeof g === 'string' || g.count === 0) {
      this.gpus = 0;
      this.milli = 0;
      this.sharing = false;
      return false;
    }
    this.gpus = g.count;
    this.milli = g.milli;
    this.sharing = g.count === 1 && g.milli < MILLI_PER_GPU;
    // The filter's columns and thresholds for this cycle (the cluster's columns are replaced only as nodes are
    // added, never within a cycle): a sharing pod needs a GPU with its milli left, a k-GPU pod k idle GPUs.
    this.free = this.sharing ? c.maxLeft : c.fullFree;
    this.need = this.sharing ? g.milli : g.count;
    this.model = c.model;
    // accept[model id + 1]: 1 when the pod may use the model; a node without GPUs (model -1) never.
    const models = c.models;
    if (this.accept.length < models.length + 1) this.accept = new Uint8Array(models.length * 2 + 1);
    this.accept[0] = 0;
    for (let m = 0; m < models.length; m++) this.accept[m + 1] = g.models.length === 0 || g.models.includes(models[m]) ? 1 : 0;
    return this.profile.gpuFilter;
  }

  /** Filter on row i (after prepare returned true, in the same cycle). */
  fits(i: number): boolean {
    return this.free[i] >= this.need && this.accept[this.model[i] + 1] === 1;
  }

  /** One GPU score plugin's weighted scores added to `out` (integer scores; BestFit min–max normalized). */
  scoreOne(
    t: NodeTable,
    name: GpuScorePlugin,
    weight: number,
    feasible: Int32Array,
    found: number,
    out: Float64Array,
    rng: RngStream,
  ): void {
    const c = t.gpu as GpuCluster;
    if (this.raw.length < found) this.raw = new Float64Array(Math.max(found, out.length));
    let fgd: CachedFgdScore | null = null;
    if (name === FGD) {
      fgd = this.fgdOf(c);
      fgd.setPod(this.cpu, this.gpus, this.milli);
    }
    addGpuScores(c, [{ name, weight }], this, feasible, found, out, this.raw, fgd, rng);
  }

  /** Reserve on the chosen node: the devices of the cycle's pod (null for a pod without GPUs; devices 0 if none fits now). */
  reserve(t: NodeTable, row: number, rng: RngStream): GpuGrant | null {
    if (this.gpus === 0 || !this.profile.gpuFilter) return null;
    const c = t.gpu as GpuCluster;
    let devices: number;
    if (!this.sharing) devices = wholeDevices(c, row, this.gpus);
    else if (this.sel === 'FGDScore') {
      const fgd = this.fgdOf(c).fgd;
      fgd.score(row, this.cpu, this.gpus, this.milli);
      devices = maskOf(fgd.device);
    } else if (this.sel === 'random') devices = maskOf(randomDevice(c, row, this.milli, rng));
    else devices = maskOf(bestDevice(c, row, this.milli));
    // devices 0: none fits any more (the caller fails the cycle).
    return { milli: this.milli, devices, tag: gpuTagOf(this.gpus, this.milli) };
  }

  private fgdOf(c: GpuCluster): CachedFgdScore {
    if (this.fgd === null || this.frag === null || this.fragOf !== c) {
      if (this.typical === null) throw new Error('internal: FGDScore without a target workload (Scheduler.useGpuWorkload)');
      this.frag = new Fragmentation(c, this.typical);
      this.fgd = new CachedFgdScore(new FgdScore(c, this.frag), c);
      this.fragOf = c;
    }
    return this.fgd;
  }

  private fragOf: GpuCluster | null = null;
}
