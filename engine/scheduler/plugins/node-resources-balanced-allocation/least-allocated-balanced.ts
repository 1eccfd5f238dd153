/**
 * The upstream default resource scores fused for cpu and memory: NodeResourcesFit with LeastAllocated (weights
 * wc, wm) and NodeResourcesBalancedAllocation, over the rows of a feasible list. The arithmetic is
 * leastAllocated / balance2 / balancedScore's (node-resources-fit.ts, node-resources-balanced-allocation.ts)
 * written out, so the doubles are the general loop's; the sequential kernel (kernel.ts scoreCpuMem) and the
 * sharded search's workers (parallel/scan-range.ts) both call this one function.
 */
import { balance2, balancedScore } from './index.js';

/** The node columns read (NodeTable's, or the shared columns a worker holds). */
export interface CpuMemColumns {
  readonly allocCpu: Float64Array;
  readonly allocMem: Float64Array;
  readonly nzCpu: Float64Array;
  readonly nzMem: Float64Array;
  readonly reqCpu: Float64Array;
  readonly reqMem: Float64Array;
}

/** The pod's requests as the two plugins read them, and the weights. */
export interface LeastBalancedJob {
  readonly nzPodCpu: number;
  readonly nzPodMem: number;
  readonly podCpu: number;
  readonly podMem: number;
  readonly wc: number;
  readonly wm: number;
  readonly fitW: number;
  readonly balW: number;
}

export function scoreLeastBalanced(c: CpuMemColumns, rows: Int32Array, found: number, out: Float64Array, j: LeastBalancedJob): void {
  const { allocCpu, allocMem, nzCpu, nzMem, reqCpu, reqMem } = c;
  const { nzPodCpu, nzPodMem, podCpu, podMem, wc, wm, fitW, balW } = j;
  for (let f = 0; f < found; f++) {
    const i = rows[f];
    const ac = allocCpu[i];
    const am = allocMem[i];
    let nodeScore = 0;
    let weightSum = 0;
    if (ac !== 0) {
      const q = nzCpu[i] + nzPodCpu;
      if (q <= ac) nodeScore += Math.trunc(((ac - q) * 100) / ac) * wc;
      weightSum += wc;
    }
    if (am !== 0) {
      const q = nzMem[i] + nzPodMem;
      if (q <= am) nodeScore += Math.trunc(((am - q) * 100) / am) * wm;
      weightSum += wm;
    }
    let total = weightSum !== 0 ? Math.trunc(nodeScore / weightSum) * fitW : 0;
    let withPod = 100;
    let withoutPod = 100;
    if (ac !== 0 && am !== 0) {
      const rc = reqCpu[i];
      const rm = reqMem[i];
      withPod = balance2(rc + podCpu, ac, rm + podMem, am);
      withoutPod = balance2(rc, ac, rm, am);
    }
    total += balancedScore(withPod, withoutPod) * balW;
    out[f] = total;
  }
}
