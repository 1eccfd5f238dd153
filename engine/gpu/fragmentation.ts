/**
 * FGD's node fragmentation (Weng et al., ATC 2023 §4.2; ../shared/reference/fgd-method.md §4.1): the expected
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
  /** F_n per node, for the current state. */
  readonly nodeF: Float64Array;
  private readonly m: number;
  /** Per node: Σ p of the classes that can never use it (CPU-only, or its model excluded). */
  private readonly pNoAccess: Float64Array;
  /** Per model id: the GPU classes that may use it. */
  private readonly access: Int32Array[];
  private readonly cntGe: Int32Array;
  private readonly sumLt: Float64Array;

  constructor(
    private readonly c: GpuCluster,
    readonly typical: TypicalPods,
  ) {
    const m = typical.p.length;
    this.m = m;
    this.access = c.models.map((model) => {
      const ids: number[] = [];
      for (let k = 0; k < m; k++) {
        if (typical.gpus[k] === 0) continue;
        const spec = typical.spec[k];
        if (spec === '' || spec.split('|').includes(model)) ids.push(k);
      }
      return Int32Array.from(ids);
    });
    this.pNoAccess = new Float64Array(c.count);
    for (let row = 0; row < c.count; row++) {
      let sum = 0;
      for (let k = 0; k < m; k++) sum += typical.p[k];
      if (c.model[row] >= 0) for (const k of this.access[c.model[row]]) sum -= typical.p[k];
      this.pNoAccess[row] = sum;
    }
    this.nodeF = new Float64Array(c.count);
    this.cntGe = new Int32Array(c.count * m);
    this.sumLt = new Float64Array(c.count * m);
    for (let row = 0; row < c.count; row++) this.refresh(row);
  }

  /** Recomputes the node's aggregates and F_n after it changed. */
  refresh(row: number): void {
    const c = this.c;
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
    let f = this.pNoAccess[row] * sumL;
    for (const k of this.access[c.model[row]]) {
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
   * (k = 1, b = a − milli), a whole-GPU pod (k GPUs, 1000 → 0), a CPU-only pod (k = 0).
   */
  after(row: number, k: number, a: number, b: number, cpuQ: number): number {
    const c = this.c;
    if (c.gpuCount[row] === 0) return 0;
    const t = this.typical;
    const base = row * this.m;
    const sumL = c.leftSum[row] - k * (a - b);
    const cpu = c.cpuFree[row] - cpuQ;
    let f = this.pNoAccess[row] * sumL;
    for (const m of this.access[c.model[row]]) {
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

  /** Σ_n F_n over the cluster. */
  total(): number {
    let s = 0;
    for (let row = 0; row < this.c.count; row++) s += this.nodeF[row];
    return s;
  }
}
