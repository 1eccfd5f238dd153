/**
 * Taint eviction controller (pkg/controller/tainteviction/taint_eviction.go, the former NoExecuteTaintManager):
 * deletes the pods on a node with NoExecute taints they do not tolerate — at once when some taint is not
 * tolerated at all, otherwise after the smallest tolerationSeconds among the tolerations used
 * (getMinTolerationTime; a toleration without tolerationSeconds tolerates forever). An eviction already
 * scheduled keeps its start time when the taints change (processPodOnNode); taints removed cancel it.
 *
 * With the DefaultTolerationSeconds admission plugin every pod tolerates unreachable/not-ready for 300 s, so
 * pods on a failed node are deleted 300 s after the node lifecycle controller tainted it.
 *
 * Simplified: the DisruptionTarget condition PATCH before the DELETE is not modeled (one request less per
 * eviction); the DELETE goes through the controller's client with kube-controller-manager's 20/30 limits.
 */
import { type ApiServer, Client } from '../api/api-server.js';
import { keyOf, type Node, type Pod, type Taint, type Toleration } from '../api/objects.js';
import type { RateLimit } from '../api/rate-limiter.js';
import type { Simulation } from '../core/simulation.js';
import { MICROS_PER_SECOND, type Micros } from '../core/time.js';
import { tolerates } from '../scheduler/plugins/taint-toleration/index.js';
import type { SharedInformer, SharedPodInformer } from './shared-informer.js';

export interface TaintEvictionParams {
  readonly client: RateLimit;
}

export interface TaintEvictionObserver {
  /** The controller issued the DELETE of a pod. */
  podEvicted(pod: Pod, node: string): void;
}

interface Scheduled {
  readonly createdAt: Micros;
  readonly fireAt: Micros;
}

function noExecuteTaints(taints: readonly Taint[]): Taint[] {
  return taints.filter((t) => t.effect === 'NoExecute');
}

function sameTaints(a: readonly Taint[], b: readonly Taint[]): boolean {
  return a.length === b.length && a.every((t, i) => t.key === b[i].key && t.value === b[i].value && t.effect === b[i].effect);
}

/**
 * v1helper.GetMatchingTolerations: whether every taint is tolerated, and the first toleration that tolerates
 * each one.
 */
export function matchingTolerations(taints: readonly Taint[], tolerations: readonly Toleration[]): { all: boolean; used: Toleration[] } {
  const used: Toleration[] = [];
  for (const taint of taints) {
    const t = tolerations.find((x) => tolerates(x, taint));
    if (t === undefined) return { all: false, used: [] };
    used.push(t);
  }
  return { all: true, used };
}

/** getMinTolerationTime in microseconds: 0 = evict now, −1 = never (no used toleration has tolerationSeconds). */
export function minTolerationTime(used: readonly Toleration[]): Micros {
  if (used.length === 0) return 0;
  let min = Infinity;
  for (const t of used) {
    if (t.tolerationSeconds === undefined) continue;
    if (t.tolerationSeconds <= 0) return 0;
    min = Math.min(min, t.tolerationSeconds);
  }
  return min === Infinity ? -1 : min * MICROS_PER_SECOND;
}

export class TaintEvictionController {
  private readonly client: Client;
  /** NoExecute taints per node, for nodes that have some. */
  private readonly tainted = new Map<string, Taint[]>();
  private readonly scheduled = new Map<string, Scheduled>();
  evictions = 0;

  constructor(
    private readonly sim: Simulation,
    private readonly api: ApiServer,
    params: TaintEvictionParams,
    nodes: SharedInformer<Node>,
    private readonly pods: SharedPodInformer,
    private readonly observer: TaintEvictionObserver | null = null,
  ) {
    this.client = new Client('taint-eviction-controller', params.client);
    nodes.addHandlers({
      add: (n) => this.nodeUpdated(undefined, n),
      update: (o, n) => this.nodeUpdated(o, n),
      delete: (n) => this.tainted.delete(n.metadata.name),
    });
    pods.addHandlers({
      add: (p) => this.podUpdated(undefined, p),
      update: (o, p) => this.podUpdated(o, p),
      delete: (p) => this.cancel(keyOf(p)),
    });
  }

  private nodeUpdated(old: Node | undefined, node: Node): void {
    const taints = noExecuteTaints(node.spec.taints);
    if (old !== undefined && sameTaints(noExecuteTaints(old.spec.taints), taints)) return;
    const name = node.metadata.name;
    if (taints.length === 0) this.tainted.delete(name);
    else this.tainted.set(name, taints);
    const pods = this.pods.onNode(name);
    if (taints.length === 0) {
      for (const p of pods) this.cancel(keyOf(p));
      return;
    }
    for (const p of pods) this.processPodOnNode(p, taints);
  }

  private podUpdated(old: Pod | undefined, pod: Pod): void {
    if (old !== undefined && old.spec.nodeName === pod.spec.nodeName && old.spec.tolerations === pod.spec.tolerations) return;
    if (pod.spec.nodeName === '') return;
    const taints = this.tainted.get(pod.spec.nodeName);
    if (taints !== undefined) this.processPodOnNode(pod, taints);
  }

  private processPodOnNode(pod: Pod, taints: readonly Taint[]): void {
    const key = keyOf(pod);
    const now = this.sim.now;
    const m = matchingTolerations(taints, pod.spec.tolerations);
    if (!m.all) {
      this.cancel(key);
      this.schedule(pod, now, now);
      return;
    }
    const min = minTolerationTime(m.used);
    if (min < 0) {
      this.cancel(key);
      return;
    }
    let start = now;
    const trigger = now + min;
    const existing = this.scheduled.get(key);
    if (existing !== undefined) {
      start = existing.createdAt;
      if (start + min < trigger) return;
      this.cancel(key);
    }
    this.schedule(pod, start, trigger);
  }

  private schedule(pod: Pod, createdAt: Micros, fireAt: Micros): void {
    const key = keyOf(pod);
    const entry: Scheduled = { createdAt, fireAt };
    this.scheduled.set(key, entry);
    this.sim.callAt(Math.max(fireAt, this.sim.now), () => {
      if (this.scheduled.get(key) !== entry) return; // cancelled or rescheduled
      this.scheduled.delete(key);
      const cur = this.pods.cache.get(key);
      // A pod already Terminating: a second DELETE would change nothing (it cannot extend the grace period).
      if (cur === undefined || cur.metadata.deletionTimestamp !== undefined) return;
      this.evictions++;
      this.observer?.podEvicted(cur, cur.spec.nodeName);
      this.api.delete(this.client, 'Pod', key);
    });
  }

  private cancel(key: string): void {
    this.scheduled.delete(key);
  }
}
