/**
 * Filter + score per pod (engine/scheduler/kernel.ts) on a NodeTable of N nodes, the scheduler's whole
 * per-cycle computation without the control plane around it: each operation is one pod decision
 * (PreFilter, the sampled filter from the rotating start index, scoring, selectHost) followed by the assume
 * (NodeTable.account) of the chosen node; the pod placed `window` decisions earlier is released, so the
 * cluster stays at a steady fill instead of filling up over the benchmark.
 *
 * Beside it, a reference loop: the same decisions hand-fused for this one workload (NodeResourcesFit filter
 * on pods/cpu/memory, LeastAllocated + BalancedAllocation on cpu/memory, reservoir selectHost on the same
 * RNG stream) with no PreFilter, no plugin switches and no Decision object. Both must place every pod on the
 * same node (checked); their cost ratio is how much the general kernel pays over the minimal loop, a
 * same-process figure the regression check compares (bench/check.ts).
 */
import { podSpecOf, type Node } from '../engine/api/objects.js';
import type { PodRequests } from '../engine/api/pod-resources.js';
import { RngStream } from '../engine/core/rng.js';
import { Kernel, numFeasibleNodesToFind, type SearchState } from '../engine/scheduler/kernel.js';
import { NodeTable } from '../engine/scheduler/node-table.js';
import { podInput, type PodInput } from '../engine/scheduler/pod-input.js';
import { DEFAULT_PROFILE } from '../engine/scheduler/profile.js';
import type { Task } from './harness.js';

const GI = 1024 * 1024 * 1024;
const MI = 1024 * 1024;

/** Three node shapes in rotation (scheduler_perf's node-default is the first). */
const SHAPES = [
  { cpu: 4000, memory: 32 * GI, pods: 110 },
  { cpu: 8000, memory: 32 * GI, pods: 110 },
  { cpu: 16000, memory: 64 * GI, pods: 110 },
];
/** Pod shapes in rotation (pod-default is the first). */
const POD_SHAPES = [
  { cpu: 100, memory: 500 * MI },
  { cpu: 250, memory: 256 * MI },
  { cpu: 500, memory: 1 * GI },
  { cpu: 100, memory: 128 * MI },
];

function node(name: string, shape: (typeof SHAPES)[number]): Node {
  const alloc = { cpu: shape.cpu, memory: shape.memory, pods: shape.pods };
  return {
    kind: 'Node',
    metadata: {
      name,
      namespace: '',
      uid: '',
      labels: { 'kubernetes.io/hostname': name },
      annotations: {},
      ownerReferences: [],
      creationTimestamp: 0,
      resourceVersion: 0,
    },
    spec: { unschedulable: false, taints: [] },
    status: { capacity: alloc, allocatable: alloc, images: [], ready: true },
  };
}

function pods(): PodInput[] {
  return POD_SHAPES.map((s) =>
    podInput(
      podSpecOf(
        [{ name: 'c', image: 'registry.k8s.io/pause:3.10.1', requests: { cpu: s.cpu, memory: s.memory }, limits: {}, ports: [] }],
        'Always',
      ),
    ),
  );
}

/** One independent cluster + decision stream; `decide` runs one pod and returns the chosen row. */
export class KernelWorkload {
  readonly table = new NodeTable();
  readonly pods = pods();
  private readonly ring: Int32Array;
  private readonly ringPod: Int32Array;
  private head = 0;
  private k = 0;
  readonly state: SearchState = { nextStartNodeIndex: 0 };
  readonly rng: RngStream;
  /** Node evaluations (filter visits) and decisions so far: the machine-independent counters. */
  visited = 0;
  decisions = 0;
  checksum = 0;

  /** `pct` is percentageOfNodesToScore (0 = upstream's adaptive default; 100 = full scan). */
  constructor(
    readonly n: number,
    readonly pct: number,
    seed = 1,
  ) {
    for (let i = 0; i < n; i++) this.table.upsert(node(`node-${i}`, SHAPES[i % SHAPES.length]));
    void this.table.order;
    // Steady state at ~10 pods per node: the window of live pods.
    const window = n * 10;
    this.ring = new Int32Array(window).fill(-1);
    this.ringPod = new Int32Array(window);
    this.rng = new RngStream(seed, 'bench/kernel/selectHost');
    // Prefill: the window's pods spread round-robin, so decisions start in the steady state.
    for (let w = 0; w < window; w++) this.place(w % n, this.nextPod());
    this.decisions = 0;
    this.checksum = 0;
  }

  /** Assumes pod shape `p` on `row`, releasing the pod placed `window` decisions ago. */
  protected place(row: number, p: number): void {
    const t = this.table;
    const h = this.head;
    const old = this.ring[h];
    if (old >= 0) t.account(old, this.pods[this.ringPod[h]].requests, -1);
    if (row >= 0) t.account(row, this.pods[p].requests, 1);
    this.ring[h] = row;
    this.ringPod[h] = p;
    this.head = h + 1 === this.ring.length ? 0 : h + 1;
    this.decisions++;
    this.checksum = (Math.imul(this.checksum, 31) + row) | 0;
  }

  nextPod(): number {
    const p = this.k;
    this.k = p + 1 === this.pods.length ? 0 : p + 1;
    return p;
  }
}

/** Decisions through engine/scheduler/kernel.ts with the upstream default profile. */
export class KernelPath extends KernelWorkload {
  readonly kernel: Kernel;
  constructor(n: number, pct: number, seed = 1) {
    super(n, pct, seed);
    this.kernel = new Kernel({ ...DEFAULT_PROFILE, percentageOfNodesToScore: pct });
  }

  run(count: number): void {
    for (let c = 0; c < count; c++) {
      const p = this.nextPod();
      const d = this.kernel.schedule(this.table, this.pods[p], this.state, this.rng);
      this.visited += d.visited;
      this.place(d.node, p);
    }
  }
}

/** The same decisions from a minimal hand-fused loop (see the file comment). */
export class ReferencePath extends KernelWorkload {
  private readonly feasible: Int32Array;
  private readonly score: Float64Array;
  constructor(n: number, pct: number, seed = 1) {
    super(n, pct, seed);
    this.feasible = new Int32Array(n);
    this.score = new Float64Array(n);
  }

  run(count: number): void {
    for (let c = 0; c < count; c++) {
      const p = this.nextPod();
      this.place(this.decide(this.pods[p].requests), p);
    }
  }

  private decide(r: PodRequests): number {
    const t = this.table;
    const n = t.count;
    const order = t.order;
    const { allocCpu, allocMem, allocPods, reqCpu, reqMem, nzCpu, nzMem, podCount } = t;
    const want = numFeasibleNodesToFind(this.pct, n);
    const feasible = this.feasible;
    const score = this.score;
    const start = this.state.nextStartNodeIndex % n;
    let found = 0;
    let k = 0;
    for (; k < n && found < want; k++) {
      let j = start + k;
      if (j >= n) j -= n;
      const i = order[j];
      if (podCount[i] + 1 > allocPods[i] || r.cpu > allocCpu[i] - reqCpu[i] || r.memory > allocMem[i] - reqMem[i]) continue;
      feasible[found++] = i;
    }
    this.visited += k;
    this.state.nextStartNodeIndex = (this.state.nextStartNodeIndex + k) % n;
    if (found === 0) return -1;
    if (found === 1) return feasible[0];
    for (let f = 0; f < found; f++) {
      const i = feasible[f];
      const ac = allocCpu[i];
      const am = allocMem[i];
      // LeastAllocated on non-zero requests, equal weights (least_allocated.go).
      const qc = nzCpu[i] + r.nonZeroCpu;
      const qm = nzMem[i] + r.nonZeroMemory;
      const sc = qc > ac ? 0 : Math.trunc(((ac - qc) * 100) / ac);
      const sm = qm > am ? 0 : Math.trunc(((am - qm) * 100) / am);
      const fit = Math.trunc((sc + sm) / 2);
      // BalancedAllocation v1.36 delta form (balanced_allocation.go).
      const bw = bal(reqCpu[i] + r.cpu, ac, reqMem[i] + r.memory, am);
      const bo = bal(reqCpu[i], ac, reqMem[i], am);
      score[f] = fit + 50 + Math.trunc((50 + bw - bo) / 2);
    }
    let best = feasible[0];
    let bestScore = score[0];
    let ties = 1;
    for (let f = 1; f < found; f++) {
      const s = score[f];
      if (s > bestScore) {
        bestScore = s;
        best = feasible[f];
        ties = 1;
      } else if (s === bestScore) {
        ties++;
        if (this.rng.int(ties) === 0) best = feasible[f];
      }
    }
    return best;
  }
}

function bal(rc: number, ac: number, rm: number, am: number): number {
  const fc = rc / ac > 1 ? 1 : rc / ac;
  const fm = rm / am > 1 ? 1 : rm / am;
  return Math.trunc((1 - Math.abs(fc - fm) / 2) * 100);
}

export interface KernelPair {
  readonly kernel: KernelPath;
  readonly reference: ReferencePath;
  readonly ours: Task;
  readonly ref: Task;
}

/** Kernel and reference tasks at N nodes (`pods` decisions per call), warmed to steady state. */
export function kernelTasks(n: number, pct: number, podsPerCall: number): KernelPair {
  const kernel = new KernelPath(n, pct);
  const reference = new ReferencePath(n, pct);
  const label = `filter+score ${n.toLocaleString('en-US')} nodes${pct === 100 ? ', full scan' : ''}`;
  return {
    kernel,
    reference,
    ours: { name: `${label}: kernel`, ops: podsPerCall, fn: () => kernel.run(podsPerCall) },
    ref: { name: `${label}: reference loop`, ops: podsPerCall, fn: () => reference.run(podsPerCall) },
  };
}

/**
 * Deterministic counters and a placement check: both paths make `decisions` decisions from a fresh state;
 * returns node evaluations per pod and whether every placement matched.
 */
export function kernelCounters(n: number, pct: number, decisions: number): { visitedPerPod: number; samePlacements: boolean } {
  const a = new KernelPath(n, pct);
  const b = new ReferencePath(n, pct);
  a.run(decisions);
  b.run(decisions);
  return { visitedPerPod: a.visited / a.decisions, samePlacements: a.checksum === b.checksum && a.visited === b.visited };
}
