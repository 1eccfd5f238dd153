/**
 * The scheduling queue (pkg/scheduler/backend/queue/scheduling_queue.go, backoff_queue.go;
 * docs/model/scheduling-queue.md): activeQ ordered by PrioritySort (priority desc, then queue
 * timestamp); backoffQ ordered by backoff expiry aligned to 1-second windows, then the activeQ order; the error
 * backoff queue (pods that failed with no rejecting plugin); and unschedulablePods.
 *
 * Each failed pod carries the plugins that rejected it (rejectors, QueuedPodInfo.UnschedulablePlugins). A
 * cluster event (framework/cluster-events.ts) moves an unschedulable pod only if one of its rejectors registered
 * a matching event and that plugin's QueueingHint says Queue (framework/queueing-hints.ts, isPodWorthRequeuing);
 * events that arrive while a pod is in flight are replayed when it comes back unschedulable
 * (determineSchedulingHintForInFlightPod). Pods wait at most podMaxInUnschedulablePodsDuration
 * (UnschedulableTimeout, a wildcard event). With the SchedulerQueueingHints gate off, a failed pod goes to
 * backoffQ if any event arrived during its attempt (moveRequestCycle), and matching events move pods without
 * consulting hints.
 */
import type { Pod } from '../api/objects.js';
import type { PodRequests } from '../api/pod-resources.js';
import { MICROS_PER_SECOND, type Micros } from '../core/time.js';
import { UNSCHEDULABLE_TIMEOUT, type ClusterEvent } from './framework/cluster-events.js';
import { LAST_PLUGIN } from './framework/rejectors.js';
import { type HintPod } from './framework/hint-types.js';
import { QueueingHints, STRATEGY_SKIP } from './framework/queueing-hints.js';

export interface QueueParams {
  readonly podInitialBackoff: Micros;
  readonly podMaxBackoff: Micros;
  readonly podMaxInUnschedulablePodsDuration: Micros;
}

export type QueueName = 'active' | 'backoff' | 'unschedulable' | 'inflight' | 'gone';

export interface QueuedPod {
  readonly key: string;
  pod: Pod;
  readonly requests: PodRequests;
  readonly toleratesUnschedulable: boolean;
  /** Queue timestamp: first enqueue, refreshed after each failed attempt. */
  timestamp: Micros;
  attempts: number;
  /** Scheduling cycle in which the pod was last popped. */
  cycle: number;
  where: QueueName;
  /** Bumped on each heap insertion; heap entries with a stale generation are skipped (lazy deletion). */
  gen: number;
  /** The FitError message of the last failure, if any. */
  lastFailure: string;
  /** First enqueue (QueuedPodInfo.InitialAttemptTimestamp); the queue timestamp when unset. */
  initialTimestamp?: Micros;
  /** Plugins that rejected the pod in its last attempt (framework/rejectors.ts bits); 0 = an error, or none yet. */
  rejectors?: number;
  /** What the hint functions read of the pod (set with rejectors). */
  hint?: HintPod | null;
}

interface Entry {
  readonly p: QueuedPod;
  readonly gen: number;
  readonly k1: number;
  readonly k2: number;
  readonly k3: number;
  /** QueueSort's last key (Coscheduling: namespace/name); '' with PrioritySort. */
  readonly tie: string;
  readonly seq: number;
}

/** A binary heap of entries ordered by (k1, k2, k3, seq) ascending. */
class Heap {
  private readonly a: Entry[] = [];
  get size(): number {
    return this.a.length;
  }
  peek(): Entry | undefined {
    return this.a[0];
  }
  push(e: Entry): void {
    const a = this.a;
    a.push(e);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!less(e, a[p])) break;
      a[i] = a[p];
      i = p;
    }
    a[i] = e;
  }
  pop(): Entry | undefined {
    const a = this.a;
    const top = a[0];
    const last = a.pop();
    if (a.length > 0 && last !== undefined) {
      let i = 0;
      const n = a.length;
      for (;;) {
        let c = 2 * i + 1;
        if (c >= n) break;
        if (c + 1 < n && less(a[c + 1], a[c])) c++;
        if (!less(a[c], last)) break;
        a[i] = a[c];
        i = c;
      }
      a[i] = last;
    }
    return top;
  }
}

function less(x: Entry, y: Entry): boolean {
  if (x.k1 !== y.k1) return x.k1 < y.k1;
  if (x.k2 !== y.k2) return x.k2 < y.k2;
  if (x.k3 !== y.k3) return x.k3 < y.k3;
  if (x.tie !== y.tie) return x.tie < y.tie;
  return x.seq < y.seq;
}

/** backoffQOrderingWindowDuration (backoff_queue.go, KEP-5142): backoff expiries are truncated to whole seconds. */
export const BACKOFF_WINDOW: Micros = MICROS_PER_SECOND;

/** alignToWindow: the start of the 1-second window holding t. */
export function alignToWindow(t: Micros): Micros {
  return Math.floor(t / BACKOFF_WINDOW) * BACKOFF_WINDOW;
}

interface InFlightEvent {
  readonly e: ClusterEvent;
  readonly old: unknown;
  readonly neu: unknown;
}

/** Rejector bits, each counted over the pods in unschedulablePods (bit LAST_PLUGIN is the highest). */
const BITS = Math.log2(LAST_PLUGIN) + 1;

export class SchedulingQueue {
  private readonly activeQ = new Heap();
  private readonly backoffQ = new Heap();
  private readonly errorBackoffQ = new Heap();
  /** Insertion-ordered, so iteration is deterministic. */
  private readonly unschedulable = new Map<string, QueuedPod>();
  /** How many pods in unschedulablePods have each rejector bit; [BITS] counts pods with none. */
  private readonly rejectorCount = new Int32Array(BITS + 1);
  private seq = 0;
  private activeCount = 0;
  private backoffCount = 0;
  schedulingCycle = 0;
  private moveRequestCycle = -1;
  /** The pod being scheduled and the events seen since it was popped (inFlightPods / inFlightEvents). */
  private inFlight: QueuedPod | null = null;
  private readonly inFlightEvents: InFlightEvent[] = [];
  /** Pods moved out of unschedulablePods by cluster events (not by the timeout), for tests and reports. */
  movedByEvents = 0;

  constructor(
    private readonly params: QueueParams,
    readonly hints: QueueingHints = new QueueingHints(true),
  ) {}

  get activeSize(): number {
    return this.activeCount;
  }
  get backoffSize(): number {
    return this.backoffCount;
  }
  get unschedulableSize(): number {
    return this.unschedulable.size;
  }

  /**
   * A QueueSort plugin other than PrioritySort: priority desc, then `time(p)` ascending, then `tie(p)`
   * (Coscheduling's Less). Set before any pod is queued.
   */
  useSort(sort: { time: (p: QueuedPod) => Micros; tie: (p: QueuedPod) => string }): void {
    this.sort = sort;
  }

  private sort: { time: (p: QueuedPod) => Micros; tie: (p: QueuedPod) => string } | null = null;

  pushActive(p: QueuedPod): void {
    p.where = 'active';
    p.gen++;
    this.activeCount++;
    // PrioritySort: higher priority first, then the earlier queue timestamp.
    const s = this.sort;
    this.activeQ.push({
      p,
      gen: p.gen,
      k1: -p.pod.spec.priority,
      k2: s === null ? p.timestamp : s.time(p),
      k3: 0,
      tie: s === null ? '' : s.tie(p),
      seq: this.seq++,
    });
  }

  private pushBackoff(p: QueuedPod): void {
    p.where = 'backoff';
    p.gen++;
    this.backoffCount++;
    // podErrorBackoffQ (no rejecting plugin) is ordered by expiry alone; podBackoffQ breaks ties within a
    // window by the activeQ order (lessBackoffCompletedWithPriority).
    const s = this.sort;
    if ((p.rejectors ?? 0) === 0)
      this.errorBackoffQ.push({ p, gen: p.gen, k1: this.backoffExpiry(p), k2: 0, k3: 0, tie: '', seq: this.seq++ });
    else
      this.backoffQ.push({
        p,
        gen: p.gen,
        k1: this.backoffExpiry(p),
        k2: -p.pod.spec.priority,
        k3: s === null ? p.timestamp : s.time(p),
        tie: s === null ? '' : s.tie(p),
        seq: this.seq++,
      });
  }

  /**
   * Pops the next pod to schedule. v1.33+ (SchedulerPopFromBackoffQ): with activeQ empty, the head of backoffQ
   * is taken even before its backoff expires (never from the error backoff queue).
   */
  pop(): QueuedPod | undefined {
    let p = this.popValid(this.activeQ, 'active');
    if (p !== undefined) this.activeCount--;
    else {
      p = this.popValid(this.backoffQ, 'backoff');
      if (p === undefined) return undefined;
      this.backoffCount--;
    }
    p.where = 'inflight';
    p.attempts++;
    p.cycle = ++this.schedulingCycle;
    this.inFlight = p;
    this.inFlightEvents.length = 0;
    return p;
  }

  /** The in-flight pod was bound or deleted: its in-flight events are dropped (Done). */
  done(p: QueuedPod): void {
    if (this.inFlight !== p) return;
    this.inFlight = null;
    this.inFlightEvents.length = 0;
  }

  /**
   * AddUnschedulableIfNotPresent after a failed attempt (p.rejectors and p.hint set): backoffQ/activeQ if an
   * event during the attempt may have helped it (or it failed with no rejector), else unschedulablePods.
   * `eventsInFlight`: the caller knows an event its rejectors registered came while it was in flight (a pod
   * rejected after its Permit wait, which the queue does not track as the in-flight pod).
   */
  addUnschedulable(p: QueuedPod, now: Micros, eventsInFlight = false): void {
    p.timestamp = now;
    const rejectors = p.rejectors ?? 0;
    let retry: boolean;
    if (rejectors === 0 || eventsInFlight) retry = true;
    else if (!this.hints.hintsEnabled) retry = this.moveRequestCycle >= p.cycle;
    else {
      retry = false;
      if (this.inFlight === p) {
        const hintPod = (): HintPod => p.hint as HintPod;
        for (const f of this.inFlightEvents) {
          if (this.hints.worth(rejectors, f.e, hintPod, f.old, f.neu) !== STRATEGY_SKIP) {
            retry = true;
            break;
          }
        }
      }
    }
    this.done(p);
    if (retry) this.requeue(p, now);
    else {
      p.where = 'unschedulable';
      this.unschedulable.set(p.key, p);
      this.count(rejectors, 1);
    }
  }

  /**
   * MoveAllToActiveOrBackoffQueue for one cluster event: each unschedulable pod whose rejectors' hints say
   * Queue (and that passes `preCheck`, if given) goes to backoffQ if still backing off, else to activeQ.
   * Returns how many moved.
   */
  onEvent(e: ClusterEvent, old: unknown, neu: unknown, now: Micros, preCheck?: (p: QueuedPod) => boolean): number {
    if (!this.hints.hintsEnabled) this.moveRequestCycle = this.schedulingCycle;
    else if (this.inFlight !== null && e.resource !== '*') this.inFlightEvents.push({ e, old, neu });
    if (this.unschedulable.size === 0 || !this.anyInterested(e)) return 0;
    let moved = 0;
    for (const p of this.unschedulable.values()) {
      const rejectors = p.rejectors ?? 0;
      if (preCheck !== undefined && !preCheck(p)) continue;
      if (this.hints.worth(rejectors, e, () => p.hint as HintPod, old, neu) === STRATEGY_SKIP) continue;
      this.leaveUnschedulable(p);
      this.requeue(p, now);
      moved++;
    }
    if (e !== UNSCHEDULABLE_TIMEOUT) this.movedByEvents += moved;
    return moved;
  }

  /** Update of a pod waiting in unschedulablePods (PriorityQueue.Update): its own change may help it. */
  podUpdated(p: QueuedPod, events: readonly ClusterEvent[], old: Pod, neu: Pod, now: Micros): void {
    if (p.where !== 'unschedulable' || events.length === 0) return;
    for (const e of events) {
      if (this.hints.hintsEnabled && this.hints.worth(p.rejectors ?? 0, e, () => p.hint as HintPod, old, neu) === STRATEGY_SKIP) continue;
      // Without hints, any update of the pod beyond its status retries it (isPodUpdated).
      this.leaveUnschedulable(p);
      this.requeue(p, now);
      this.movedByEvents++;
      return;
    }
  }

  /** flushBackoffQCompleted: every pod whose backoff window has passed goes to activeQ. Returns how many moved. */
  flushBackoff(now: Micros): number {
    return this.flushHeap(this.backoffQ, now) + this.flushHeap(this.errorBackoffQ, now);
  }

  private flushHeap(h: Heap, now: Micros): number {
    let moved = 0;
    for (;;) {
      const e = h.peek();
      if (e === undefined) break;
      if (e.gen !== e.p.gen || e.p.where !== 'backoff') {
        h.pop();
        continue;
      }
      if (this.isBackingOff(e.p, now)) break;
      h.pop();
      this.backoffCount--;
      this.pushActive(e.p);
      moved++;
    }
    return moved;
  }

  /** flushUnschedulablePodsLeftover: pods unschedulable for longer than the maximum are retried (UnschedulableTimeout). */
  flushUnschedulableLeftover(now: Micros): number {
    const max = this.params.podMaxInUnschedulablePodsDuration;
    return this.onEvent(UNSCHEDULABLE_TIMEOUT, undefined, undefined, now, (p) => now - p.timestamp > max);
  }

  /**
   * PriorityQueue.Activate (the pods a plugin put in PodsToActivate): a pod in unschedulablePods or backoffQ
   * goes straight to activeQ, backoff or not. Returns whether it moved.
   */
  activate(p: QueuedPod): boolean {
    if (p.where === 'unschedulable') this.leaveUnschedulable(p);
    else if (p.where === 'backoff') this.backoffCount--;
    else return false;
    this.pushActive(p);
    return true;
  }

  /** The pod was deleted (or assigned elsewhere): drop it wherever it waits. */
  remove(p: QueuedPod): void {
    if (p.where === 'active') this.activeCount--;
    else if (p.where === 'backoff') this.backoffCount--;
    else if (p.where === 'unschedulable') this.leaveUnschedulable(p);
    this.done(p);
    p.where = 'gone';
    p.gen++;
  }

  /** calculateBackoffDuration: initial * 2^(attempts-1), capped at the maximum. */
  backoffDuration(attempts: number): Micros {
    if (attempts <= 0) return 0;
    let d = this.params.podInitialBackoff;
    for (let i = 1; i < attempts && d < this.params.podMaxBackoff; i++) d *= 2;
    return Math.min(d, this.params.podMaxBackoff);
  }

  /** getBackoffTime: timestamp + backoff, truncated to its 1-second window (v1.33+, SchedulerPopFromBackoffQ). */
  backoffExpiry(p: QueuedPod): Micros {
    if (p.attempts === 0) return 0;
    return alignToWindow(p.timestamp + this.backoffDuration(p.attempts));
  }

  /** isPodBackingoff: the aligned expiry is not before the current window (a pod expiring in this window waits for the next flush). */
  isBackingOff(p: QueuedPod, now: Micros): boolean {
    return p.attempts > 0 && this.backoffExpiry(p) >= alignToWindow(now);
  }

  private requeue(p: QueuedPod, now: Micros): void {
    if (this.isBackingOff(p, now)) this.pushBackoff(p);
    else this.pushActive(p);
  }

  private leaveUnschedulable(p: QueuedPod): void {
    this.unschedulable.delete(p.key);
    this.count(p.rejectors ?? 0, -1);
  }

  private count(rejectors: number, d: number): void {
    if (rejectors === 0) this.rejectorCount[BITS] += d;
    for (let b = 0; b < BITS; b++) if ((rejectors & (1 << b)) !== 0) this.rejectorCount[b] += d;
  }

  /** Whether some unschedulable pod may care about the event: cheap, so most events cost O(plugins). */
  private anyInterested(e: ClusterEvent): boolean {
    if (e.resource === '*' || this.rejectorCount[BITS] > 0) return true;
    const mask = this.hints.interested(e);
    for (let b = 0; b < BITS; b++) if ((mask & (1 << b)) !== 0 && this.rejectorCount[b] > 0) return true;
    return false;
  }

  private popValid(h: Heap, where: QueueName): QueuedPod | undefined {
    for (;;) {
      const e = h.pop();
      if (e === undefined) return undefined;
      if (e.gen === e.p.gen && e.p.where === where) return e.p;
    }
  }
}
