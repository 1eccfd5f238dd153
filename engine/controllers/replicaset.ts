/**
 * ReplicaSet controller (pkg/controller/replicaset/replica_set.go): keeps the number of active pods owned by
 * each ReplicaSet at spec.replicas. Creations per sync are capped at burstReplicas (500) and issued with
 * slowStartBatch (batches of 1, 2, 4, … each waiting for the previous; controller_utils.go), through the
 * controller's own client rate limiter; the sync then waits for its expectations (the created pods observed
 * through the informer) before the ReplicaSet is synced again. Every sync ends by writing status.replicas,
 * readyReplicas and availableReplicas when they changed (updateReplicaSetStatus), which the Deployment
 * controller's rollouts wait on.
 */
import { type ApiServer, Client } from '../api/api-server.js';
import { Informer } from '../api/informer.js';
import { keyOf, objectKey, isTerminal, type Pod, type ReplicaSet } from '../api/objects.js';
import type { RateLimit } from '../api/rate-limiter.js';
import type { RngFactory } from '../core/rng.js';
import type { Simulation } from '../core/simulation.js';
import { randomSuffix } from './names.js';
import type { SharedInformer } from './shared-informer.js';
import { WorkQueue } from './work-queue.js';
import { ItemBackoff } from './item-backoff.js';

export interface ReplicaSetParams {
  readonly client: RateLimit;
  readonly burstReplicas: number;
  readonly workers: number;
}

/** The controlling owner of a pod, if it is a ReplicaSet: its key. */
function ownerKey(pod: Pod): string | undefined {
  for (const o of pod.metadata.ownerReferences)
    if (o.controller && o.kind === 'ReplicaSet') return objectKey('ReplicaSet', pod.metadata.namespace, o.name);
  return undefined;
}

function isActive(pod: Pod): boolean {
  return !isTerminal(pod) && pod.metadata.deletionTimestamp === undefined;
}

/** Active and Ready: what may change availability (the minReadySeconds wait is applied in updateStatus). */
function isAvailable(pod: Pod): boolean {
  return isActive(pod) && pod.status.ready;
}

export class ReplicaSetController {
  private readonly client: Client;
  private readonly rsInformer: Informer<ReplicaSet>;
  private readonly owned = new Map<string, Map<string, Pod>>();
  /** Pending creations per ReplicaSet (controller_utils.go ControllerExpectations). */
  private readonly expectations = new Map<string, number>();
  private readonly queue: WorkQueue;
  private readonly lastPodGone: ((rs: string) => void)[] = [];
  /** minReadySeconds: when each ReplicaSet is next synced for a pod becoming available. */
  private readonly availableTimers = new Map<string, number>();
  podsCreated = 0;

  private readonly backoff: ItemBackoff;

  constructor(
    /** The simulation: the retry backoff's timers and minReadySeconds' clock. */
    private readonly sim: Simulation,
    private readonly api: ApiServer,
    private readonly params: ReplicaSetParams,
    private readonly rngs: RngFactory,
    pods: SharedInformer<Pod>,
  ) {
    this.client = new Client('replicaset-controller', params.client);
    this.backoff = new ItemBackoff(sim);
    this.queue = new WorkQueue(params.workers, (key, done) => this.sync(key, done));
    this.rsInformer = new Informer<ReplicaSet>({
      add: (rs) => this.queue.add(keyOf(rs)),
      update: (_o, rs) => this.queue.add(keyOf(rs)),
    });
    api.watch('ReplicaSet', 'replicaset-controller/replicasets', this.rsInformer.onEvent);
    pods.addHandlers({
      add: (p, key) => this.onPod(p, true, key),
      update: (_o, p, key) => this.onPod(p, false, key),
      delete: (p, key) => this.onPodDelete(p, key),
    });
  }

  private onPod(pod: Pod, added: boolean, k: string): void {
    const rs = ownerKey(pod);
    if (rs === undefined) return;
    let m = this.owned.get(rs);
    if (m === undefined) this.owned.set(rs, (m = new Map()));
    const prev = m.get(k);
    m.set(k, pod);
    if (added) this.creationObserved(rs);
    if (added || prev === undefined || isActive(prev) !== isActive(pod) || isAvailable(prev) !== isAvailable(pod)) this.queue.add(rs);
  }

  private onPodDelete(pod: Pod, key: string): void {
    const rs = ownerKey(pod);
    if (rs === undefined) return;
    const m = this.owned.get(rs);
    m?.delete(key);
    this.queue.add(rs);
    if (m === undefined || m.size === 0) for (const h of this.lastPodGone) h(rs);
  }

  /**
   * Whether some pod of the ReplicaSet is not terminal, Terminating ones included (the Deployment controller's
   * Recreate wait, recreate.go oldPodsRunning; upstream both controllers read kube-controller-manager's one
   * shared pod informer).
   */
  hasRunningPods(rs: string): boolean {
    const m = this.owned.get(rs);
    if (m !== undefined) for (const p of m.values()) if (!isTerminal(p)) return true;
    return false;
  }

  /** Calls `h` with the ReplicaSet's key when its last pod is deleted. */
  onLastPodGone(h: (rs: string) => void): void {
    this.lastPodGone.push(h);
  }

  private creationObserved(rs: string): void {
    const e = this.expectations.get(rs);
    if (e !== undefined && e > 0) this.expectations.set(rs, e - 1);
  }

  private activePods(rs: string): Pod[] {
    const m = this.owned.get(rs);
    if (m === undefined) return [];
    const out: Pod[] = [];
    for (const p of m.values()) if (isActive(p)) out.push(p);
    return out;
  }

  private sync(key: string, done: () => void): void {
    const rs = this.rsInformer.cache.get(key);
    if (rs === undefined) {
      done();
      return;
    }
    const finish = (): void => this.updateStatus(key, done);
    if ((this.expectations.get(key) ?? 0) > 0) return finish();
    const active = this.activePods(key);
    const diff = rs.spec.replicas - active.length;
    if (diff > 0) this.createPods(rs, Math.min(diff, this.params.burstReplicas), finish);
    else if (diff < 0) this.deletePods(active, Math.min(-diff, this.params.burstReplicas), finish);
    else finish();
  }

  /** calculateStatus + updateReplicaSetStatus: one write, only when a count changed. */
  private updateStatus(key: string, done: () => void): void {
    const rs = this.rsInformer.cache.get(key);
    if (rs === undefined) return done();
    const active = this.activePods(key);
    let ready = 0;
    let available = 0;
    // podutil.IsPodAvailable: Ready for at least minReadySeconds (the Ready condition's lastTransitionTime).
    const minReady = (rs.spec.minReadySeconds ?? 0) * 1_000_000;
    const now = this.sim.now;
    let nextAvailable = Infinity;
    for (const p of active) {
      if (!p.status.ready) continue;
      ready++;
      const at = (p.status.readyTime ?? 0) + minReady;
      if (minReady === 0 || at <= now) available++;
      else nextAvailable = Math.min(nextAvailable, at);
    }
    // syncReplicaSet requeues after minReadySeconds while ready pods are not yet available (AddAfter); kubesim
    // requeues once, when the first of them becomes available.
    if (nextAvailable < Infinity && this.availableTimers.get(key) !== nextAvailable) {
      this.availableTimers.set(key, nextAvailable);
      this.sim.callAt(nextAvailable, () => this.queue.add(key));
    }
    const s = rs.status;
    if (s.replicas === active.length && s.readyReplicas === ready && s.availableReplicas === available) return done();
    const status = { replicas: active.length, readyReplicas: ready, availableReplicas: available };
    this.api.update(
      this.client,
      'ReplicaSet',
      key,
      (cur) => (cur.kind === 'ReplicaSet' ? { ...cur, status } : null),
      () => done(),
    );
  }

  private createPods(rs: ReplicaSet, count: number, done: () => void): void {
    const key = keyOf(rs);
    this.expectations.set(key, count);
    const names = this.rngs.stream(`replicaset/${key}/names`);
    let remaining = count;
    const batch = (size: number): void => {
      let outstanding = size;
      let failed = 0;
      let refused = false;
      for (let i = 0; i < size; i++) {
        this.podsCreated++;
        this.api.create(this.client, this.podFor(rs, `${rs.metadata.name}-${randomSuffix(names)}`), (r) => {
          if (!r.ok) {
            failed++;
            if (r.code !== 409) refused = true;
            // The creation will never be observed; lower the expectations (CreationObserved on error).
            this.creationObserved(key);
          }
          if (--outstanding > 0) return;
          remaining -= size;
          if (failed > 0 || remaining === 0) {
            // slowStartBatch stops at the first failed batch; the skipped creations are not expected.
            for (let s = 0; s < remaining; s++) this.creationObserved(key);
            done();
            if (failed > 0) this.retry(key, refused);
            else this.backoff.forget(key);
            return;
          }
          batch(Math.min(2 * size, remaining));
        });
      }
    };
    batch(Math.min(1, remaining));
  }

  /** getPodsToDelete: unassigned before assigned, pending before running, not-ready before ready, newest first. */
  private deletePods(active: Pod[], count: number, done: () => void): void {
    const rank = (p: Pod): number => (p.spec.nodeName === '' ? 0 : p.status.phase === 'Pending' ? 1 : p.status.ready ? 3 : 2);
    const victims = [...active]
      .sort((a, b) => rank(a) - rank(b) || b.metadata.creationTimestamp - a.metadata.creationTimestamp || (keyOf(a) < keyOf(b) ? -1 : 1))
      .slice(0, count);
    let outstanding = victims.length;
    for (const v of victims) {
      this.api.delete(this.client, 'Pod', keyOf(v), () => {
        if (--outstanding === 0) done();
      });
    }
  }

  /**
   * After failed creations: a refusal (403 from admission, 429 after the client's retries) is retried with the
   * queue's rate limiter (AddRateLimited); a generated name already taken (409) at once, as the API server
   * itself retries generateName conflicts (RetryGenerateName, GA in v1.32).
   */
  private retry(key: string, refused: boolean): void {
    if (refused) this.backoff.requeue(key, (k) => this.queue.add(k));
    else this.queue.add(key);
  }

  private podFor(rs: ReplicaSet, name: string): Pod {
    const t = rs.spec.template;
    return {
      kind: 'Pod',
      metadata: {
        name,
        namespace: rs.metadata.namespace,
        uid: '',
        labels: t.labels,
        annotations: t.annotations,
        ownerReferences: [{ kind: 'ReplicaSet', name: rs.metadata.name, uid: rs.metadata.uid, controller: true }],
        creationTimestamp: 0,
        resourceVersion: 0,
      },
      spec: t.spec,
      status: { phase: 'Pending', ready: false },
    };
  }
}
