/**
 * API Priority and Fairness (APF, on by default since v1.20, GA in v1.29): kube-apiserver's server-side
 * concurrency limit. The total concurrency limit, --max-requests-inflight 400 + --max-mutating-requests-inflight
 * 200 = 600 (staging/src/k8s.io/apiserver/pkg/server/options/server_run_options.go, recommended.go), is split
 * among priority levels by their nominal concurrency shares: NominalCL(l) = ceil(600 · NCS(l) / Σ NCS)
 * (util/flowcontrol/apf_controller.go). A request holds one seat of its level from the moment it is dispatched
 * until it is answered (mutating requests are one seat: request/mutating_work_estimator.go). When the level's
 * seats are taken, the request waits in one of the level's queues: shuffle sharding deals the flow a hand of
 * `handSize` queues from a hash of (FlowSchema name, distinguisher) (util/shufflesharding/shufflesharding.go,
 * util/flowcontrol/apf_filter.go hashFlowID) and the request joins the shortest of them; a full queue
 * (queueLengthLimit) rejects it at once, and a request that waited longer than a quarter of the request timeout
 * (60 s / 4 = 15 s, server/filters/priority-and-fairness.go) is rejected then. Rejections are HTTP 429 with a
 * Retry-After that the dropped-requests tracker adapts per level (util/flowcontrol/dropped_requests_tracker.go).
 *
 * The priority levels and their parameters are the suggested configuration of
 * apis/flowcontrol/bootstrap/default.go (v1.29+): which level a client's request falls into is `classify` below.
 *
 * Simplified (docs/model/control-plane.md): fair queuing among a level's queues is round-robin over the non-empty queues, which is
 * what queueset's smallest-virtual-finish-time order gives when every request is one seat with the same
 * estimated duration (every request here is a single-object write); levels do not lend or borrow seats
 * (lendablePercent/borrowingLimitPercent, v1.30); the concurrency limits are fixed (no periodic readjustment).
 */
import { createHash } from 'node:crypto';
import type { Simulation } from '../core/simulation.js';
import { MICROS_PER_SECOND, type Micros } from '../core/time.js';
import type { Kind } from './objects.js';

export interface PriorityLevelSpec {
  readonly name: string;
  readonly nominalConcurrencyShares: number;
  /** Number of queues; 0 = LimitResponse Reject (no queuing). */
  readonly queues: number;
  readonly handSize: number;
  readonly queueLengthLimit: number;
}

export interface FlowControlParams {
  /** --max-requests-inflight + --max-mutating-requests-inflight. */
  readonly serverConcurrencyLimit: number;
  readonly levels: readonly PriorityLevelSpec[];
  /** How long a request may wait in a queue before it is rejected (request timeout / 4). */
  readonly queueWaitLimit: Micros;
  /** client-go rest.Request maxRetries: a 429 is retried this many times after its Retry-After. */
  readonly maxRetries: number;
}

/** apis/flowcontrol/bootstrap/default.go: the suggested priority levels and the mandatory catch-all. */
export const DEFAULT_PRIORITY_LEVELS: readonly PriorityLevelSpec[] = [
  { name: 'system', nominalConcurrencyShares: 30, queues: 64, handSize: 6, queueLengthLimit: 50 },
  { name: 'node-high', nominalConcurrencyShares: 40, queues: 64, handSize: 6, queueLengthLimit: 50 },
  { name: 'leader-election', nominalConcurrencyShares: 10, queues: 16, handSize: 4, queueLengthLimit: 50 },
  { name: 'workload-high', nominalConcurrencyShares: 40, queues: 128, handSize: 6, queueLengthLimit: 50 },
  { name: 'workload-low', nominalConcurrencyShares: 100, queues: 128, handSize: 6, queueLengthLimit: 50 },
  { name: 'global-default', nominalConcurrencyShares: 20, queues: 128, handSize: 6, queueLengthLimit: 50 },
  { name: 'catch-all', nominalConcurrencyShares: 5, queues: 0, handSize: 0, queueLengthLimit: 0 },
];

export const DEFAULT_FLOW_CONTROL: FlowControlParams = {
  // server_run_options.go: MaxRequestsInFlight 400, MaxMutatingRequestsInFlight 200.
  serverConcurrencyLimit: 600,
  levels: DEFAULT_PRIORITY_LEVELS,
  // --request-timeout 60 s; the queue wait limit is a quarter of the request's deadline.
  queueWaitLimit: 15 * MICROS_PER_SECOND,
  // client-go rest/request.go: NewRequest sets maxRetries = 10.
  maxRetries: 10,
};

/**
 * Who a client is towards APF, i.e. which FlowSchema its requests match (bootstrap/default.go):
 * `node` = a kubelet (group system:nodes, flow distinguished by user); `kube-scheduler`,
 * `kube-controller-manager` and `kube-system-service-accounts` (the cluster autoscaler) = workload-high, flows
 * by namespace; `exempt` = system:masters (the scenario's cluster-admin client: its load is the scenario's).
 */
export type ClientIdentity = 'node' | 'kube-scheduler' | 'kube-controller-manager' | 'kube-system-service-accounts' | 'exempt';

/** The level a request falls into (-1 = exempt) and the FlowSchema it matched. */
export function classify(identity: ClientIdentity, kind: Kind): { readonly level: string; readonly flowSchema: string } | null {
  switch (identity) {
    case 'exempt':
      return null;
    case 'node':
      // system-node-high (precedence 400): nodes, nodes/status and leases; everything else: system-nodes (500).
      return kind === 'Node' || kind === 'Lease'
        ? { level: 'node-high', flowSchema: 'system-node-high' }
        : { level: 'system', flowSchema: 'system-nodes' };
    default:
      return { level: 'workload-high', flowSchema: identity };
  }
}

/** util/shufflesharding Dealer.Deal: the `handSize` distinct queues of `deckSize` a flow's hash picks. */
export function dealHand(hash: bigint, deckSize: number, handSize: number): number[] {
  const remainders: number[] = [];
  let h = hash;
  for (let i = 0; i < handSize; i++) {
    const d = BigInt(deckSize - i);
    remainders.push(Number(h % d));
    h /= d;
  }
  const hand: number[] = [];
  for (let i = 0; i < handSize; i++) {
    let card = remainders[i];
    for (let j = i; j > 0; j--) if (card >= remainders[j - 1]) card++;
    hand.push(card);
  }
  return hand;
}

/** apf_filter.go hashFlowID: the first 8 bytes (little-endian) of sha256(flowSchema, 0, distinguisher). */
export function hashFlowId(flowSchema: string, distinguisher: string): bigint {
  const sum = createHash('sha256')
    .update(flowSchema)
    .update(Buffer.from([0]))
    .update(distinguisher)
    .digest();
  return sum.readBigUInt64LE(0);
}

/**
 * Retry-After of a level's rejections (dropped_requests_tracker.go): starts at 1 s; when the last `retryAfter`
 * seconds saw at least 3·retryAfter drops it doubles (at most once per retryAfter seconds, up to 32 s); when they
 * saw fewer than retryAfter it shrinks by 1 s. Evaluated when the drop's second differs from the previous drop's.
 */
export class DroppedRequests {
  private history: { unix: number; count: number }[] = [];
  private currentUnix = 0;
  private currentCount = 0;
  private updateUnix = 0;
  retryAfter = 1;

  /** Records a drop at `unix` (whole seconds) and returns the Retry-After to send, in seconds. */
  record(unix: number): number {
    if (unix === this.currentUnix) {
      this.currentCount++;
      return this.retryAfter;
    }
    this.history.push({ unix: this.currentUnix, count: this.currentCount });
    const maxHistory = Math.min(2 * this.retryAfter, MAX_RETRY_AFTER);
    let start = 0;
    while (start < this.history.length && this.currentUnix - this.history[start].unix > maxHistory) start++;
    if (start > 0) this.history = this.history.slice(start);
    this.currentUnix = unix;
    this.currentCount = 1;
    let dropped = 0;
    for (let i = this.history.length - 1; i >= 0; i--) {
      const hs = this.history[i];
      if (unix - hs.unix > this.retryAfter) break;
      if (hs.unix < unix) dropped += hs.count;
    }
    if (unix - this.updateUnix >= this.retryAfter && dropped >= 3 * this.retryAfter) {
      this.retryAfter = Math.min(2 * this.retryAfter, MAX_RETRY_AFTER);
      this.updateUnix = unix;
    } else if (dropped < this.retryAfter && this.retryAfter > 1) this.retryAfter--;
    return this.retryAfter;
  }
}

const MAX_RETRY_AFTER = 32;
/** Virtual t = 0 maps to this Unix second, so the tracker's "second 0 means never" edge never arises. */
const UNIX_EPOCH = 1_000_000_000;

/** A request as the flow controller holds it while it waits. */
export interface Queued {
  /** Virtual time it entered its queue. */
  arrived: Micros;
  /** Dispatched or timed out (a timed-out request stays in the arrival list until popped). */
  settled: boolean;
}

interface Level<R extends Queued> {
  readonly spec: PriorityLevelSpec;
  limit: number;
  executing: number;
  waiting: number;
  maxExecuting: number;
  readonly queues: R[][];
  readonly heads: number[];
  robin: number;
  /** Every queued request in arrival order (for the wait limit). */
  readonly byArrival: R[];
  arrivalHead: number;
  timerArmed: boolean;
  readonly hands: Map<string, number[]>;
  readonly drops: DroppedRequests;
  rejected: number;
}

/** What the API server does with a request the controller lets through or turns away. */
export interface FlowHandlers<R> {
  dispatch(r: R): void;
  /** The request's FlowSchema and flow distinguisher (asked only when it has to queue). */
  flow(r: R): { readonly flowSchema: string; readonly distinguisher: string };
  /** Rejected with 429; `retryAfter` in microseconds. */
  reject(r: R, retryAfter: Micros): void;
}

export class FlowControl<R extends Queued> {
  private readonly levels: Level<R>[];
  private readonly byName = new Map<string, number>();
  private readonly timeoutKind: number;
  /** Requests rejected with 429 (queue full or waited too long). */
  rejected = 0;

  constructor(
    private readonly sim: Simulation,
    readonly params: FlowControlParams,
    private readonly handlers: FlowHandlers<R>,
  ) {
    this.levels = params.levels.map((spec, i) => {
      this.byName.set(spec.name, i);
      return {
        spec,
        limit: 0,
        executing: 0,
        waiting: 0,
        maxExecuting: 0,
        queues: Array.from({ length: spec.queues }, () => []),
        heads: new Array<number>(spec.queues).fill(0),
        robin: -1,
        byArrival: [],
        arrivalHead: 0,
        timerArmed: false,
        hands: new Map(),
        drops: new DroppedRequests(),
        rejected: 0,
      };
    });
    this.setServerConcurrency(params.serverConcurrencyLimit);
    this.timeoutKind = sim.register('apf-queue-timeout', (level) => this.expire(level));
  }

  /** Index of a level by name (classify's result), for callers that cache it. */
  levelIndex(name: string): number {
    const i = this.byName.get(name);
    if (i === undefined) throw new Error(`no APF priority level named ${name}`);
    return i;
  }

  /** Recomputes every level's limit for a new server concurrency limit (an apiServerOverload fault's `concurrency`). */
  setServerConcurrency(total: number): void {
    const shares = this.levels.reduce((a, l) => a + l.spec.nominalConcurrencyShares, 0);
    for (const l of this.levels) l.limit = Math.ceil((total * l.spec.nominalConcurrencyShares) / shares);
    for (let i = 0; i < this.levels.length; i++) this.dispatchWaiting(this.levels[i]);
  }

  limitOf(level: number): number {
    return this.levels[level].limit;
  }

  /** The most requests that ever executed at once in the level. */
  maxExecutingOf(level: number): number {
    return this.levels[level].maxExecuting;
  }

  rejectedOf(level: number): number {
    return this.levels[level].rejected;
  }

  /**
   * A request arrives at the level. The common case (a free seat, nobody waiting) is a counter check; only a
   * request that has to queue computes its flow's hand (from FlowHandlers.flow).
   */
  admit(level: number, r: R): void {
    const l = this.levels[level];
    if (l.waiting === 0 && l.executing < l.limit) {
      this.start(l, r);
      return;
    }
    if (l.spec.queues === 0) {
      this.drop(l, r);
      return;
    }
    const { flowSchema, distinguisher } = this.handlers.flow(r);
    const key = `${flowSchema}\u0000${distinguisher}`;
    let hand = l.hands.get(key);
    if (hand === undefined) {
      hand = dealHand(hashFlowId(flowSchema, distinguisher), l.spec.queues, l.spec.handSize);
      l.hands.set(key, hand);
    }
    // queueset.shuffleShardLocked: the dealt queue with the least waiting work (first dealt on ties).
    let best = hand[0];
    let bestLen = Infinity;
    for (const q of hand) {
      const len = l.queues[q].length - l.heads[q];
      if (len < bestLen) {
        bestLen = len;
        best = q;
      }
    }
    if (bestLen >= l.spec.queueLengthLimit) {
      this.drop(l, r);
      return;
    }
    r.arrived = this.sim.now;
    r.settled = false;
    l.queues[best].push(r);
    l.byArrival.push(r);
    l.waiting++;
    if (!l.timerArmed) this.armTimer(level, l);
  }

  /** The request answered: its seat goes to the next waiting request, if any. */
  release(level: number): void {
    const l = this.levels[level];
    l.executing--;
    this.dispatchWaiting(l);
  }

  private start(l: Level<R>, r: R): void {
    l.executing++;
    if (l.executing > l.maxExecuting) l.maxExecuting = l.executing;
    this.handlers.dispatch(r);
  }

  private drop(l: Level<R>, r: R): void {
    l.rejected++;
    this.rejected++;
    const unix = Math.floor(this.sim.now / MICROS_PER_SECOND) + UNIX_EPOCH;
    this.handlers.reject(r, l.drops.record(unix) * MICROS_PER_SECOND);
  }

  private dispatchWaiting(l: Level<R>): void {
    const n = l.spec.queues;
    while (l.waiting > 0 && l.executing < l.limit) {
      // Round-robin over the non-empty queues, starting after the last one served.
      let q = l.robin;
      for (let k = 0; k < n; k++) {
        q = (q + 1) % n;
        if (l.heads[q] < l.queues[q].length) break;
      }
      const r = this.popHead(l, q);
      l.robin = q;
      r.settled = true;
      l.waiting--;
      this.start(l, r);
    }
  }

  private popHead(l: Level<R>, q: number): R {
    const queue = l.queues[q];
    const r = queue[l.heads[q]];
    l.heads[q]++;
    if (l.heads[q] === queue.length) {
      queue.length = 0;
      l.heads[q] = 0;
    }
    return r;
  }

  private armTimer(level: number, l: Level<R>): void {
    while (l.arrivalHead < l.byArrival.length && l.byArrival[l.arrivalHead].settled) l.arrivalHead++;
    if (l.arrivalHead === l.byArrival.length) {
      l.byArrival.length = 0;
      l.arrivalHead = 0;
      return;
    }
    l.timerArmed = true;
    this.sim.at(l.byArrival[l.arrivalHead].arrived + this.params.queueWaitLimit, this.timeoutKind, level);
  }

  /** Rejects every request of the level that has waited the full wait limit (they are in arrival order). */
  private expire(level: number): void {
    const l = this.levels[level];
    l.timerArmed = false;
    const limit = this.sim.now - this.params.queueWaitLimit;
    while (l.arrivalHead < l.byArrival.length) {
      const r = l.byArrival[l.arrivalHead];
      if (!r.settled) {
        if (r.arrived > limit) break;
        this.removeWaiting(l, r);
        r.settled = true;
        l.waiting--;
        this.drop(l, r);
      }
      l.arrivalHead++;
    }
    this.armTimer(level, l);
  }

  private removeWaiting(l: Level<R>, r: R): void {
    for (let q = 0; q < l.queues.length; q++) {
      const queue = l.queues[q];
      // The oldest waiting request is at the head of its queue (each queue is FIFO).
      if (l.heads[q] < queue.length && queue[l.heads[q]] === r) {
        this.popHead(l, q);
        return;
      }
    }
  }
}
