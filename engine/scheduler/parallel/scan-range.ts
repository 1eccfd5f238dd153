/**
 * One shard of a pod's node search: the kernel's Filter and resource Score (kernel.ts, the default-plugin
 * path) over a contiguous range of positions in NodeTree order, counted from the cycle's start index. Runs
 * in worker threads and on the main thread alike, over the NodeTable's shared columns.
 *
 * Only pods the scanner found eligible get here (scanner.ts): no hard taint, node affinity, host port or
 * extended resource to check, and a LeastAllocated/MostAllocated strategy over cpu and memory with
 * BalancedAllocation over cpu and memory, so the checks are exactly these:
 *   NodeUnschedulable (when the pod does not tolerate it), NodeResourcesFit (pods, cpu, memory, ephemeral),
 * and the score is kernel.ts scoreCpuMem's, written with the same plugin functions in the same order, so the
 * doubles are identical.
 */
import { balance2, balancedScore } from '../plugins/node-resources-balanced-allocation/index.js';
import { leastAllocated, mostAllocated } from '../plugins/node-resources-fit/index.js';
import { scoreLeastBalanced } from '../plugins/node-resources-balanced-allocation/least-allocated-balanced.js';

/** The NodeTable columns a shard reads (all on SharedArrayBuffers). */
export interface ScanColumns {
  readonly order: Int32Array;
  readonly allocCpu: Float64Array;
  readonly allocMem: Float64Array;
  readonly allocEph: Float64Array;
  readonly allocPods: Float64Array;
  readonly reqCpu: Float64Array;
  readonly reqMem: Float64Array;
  readonly reqEph: Float64Array;
  readonly nzCpu: Float64Array;
  readonly nzMem: Float64Array;
  readonly podCount: Float64Array;
  readonly unschedulable: Uint8Array;
}

/** Layout of a job's Float64Array parameter block (one per shard slot). */
export const J_FROM = 0;
export const J_TO = 1;
export const J_START = 2;
export const J_M = 3;
export const J_CAP = 4;
export const J_CPU = 5;
export const J_MEM = 6;
export const J_EPH = 7;
export const J_NZCPU = 8;
export const J_NZMEM = 9;
export const J_CHECK_UNSCHED = 10;
export const J_CHECK_FIT = 11;
export const J_ANY_REQUEST = 12;
export const J_SCORE = 13;
export const J_FIT_W = 14;
export const J_WC = 15;
export const J_WM = 16;
export const J_MOST = 17;
export const J_BAL_W = 18;
export const J_BAL_ACTIVE = 19;
/** Output: feasible nodes found by the shard. */
export const J_FOUND = 20;
/** Output: running-maximum records among them (see scanRange). */
export const J_RECORDS = 21;
export const JOB_WORDS = 24;

/**
 * Scans positions [from, to) (offsets from `start`, wrapping at m) and writes, for at most `cap` feasible
 * nodes in order, the row, the offset and (if scoring) the resource score. Returns the count.
 *
 * When scoring, `recs` gets the indices of the shard's running-maximum records: the nodes scoring at least as
 * much as every node before them in the shard. selectHost's reservoir over the whole list draws only at nodes
 * scoring at least the maximum so far, and every such node is a record of its own shard, so the main thread
 * can run the same reservoir, with the same draws, over the records alone (scanner.ts).
 */
export function scanRange(
  c: ScanColumns,
  job: Float64Array,
  rows: Int32Array,
  offs: Int32Array,
  scores: Float64Array,
  recs: Int32Array,
): number {
  // The job block is a Float64Array: positions and counts are made int32 here so that the loop indexes the
  // columns with small integers instead of converting doubles per node.
  const from = job[J_FROM] | 0;
  const to = job[J_TO] | 0;
  const start = job[J_START] | 0;
  const m = job[J_M] | 0;
  const cap = job[J_CAP] | 0;
  const cpu = job[J_CPU];
  const mem = job[J_MEM];
  const eph = job[J_EPH];
  const checkUnsched = job[J_CHECK_UNSCHED] === 1;
  const checkFit = job[J_CHECK_FIT] === 1;
  const anyRequest = job[J_ANY_REQUEST] === 1;
  const { order, allocCpu, allocMem, allocEph, allocPods, reqCpu, reqMem, reqEph, podCount, unschedulable } = c;
  let found = 0;
  for (let k = from; k < to && found < cap; k++) {
    let j = start + k;
    if (j >= m) j -= m;
    const i = order[j];
    if (checkUnsched && unschedulable[i] === 1) continue;
    if (checkFit) {
      if (podCount[i] + 1 > allocPods[i]) continue;
      if (anyRequest) {
        if (
          (cpu > 0 && cpu > allocCpu[i] - reqCpu[i]) ||
          (mem > 0 && mem > allocMem[i] - reqMem[i]) ||
          (eph > 0 && eph > allocEph[i] - reqEph[i])
        )
          continue;
      }
    }
    rows[found] = i;
    offs[found] = k;
    found++;
  }
  let nrec = 0;
  if (job[J_SCORE] === 1) {
    scoreRows(c, job, rows, found, scores);
    let runMax = -Infinity;
    for (let f = 0; f < found; f++) {
      const s = scores[f];
      if (s >= runMax) {
        runMax = s;
        recs[nrec++] = f;
      }
    }
  }
  job[J_RECORDS] = nrec;
  job[J_FOUND] = found;
  return found;
}

/** kernel.ts scoreCpuMem for LeastAllocated / MostAllocated. */
function scoreRows(c: ScanColumns, job: Float64Array, rows: Int32Array, found: number, out: Float64Array): void {
  const fitW = job[J_FIT_W];
  const wc = job[J_WC];
  const wm = job[J_WM];
  const most = job[J_MOST] === 1;
  const balW = job[J_BAL_W];
  const balActive = job[J_BAL_ACTIVE] === 1;
  const podCpu = job[J_CPU];
  const podMem = job[J_MEM];
  const nzPodCpu = job[J_NZCPU];
  const nzPodMem = job[J_NZMEM];
  const { allocCpu, allocMem, nzCpu, nzMem, reqCpu, reqMem } = c;
  if (!most && fitW > 0 && balActive) {
    scoreLeastBalanced(c, rows, found, out, { nzPodCpu, nzPodMem, podCpu, podMem, wc, wm, fitW, balW });
    return;
  }
  for (let f = 0; f < found; f++) {
    const i = rows[f];
    const ac = allocCpu[i];
    const am = allocMem[i];
    let total = 0;
    if (fitW > 0) {
      let nodeScore = 0;
      let weightSum = 0;
      if (ac !== 0) {
        const q = nzCpu[i] + nzPodCpu;
        nodeScore += (most ? mostAllocated(q, ac) : leastAllocated(q, ac)) * wc;
        weightSum += wc;
      }
      if (am !== 0) {
        const q = nzMem[i] + nzPodMem;
        nodeScore += (most ? mostAllocated(q, am) : leastAllocated(q, am)) * wm;
        weightSum += wm;
      }
      if (weightSum !== 0) total += Math.trunc(nodeScore / weightSum) * fitW;
    }
    if (balActive) {
      let withPod = 100;
      let withoutPod = 100;
      if (ac !== 0 && am !== 0) {
        withPod = balance2(reqCpu[i] + podCpu, ac, reqMem[i] + podMem, am);
        withoutPod = balance2(reqCpu[i], ac, reqMem[i], am);
      }
      total += balancedScore(withPod, withoutPod) * balW;
    }
    out[f] = total;
  }
}
