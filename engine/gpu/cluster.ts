/**
 * The state of a GPU cluster as struct-of-arrays typed columns (one row per node, one slot per GPU), so the
 * replay's filter/score loops touch only flat numeric arrays (../shared/reference/engine-performance.md §3).
 * A node's GPUs are the slots gpuStart[row] … gpuStart[row] + gpuCount[row] − 1 of `left` (milli free on each
 * device, 1000 when idle); per-node aggregates (Σ left, max left, fully free GPUs) are kept up to date on every
 * bind and release so the filter is O(1) per node.
 */
import type { Node } from '../api/objects.js';
import { gpuNodeOf, MAX_GPUS_PER_NODE, MILLI_PER_GPU } from './resources.js';

/** GpuClustering's pod tags: 0 = "share-gpu", k = "<k>-gpu" (k whole GPUs, at most MAX_GPUS_PER_NODE). */
export const TAGS = MAX_GPUS_PER_NODE + 1;

/** The GPU models of the nodes, sorted (the cluster's model ids). */
export function gpuModels(nodes: readonly Node[]): string[] {
  const set = new Set<string>();
  for (const node of nodes) {
    const g = gpuNodeOf(node);
    if (typeof g !== 'string' && g.count > 0) set.add(g.model);
  }
  return [...set].sort();
}

export class GpuCluster {
  readonly count: number;
  readonly names: readonly string[];
  readonly cpuAlloc: Float64Array;
  readonly memAlloc: Float64Array;
  readonly podAlloc: Float64Array;
  readonly cpuFree: Float64Array;
  readonly memFree: Float64Array;
  readonly pods: Int32Array;
  readonly gpuCount: Int32Array;
  readonly gpuStart: Int32Array;
  /** Milli free on each GPU. */
  readonly left: Int32Array;
  /** Σ left over the node's GPUs (ΣL). */
  readonly leftSum: Int32Array;
  readonly maxLeft: Int32Array;
  /** GPUs with left = 1000. */
  readonly fullFree: Int32Array;
  /** Interned GPU model per node (-1: no GPU). */
  readonly model: Int32Array;
  readonly models: readonly string[];
  /** GPU pods bound per (node, tag), and the set of tags present as a bit mask, for GpuClustering. */
  readonly tagCount: Int32Array;
  readonly tagMask: Int32Array;
  readonly totalGpus: number;
  /** Largest node cpu and GPU milli ("MaxSpec" of the study's scores). */
  readonly maxCpu: number;
  readonly maxGpuMilli: number;
  /** Bumped on every change of a node (invalidates cached scores). */
  readonly version: Int32Array;

  /** Throws an Error naming the node when its GPU resources are malformed. */
  constructor(nodes: readonly Node[]) {
    const n = nodes.length;
    this.count = n;
    this.names = nodes.map((x) => x.metadata.name);
    this.cpuAlloc = new Float64Array(n);
    this.memAlloc = new Float64Array(n);
    this.podAlloc = new Float64Array(n);
    this.gpuCount = new Int32Array(n);
    this.gpuStart = new Int32Array(n);
    this.model = new Int32Array(n);
    const specs = nodes.map((node) => {
      const g = gpuNodeOf(node);
      if (typeof g === 'string') throw new Error(g);
      return g;
    });
    // Model ids follow the sorted model names, so they do not depend on the order of the nodes.
    const models = gpuModels(nodes);
    let gpus = 0;
    nodes.forEach((node, i) => {
      const g = specs[i];
      const a = node.status.allocatable;
      this.cpuAlloc[i] = a.cpu ?? 0;
      this.memAlloc[i] = a.memory ?? 0;
      this.podAlloc[i] = a.pods ?? 0;
      this.gpuCount[i] = g.count;
      this.gpuStart[i] = gpus;
      gpus += g.count;
      this.model[i] = g.count === 0 ? -1 : models.indexOf(g.model);
    });
    this.models = models;
    this.totalGpus = gpus;
    this.cpuFree = Float64Array.from(this.cpuAlloc);
    this.memFree = Float64Array.from(this.memAlloc);
    this.pods = new Int32Array(n);
    this.left = new Int32Array(gpus).fill(MILLI_PER_GPU);
    this.leftSum = Int32Array.from(this.gpuCount, (c) => c * MILLI_PER_GPU);
    this.maxLeft = Int32Array.from(this.gpuCount, (c) => (c > 0 ? MILLI_PER_GPU : 0));
    this.fullFree = Int32Array.from(this.gpuCount);
    this.tagCount = new Int32Array(n * TAGS);
    this.tagMask = new Int32Array(n);
    this.version = new Int32Array(n);
    let maxCpu = 0;
    let maxGpu = 0;
    for (let i = 0; i < n; i++) {
      if (this.cpuAlloc[i] > maxCpu) maxCpu = this.cpuAlloc[i];
      if (this.gpuCount[i] * MILLI_PER_GPU > maxGpu) maxGpu = this.gpuCount[i] * MILLI_PER_GPU;
    }
    this.maxCpu = maxCpu;
    this.maxGpuMilli = maxGpu;
  }

  /** Allocated GPU milli over the cluster. */
  allocatedMilli(): number {
    let s = 0;
    for (let i = 0; i < this.count; i++) s += this.gpuCount[i] * MILLI_PER_GPU - this.leftSum[i];
    return s;
  }

  /** Takes `milli` from each GPU in `devices` (a bit mask over the node's GPUs) and the pod's cpu/memory. */
  bind(row: number, cpu: number, mem: number, milli: number, devices: number, tag: number): void {
    this.apply(row, cpu, mem, -milli, devices, tag, 1);
  }

  /** Gives back what bind took (the pod ended). */
  release(row: number, cpu: number, mem: number, milli: number, devices: number, tag: number): void {
    this.apply(row, -cpu, -mem, milli, devices, tag, -1);
  }

  private apply(row: number, cpu: number, mem: number, dMilli: number, devices: number, tag: number, sign: number): void {
    this.cpuFree[row] -= cpu;
    this.memFree[row] -= mem;
    this.pods[row] += sign;
    if (tag >= 0) {
      const c = (this.tagCount[row * TAGS + tag] += sign);
      if (c === 0) this.tagMask[row] &= ~(1 << tag);
      else this.tagMask[row] |= 1 << tag;
    }
    const start = this.gpuStart[row];
    const g = this.gpuCount[row];
    let sum = 0;
    let max = 0;
    let full = 0;
    for (let k = 0; k < g; k++) {
      if ((devices >>> k) & 1) this.left[start + k] += dMilli;
      const l = this.left[start + k];
      if (l < 0 || l > MILLI_PER_GPU) throw new Error(`GPU ${k} of node ${this.names[row]} would have ${l} milli free`);
      sum += l;
      if (l > max) max = l;
      if (l === MILLI_PER_GPU) full++;
    }
    this.leftSum[row] = sum;
    this.maxLeft[row] = max;
    this.fullFree[row] = full;
    this.version[row]++;
  }
}
