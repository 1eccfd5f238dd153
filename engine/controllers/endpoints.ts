/**
 * Endpoints controller (pkg/controller/endpointslice, simplified to one Endpoints object per Service): keeps
 * the list of ready pods selected by each Service. Each sync writes through the controller's client and
 * stamps the earliest pod change folded into it as the last-change-trigger-time, from which kube-proxy
 * measures network programming latency (pkg/controller/util/endpoint/trigger_time_tracker.go).
 */
import { type ApiServer, Client } from '../api/api-server.js';
import { Informer } from '../api/informer.js';
import { keyOf, mapSelectorMatches, objectKey, isTerminal, type Endpoints, type Pod, type Service } from '../api/objects.js';
import type { RateLimit } from '../api/rate-limiter.js';
import type { Simulation } from '../core/simulation.js';
import type { Micros } from '../core/time.js';
import type { SharedInformer } from './shared-informer.js';
import { WorkQueue } from './work-queue.js';

export interface EndpointsParams {
  readonly client: RateLimit;
  readonly workers: number;
}

interface ServiceState {
  readonly service: Service;
  /** Names of the ready pods it selects, kept sorted (the Endpoints object's list). */
  ready: string[];
  /** Earliest change not yet written. */
  pendingTrigger: Micros;
  /** Whether the Endpoints object has been created. */
  exists: boolean;
}

function isReady(p: Pod): boolean {
  return p.status.ready && !isTerminal(p) && p.metadata.deletionTimestamp === undefined;
}

export class EndpointsController {
  private readonly client: Client;
  private readonly services = new Map<string, ServiceState>();
  private readonly pods: SharedInformer<Pod>;
  private readonly queue: WorkQueue;

  constructor(
    private readonly sim: Simulation,
    private readonly api: ApiServer,
    params: EndpointsParams,
    pods: SharedInformer<Pod>,
  ) {
    this.client = new Client('endpointslice-controller', params.client);
    this.queue = new WorkQueue(params.workers, (key, done) => this.sync(key, done));
    const services = new Informer<Service>({
      add: (s) => this.onService(s),
      update: (_o, s) => this.onService(s),
      delete: (s) => this.services.delete(keyOf(s)),
    });
    api.watch('Service', 'endpointslice-controller/services', services.onEvent);
    this.pods = pods;
    pods.addHandlers({
      add: (p) => this.onPod(p),
      update: (_o, p) => this.onPod(p),
      delete: (p) => this.onPodGone(p),
    });
  }

  private onService(s: Service): void {
    const key = keyOf(s);
    const ready: string[] = [];
    for (const p of this.pods.cache.values()) {
      if (p.metadata.namespace === s.metadata.namespace && isReady(p) && mapSelectorMatches(s.spec.selector, p.metadata.labels))
        ready.push(p.metadata.name);
    }
    ready.sort();
    const st: ServiceState = { service: s, ready, pendingTrigger: this.sim.now, exists: this.services.get(key)?.exists ?? false };
    this.services.set(key, st);
    this.queue.add(key);
  }

  private onPod(p: Pod): void {
    const ready = isReady(p);
    for (const [key, st] of this.services) {
      const s = st.service;
      if (s.metadata.namespace !== p.metadata.namespace) continue;
      const member = ready && mapSelectorMatches(s.spec.selector, p.metadata.labels);
      const at = lowerBound(st.ready, p.metadata.name);
      const was = st.ready[at] === p.metadata.name;
      if (member === was) continue;
      const trigger = member ? (p.status.readyTime ?? this.sim.now) : this.sim.now;
      if (member) st.ready.splice(at, 0, p.metadata.name);
      else st.ready.splice(at, 1);
      st.pendingTrigger = Math.min(st.pendingTrigger, trigger);
      this.queue.add(key);
    }
  }

  private onPodGone(p: Pod): void {
    for (const [key, st] of this.services) {
      if (st.service.metadata.namespace !== p.metadata.namespace) continue;
      const at = lowerBound(st.ready, p.metadata.name);
      if (st.ready[at] === p.metadata.name) {
        st.ready.splice(at, 1);
        st.pendingTrigger = Math.min(st.pendingTrigger, this.sim.now);
        this.queue.add(key);
      }
    }
  }

  private sync(key: string, done: () => void): void {
    const st = this.services.get(key);
    if (st === undefined) {
      done();
      return;
    }
    const ready = st.ready.slice();
    const trigger = st.pendingTrigger;
    st.pendingTrigger = Infinity;
    const s = st.service;
    const epKey = objectKey('Endpoints', s.metadata.namespace, s.metadata.name);
    const next = (cur: Endpoints | undefined): Endpoints => ({
      kind: 'Endpoints',
      metadata: cur?.metadata ?? {
        name: s.metadata.name,
        namespace: s.metadata.namespace,
        uid: '',
        labels: {},
        annotations: {},
        ownerReferences: [],
        creationTimestamp: 0,
        resourceVersion: 0,
      },
      ready,
      lastChangeTriggerTime: trigger,
    });
    if (!st.exists) {
      this.api.create(this.client, next(undefined), (r) => {
        st.exists = r.ok || r.code === 409;
        done();
      });
    } else if (trigger !== Infinity) {
      this.api.update(
        this.client,
        'Endpoints',
        epKey,
        (cur) => {
          if (cur.kind !== 'Endpoints') return null;
          if (sameList(cur.ready, ready)) return null;
          return next(cur);
        },
        () => done(),
      );
    } else done();
  }
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** First index whose name is ≥ `name` in a sorted list. */
function lowerBound(list: readonly string[], name: string): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid] < name) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
