/**
 * The scheduling queue's event/hint table (buildQueueingHintMap, isPodWorthRequeuing): for each rejector bit, the
 * EventsToRegister and QueueingHint functions of its plugin (plugins/<name>/events.ts, looked up in the registry),
 * v1.34: the cluster events that may make a pod the plugin rejected schedulable and, for each, whether this event
 * for this pod is worth a retry (Queue) or not (QueueSkip). The scheduling queue (scheduling-queue.ts) asks only
 * the plugins that rejected the pod in its last attempt.
 *
 * With the SchedulerQueueingHints feature gate off, plugins register their pre-hints event sets (wider: node
 * label/taint updates too, as upstream registers them for its preCheck) and every hint is Queue
 * (buildQueueingHintMap's defaultQueueingHintFn).
 *
 * Plugins kubesim runs that upstream does not know (Open-Gpu-Share, user plugins from --plugin-module) do not
 * implement EnqueueExtensions: upstream then registers every event with no hint (Queue), and so does kubesim.
 */
import { eventMatches, type ClusterEvent } from './cluster-events.js';
import { QUEUE, type HintPod, type Registration } from './hint-types.js';
import { registrationsOf } from './registry.js';
import { LAST_PLUGIN } from './rejectors.js';

/** framework's queueing strategies (scheduling_queue.go). */
export const STRATEGY_SKIP = 0;
export const STRATEGY_AFTER_BACKOFF = 1;

/**
 * The event/hint table of one scheduler: which plugins registered each event kind, and isPodWorthRequeuing.
 * Built once per scheduler (buildQueueingHintMap).
 */
export class QueueingHints {
  private readonly table: readonly (readonly Registration[])[];
  private readonly interest = new Map<ClusterEvent, number>();

  constructor(readonly hintsEnabled: boolean) {
    const t: Registration[][] = [];
    for (let b = 1; b <= LAST_PLUGIN; b <<= 1) t.push([...registrationsOf(b, hintsEnabled)]);
    this.table = t;
  }

  /** The rejector bits whose plugins registered an event matching `e` (memoized per event constant). */
  interested(e: ClusterEvent): number {
    let m = this.interest.get(e);
    if (m === undefined) {
      m = 0;
      for (let i = 0; i < this.table.length; i++) if (this.table[i].some((r) => eventMatches(r.event, e))) m |= 1 << i;
      this.interest.set(e, m);
    }
    return m;
  }

  /**
   * isPodWorthRequeuing: a pod with no rejector is always retried (after backoff); otherwise the hints of its
   * rejector plugins registered for the event decide, any Queue wins; no matching registration = skip.
   * A wildcard event (UnschedulableTimeout) moves every pod.
   */
  worth(rejectors: number, e: ClusterEvent, p: () => HintPod, old: unknown, neu: unknown): number {
    if (rejectors === 0 || e.resource === '*') return STRATEGY_AFTER_BACKOFF;
    const mask = rejectors & this.interested(e);
    if (mask === 0) return STRATEGY_SKIP;
    for (let i = 0; i < this.table.length; i++) {
      if ((mask & (1 << i)) === 0) continue;
      for (const r of this.table[i]) {
        if (!eventMatches(r.event, e)) continue;
        if (!this.hintsEnabled || r.hint === null) return STRATEGY_AFTER_BACKOFF;
        if (r.hint(p(), old, neu) === QUEUE) return STRATEGY_AFTER_BACKOFF;
      }
    }
    return STRATEGY_SKIP;
  }
}
