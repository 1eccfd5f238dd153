/**
 * The scheduling queue (pkg/scheduler/backend/queue/scheduling_queue.go; ../shared/reference/kube-scheduler.md
 * §6): activeQ ordered by PrioritySort (priority desc, then queue timestamp), backoffQ ordered by backoff
 * expiry, and unschedulablePods. Pods rejected by a Filter wait in unschedulablePods until a cluster event may
 * help them (node added, assigned pod deleted or finished) or until they have waited
 * podMaxInUnschedulablePodsDuration; then they go to backoffQ if still backing off, else to activeQ.
 *
 * Simplified (README): every such event moves every unschedulable pod (no per-plugin QueueingHints), and
 * backoff expiry is not truncated to whole seconds.
 */
import type { Pod } from '../api/objects.js';
import type { PodRequests } from '../api/pod-resources.js';
import type { Micros } from '../core/time.js';

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
}

interface Entry {
  readonly p: QueuedPod;
  readonly gen: number;
  readonly k1: number;
  readonly k2: number;
  readonly seq: number;
}

/** A binary heap of entries ordered by (k1 asc, k2 asc, seq asc). */
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
  return x.seq < y.seq;
}

export class SchedulingQueue {
  private readonly activeQ = new Heap();
  private readonly backoffQ = new Heap();
  /**
   * backoff_queue.go podErrorBackoffQ: pods whose attempt failed with no rejecting plugin. Unlike backoffQ's,
   * they are never popped before their backoff expires (popBackoff reads podBackoffQ only).
   */
  private readonly errorBackoffQ = new Heap();
  /** Insertion-ordered, so iteration is deterministic. */
  private readonly unschedulable = new Map<string, QueuedPod>();
  private seq = 0;
  private activeCount = 0;
  private backoffCount = 0;
  schedulingCycle = 0;
  private moveRequestCycle = -1;

  constructor(private readonly params: QueueParams) {}

  get activeSize(): number {
    return this.activeCount;
  }
  get backoffSize(): number {
    return this.backoffCount;
  }
  get unschedulableSize(): number {
    return this.unschedulable.size;
  }

  pushActive(p: QueuedPod): void {
    p.where = 'active';
    p.gen++;
    this.activeCount++;
    // PrioritySort: higher priority first, then the earlier queue timestamp.
    this.activeQ.push({ p, gen: p.gen, k1: -p.pod.spec.priority, k2: p.timestamp, seq: this.seq++ });
  }

  private pushBackoff(p: QueuedPod, heap = this.backoffQ): void {
    p.where = 'backoff';
    p.gen++;
    this.backoffCount++;
    heap.push({ p, gen: p.gen, k1: this.backoffExpiry(p), k2: -p.pod.spec.priority, seq: this.seq++ });
  }

  /**
   * Pops the next pod to schedule. v1.33+ (SchedulerPopFromBackoffQ): with activeQ empty, the head of backoffQ
   * is taken even before its backoff expires.
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
    return p;
  }

  /** After a failed attempt: unschedulablePods, or backoffQ if a move request arrived during the attempt. */
  addUnschedulable(p: QueuedPod, now: Micros): void {
    p.timestamp = now;
    if (this.moveRequestCycle >= p.cycle) this.requeue(p, now);
    else {
      p.where = 'unschedulable';
      this.unschedulable.set(p.key, p);
    }
  }

  /**
   * After a failed attempt no plugin rejected (ErrNoNodesAvailable): scheduling_queue.go sends a pod without
   * rejector plugins to backoffQ ("something unusual happened"), so it is retried after its backoff, not on an event.
   */
  addBackoff(p: QueuedPod, now: Micros): void {
    p.timestamp = now;
    if (this.backoffExpiry(p) > now) this.pushBackoff(p, this.errorBackoffQ);
    else this.pushActive(p);
  }

  /** MoveAllToActiveOrBackoffQueue: a cluster event that may make unschedulable pods schedulable. */
  moveAll(now: Micros): void {
    this.moveRequestCycle = this.schedulingCycle;
    if (this.unschedulable.size === 0) return;
    const pods = [...this.unschedulable.values()];
    this.unschedulable.clear();
    for (const p of pods) this.requeue(p, now);
  }

  /** flushBackoffQCompleted: every pod whose backoff has expired goes to activeQ. Returns how many moved. */
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
      if (e.k1 > now) break;
      h.pop();
      this.backoffCount--;
      this.pushActive(e.p);
      moved++;
    }
    return moved;
  }

  /** flushUnschedulablePodsLeftover: pods unschedulable for longer than the maximum are retried. */
  flushUnschedulableLeftover(now: Micros): number {
    const due: QueuedPod[] = [];
    for (const p of this.unschedulable.values()) if (now - p.timestamp > this.params.podMaxInUnschedulablePodsDuration) due.push(p);
    for (const p of due) {
      this.unschedulable.delete(p.key);
      this.requeue(p, now);
    }
    return due.length;
  }

  /** The pod was deleted (or assigned elsewhere): drop it wherever it waits. */
  remove(p: QueuedPod): void {
    if (p.where === 'active') this.activeCount--;
    else if (p.where === 'backoff') this.backoffCount--;
    else if (p.where === 'unschedulable') this.unschedulable.delete(p.key);
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

  backoffExpiry(p: QueuedPod): Micros {
    return p.timestamp + this.backoffDuration(p.attempts);
  }

  private requeue(p: QueuedPod, now: Micros): void {
    if (this.backoffExpiry(p) > now) this.pushBackoff(p);
    else this.pushActive(p);
  }

  private popValid(h: Heap, where: QueueName): QueuedPod | undefined {
    for (;;) {
      const e = h.pop();
      if (e === undefined) return undefined;
      if (e.gen === e.p.gen && e.p.where === where) return e.p;
    }
  }
}
