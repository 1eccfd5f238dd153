/**
 * Deployment controller (pkg/controller/deployment): one ReplicaSet per pod template revision, named
 * `<deployment>-<pod-template-hash>`, with the hash label added to its selector and template. A template
 * change rolls out with the Deployment's strategy:
 * - RollingUpdate (rolling.go): scale the new ReplicaSet up while the total stays ≤ replicas + maxSurge
 *   (NewRSNewReplicas), and old ones down while available pods stay ≥ replicas − maxUnavailable
 *   (reconcileOldReplicaSets: unhealthy old pods first, then oldest ReplicaSets first);
 * - Recreate (recreate.go): scale every old ReplicaSet to 0, wait until their pods are gone, then scale up.
 * Each step is one ReplicaSet update through the controller's client; the next step waits for the
 * ReplicaSet status (written by the ReplicaSet controller) to come back through the informer.
 * Not modeled: progressDeadlineSeconds (inert: only a status condition), revision history cleanup, rollback;
 * spec.paused stops rollouts (sync below).
 */
import { type ApiServer, Client, ifUnchangedSince } from '../api/api-server.js';
import { Informer } from '../api/informer.js';
import {
  EMPTY_REPLICASET_STATUS,
  keyOf,
  type Deployment,
  type IntOrPercent,
  type OwnerReference,
  type PodTemplate,
  type ReplicaSet,
} from '../api/objects.js';
import type { RateLimit } from '../api/rate-limiter.js';
import { canonicalJson, podTemplateHash } from './names.js';
import { WorkQueue } from './work-queue.js';

export interface DeploymentParams {
  readonly client: RateLimit;
  readonly workers: number;
}

const POD_TEMPLATE_HASH = 'pod-template-hash';

/** intstr.GetScaledValueFromIntOrPercent: percentages of replicas, rounded up (surge) or down (unavailable). */
export function scaled(v: IntOrPercent, replicas: number, roundUp: boolean): number {
  if (!v.percent) return v.value;
  const x = (v.value * replicas) / 100;
  return roundUp ? Math.ceil(x) : Math.floor(x);
}

/** deploymentutil.ResolveFenceposts: both zero would block the rollout, so unavailable becomes 1. */
export function resolveFenceposts(d: Deployment): { surge: number; unavailable: number } {
  const s = d.spec.strategy;
  if (s.type !== 'RollingUpdate') return { surge: 0, unavailable: 0 };
  const surge = scaled(s.maxSurge, d.spec.replicas, true);
  let unavailable = scaled(s.maxUnavailable, d.spec.replicas, false);
  if (surge === 0 && unavailable === 0) unavailable = 1;
  return { surge, unavailable };
}

/**
 * The controller reference names this Deployment: by uid, or by name when the ReplicaSet came from a cluster
 * dump (scenario/importers/cluster-dump.ts), whose references name uids of the real cluster and so are kept with uid ''.
 */
function ownsBy(o: OwnerReference, d: Deployment): boolean {
  return o.uid === '' ? o.name === d.metadata.name : o.uid === d.metadata.uid;
}

/** deploymentutil.EqualIgnoreHash: the templates are equal once the pod-template-hash label is removed. */
export function equalIgnoreHash(a: PodTemplate, b: PodTemplate): boolean {
  const strip = (t: PodTemplate): PodTemplate => {
    const { [POD_TEMPLATE_HASH]: _hash, ...labels } = t.labels;
    return { ...t, labels };
  };
  return canonicalJson(strip(a)) === canonicalJson(strip(b));
}

export class DeploymentController {
  private readonly client: Client;
  private readonly deployments: Informer<Deployment>;
  private readonly replicaSets: Informer<ReplicaSet>;
  private readonly queue: WorkQueue;

  constructor(
    private readonly api: ApiServer,
    params: DeploymentParams,
    private readonly pods: { hasRunningPods(rs: string): boolean; onLastPodGone(h: (rs: string) => void): void },
  ) {
    this.client = new Client('deployment-controller', params.client);
    this.queue = new WorkQueue(params.workers, (key, done) => this.sync(key, done));
    this.deployments = new Informer<Deployment>({
      add: (d) => this.queue.add(keyOf(d)),
      update: (_o, d) => this.queue.add(keyOf(d)),
    });
    api.watch('Deployment', 'deployment-controller/deployments', this.deployments.onEvent);
    const onRs = (rs: ReplicaSet): void => {
      const owner = rs.metadata.ownerReferences.find((o) => o.controller && o.kind === 'Deployment');
      if (owner !== undefined) this.queue.add(`Deployment/${rs.metadata.namespace}/${owner.name}`);
    };
    this.replicaSets = new Informer<ReplicaSet>({ add: onRs, update: (_o, rs) => onRs(rs), delete: onRs });
    api.watch('ReplicaSet', 'deployment-controller/replicasets', this.replicaSets.onEvent);
    // deletePod: a Recreate Deployment waits for its old ReplicaSets' last pod to go.
    pods.onLastPodGone((rsKey) => {
      const rs = this.replicaSets.cache.get(rsKey);
      if (rs !== undefined) onRs(rs);
    });
  }

  /** The ReplicaSets a Deployment controls, oldest first (creation time, then name). */
  private owned(d: Deployment): ReplicaSet[] {
    const out: ReplicaSet[] = [];
    for (const rs of this.replicaSets.cache.values()) {
      if (rs.metadata.namespace !== d.metadata.namespace) continue;
      if (rs.metadata.ownerReferences.some((o) => o.controller && o.kind === 'Deployment' && ownsBy(o, d))) out.push(rs);
    }
    return out.sort((a, b) => a.metadata.creationTimestamp - b.metadata.creationTimestamp || (a.metadata.name < b.metadata.name ? -1 : 1));
  }

  private sync(key: string, done: () => void): void {
    const d = this.deployments.cache.get(key);
    if (d === undefined) {
      done();
      return;
    }
    const hash = podTemplateHash(JSON.stringify(d.spec.template));
    const all = this.owned(d);
    // FindNewReplicaSet (deployment/util/deployment_util.go) compares templates with EqualIgnoreHash, so a
    // ReplicaSet imported from a real cluster (whose hash kubesim computes differently) is still the current one.
    const newRS =
      all.find((rs) => rs.metadata.labels[POD_TEMPLATE_HASH] === hash) ??
      all.find((rs) => equalIgnoreHash(rs.spec.template, d.spec.template));
    const old = all.filter((rs) => rs !== newRS);
    const total = all.reduce((s, rs) => s + rs.spec.replicas, 0);
    const strategy = d.spec.strategy;

    // A paused Deployment (syncDeployment → sync, pkg/controller/deployment/sync.go): no new ReplicaSet is
    // created (getAllReplicaSetsAndSyncRevision with createIfNotExisted false) and no rollout step is taken;
    // scale() still resizes the one active ReplicaSet. Proportional scaling of several is not modeled.
    if (d.spec.paused === true) {
      const active = all.filter((rs) => rs.spec.replicas > 0);
      const target = active.length === 1 ? active[0] : active.length === 0 ? newRS : undefined;
      if (target !== undefined && target.spec.replicas !== d.spec.replicas) return this.scaleAll([[target, d.spec.replicas]], done);
      return done();
    }

    if (strategy.type === 'Recreate') {
      const scaleDown = old.filter((rs) => rs.spec.replicas > 0);
      if (scaleDown.length > 0)
        return this.scaleAll(
          scaleDown.map((rs) => [rs, 0]),
          done,
        );
      // Wait until no old pod is left, Terminating ones included, before creating or scaling the new revision.
      if (old.some((rs) => rs.status.replicas > 0 || this.pods.hasRunningPods(keyOf(rs)))) return done();
      if (newRS === undefined) return this.createNew(d, hash, d.spec.replicas, done);
      if (newRS.spec.replicas !== d.spec.replicas) return this.scaleAll([[newRS, d.spec.replicas]], done);
      return done();
    }

    const { surge, unavailable } = resolveFenceposts(d);
    // reconcileNewReplicaSet / NewRSNewReplicas
    if (newRS === undefined) {
      const initial = old.length === 0 ? d.spec.replicas : Math.max(0, Math.min(d.spec.replicas + surge - total, d.spec.replicas));
      return this.createNew(d, hash, initial, done);
    }
    if (newRS.spec.replicas > d.spec.replicas) return this.scaleAll([[newRS, d.spec.replicas]], done);
    if (newRS.spec.replicas < d.spec.replicas) {
      const up = Math.min(d.spec.replicas + surge - total, d.spec.replicas - newRS.spec.replicas);
      if (up > 0) return this.scaleAll([[newRS, newRS.spec.replicas + up]], done);
    }
    // reconcileOldReplicaSets
    const oldPods = old.reduce((s, rs) => s + rs.spec.replicas, 0);
    if (oldPods === 0) return done();
    const minAvailable = d.spec.replicas - unavailable;
    const newUnavailable = newRS.spec.replicas - newRS.status.availableReplicas;
    let maxScaledDown = total - minAvailable - newUnavailable;
    if (maxScaledDown <= 0) return done();
    const targets = new Map<ReplicaSet, number>();
    // cleanupUnhealthyReplicas: old pods that are not available go first.
    for (const rs of old) {
      if (maxScaledDown <= 0) break;
      const unhealthy = rs.spec.replicas - rs.status.availableReplicas;
      if (rs.spec.replicas === 0 || unhealthy <= 0) continue;
      const down = Math.min(maxScaledDown, unhealthy);
      targets.set(rs, rs.spec.replicas - down);
      maxScaledDown -= down;
    }
    // scaleDownOldReplicaSetsForRollingUpdate: available pods above the minimum, oldest ReplicaSets first.
    const available = all.reduce((s, rs) => s + rs.status.availableReplicas, 0);
    let budget = available - minAvailable;
    for (const rs of old) {
      if (budget <= 0) break;
      const current = targets.get(rs) ?? rs.spec.replicas;
      if (current === 0) continue;
      const down = Math.min(current, budget);
      targets.set(rs, current - down);
      budget -= down;
    }
    if (targets.size === 0) return done();
    this.scaleAll([...targets.entries()], done);
  }

  private createNew(d: Deployment, hash: string, replicas: number, done: () => void): void {
    const labels = { ...d.spec.template.labels, [POD_TEMPLATE_HASH]: hash };
    const rs: ReplicaSet = {
      kind: 'ReplicaSet',
      metadata: {
        name: `${d.metadata.name}-${hash}`,
        namespace: d.metadata.namespace,
        uid: '',
        labels,
        annotations: {},
        ownerReferences: [{ kind: 'Deployment', name: d.metadata.name, uid: d.metadata.uid, controller: true }],
        creationTimestamp: 0,
        resourceVersion: 0,
      },
      spec: {
        replicas,
        selector: { ...d.spec.selector, matchLabels: { ...d.spec.selector.matchLabels, [POD_TEMPLATE_HASH]: hash } },
        template: { ...d.spec.template, labels },
        // getNewReplicaSet: the new ReplicaSet carries the Deployment's minReadySeconds.
        ...(d.spec.minReadySeconds === undefined ? {} : { minReadySeconds: d.spec.minReadySeconds }),
      },
      status: EMPTY_REPLICASET_STATUS,
    };
    this.api.create(this.client, rs, () => done());
  }

  private scaleAll(targets: readonly (readonly [ReplicaSet, number])[], done: () => void): void {
    let outstanding = targets.length;
    for (const [rs, replicas] of targets) {
      // A PUT of the ReplicaSet as read: if the cache was stale the write fails with a Conflict (the newer
      // object's watch event queues the Deployment again), so a decision made on old counts never lands.
      const scale = ifUnchangedSince(rs, (cur) =>
        cur.kind === 'ReplicaSet' && cur.spec.replicas !== replicas ? { ...cur, spec: { ...cur.spec, replicas } } : null,
      );
      this.api.update(this.client, 'ReplicaSet', keyOf(rs), scale, () => {
        if (--outstanding === 0) done();
      });
    }
  }
}
