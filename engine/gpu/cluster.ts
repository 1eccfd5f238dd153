/**
 * The state of a GPU cluster as struct-of-arrays typed columns (one row per node, one slot per GPU), so the
 * filter/score loops touch only flat numeric arrays (docs/design/performance.md).
 * A node's GPUs are the slots gpuStart[row] … gpuStart[row] + gpuCount[row] − 1 of `left` (milli free on each
 * device, 1000 when idle); per-node aggregates (Σ left, max left, fully free GPUs) are kept up to date on every
 * bind and release so the filter is O(1) per node.
 *
 * The replay builds it once over a fixed node list; the timed scheduler's cache (NodeTable) grows it as nodes
 * register (`upsert`, rows equal to the NodeTable's) and keeps cpu/memory in step with every pod it accounts.
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

function grownF64(a: Float64Array, n: number): Float64Array {
  const b = new Float64Array(n);
  b.set(a);
  return b;
}

function grownI32(a: Int32Array, n: number): Int32Array {
  const b = new Int32Array(n);
  b.set(a);
  return b;
}

export class GpuCluster {
  count = 0;
  readonly names: string[] = [];
  cpuAlloc: Float64Array;
  memAlloc: Float64Array;
  podAlloc: Float64Array;
  cpuFree: Float64Array;
  memFree: Float64Array;
  pods: Int32Array;
  gpuCount: Int32Array;
  gpuStart: Int32Array;
  /** Milli free on each GPU. */
  left: Int32Array;
  /** Σ left over the node's GPUs (ΣL). */
  leftSum: Int32Array;
  maxLeft: Int32Array;
  /** GPUs with left = 1000. */
  fullFree: Int32Array;
  /** Interned GPU model per node (-1: no GPU). */
  model: Int32Array;
  readonly models: string[];
  /** GPU pods bound per (node, tag), and the set of tags present as a bit mask, for GpuClustering. */
  tagCount: Int32Array;
  tagMask: Int32Array;
  totalGpus = 0;
  /** Largest node cpu and GPU milli ("MaxSpec" of the study's scores). */
  maxCpu = 0;
  maxGpuMilli = 0;
  /** Bumped on every change of a node (invalidates cached scores). */
  version: Int32Array;
  private readonly modelIds = new Map<string, number>();
  /** Slots of `left` handed out (a node whose GPU count changed leaves its old slots unused). */
  private slots = 0;

  /** Throws an Error naming the node when its GPU resources are malformed. */
  constructor(nodes: readonly Node[], capacity = nodes.length) {
    const n = Math.max(capacity, nodes.length, 1);
    this.cpuAlloc = new Float64Array(n);
    this.memAlloc = new Float64Array(n);
    this.podAlloc = new Float64Array(n);
    this.cpuFree = new Float64Array(n);
    this.memFree = new Float64Array(n);
    this.pods = new Int32Array(n);
    this.gpuCount = new Int32Array(n);
    this.gpuStart = new Int32Array(n);
    this.leftSum = new Int32Array(n);
    this.maxLeft = new Int32Array(n);
    this.fullFree = new Int32Array(n);
    this.model = new Int32Array(n);
    this.tagCount = new Int32Array(n * TAGS);
    this.tagMask = new Int32Array(n);
    this.version = new Int32Array(n);
    let gpus = 0;
    for (const node of nodes) {
      const g = gpuNodeOf(node);
      if (typeof g !== 'string') gpus += g.count;
    }
    this.left = new Int32Array(capacity > nodes.length ? Math.max(gpus, 8 * n) : gpus);
    // Model ids follow the sorted model names, so they do not depend on the order of the nodes.
    this.models = gpuModels(nodes);
    this.models.forEach((m, i) => this.modelIds.set(m, i));
    for (const node of nodes) this.upsert(this.count, node);
  }

  /**
   * Adds the node as row `row` (= count) or refreshes the allocatable of an existing row. A node keeps its
   * devices while its GPU count is unchanged; a changed count gives it fresh idle GPUs (kubesim's device model
   * does not follow a node whose GPUs change under running pods). Throws an Error naming a malformed node.
   */
  upsert(row: number, node: Node): void {
    const g = gpuNodeOf(node);
    if (typeof g === 'string') throw new Error(g);
    if (row > this.count) throw new Error(`internal: GPU row ${row} past ${this.count}`);
    if (row === this.count) {
      if (row === this.cpuAlloc.length) this.growRows(row * 2);
      this.count++;
      this.names.push(node.metadata.name);
      this.cpuAlloc[row] = 0;
      this.memAlloc[row] = 0;
      this.gpuCount[row] = -1;
    }
    this.names[row] = node.metadata.name;
    const a = node.status.allocatable;
    const cpu = a.cpu ?? 0;
    const mem = a.memory ?? 0;
    this.cpuFree[row] += cpu - this.cpuAlloc[row];
    this.memFree[row] += mem - this.memAlloc[row];
    this.cpuAlloc[row] = cpu;
    this.memAlloc[row] = mem;
    this.podAlloc[row] = a.pods ?? 0;
    if (cpu > this.maxCpu) this.maxCpu = cpu;
    if (g.count * MILLI_PER_GPU > this.maxGpuMilli) this.maxGpuMilli = g.count * MILLI_PER_GPU;
    this.model[row] = g.count === 0 ? -1 : this.modelId(g.model);
    if (this.gpuCount[row] !== g.count) {
      // New slots at the end of `left` (a node's slots stay contiguous).
      const start = this.slots;
      if (start + g.count > this.left.length) {
        const b = new Int32Array(Math.max(this.left.length * 2, start + g.count));
        b.set(this.left);
        this.left = b;
      }
      this.left.fill(MILLI_PER_GPU, start, start + g.count);
      this.slots += g.count;
      this.totalGpus += g.count - Math.max(0, this.gpuCount[row]);
      this.gpuStart[row] = start;
      this.gpuCount[row] = g.count;
      this.leftSum[row] = g.count * MILLI_PER_GPU;
      this.maxLeft[row] = g.count > 0 ? MILLI_PER_GPU : 0;
      this.fullFree[row] = g.count;
    }
    this.version[row]++;
  }

  private modelId(model: string): number {
    let id = this.modelIds.get(model);
    if (id === undefined) {
      id = this.models.length;
      this.models.push(model);
      this.modelIds.set(model, id);
    }
    return id;
  }

  private growRows(n: number): void {
    this.cpuAlloc = grownF64(this.cpuAlloc, n);
    this.memAlloc = grownF64(this.memAlloc, n);
    this.podAlloc = grownF64(this.podAlloc, n);
    this.cpuFree = grownF64(this.cpuFree, n);
    this.memFree = grownF64(this.memFree, n);
    this.pods = grownI32(this.pods, n);
    this.gpuCount = grownI32(this.gpuCount, n);
    this.gpuStart = grownI32(this.gpuStart, n);
    this.leftSum = grownI32(this.leftSum, n);
    this.maxLeft = grownI32(this.maxLeft, n);
    this.fullFree = grownI32(this.fullFree, n);
    this.model = grownI32(this.model, n);
    this.tagCount = grownI32(this.tagCount, n * TAGS);
    this.tagMask = grownI32(this.tagMask, n);
    this.version = grownI32(this.version, n);
  }

  /** Allocated GPU milli over the cluster. */
  allocatedMilli(): number {
    let s = 0;
    for (let i = 0; i < this.count; i++) s += this.gpuCount[i] * MILLI_PER_GPU - this.leftSum[i];
    return s;
  }

  /** Takes `milli` from each GPU in `devices` (a bit mask over the node's GPUs) and the pod's cpu/memory. */
  bind(row: number, cpu: number, mem: number, milli: number, devices: number, tag: number): void {
    this.resources(row, cpu, mem, 1);
    this.devices(row, milli, devices, tag, 1);
  }

  /** Gives back what bind took (the pod ended). */
  release(row: number, cpu: number, mem: number, milli: number, devices: number, tag: number): void {
    this.resources(row, cpu, mem, -1);
    this.devices(row, milli, devices, tag, -1);
  }

  /** A pod's cpu and memory on the node (sign 1) or given back (-1). */
  resources(row: number, cpu: number, mem: number, sign: 1 | -1): void {
    this.cpuFree[row] -= sign * cpu;
    this.memFree[row] -= sign * mem;
    this.pods[row] += sign;
    this.version[row]++;
  }

  /** A pod's `milli` on each GPU of `devices` and its GpuClustering tag, taken (sign 1) or given back (-1). */
  devices(row: number, milli: number, devices: number, tag: number, sign: 1 | -1): void {
    if (tag >= 0) {
      const c = (this.tagCount[row * TAGS + tag] += sign);
      if (c === 0) this.tagMask[row] &= ~(1 << tag);
      else this.tagMask[row] |= 1 << tag;
    }
    if (devices === 0) return;
    const start = this.gpuStart[row];
    const g = this.gpuCount[row];
    let sum = 0;
    let max = 0;
    let full = 0;
    for (let k = 0; k < g; k++) {
      if ((devices >>> k) & 1) this.left[start + k] -= sign * milli;
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
