/**
 * FGD's node fragmentation (Weng et al., ATC 2023 §4.2; docs/model/gpu.md): the expected
 * GPU milli of a node that a pod drawn from the target workload could not use,
 *
 *   F_n = Σ_m p_m · f(n, m),  f = ΣL when class m is CPU-only, may not use the node's model, or does not fit
 *   (too few GPUs with ≥ its milli free, or too little cpu), else Σ of the left milli of GPUs too small for it.
 *
 * Memory is ignored, as in the study. Per node and class the two aggregates (GPUs with left ≥ milli_m, Σ left
 * of GPUs below milli_m) are cached and refreshed when the node changes, so the fragmentation after a
 * hypothetical placement costs O(classes) per candidate GPU instead of O(classes × GPUs).
 */
import type { GpuCluster } from './cluster.js';
import type { TypicalPods } from './typical-pods.js';

export class Fragmentation {
  /** F_n per node, for the state of cluster version `seen` (see sync). */
  nodeF: Float64Array;
  private readonly m: number;
  /** Σ of all class probabilities (1 up to rounding). */
  private readonly pAll: number;
  /** Per node: Σ p of the classes that can never use it (CPU-only, or its model excluded). */
  private pNoAccess: Float64Array;
  /** Per model id: the GPU classes that may use it (filled as models appear). */
  private readonly access: Int32Array[] = [];
  private cntGe: Int32Array;
  private sumLt: Float64Array;
  /** The cluster's version of each row when its aggregates were computed (-1: never). */
  private seen: Int32Array;

  constructor(
    private readonly c: GpuCluster,
    readonly typical: TypicalPods,
  ) {
    const m = typical.p.length;
    this.m = m;
    let all = 0;
    for (let k = 0; k < m; k++) all += typical.p[k];
    this.pAll = all;
    const rows = Math.max(c.count, 1);
    this.pNoAccess = new Float64Array(rows);
    this.nodeF = new Float64Array(rows);
    this.cntGe = new Int32Array(rows * m);
    this.sumLt = new Float64Array(rows * m);
    this.seen = new Int32Array(rows).fill(-1);
    for (let row = 0; row < c.count; row++) this.refresh(row);
  }

  private accessOf(model: number): Int32Array {
    while (this.access.length <= model) {
      const name = this.c.models[this.access.length];
      const t = this.typical;
      const ids: number[] = [];
      for (let k = 0; k < this.m; k++) {
        if (t.gpus[k] === 0) continue;
        if (t.spec[k] === '' || t.spec[k].split('|').includes(name)) ids.push(k);
      }
      this.access.push(Int32Array.from(ids));
    }
    return this.access[model];
  }

  /** Makes room for rows the cluster gained since (the timed scheduler's cache grows). */
  private ensureRows(): void {
    const n = this.c.count;
    if (n <= this.nodeF.length) return;
    const cap = Math.max(n, this.nodeF.length * 2);
    const f = (a: Float64Array, k: number): Float64Array => {
      const b = new Float64Array(cap * k);
      b.set(a);
      return b;
    };
    this.nodeF = f(this.nodeF, 1);
    this.pNoAccess = f(this.pNoAccess, 1);
    this.sumLt = f(this.sumLt, this.m);
    const cnt = new Int32Array(cap * this.m);
    cnt.set(this.cntGe);
    this.cntGe = cnt;
    const seen = new Int32Array(cap).fill(-1);
    seen.set(this.seen);
    this.seen = seen;
  }

  /** Refreshes the node's aggregates if it changed since they were computed (a check per scored node). */
  sync(row: number): void {
    if (row >= this.seen.length) this.ensureRows();
    if (this.seen[row] !== this.c.version[row]) this.refresh(row);
  }

  /** Recomputes the node's aggregates and F_n after it changed. */
  refresh(row: number): void {
    const c = this.c;
    if (row >= this.seen.length) this.ensureRows();
    this.seen[row] = c.version[row];
    if (c.gpuCount[row] === 0) {
      this.nodeF[row] = 0;
      return;
    }
    const t = this.typical;
    const start = c.gpuStart[row];
    const g = c.gpuCount[row];
    const base = row * this.m;
    const sumL = c.leftSum[row];
    const cpu = c.cpuFree[row];
    const access = this.accessOf(c.model[row]);
    let noAccess = this.pAll;
    for (const k of access) noAccess -= t.p[k];
    this.pNoAccess[row] = noAccess;
    let f = noAccess * sumL;
    for (const k of access) {
      const mm = t.milli[k];
      let cnt = 0;
      let lt = 0;
      for (let i = 0; i < g; i++) {
        const l = c.left[start + i];
        if (l >= mm) cnt++;
        else lt += l;
      }
      this.cntGe[base + k] = cnt;
      this.sumLt[base + k] = lt;
      f += t.p[k] * (cnt >= t.gpus[k] && cpu >= t.cpu[k] ? lt : sumL);
    }
    this.nodeF[row] = f;
  }

  /**
   * F_n after `k` of the node's GPUs go from `a` to `b` milli left and the node loses `cpuQ` cpu: a sharing pod
   * (k = 1, b = a − milli), a whole-GPU pod (k GPUs, 1000 → 0), a CPU-only pod (k = 0). Requires sync(row).
   */
  after(row: number, k: number, a: number, b: number, cpuQ: number): number {
    const c = this.c;
    if (c.gpuCount[row] === 0) return 0;
    const t = this.typical;
    const base = row * this.m;
    const sumL = c.leftSum[row] - k * (a - b);
    const cpu = c.cpuFree[row] - cpuQ;
    let f = this.pNoAccess[row] * sumL;
    for (const m of this.accessOf(c.model[row])) {
      const mm = t.milli[m];
      let cnt = this.cntGe[base + m];
      let lt = this.sumLt[base + m];
      if (a < mm) lt += k * (b - a);
      else if (b < mm) {
        cnt -= k;
        lt += k * b;
      }
      f += t.p[m] * (cnt >= t.gpus[m] && cpu >= t.cpu[m] ? lt : sumL);
    }
    return f;
  }

  /** Σ_n F_n over the cluster (every row refreshed by the caller). */
  total(): number {
    let s = 0;
    for (let row = 0; row < this.c.count; row++) s += this.nodeF[row];
    return s;
  }
}
