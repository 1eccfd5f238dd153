/**
 * Sharded node search for one pod across worker threads, giving exactly the sequential kernel's Decision.
 *
 * The sequential definition (kernel.ts): visit nodes in NodeTree order from nextStartNodeIndex, keep the
 * first numFeasibleNodesToFind feasible ones, score them, pick the best with reservoir sampling on the
 * scheduler's RNG stream. Sharding preserves it like this:
 *   1. A window of positions [w0, w1) after the start index (sized from the last cycle's feasible ratio to
 *      hold `want` feasible nodes; a full scan's window is every node) is split into contiguous shards, one
 *      per thread; shard 0 runs on the main thread, the others on workers, at the same time.
 *   2. Each shard filters its positions in order and scores its feasible nodes (scan-range.ts), keeping at
 *      most `want − found so far` of them (more can never be used).
 *   3. The main thread concatenates the shards in shard order and stops at `want`: that is the sequential
 *      feasible list, and the position of its last node gives `visited`, hence the next start index. If the
 *      window held too few, the next window continues where it ended.
 *   4. The main thread adds the other score plugins (Kernel.scoreExtras) and runs selectHost's reservoir
 *      sampling over the list in order with its own RNG stream: workers draw no random numbers.
 * The window size and the number of workers change only how much work is done, never the result: the same
 * Decision, the same RNG draws, so byte-identical runs for 0, 1, 2 … N workers (test/parallel-scan.test.ts).
 *
 * Pods or profiles whose filters the shards do not implement (hard taints, node affinity, host ports,
 * extended resources, hard topology spread constraints, required inter-pod (anti-)affinity that applies,
 * RequestedToCapacityRatio, non-cpu/memory scoring, plugins added later) get `null`:
 * the caller runs the sequential kernel. So does a window smaller than `minNodes` (the crossover below
 * which synchronising threads costs more than it saves, measured by `npm run bench`).
 *
 * piscina hosts the threads (worker.ts explains the long-lived serve task and the Atomics barrier).
 */
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { Piscina } from 'piscina';
import type { RngStream } from '../../core/rng.js';
import { CPU, MEMORY } from '../../api/pod-resources.js';
import { type Decision, type Kernel, numFeasibleNodesToFind, type SearchState, selectHost } from '../kernel.js';
import type { AssignedPods } from '../assigned-pods.js';
import type { NodeTable } from '../node-table.js';
import type { PodInput } from '../pod-input.js';
import { enabledAt, scoreWeight, type Profile } from '../profile.js';
import {
  J_ANY_REQUEST,
  J_BAL_ACTIVE,
  J_BAL_W,
  J_CAP,
  J_CHECK_FIT,
  J_CHECK_UNSCHED,
  J_CPU,
  J_EPH,
  J_FIT_W,
  J_FOUND,
  J_FROM,
  J_RECORDS,
  J_M,
  J_MEM,
  J_MOST,
  J_NZCPU,
  J_NZMEM,
  J_SCORE,
  J_START,
  J_TO,
  J_WC,
  J_WM,
  JOB_WORDS,
  scanRange,
  type ScanColumns,
} from './scan-range.js';
import { CMD_QUIT, CMD_RELOAD, CMD_SCAN, CTRL_STRIDE, C_CMD, C_DONE, C_SEQ, type SlotBuffers } from './worker.js';
import { sharedF64, sharedI32 } from './shared-memory.js';

/**
 * Filters the shards implement (kernel.ts filter order), or that pass every node when their PreFilter Skips
 * (PodTopologySpread, InterPodAffinity: checked per pod); a profile enabling any other runs sequentially.
 */
const SHARDABLE_FILTERS: ReadonlySet<string> = new Set([
  'NodeUnschedulable',
  // NodeName's Filter never rejects in kubesim (registry.ts); DynamicResources acts only on pods with resource claims,
  // which run the sequential kernel (scheduler.ts).
  'NodeName',
  'DynamicResources',
  'TaintToleration',
  'NodeAffinity',
  'NodePorts',
  'NodeResourcesFit',
  'PodTopologySpread',
  'InterPodAffinity',
  // The volume plugins act only on pods with claims, which run the sequential kernel (podShardable).
  'VolumeRestrictions',
  'VolumeBinding',
  'VolumeZone',
  'NodeVolumeLimits',
]);
/** Cell of the control block a worker sets once its serve task runs. */
const C_READY = 3;
/** Busy-wait iterations before blocking on the barrier (bounded: spinning starves GC threads on 2 cores). */
const SPIN = 2000;

export interface ScannerOptions {
  /** Worker threads besides the main thread (≥ 1). */
  readonly workers: number;
  /** Smallest window (nodes) worth sharding; smaller searches run the sequential kernel. */
  readonly minNodes: number;
}

interface ProfileFacts {
  readonly ok: boolean;
  readonly most: boolean;
}

export class ParallelScanner {
  private readonly ctrl: Int32Array;
  private readonly ports: MessagePort[] = [];
  private readonly serving: Promise<number>[] = [];
  private readonly facts = new WeakMap<Profile, ProfileFacts>();
  private slots: SlotBuffers[] = [];
  private colsFor: Float64Array | null = null;
  private orderFor: Int32Array | null = null;
  private slotCap = 0;
  private feasible = new Int32Array(0);
  private scores = new Float64Array(0);
  /** Feasible nodes per node visited in the last sharded cycle: sizes the next window. */
  private ratio = 1;
  /** Fraction of a window this thread scans (balance()). */
  private mainShare: number;
  /** Cycles run sharded, and cycles handed back to the sequential kernel. */
  sharded = 0;
  sequential = 0;

  private constructor(
    private readonly pool: Piscina | null,
    readonly options: ScannerOptions,
  ) {
    this.ctrl = sharedI32((options.workers + 1) * CTRL_STRIDE);
    this.mainShare = 1 / (options.workers + 1);
  }

  /** Starts the worker threads and waits until every one is serving. */
  static async start(options: ScannerOptions): Promise<ParallelScanner> {
    if (!(options.workers >= 1)) throw new Error('a parallel scanner needs at least one worker');
    const pool = new Piscina({
      filename: new URL('./worker.js', import.meta.url).href,
      minThreads: options.workers,
      maxThreads: options.workers,
      idleTimeout: 60_000,
      concurrentTasksPerWorker: 1,
    });
    const s = new ParallelScanner(pool, options);
    for (let slot = 1; slot <= options.workers; slot++) {
      const { port1, port2 } = new MessageChannel();
      s.ports[slot] = port1;
      s.serving.push(pool.run({ ctrl: s.ctrl, slot, port: port2 }, { transferList: [port2] }) as Promise<number>);
    }
    // piscina dispatches tasks from this thread's event loop: yield to it until every worker is in serve().
    while (!s.allReady()) await new Promise((r) => setTimeout(r, 1));
    return s;
  }

  private allReady(): boolean {
    for (let slot = 1; slot <= this.options.workers; slot++) if (Atomics.load(this.ctrl, slot * CTRL_STRIDE + C_READY) !== 1) return false;
    return true;
  }

  /** Stops the workers and the pool. */
  async close(): Promise<void> {
    for (let slot = 1; slot <= this.options.workers; slot++) this.signal(slot, CMD_QUIT);
    await Promise.all(this.serving);
    for (const p of this.ports) p?.close();
    await this.pool?.destroy();
  }

  /** The kernel's Decision for `pod`, computed on shards; null = not shardable here, run kernel.schedule. */
  schedule(kernel: Kernel, t: NodeTable, pod: PodInput, state: SearchState, rng: RngStream, pods: AssignedPods): Decision | null {
    const n = t.live;
    const p = kernel.profile;
    const facts = this.profileFacts(p);
    if (n === 0 || !facts.ok || !this.podShardable(p, t, pod) || !kernel.podFiltersSkip(t, pod, pods)) return this.sequentialCycle();
    const scoring = kernel.plugins.scores.length > 0;
    const want = scoring ? numFeasibleNodesToFind(p.percentageOfNodesToScore, n) : 1;
    const firstWindow = Math.min(n, Math.ceil(want / this.ratio) + 64);
    if (firstWindow < this.options.minNodes) return this.sequentialCycle();
    this.ensureBuffers(t);
    const r = pod.requests;
    const startIndex = state.nextStartNodeIndex;
    const start = startIndex % n;
    const threads = this.options.workers + 1;
    // Job parameters common to every shard of this cycle.
    const balW = scoreWeight(p, 'NodeResourcesBalancedAllocation');
    const balActive = balW > 0 && (r.cpu !== 0 || r.memory !== 0);
    const fitResources = p.args.NodeResourcesFit.scoringStrategy.resources;
    for (let s = 0; s < threads; s++) {
      const job = this.slots[s].job;
      job[J_START] = start;
      job[J_M] = n;
      job[J_CPU] = r.cpu;
      job[J_MEM] = r.memory;
      job[J_EPH] = r.ephemeralStorage;
      job[J_NZCPU] = r.nonZeroCpu;
      job[J_NZMEM] = r.nonZeroMemory;
      job[J_CHECK_UNSCHED] = enabledAt(p, 'filter', 'NodeUnschedulable') && !pod.toleratesUnschedulable ? 1 : 0;
      job[J_CHECK_FIT] = enabledAt(p, 'filter', 'NodeResourcesFit') ? 1 : 0;
      job[J_ANY_REQUEST] = r.cpu !== 0 || r.memory !== 0 || r.ephemeralStorage !== 0 ? 1 : 0;
      job[J_SCORE] = scoring ? 1 : 0;
      job[J_FIT_W] = scoreWeight(p, 'NodeResourcesFit');
      job[J_WC] = fitResources[0].weight;
      job[J_WM] = fitResources[1].weight;
      job[J_MOST] = facts.most ? 1 : 0;
      job[J_BAL_W] = balW;
      job[J_BAL_ACTIVE] = balActive ? 1 : 0;
    }
    const feasible = this.feasible;
    const scores = this.scores;
    // With the other score plugins uniform this cycle, the host follows from the shards' records alone: the
    // reservoir below replays selectHost's comparisons and draws over them, and nothing else is copied.
    const uniform = scoring && kernel.extrasUniform(t, pod, pods);
    let best = -1;
    let bestScore = -Infinity;
    let ties = 0;
    let found = 0;
    let visited = n;
    let w0 = 0;
    let window = firstWindow;
    while (w0 < n && found < want) {
      const w1 = Math.min(n, w0 + window);
      // Shard 0 (this thread) takes `mainShare` of the window, the workers the rest in equal parts.
      const own = Math.min(w1 - w0, Math.ceil((w1 - w0) * this.mainShare));
      const per = Math.ceil((w1 - w0 - own) / (threads - 1));
      let scanned = 0;
      for (let s = threads - 1; s >= 0; s--) {
        const job = this.slots[s].job;
        job[J_FROM] = s === 0 ? w0 : Math.min(w1, w0 + own + (s - 1) * per);
        job[J_TO] = s === 0 ? w0 + own : Math.min(w1, w0 + own + s * per);
        job[J_CAP] = want - found;
        if (s > 0) this.signal(s, CMD_SCAN);
        else {
          const t0 = performance.now();
          scanRange(this.slots[0].cols, job, this.slots[0].rows, this.slots[0].offs, this.slots[0].scores, this.slots[0].recs);
          scanned = performance.now() - t0;
        }
      }
      const t1 = performance.now();
      for (let s = 1; s < threads; s++) this.await(s);
      this.balance(scanned, performance.now() - t1);
      // Merge in shard order, stopping at `want`.
      for (let s = 0; s < threads && found < want; s++) {
        const b = this.slots[s];
        const got = b.job[J_FOUND];
        const take = Math.min(got, want - found);
        if (take === 0) continue;
        if (uniform) {
          if (found === 0) feasible[0] = b.rows[0];
          const nrec = b.job[J_RECORDS];
          for (let q = 0; q < nrec; q++) {
            const k = b.recs[q];
            if (k >= take) break;
            const sc = b.scores[k];
            if (sc > bestScore) {
              bestScore = sc;
              best = b.rows[k];
              ties = 1;
            } else if (sc === bestScore) {
              ties++;
              if (rng.int(ties) === 0) best = b.rows[k];
            }
          }
        } else {
          for (let k = 0; k < take; k++) {
            feasible[found + k] = b.rows[k];
            scores[found + k] = b.scores[k];
          }
        }
        found += take;
        if (found === want) visited = b.offs[take - 1] + 1;
      }
      w0 = w1;
      window = Math.max(window, 1024);
    }
    if (found < want) visited = n;
    this.ratio = Math.min(1, Math.max(0.01, found / visited));
    if (found === 0) {
      // No node fits: the sequential kernel recomputes the same (empty) search and its diagnosis.
      return this.sequentialCycle();
    }
    this.sharded++;
    state.nextStartNodeIndex = (startIndex + visited) % n;
    if (found === 1) return { node: feasible[0], visited, feasible: 1 };
    if (uniform) return { node: best, visited, feasible: found };
    kernel.scoreExtras(t, pod, feasible, found, scores, pods, rng);
    return { node: selectHost(feasible, scores, found, rng), visited, feasible: found };
  }

  /**
   * Load balancing only (which thread scans which positions; the merged result is the same for any split):
   * a worker often scans a node slower than this thread (the columns it writes stay in this core's cache), so
   * when this thread waited for the workers its share grows, and when it finished last (no wait) it shrinks.
   */
  private balance(scanned: number, waited: number): void {
    if (scanned <= 0) return;
    const target = waited > 0.05 * scanned ? this.mainShare * (1 + waited / (scanned + waited)) : this.mainShare * 0.97;
    this.mainShare = Math.min(0.9, Math.max(0.1, 0.8 * this.mainShare + 0.2 * target));
  }

  private sequentialCycle(): null {
    this.sequential++;
    return null;
  }

  private profileFacts(p: Profile): ProfileFacts {
    let f = this.facts.get(p);
    if (f === undefined) {
      const cpuMem = (names: readonly string[]): boolean => names.length === 2 && names[0] === CPU && names[1] === MEMORY;
      const strategy = p.args.NodeResourcesFit.scoringStrategy;
      const type = strategy.type;
      // Any other Filter plugin (a user's, the GPU or volume plugins' for pods that need them) runs only in the
      // sequential kernel.
      const filtersKnown = p.plugins.filter.every((name) => SHARDABLE_FILTERS.has(name));
      const ok =
        filtersKnown &&
        (type === 'LeastAllocated' || type === 'MostAllocated') &&
        cpuMem(strategy.resources.map((x) => x.name)) &&
        cpuMem(p.args.NodeResourcesBalancedAllocation.resources.map((x) => x.name));
      f = { ok, most: type === 'MostAllocated' };
      this.facts.set(p, f);
    }
    return f;
  }

  /** The filters this pod needs are the ones scan-range.ts implements. */
  private podShardable(p: Profile, t: NodeTable, pod: PodInput): boolean {
    if (enabledAt(p, 'filter', 'TaintToleration') && t.hardTaintNodes > 0) return false;
    if (enabledAt(p, 'filter', 'NodeAffinity')) {
      for (const _ in pod.nodeSelector) return false;
      if (pod.nodeAffinity?.required !== undefined || p.args.NodeAffinity.addedAffinity?.required !== undefined) return false;
    }
    if (enabledAt(p, 'filter', 'NodePorts') && pod.hostPorts.length > 0) return false;
    if (pod.volumes !== undefined && pod.volumes !== null) return false;
    if (pod.dra !== undefined) return false;
    for (const _ in pod.requests.scalars) return false;
    // The kernel's PreScore error path (unparsable preferred node affinity) runs sequentially.
    if (pod.preferredAffinityError !== null) return false;
    return true;
  }

  /** (Re)sends the shared columns and per-slot buffers when the table grew or was replaced. */
  private ensureBuffers(t: NodeTable): void {
    const order = t.order;
    if (this.colsFor === t.allocCpu && this.orderFor === order && this.slotCap >= t.count) return;
    const cols: ScanColumns = {
      order,
      allocCpu: t.allocCpu,
      allocMem: t.allocMem,
      allocEph: t.allocEph,
      allocPods: t.allocPods,
      reqCpu: t.reqCpu,
      reqMem: t.reqMem,
      reqEph: t.reqEph,
      nzCpu: t.nzCpu,
      nzMem: t.nzMem,
      podCount: t.podCount,
      unschedulable: t.unschedulable,
    };
    const cap = Math.max(t.count, this.slotCap);
    const fresh = this.slotCap < cap;
    this.slots = Array.from({ length: this.options.workers + 1 }, (_, s) => ({
      cols,
      job: this.slots[s]?.job ?? sharedF64(JOB_WORDS),
      rows: fresh ? sharedI32(cap) : this.slots[s].rows,
      offs: fresh ? sharedI32(cap) : this.slots[s].offs,
      scores: fresh ? sharedF64(cap) : this.slots[s].scores,
      recs: fresh ? sharedI32(cap) : this.slots[s].recs,
    }));
    if (fresh) {
      this.feasible = new Int32Array(cap);
      this.scores = new Float64Array(cap);
    }
    this.slotCap = cap;
    this.colsFor = t.allocCpu;
    this.orderFor = order;
    for (let s = 1; s <= this.options.workers; s++) {
      this.ports[s].postMessage(this.slots[s]);
      this.signal(s, CMD_RELOAD);
      this.await(s);
    }
  }

  private signal(slot: number, cmd: number): void {
    const base = slot * CTRL_STRIDE;
    Atomics.store(this.ctrl, base + C_CMD, cmd);
    Atomics.add(this.ctrl, base + C_SEQ, 1);
    Atomics.notify(this.ctrl, base + C_SEQ);
  }

  /** Waits until worker `slot` has finished the last signalled command: a short spin, then the futex. */
  private await(slot: number): void {
    const base = slot * CTRL_STRIDE;
    const seq = Atomics.load(this.ctrl, base + C_SEQ);
    for (let i = 0; i < SPIN; i++) if (Atomics.load(this.ctrl, base + C_DONE) === seq) return;
    for (;;) {
      const d = Atomics.load(this.ctrl, base + C_DONE);
      if (d === seq) return;
      Atomics.wait(this.ctrl, base + C_DONE, d, 100);
    }
  }
}
