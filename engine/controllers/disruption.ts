/**
 * The disruption controller (pkg/controller/disruption/disruption.go), which keeps each PodDisruptionBudget's
 * status: what the Eviction API (api/eviction.ts), preemption and the cluster autoscaler read.
 *
 * trySync: the budget's pods are those of its namespace its selector selects (policy/v1: {} every pod, no
 * selector none). getExpectedPodCount: with maxUnavailable, or a percentage minAvailable, the expected count is
 * the scale of the pods' controllers (getExpectedScale: a ReplicaSet's Deployment's replicas, else the
 * ReplicaSet's, a StatefulSet's; each controller once), and the percentage is rounded up
 * (GetScaledValueFromIntOrPercent with roundUp); desiredHealthy = expected − maxUnavailable (not below 0) or
 * minAvailable; an integer minAvailable takes the number of pods as the expected count. A pod without such a
 * controller (a bare pod, a Job's or a DaemonSet's) makes the scale unknown: failSafe writes disruptionsAllowed 0.
 * countHealthyPods: pods Ready, not being deleted and not in status.disruptedPods. buildDisruptedPodMap drops
 * entries whose pod is gone or being deleted, and those older than DeletionTimeout (2 min), rechecking then.
 * disruptionsAllowed = currentHealthy − desiredHealthy, 0 when negative or when no pod is expected.
 * The status is written when it changed, through the controller's client (one worker, as upstream).
 */
import { type ApiServer, Client } from '../api/api-server.js';
import { budgetSelects } from '../api/eviction.js';
import { Informer } from '../api/informer.js';
import {
  keyOf,
  objectKey,
  type Deployment,
  type IntOrPercent,
  type Pod,
  type PodDisruptionBudget,
  type PodDisruptionBudgetStatus,
  type ReplicaSet,
  type StatefulSet,
} from '../api/objects.js';
import type { RateLimit } from '../api/rate-limiter.js';
import type { Simulation } from '../core/simulation.js';
import { MICROS_PER_SECOND, type Micros } from '../core/time.js';
import type { SharedInformer } from './shared-informer.js';
import { WorkQueue } from './work-queue.js';

export interface DisruptionParams {
  readonly client: RateLimit;
}

/** disruption.go DeletionTimeout. */
export const DELETION_TIMEOUT: Micros = 2 * 60 * MICROS_PER_SECOND;

/** intstr.GetScaledValueFromIntOrPercent(v, total, roundUp=true). */
export function scaledUp(v: IntOrPercent, total: number): number {
  return v.percent ? Math.ceil((v.value * total) / 100) : v.value;
}

export interface BudgetCounts {
  readonly expectedPods: number;
  readonly desiredHealthy: number;
}

/** getExpectedPodCount; `scale` is getExpectedScale (null: unknown, the controller fails safe). */
export function expectedCounts(pdb: PodDisruptionBudget, pods: number, scale: () => number | null): BudgetCounts | null {
  const { minAvailable, maxUnavailable } = pdb.spec;
  if (maxUnavailable !== undefined) {
    const expected = scale();
    if (expected === null) return null;
    return { expectedPods: expected, desiredHealthy: Math.max(0, expected - scaledUp(maxUnavailable, expected)) };
  }
  if (minAvailable !== undefined && !minAvailable.percent) return { expectedPods: pods, desiredHealthy: minAvailable.value };
  const expected = scale();
  if (expected === null || minAvailable === undefined) return null;
  return { expectedPods: expected, desiredHealthy: scaledUp(minAvailable, expected) };
}

export class DisruptionController {
  private readonly client: Client;
  private readonly budgets: Informer<PodDisruptionBudget>;
  private readonly replicaSets: Informer<ReplicaSet>;
  private readonly deployments: Informer<Deployment>;
  private readonly statefulSets: Informer<StatefulSet>;
  /** Pods by namespace (the budgets' listers). */
  private readonly pods = new Map<string, Map<string, Pod>>();
  private readonly queue: WorkQueue;

  constructor(
    private readonly sim: Simulation,
    private readonly api: ApiServer,
    params: DisruptionParams,
    pods: SharedInformer<Pod>,
  ) {
    this.client = new Client('disruption-controller', params.client);
    this.queue = new WorkQueue(1, (key, done) => this.sync(key, done));
    this.budgets = new Informer<PodDisruptionBudget>({ add: (b) => this.queue.add(keyOf(b)), update: (_o, b) => this.queue.add(keyOf(b)) });
    this.replicaSets = new Informer<ReplicaSet>({});
    this.deployments = new Informer<Deployment>({});
    this.statefulSets = new Informer<StatefulSet>({});
    api.watch('PodDisruptionBudget', 'disruption-controller/poddisruptionbudgets', this.budgets.onEvent);
    api.watch('ReplicaSet', 'disruption-controller/replicasets', this.replicaSets.onEvent);
    api.watch('Deployment', 'disruption-controller/deployments', this.deployments.onEvent);
    api.watch('StatefulSet', 'disruption-controller/statefulsets', this.statefulSets.onEvent);
    pods.addHandlers({
      add: (p, key) => this.onPod(p, key, false),
      update: (_o, p, key) => this.onPod(p, key, false),
      delete: (p, key) => this.onPod(p, key, true),
    });
  }

  private onPod(pod: Pod, key: string, deleted: boolean): void {
    const ns = pod.metadata.namespace;
    let m = this.pods.get(ns);
    if (m === undefined) this.pods.set(ns, (m = new Map()));
    if (deleted) m.delete(key);
    else m.set(key, pod);
    for (const b of this.budgets.cache.values()) if (budgetSelects(b, pod)) this.queue.add(keyOf(b));
  }

  /** getExpectedScale: the summed scale of the pods' controllers, null when one has none we can read. */
  private expectedScale(pods: readonly Pod[]): number | null {
    const seen = new Set<string>();
    let total = 0;
    for (const p of pods) {
      const ref = p.metadata.ownerReferences.find((o) => o.controller);
      if (ref === undefined) return null;
      const ns = p.metadata.namespace;
      if (ref.kind === 'ReplicaSet') {
        const rs = this.replicaSets.cache.get(objectKey('ReplicaSet', ns, ref.name));
        if (rs === undefined) return null;
        const dref = rs.metadata.ownerReferences.find((o) => o.controller && o.kind === 'Deployment');
        const d = dref === undefined ? undefined : this.deployments.cache.get(objectKey('Deployment', ns, dref.name));
        const id = d !== undefined ? d.metadata.uid : rs.metadata.uid;
        if (seen.has(id)) continue;
        seen.add(id);
        total += d !== undefined ? d.spec.replicas : rs.spec.replicas;
      } else if (ref.kind === 'StatefulSet') {
        const s = this.statefulSets.cache.get(objectKey('StatefulSet', ns, ref.name));
        if (s === undefined) return null;
        if (seen.has(s.metadata.uid)) continue;
        seen.add(s.metadata.uid);
        total += s.spec.replicas;
      } else return null;
    }
    return total;
  }

  private sync(key: string, done: () => void): void {
    const pdb = this.budgets.cache.get(key);
    if (pdb === undefined) return done();
    const now = this.sim.now;
    const pods: Pod[] = [];
    for (const p of this.pods.get(pdb.metadata.namespace)?.values() ?? []) if (budgetSelects(pdb, p)) pods.push(p);
    const counts = expectedCounts(pdb, pods.length, () => this.expectedScale(pods));
    // buildDisruptedPodMap.
    const byName = new Map(pods.map((p) => [p.metadata.name, p]));
    const disruptedPods: Record<string, Micros> = {};
    let recheck = Infinity;
    for (const [name, at] of Object.entries(pdb.status.disruptedPods)) {
      const p = byName.get(name);
      if (p === undefined || p.metadata.deletionTimestamp !== undefined) continue;
      const expiry = at + DELETION_TIMEOUT;
      if (expiry < now) continue;
      disruptedPods[name] = at;
      recheck = Math.min(recheck, expiry);
    }
    if (recheck < Infinity) this.sim.callAt(recheck + 1, () => this.queue.add(key));
    let healthy = 0;
    for (const p of pods)
      if (p.status.ready && p.metadata.deletionTimestamp === undefined && !(p.metadata.name in disruptedPods)) healthy++;
    const status: PodDisruptionBudgetStatus =
      counts === null
        ? // failSafe: no disruption allowed while the expected scale is unknown.
          { ...pdb.status, observed: true, currentHealthy: healthy, disruptionsAllowed: 0, disruptedPods }
        : {
            observed: true,
            currentHealthy: healthy,
            desiredHealthy: counts.desiredHealthy,
            expectedPods: counts.expectedPods,
            disruptionsAllowed: counts.expectedPods <= 0 ? 0 : Math.max(0, healthy - counts.desiredHealthy),
            disruptedPods,
          };
    const s = pdb.status;
    if (
      s.observed &&
      s.currentHealthy === status.currentHealthy &&
      s.desiredHealthy === status.desiredHealthy &&
      s.expectedPods === status.expectedPods &&
      s.disruptionsAllowed === status.disruptionsAllowed &&
      JSON.stringify(s.disruptedPods) === JSON.stringify(status.disruptedPods)
    ) {
      return done();
    }
    // Written over the current object only if it is the one read (an eviction's decrement in between is kept
    // and the budget synced again on its update event).
    this.api.update(
      this.client,
      'PodDisruptionBudget',
      key,
      (cur) =>
        cur.kind === 'PodDisruptionBudget' && cur.metadata.resourceVersion === pdb.metadata.resourceVersion ? { ...cur, status } : null,
      () => done(),
    );
  }
}
