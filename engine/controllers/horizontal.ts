/**
 * Horizontal pod autoscaler controller (pkg/controller/podautoscaler/horizontal.go, replica_calculator.go) for
 * one cpu Utilization metric, with kubesim's load model standing in for metrics-server.
 *
 * Every sync period (--horizontal-pod-autoscaler-sync-period 15 s) each HPA reads its target's scale and pods
 * (the target's selector, in its namespace). The workload's load (the HPA's kubesim.io/cpu-load curve, total
 * millicores at this time) is shared equally by the pods that are Running and Ready, so their utilization is
 * load / Σ their cpu requests (GetResourceUtilizationRatio); pods not ready yet have no metrics and are left
 * out. usageRatio = utilization / target; within the tolerance (0.1) the replicas stay; else
 * desired = ⌈usageRatio × ready pods⌉ (GetResourceReplicas). Then normalizeDesiredReplicasWithBehaviors with the
 * default behavior (pkg/apis/autoscaling/v2/defaults.go): stabilization — up: the lowest recommendation of the
 * last 0 s, down: the highest of the last 300 s — and rate limits — up: at most max(+100 %, +4 pods) per 15 s,
 * down: at most −100 % per 15 s — then [minReplicas, maxReplicas]. A new replica count is written to the target's
 * spec.replicas through the controller's client (the scale subresource).
 *
 * Simplified: the load is an input curve, not measured from the pods; unready and missing pods are left out
 * (upstream counts them as 0 % or 100 % when that would reverse the decision); the rate limits compare with the
 * replicas at the start of the period (upstream with the scale events of the last 15 s); no status or conditions
 * written; the cpu initialization period is not modeled.
 */
import { type ApiServer, Client } from '../api/api-server.js';
import { podUsage } from '../api/admission-policies.js';
import { Informer } from '../api/informer.js';
import {
  isTerminal,
  keyOf,
  objectKey,
  selectorMatches,
  type Deployment,
  type HorizontalPodAutoscaler,
  type KubeObject,
  type LabelSelector,
  type Pod,
  type ReplicaSet,
  type StatefulSet,
} from '../api/objects.js';
import type { RateLimit } from '../api/rate-limiter.js';
import type { Simulation } from '../core/simulation.js';
import { MICROS_PER_SECOND, type Micros } from '../core/time.js';
import type { SharedInformer } from './shared-informer.js';

export interface HorizontalParams {
  readonly client: RateLimit;
}

/** --horizontal-pod-autoscaler-sync-period, --horizontal-pod-autoscaler-tolerance. */
export const SYNC_PERIOD: Micros = 15 * MICROS_PER_SECOND;
export const TOLERANCE = 0.1;
/** Default behavior: scale-down stabilization window 300 s, scale-up 0 s. */
export const SCALE_DOWN_STABILIZATION: Micros = 300 * MICROS_PER_SECOND;

/** The load curve at `t`: linear between points, the first value before, the last after. */
export function loadAt(load: HorizontalPodAutoscaler['spec']['load'], t: Micros): number {
  if (t <= load[0].at) return load[0].milli;
  for (let i = 1; i < load.length; i++) {
    const a = load[i - 1];
    const b = load[i];
    if (t <= b.at) return a.milli + ((b.milli - a.milli) * (t - a.at)) / (b.at - a.at);
  }
  return load[load.length - 1].milli;
}

/** GetResourceReplicas for the ready pods: the current count within the tolerance, else ⌈ratio × ready⌉. */
export function replicasFor(current: number, ready: number, utilization: number, target: number): number {
  const ratio = utilization / target;
  if (Math.abs(ratio - 1) <= TOLERANCE) return current;
  return Math.ceil(ratio * ready);
}

interface Recommendation {
  readonly at: Micros;
  readonly replicas: number;
}

/** normalizeDesiredReplicasWithBehaviors with the default behavior. */
export function normalized(
  hpa: HorizontalPodAutoscaler,
  current: number,
  desired: number,
  history: readonly Recommendation[],
  now: Micros,
): number {
  const up = desired;
  let down = desired;
  for (const r of history) if (r.at > now - SCALE_DOWN_STABILIZATION) down = Math.max(down, r.replicas);
  let rec = current;
  if (rec < up) rec = up;
  if (rec > down) rec = down;
  // Rate limits per 15 s period: up by max(100 %, 4 pods); down by 100 % (no limit beyond 0).
  const upLimit = Math.max(current * 2, current + 4);
  rec = Math.min(rec, upLimit);
  return Math.max(hpa.spec.minReplicas, Math.min(hpa.spec.maxReplicas, rec));
}

type Target = Deployment | StatefulSet | ReplicaSet;

export class HorizontalController {
  private readonly client: Client;
  private readonly hpas: Informer<HorizontalPodAutoscaler>;
  private readonly targets = new Map<string, Informer<Target>>();
  private readonly history = new Map<string, Recommendation[]>();
  scaleWrites = 0;

  constructor(
    private readonly sim: Simulation,
    private readonly api: ApiServer,
    params: HorizontalParams,
    private readonly pods: SharedInformer<Pod>,
  ) {
    this.client = new Client('horizontal-pod-autoscaler', params.client);
    this.hpas = new Informer<HorizontalPodAutoscaler>({});
    api.watch('HorizontalPodAutoscaler', 'horizontal-pod-autoscaler/hpas', this.hpas.onEvent);
    for (const kind of ['Deployment', 'StatefulSet', 'ReplicaSet'] as const) {
      const inf = new Informer<Target>({});
      this.targets.set(kind, inf);
      api.watch(kind, `horizontal-pod-autoscaler/${kind.toLowerCase()}s`, inf.onEvent);
    }
    this.sim.callAt(SYNC_PERIOD, () => this.tick());
  }

  private tick(): void {
    for (const hpa of this.hpas.cache.values()) this.reconcile(hpa);
    this.sim.callAt(this.sim.now + SYNC_PERIOD, () => this.tick());
  }

  private reconcile(hpa: HorizontalPodAutoscaler): void {
    const ref = hpa.spec.scaleTargetRef;
    const ns = hpa.metadata.namespace;
    const target = this.targets.get(ref.kind)?.cache.get(objectKey(ref.kind, ns, ref.name));
    if (target === undefined) return;
    const current = target.spec.replicas;
    // A target scaled to 0 turns autoscaling off (horizontal.go: "scaling is disabled since the replica count is 0").
    if (current === 0) return;
    const selector: LabelSelector = target.spec.selector;
    let ready = 0;
    let requests = 0;
    for (const p of this.pods.cache.values()) {
      if (p.metadata.namespace !== ns || isTerminal(p) || p.metadata.deletionTimestamp !== undefined) continue;
      if (p.status.phase !== 'Running' || !p.status.ready || !selectorMatches(selector, p.metadata.labels)) continue;
      ready++;
      requests += podUsage(p)['requests.cpu'];
    }
    const now = this.sim.now;
    // No metrics (no ready pod, or no cpu request): upstream fails the metric and keeps the scale.
    if (ready === 0 || requests === 0) return;
    const utilization = (100 * loadAt(hpa.spec.load, now)) / requests;
    const desired = replicasFor(current, ready, utilization, hpa.spec.targetCpuUtilization);
    const key = keyOf(hpa);
    const history = (this.history.get(key) ?? []).filter((r) => r.at > now - SCALE_DOWN_STABILIZATION);
    const replicas = normalized(hpa, current, desired, history, now);
    history.push({ at: now, replicas: desired });
    this.history.set(key, history);
    if (replicas === current) return;
    this.scaleWrites++;
    this.api.update(this.client, ref.kind, keyOf(target), (cur: KubeObject) =>
      cur.kind === ref.kind && (cur.kind === 'Deployment' || cur.kind === 'StatefulSet' || cur.kind === 'ReplicaSet')
        ? ({ ...cur, spec: { ...cur.spec, replicas } } as KubeObject)
        : null,
    );
  }
}
