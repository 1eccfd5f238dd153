/**
 * kube-apiserver as every component sees it: each request waits for its client's token bucket, is
 * processed (authn, admission, validation: a latency per verb), written to etcd (commit latency), then
 * answered; each committed change is sent to the matching watchers after a propagation delay, in commit
 * order per watcher (a watch is one ordered stream).
 *
 * Admission modeled: Priority (spec.priority from priorityClassName or the global default PriorityClass),
 * DefaultTolerationSeconds (default-toleration-seconds.ts), LimitRanger and ResourceQuota (admission-policies.ts), the
 * Eviction API (eviction.ts), uid and creationTimestamp assignment. Not modeled:
 * optimistic-concurrency conflicts (writes are applied server-side against the current object, as a PATCH is).
 *
 * Server-side concurrency is API Priority and Fairness (flow-control.ts): a request holds a seat of its priority
 * level from dispatch to answer; with no free seat it queues, and a full queue or a too-long wait answers 429,
 * which the client retries after the Retry-After (client-go rest/request.go checkWait), through its token bucket
 * again, at most maxRetries times. Latency of a request = its first arrival at the server to its final answer.
 *
 * Watch fan-out (the watch cache, storage/cacher/cacher.go): one dispatcher per resource hands each committed
 * event to the watchers interested in it, one after the other (dispatchEvents is a single goroutine per resource
 * type), so an event is ready `perEvent + perWatcher × watchers visited` after the dispatcher is free; the pod
 * watches of kubelets are served from the spec.nodeName trigger index, so they count only for their node's pods.
 */
import { sample, type Distribution } from '../core/distribution.js';
import type { RngFactory, RngStream } from '../core/rng.js';
import type { Simulation } from '../core/simulation.js';
import type { Micros } from '../core/time.js';
import { DEFAULT_TOLERATION_PARAMS, withDefaultTolerations, type DefaultTolerationParams } from './default-toleration-seconds.js';
import { Etcd, type EtcdParams } from './etcd.js';
import { podDeletion } from './graceful-delete.js';
import { DEFAULT_FLOW_CONTROL, FlowControl, classify, type ClientIdentity, type FlowControlParams, type Queued } from './flow-control.js';
import {
  isTerminal,
  keyOf,
  type Kind,
  type KubeObject,
  type LimitRange,
  type Pod,
  type PodDisruptionBudget,
  type PriorityClass,
  type ResourceQuota,
  SYSTEM_PRIORITY_CLASSES,
} from './objects.js';
import { applyLimitRanges, isRefusal, podUsage, quotaRefusal, type Refusal } from './admission-policies.js';
import { decremented, evictionDecision } from './eviction.js';
import { TokenBucket, type RateLimit } from './rate-limiter.js';

export type Verb = 'create' | 'update' | 'delete';
export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface WatchEvent {
  readonly type: WatchEventType;
  readonly object: KubeObject;
  readonly revision: number;
  /** The object's storage key (keyOf(object)): the string etcd already hashed, so caches keyed by it skip
   * rebuilding and rehashing a fresh key per event. */
  readonly key: string;
}

export interface ApiServerParams {
  /** Request processing time before the storage write, per verb. */
  readonly requestLatency: Readonly<Record<Verb, Distribution>>;
  /** Time from commit to delivery on a watch. */
  readonly watchDelay: Distribution;
  readonly etcd: EtcdParams;
  /** DefaultTolerationSeconds admission (default 300 s for not-ready and unreachable). */
  readonly defaultTolerations?: DefaultTolerationParams;
  /** API Priority and Fairness (default: upstream's suggested configuration, 600 seats). */
  readonly flowControl?: FlowControlParams;
  /** The watch cache's dispatch cost per event and per watcher visited (default WATCH_COST, EST). */
  readonly watchCost?: WatchCost;
}

export interface WatchCost {
  /** Event processing, serialized once per event (cacher cachingObject). */
  readonly perEvent: Micros;
  /** Filtering and sending the event to one watcher. */
  readonly perWatcher: Micros;
}

/** EST (no upstream figure): 10 µs per event, 1 µs per watcher visited (docs/model/control-plane.md). */
export const WATCH_COST: WatchCost = { perEvent: 10, perWatcher: 1 };

export interface ApiResult {
  readonly ok: boolean;
  /** 409 AlreadyExists on create, Conflict on a failed resourceVersion precondition; 404 NotFound */
  readonly code: 200 | 201 | 403 | 404 | 409 | 429 | 500;
  readonly object?: KubeObject;
  /** Why a request was refused (403 from admission). */
  readonly message?: string;
}

/**
 * A component's identity towards the API server: its name, its own client-side rate limiter, and who it is for
 * API Priority and Fairness (which FlowSchema its requests match; default: a kube-controller-manager controller).
 */
export class Client {
  readonly bucket: TokenBucket;
  requests = 0;
  constructor(
    readonly name: string,
    limit: RateLimit,
    readonly identity: ClientIdentity = 'kube-controller-manager',
  ) {
    this.bucket = new TokenBucket(limit);
  }
}

/**
 * An update: the new object computed from the stored one, null to leave it unchanged, or CONFLICT when the
 * caller's precondition (usually the resourceVersion it read) does not hold: a PUT of a stale object.
 */
type Mutation = (current: KubeObject) => KubeObject | null | typeof CONFLICT;

export const CONFLICT = Symbol('conflict');

/** A mutation guarded by optimistic concurrency, as a PUT carrying metadata.resourceVersion is. */
export function ifUnchangedSince(read: KubeObject, mutate: (current: KubeObject) => KubeObject | null): Mutation {
  return (cur) => (cur.metadata.resourceVersion !== read.metadata.resourceVersion ? CONFLICT : mutate(cur));
}

interface Watcher {
  readonly index: number;
  readonly kind: Kind;
  readonly handler: (ev: WatchEvent) => void;
  readonly queue: WatchEvent[];
  head: number;
  lastDelivery: Micros;
  readonly rng: RngStream;
}

/** What a request will do, decided when the API server processes it. */
interface Plan {
  readonly code: ApiResult['code'];
  readonly key?: string;
  readonly next?: KubeObject;
  readonly remove?: KubeObject;
  readonly unchanged?: KubeObject;
  /** For updates: the object the mutation was computed from, and the mutation, to recompute it at commit. */
  readonly read?: KubeObject;
  readonly mutate?: Mutation;
  readonly message?: string;
  /** A POST that updates an existing object (an eviction's budget write), not a create of `key`. */
  readonly overwrite?: boolean;
}

/** Observes every committed change at its commit time (metrics; not a component: it costs no requests). */
export type CommitListener = (type: WatchEventType, object: KubeObject, old: KubeObject | undefined, key: string) => void;

export interface RequestRecord {
  readonly verb: Verb;
  readonly kind: Kind;
  readonly latency: Micros;
}

/** One request from its first attempt to its final answer (the record APF queues). */
class ApiRequest implements Queued {
  arrived = 0;
  settled = false;
  /** First arrival at the server (latency is measured from it). */
  first = -1;
  /** Dispatch time of the attempt being processed (creationTimestamp). */
  dispatched = 0;
  retries = 0;
  holdsSeat = false;
  constructor(
    readonly client: Client,
    readonly verb: Verb,
    readonly kind: Kind,
    readonly key: string,
    readonly level: number,
    readonly plan: (start: Micros) => Plan,
    readonly done: ((r: ApiResult) => void) | undefined,
  ) {}
}

/** Per resource: the watch cache's dispatcher (busy until `freeAt`) and its watchers' weights. */
interface Dispatcher {
  freeAt: Micros;
  perNodeWatchers: number;
}

export class ApiServer {
  readonly etcd: Etcd;
  readonly flowControl: FlowControl<ApiRequest>;
  private readonly watchCost: WatchCost;
  private readonly dispatchers = new Map<Kind, Dispatcher>();
  private readonly nodeHigh: number;
  private readonly systemLevel: number;
  private readonly workloadHigh: number;
  private readonly watchers: Watcher[] = [];
  private readonly byKind = new Map<Kind, Watcher[]>();
  /** Pod watchers restricted to spec.nodeName (the kubelet's field selector), served from an index. */
  private readonly podWatchersByNode = new Map<string, Watcher[]>();
  private readonly deliverKind: number;
  private readonly rng: RngStream;
  private readonly listeners: CommitListener[] = [];
  private uidCounter = 0;
  /** The server's own requests (the DELETE of an eviction): no client rate limit, exempt from APF. */
  private readonly internal = new Client('kube-apiserver', { qps: Infinity, burst: Infinity }, 'exempt');
  /** PriorityClasses by name, kept from the commit stream (the Priority admission plugin's lister). */
  private readonly priorityClasses = new Map<string, PriorityClass>();
  /** PodDisruptionBudgets by namespace and name, kept from the commit stream (the eviction handler's lister). */
  private readonly budgets = new Map<string, Map<string, PodDisruptionBudget>>();
  /** LimitRanges and ResourceQuotas by namespace and name (the admission plugins' listers). */
  private readonly limitRanges = new Map<string, Map<string, LimitRange>>();
  private readonly quotas = new Map<string, Map<string, ResourceQuota>>();
  /** Quota usage of the non-terminal pods per namespace, kept once a ResourceQuota exists. */
  private quotaUsage: Map<string, Record<string, number>> | null = null;
  /** Requests that had to wait for their client's rate limiter. */
  throttled = 0;
  /** Multiplies the processing latency of requests from now on (an apiServerOverload fault). */
  latencyFactor = 1;
  /** Latency of every answered request (issue to response, client throttling excluded). */
  readonly requestLog: RequestRecord[] = [];

  constructor(
    private readonly sim: Simulation,
    private readonly params: ApiServerParams,
    private readonly rngs: RngFactory,
  ) {
    this.etcd = new Etcd(params.etcd, rngs.stream('etcd'));
    this.rng = rngs.stream('apiserver');
    this.deliverKind = sim.register('watch-deliver', (w) => this.deliver(w));
    this.flowControl = new FlowControl<ApiRequest>(sim, params.flowControl ?? DEFAULT_FLOW_CONTROL, {
      dispatch: (r) => this.dispatch(r),
      reject: (r, retryAfter) => this.rejected(r, retryAfter),
      flow: (r) => this.flowOf(r),
    });
    this.nodeHigh = this.flowControl.levelIndex('node-high');
    this.systemLevel = this.flowControl.levelIndex('system');
    this.workloadHigh = this.flowControl.levelIndex('workload-high');
    this.watchCost = params.watchCost ?? WATCH_COST;
  }

  /** Requests answered 429 by APF (each rejected attempt counts). */
  get rejected429(): number {
    return this.flowControl.rejected;
  }

  onCommit(listener: CommitListener): void {
    this.listeners.push(listener);
  }

  /**
   * Opens a watch on every object of `kind`. `perNode`: this watch stands for one per node (the representative
   * kube-proxy), so the watch cache's fan-out cost counts it once per registered kubelet.
   */
  watch(kind: Kind, name: string, handler: (ev: WatchEvent) => void, perNode = false): void {
    const w = this.newWatcher(kind, name, handler);
    let list = this.byKind.get(kind);
    if (list === undefined) this.byKind.set(kind, (list = []));
    list.push(w);
    if (perNode) this.dispatcher(kind).perNodeWatchers++;
  }

  /** Opens a watch on pods with spec.nodeName == nodeName (what a kubelet asks for). */
  watchPodsOnNode(nodeName: string, name: string, handler: (ev: WatchEvent) => void): void {
    const w = this.newWatcher('Pod', name, handler);
    let list = this.podWatchersByNode.get(nodeName);
    if (list === undefined) this.podWatchersByNode.set(nodeName, (list = []));
    list.push(w);
  }

  get(kind: Kind, namespace: string, name: string): KubeObject | undefined {
    return this.etcd.get(namespace === '' ? `${kind}/${name}` : `${kind}/${namespace}/${name}`);
  }

  create(client: Client, obj: KubeObject, done?: (r: ApiResult) => void): void {
    const key = keyOf(obj);
    this.submit(
      client,
      'create',
      obj.kind,
      key,
      (start) => {
        if (this.etcd.get(key) !== undefined) return { code: 409 };
        const admitted = this.admit(obj, start);
        if ('message' in admitted) return { code: 403, message: admitted.message };
        return { code: 201, key, next: admitted };
      },
      done,
    );
  }

  /**
   * Applies `mutate` to the stored object. As the storage layer's GuaranteedUpdate does, a write that finds the
   * object changed since it was read (another write committed in between) recomputes the mutation on the
   * newer object instead of overwriting it (staging/src/k8s.io/apiserver/pkg/storage/etcd3/store.go).
   */
  update(client: Client, kind: Kind, key: string, mutate: Mutation, done?: (r: ApiResult) => void): void {
    this.submit(
      client,
      'update',
      kind,
      key,
      () => {
        const cur = this.etcd.get(key);
        if (cur === undefined) return { code: 404 };
        const next = mutate(cur);
        if (next === CONFLICT) return { code: 409 };
        return next === null ? { code: 200, key, unchanged: cur } : { code: 200, key, next, read: cur, mutate };
      },
      done,
    );
  }

  /**
   * DELETE. A pod is deleted gracefully (graceful-delete.ts): with a positive grace period it is only marked
   * (deletionTimestamp, a MODIFIED event) and its kubelet sends the final DELETE with `gracePeriodSeconds` 0.
   */
  delete(client: Client, kind: Kind, key: string, done?: (r: ApiResult) => void, gracePeriodSeconds?: number): void {
    this.submit(client, 'delete', kind, key, (start) => this.deletePlan(key, gracePeriodSeconds, start), done);
  }

  private deletePlan(key: string, gracePeriodSeconds: number | undefined, start: Micros): Plan {
    const cur = this.etcd.get(key);
    if (cur === undefined) return { code: 404 };
    if (cur.kind !== 'Pod') return { code: 200, key, remove: cur };
    const d = podDeletion(cur, gracePeriodSeconds, start);
    if (d === 'remove') return { code: 200, key, remove: cur };
    if (d === null) return { code: 200, key, unchanged: cur };
    // Recomputed at commit on a newer version; a pod that meanwhile became removable stays marked (its
    // kubelet deletes it).
    const mark = (c: Pod): Pod => ({
      ...c,
      metadata: {
        ...c.metadata,
        deletionTimestamp: d.metadata.deletionTimestamp,
        deletionGracePeriodSeconds: d.metadata.deletionGracePeriodSeconds,
      },
    });
    const mutate: Mutation = (c) => {
      if (c.kind !== 'Pod') return null;
      const m = podDeletion(c, gracePeriodSeconds, start);
      return m === 'remove' ? mark(c) : m;
    };
    return { code: 200, key, next: d, read: cur, mutate };
  }

  /**
   * POST pods/<name>/eviction (eviction.ts): the budget check against the PodDisruptionBudgets in storage, then
   * the budget's status write, then the pod's graceful DELETE. Simplified: after the budget write the DELETE is
   * a second storage operation issued by the server itself (its own processing latency and commit, no client
   * rate limit), where upstream's handler runs both in one request. A budget changed between the check and
   * its commit is checked again at commit; refused then, the eviction answers 429 as upstream's retried
   * conflict would. A refused eviction answers 429 (no budget left) or 500 (several budgets).
   */
  evict(client: Client, podKey: string, done?: (r: ApiResult) => void): void {
    let budgetWrite = false;
    this.submit(
      client,
      'create',
      'Pod',
      podKey,
      (start) => {
        budgetWrite = false;
        const pod = this.etcd.get(podKey);
        if (pod === undefined || pod.kind !== 'Pod') return { code: 404 };
        const budgets = [...(this.budgets.get(pod.metadata.namespace)?.values() ?? [])];
        const d = evictionDecision(pod, budgets, start);
        if (d.code !== 200) return { code: d.code };
        if (d.budget === undefined) return this.deletePlan(podKey, undefined, start);
        budgetWrite = true;
        const mutate: Mutation = (cur) =>
          cur.kind !== 'PodDisruptionBudget' ? null : (decremented(cur, pod.metadata.name, start) ?? CONFLICT);
        return { code: 200, key: keyOf(d.budget), next: d.next, read: d.budget, mutate, overwrite: true };
      },
      (r) => {
        if (!budgetWrite) return done?.(r);
        if (!r.ok) return done?.({ ok: false, code: r.code === 409 ? 429 : r.code });
        this.delete(this.internal, 'Pod', podKey, done);
      },
    );
  }

  private submit(client: Client, verb: Verb, kind: Kind, key: string, plan: (start: Micros) => Plan, done?: (r: ApiResult) => void): void {
    const level =
      client.identity === 'exempt'
        ? -1
        : client.identity === 'node'
          ? kind === 'Node' || kind === 'Lease'
            ? this.nodeHigh
            : this.systemLevel
          : this.workloadHigh;
    this.send(new ApiRequest(client, verb, kind, key, level, plan, done));
  }

  /** One attempt: the client's token bucket, then arrival at APF (an event only when the bucket makes it wait). */
  private send(r: ApiRequest): void {
    const sim = this.sim;
    r.client.requests++;
    const start = r.client.bucket.reserve(sim.now);
    if (start > sim.now) {
      this.throttled++;
      sim.callAt(start, () => this.arrive(r));
    } else this.arrive(r);
  }

  private arrive(r: ApiRequest): void {
    if (r.first < 0) r.first = this.sim.now;
    if (r.level < 0) this.dispatch(r);
    else this.flowControl.admit(r.level, r);
  }

  /** FlowSchema and distinguisher (classify; kubelets by user, workload-high by namespace). */
  private flowOf(r: ApiRequest): { flowSchema: string; distinguisher: string } {
    const c = classify(r.client.identity, r.kind);
    const flowSchema = c === null ? 'exempt' : c.flowSchema;
    if (r.client.identity === 'node') return { flowSchema, distinguisher: `system:node:${r.client.name.replace(/^kubelet\//, '')}` };
    const parts = r.key.split('/');
    return { flowSchema, distinguisher: parts.length === 3 ? parts[1] : '' };
  }

  /** 429: retried after Retry-After through the client's limiter, unless the retries are used up. */
  private rejected(r: ApiRequest, retryAfter: Micros): void {
    if (r.retries >= this.flowControl.params.maxRetries) {
      this.answer(r, { ok: false, code: 429 });
      return;
    }
    r.retries++;
    this.sim.callAt(this.sim.now + retryAfter, () => this.send(r));
  }

  private dispatch(r: ApiRequest): void {
    const sim = this.sim;
    r.holdsSeat = r.level >= 0;
    r.dispatched = sim.now;
    const processed = sim.now + Math.round(sample(this.params.requestLatency[r.verb], this.rng) * this.latencyFactor);
    sim.callAt(processed, () => this.process(r));
  }

  private process(r: ApiRequest): void {
    const sim = this.sim;
    const verb = r.verb;
    const p = r.plan(r.dispatched);
    if (p.key === undefined || (p.next === undefined && p.remove === undefined)) {
      // Rejected or no-op: answered without a storage write.
      this.answer(r, { ok: p.code < 300, code: p.code, object: p.unchanged, ...(p.message !== undefined ? { message: p.message } : {}) });
      return;
    }
    const key = p.key;
    const commitAt = this.etcd.commitTime(sim.now);
    sim.callAt(commitAt, () => {
      let result: ApiResult;
      const e = this.etcd.entry(key);
      if (p.remove !== undefined) {
        if (e === undefined) result = { ok: false, code: 404 };
        else {
          const gone = e.value;
          const rev = this.etcd.delete(e.key);
          this.publish('DELETED', e.key, gone, undefined, rev);
          result = { ok: true, code: 200, object: gone };
        }
      } else {
        const old = e?.value;
        // A create racing another create of the same key loses at commit, as etcd's txn would; an update
        // whose object changed since it was read is retried on the newer object.
        const next = old === undefined || old === p.read || p.mutate === undefined ? (p.next as KubeObject) : p.mutate(old);
        const creates = verb === 'create' && p.overwrite !== true;
        if (creates && old !== undefined) result = { ok: false, code: 409 };
        else if (!creates && old === undefined) result = { ok: false, code: 404 };
        else if (next === CONFLICT) result = { ok: false, code: 409 };
        else if (next === null) result = { ok: true, code: 200, object: old };
        else {
          const rev = this.etcd.revision + 1;
          const stored = withRevision(next, rev);
          const written = this.etcd.write(e, key, stored);
          this.publish(old === undefined ? 'ADDED' : 'MODIFIED', written.key, stored, old, rev);
          result = { ok: true, code: p.code, object: stored };
        }
      }
      this.answer(r, result);
    });
  }

  private answer(r: ApiRequest, result: ApiResult): void {
    this.requestLog.push({ verb: r.verb, kind: r.kind, latency: this.sim.now - r.first });
    if (r.holdsSeat) {
      r.holdsSeat = false;
      this.flowControl.release(r.level);
    }
    if (r.done !== undefined) r.done(result);
  }

  private admit(obj: KubeObject, now: Micros): KubeObject | Refusal {
    const meta = { ...obj.metadata, uid: `uid-${++this.uidCounter}`, creationTimestamp: now };
    if (obj.kind !== 'Pod') return { ...obj, metadata: meta } as KubeObject;
    // Priority admission plugin (plugin/pkg/admission/priority): resolve the class, or the global default.
    let priority = obj.spec.priority;
    let resolved: PriorityClass | undefined;
    const className = obj.spec.priorityClassName;
    if (className !== '') {
      // The system classes exist from the API server's start (AddSystemPriorityClasses), scenario or not.
      const system = SYSTEM_PRIORITY_CLASSES.get(className);
      resolved = this.priorityClasses.get(className) ?? (system === undefined ? undefined : systemPriorityClass(className, system));
    } else {
      // With several global defaults upstream takes the lowest value (admission/priority getDefaultPriority).
      for (const pc of this.priorityClasses.values())
        if (pc.globalDefault && (resolved === undefined || pc.value < resolved.value)) resolved = pc;
    }
    if (resolved !== undefined) priority = resolved.value;
    // The class's preemptionPolicy is copied onto a pod that names none (admission/priority Admit); the
    // DefaultTolerationSeconds admission plugin adds the not-ready/unreachable tolerations.
    const preemptionPolicy = obj.spec.preemptionPolicy ?? resolved?.preemptionPolicy;
    const tolerations = withDefaultTolerations(obj.spec.tolerations, this.params.defaultTolerations ?? DEFAULT_TOLERATION_PARAMS);
    const spec =
      preemptionPolicy === undefined ? { ...obj.spec, priority, tolerations } : { ...obj.spec, priority, tolerations, preemptionPolicy };
    // applySchedulingGatedCondition (pkg/registry/core/pod/strategy.go): a gated pod is created with
    // PodScheduled=False, reason SchedulingGated.
    const gated = (obj.spec.schedulingGates?.length ?? 0) > 0;
    const pod: Pod = { ...obj, metadata: meta, spec, ...(gated ? { status: { ...obj.status, schedulingGated: true } } : {}) };
    // LimitRanger (mutating, then validating) and ResourceQuota, last (admission-policies.ts).
    const ns = obj.metadata.namespace;
    const ranges = this.limitRanges.get(ns);
    const limited = ranges === undefined || ranges.size === 0 ? pod : applyLimitRanges(pod, [...ranges.values()]);
    if (isRefusal(limited)) return limited;
    const quotas = this.quotas.get(ns);
    if (quotas !== undefined && quotas.size > 0) {
      const refused = quotaRefusal(limited, [...quotas.values()], this.quotaUsage?.get(ns) ?? {});
      if (refused !== null) return refused;
    }
    return limited;
  }

  private startQuotaUsage(): void {
    this.quotaUsage = new Map();
    for (const o of this.etcd.list('Pod/')) if (o.kind === 'Pod') this.chargeQuota(o, 1);
  }

  private chargeQuota(pod: Pod | undefined, sign: 1 | -1): void {
    if (pod === undefined || isTerminal(pod) || this.quotaUsage === null) return;
    let u = this.quotaUsage.get(pod.metadata.namespace);
    if (u === undefined) this.quotaUsage.set(pod.metadata.namespace, (u = {}));
    for (const [k, v] of Object.entries(podUsage(pod))) u[k] = (u[k] ?? 0) + sign * v;
  }

  private publish(type: WatchEventType, key: string, obj: KubeObject, old: KubeObject | undefined, revision: number): void {
    if (obj.kind === 'PriorityClass') {
      if (type === 'DELETED') this.priorityClasses.delete(obj.metadata.name);
      else this.priorityClasses.set(obj.metadata.name, obj);
    } else if (obj.kind === 'LimitRange') {
      byNamespace(this.limitRanges, obj, type);
    } else if (obj.kind === 'ResourceQuota') {
      if (this.quotaUsage === null) this.startQuotaUsage();
      byNamespace(this.quotas, obj, type);
    } else if (obj.kind === 'Pod' && this.quotaUsage !== null) {
      if (type === 'DELETED') this.chargeQuota(obj, -1);
      else {
        this.chargeQuota(old?.kind === 'Pod' ? old : undefined, -1);
        this.chargeQuota(obj, 1);
      }
    } else if (obj.kind === 'PodDisruptionBudget') {
      let m = this.budgets.get(obj.metadata.namespace);
      if (m === undefined) this.budgets.set(obj.metadata.namespace, (m = new Map()));
      if (type === 'DELETED') m.delete(obj.metadata.name);
      else m.set(obj.metadata.name, obj);
    }
    for (const l of this.listeners) l(type, obj, old, key);
    const ev: WatchEvent = { type, object: obj, revision, key };
    const list = this.byKind.get(obj.kind);
    const ws = obj.kind === 'Pod' && obj.spec.nodeName !== '' ? this.podWatchersByNode.get(obj.spec.nodeName) : undefined;
    const ready = this.fanOut(obj.kind, (list?.length ?? 0) + (ws?.length ?? 0));
    if (list !== undefined) for (const w of list) this.enqueue(w, ev, ready);
    if (ws !== undefined) {
      // A pod moving onto a node is an ADDED event for that node's field-selected watch.
      const prevNode = old !== undefined && old.kind === 'Pod' ? old.spec.nodeName : '';
      const e =
        prevNode === (obj as Pod).spec.nodeName ? ev : { type: type === 'DELETED' ? type : ('ADDED' as const), object: obj, revision, key };
      for (const w of ws) this.enqueue(w, e, ready);
    }
  }

  private dispatcher(kind: Kind): Dispatcher {
    let d = this.dispatchers.get(kind);
    if (d === undefined) this.dispatchers.set(kind, (d = { freeAt: 0, perNodeWatchers: 0 }));
    return d;
  }

  /**
   * When the watch cache has handed an event of `kind` to its `watchers` (a per-node watcher counting once per
   * kubelet): the resource's dispatcher serves events one at a time, in commit order.
   */
  private fanOut(kind: Kind, watchers: number): Micros {
    const d = this.dispatcher(kind);
    const visited = watchers + d.perNodeWatchers * (Math.max(1, this.podWatchersByNode.size) - 1);
    const ready = Math.max(this.sim.now, d.freeAt) + this.watchCost.perEvent + this.watchCost.perWatcher * visited;
    d.freeAt = ready;
    return ready;
  }

  private enqueue(w: Watcher, ev: WatchEvent, ready: Micros): void {
    const t = Math.max(ready + sample(this.params.watchDelay, w.rng), w.lastDelivery);
    w.lastDelivery = t;
    w.queue.push(ev);
    this.sim.at(t, this.deliverKind, w.index);
  }

  private deliver(index: number): void {
    const w = this.watchers[index];
    const ev = w.queue[w.head];
    w.queue[w.head] = undefined as unknown as WatchEvent;
    w.head++;
    if (w.head > 1024 && w.head * 2 > w.queue.length) {
      w.queue.splice(0, w.head);
      w.head = 0;
    }
    w.handler(ev);
  }

  private newWatcher(kind: Kind, name: string, handler: (ev: WatchEvent) => void): Watcher {
    const w: Watcher = {
      index: this.watchers.length,
      kind,
      handler,
      queue: [],
      head: 0,
      lastDelivery: 0,
      rng: this.rngs.stream(`watch/${name}`),
    };
    this.watchers.push(w);
    return w;
  }
}

function withRevision(o: KubeObject, rev: number): KubeObject {
  return { ...o, metadata: { ...o.metadata, resourceVersion: rev } } as KubeObject;
}

/** Keeps `m` (namespace → name → object) in step with a committed change. */
function byNamespace<T extends KubeObject>(m: Map<string, Map<string, T>>, obj: T, type: WatchEventType): void {
  let inNs = m.get(obj.metadata.namespace);
  if (inNs === undefined) m.set(obj.metadata.namespace, (inNs = new Map()));
  if (type === 'DELETED') inNs.delete(obj.metadata.name);
  else inNs.set(obj.metadata.name, obj);
}

function systemPriorityClass(name: string, value: number): PriorityClass {
  return {
    kind: 'PriorityClass',
    metadata: { name, namespace: '', uid: '', labels: {}, annotations: {}, ownerReferences: [], creationTimestamp: 0, resourceVersion: 0 },
    value,
    globalDefault: false,
    preemptionPolicy: 'PreemptLowerPriority',
  };
}
