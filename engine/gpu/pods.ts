/**
 * A GPU workload as typed columns, one row per distinct pod of the input (the arrival sequence refers to rows,
 * so resampled copies of a pod share its row). Requests come from the pod spec (k8s PodRequests: cpu in
 * millicores, memory in bytes) and the GPU annotations (resources.ts); acceptable GPU models are compiled
 * against the cluster's model list (cluster.ts gpuModels).
 */
import type { Pod } from '../api/objects.js';
import { podRequests } from '../api/pod-resources.js';
import { gpuRequestOf, MILLI_PER_GPU } from './resources.js';

export class GpuPods {
  readonly count: number;
  readonly names: readonly string[];
  readonly cpu: Float64Array;
  readonly mem: Float64Array;
  /** GPUs wanted (0 = CPU-only). */
  readonly gpus: Int32Array;
  /** Milli of each GPU (0 for CPU-only pods). */
  readonly milli: Int32Array;
  /** The models each pod accepts, '|'-joined ('' = any): the study's gpu_spec. */
  readonly spec: readonly string[];
  /** Per row: 1 when the pod accepts the cluster's model id m, at accept[row * models + m]. */
  readonly accept: Uint8Array;
  readonly anyModel: Uint8Array;
  /** Rows with equal (cpu, gpus, milli, spec) share a key id (scores cached per key). */
  readonly key: Int32Array;
  readonly keys: number;
  private readonly modelCount: number;

  /** Throws an Error naming the pod when its GPU annotations are malformed. */
  constructor(pods: readonly Pod[], models: readonly string[]) {
    const n = pods.length;
    const m = models.length;
    this.count = n;
    this.modelCount = m;
    this.names = pods.map((p) => p.metadata.name);
    this.cpu = new Float64Array(n);
    this.mem = new Float64Array(n);
    this.gpus = new Int32Array(n);
    this.milli = new Int32Array(n);
    this.accept = new Uint8Array(n * m);
    this.anyModel = new Uint8Array(n);
    this.key = new Int32Array(n);
    const spec: string[] = [];
    const keyIds = new Map<string, number>();
    pods.forEach((pod, i) => {
      const g = gpuRequestOf(pod);
      if (typeof g === 'string') throw new Error(g);
      const r = podRequests(pod.spec);
      this.cpu[i] = r.cpu;
      this.mem[i] = r.memory;
      this.gpus[i] = g.count;
      this.milli[i] = g.milli;
      spec.push(g.models.join('|'));
      this.anyModel[i] = g.models.length === 0 ? 1 : 0;
      for (let k = 0; k < m; k++) this.accept[i * m + k] = g.models.length === 0 || g.models.includes(models[k]) ? 1 : 0;
      const key = `${r.cpu}/${g.count}/${g.milli}/${spec[i]}`;
      let id = keyIds.get(key);
      if (id === undefined) keyIds.set(key, (id = keyIds.size));
      this.key[i] = id;
    });
    this.spec = spec;
    this.keys = keyIds.size;
  }

  /** The pod's total GPU request in milli (num_gpu × gpu_milli). */
  gpuRequest(row: number): number {
    return this.gpus[row] * this.milli[row];
  }

  /** A sharing pod: one GPU, less than all of it. */
  isSharing(row: number): boolean {
    return this.gpus[row] === 1 && this.milli[row] < MILLI_PER_GPU;
  }

  accepts(row: number, model: number): boolean {
    return this.accept[row * this.modelCount + model] === 1;
  }
}
