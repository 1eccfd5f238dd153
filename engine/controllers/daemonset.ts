/**
 * DaemonSet controller (pkg/controller/daemon/daemon_controller.go): one pod of each DaemonSet on every node
 * that should run it (daemon-pod.ts NodeShouldRunDaemonPod). syncDaemonSet → manage → podsShouldBeOnNode:
 * a node that should run the pod and has none gets one; a node where it may not continue running (untolerated
 * NoExecute taint, labels no longer matching) has its daemon pods deleted; failed pods are deleted (and
 * replaced at the next sync); with more than one running pod on a node all but the oldest are deleted; pods
 * not bound yet whose target node no longer exists are deleted. Pods of deleted nodes that were bound are left
 * to the pod garbage collector, as upstream.
 *
 * The pods are created unbound, pinned to their node by required node affinity on metadata.name, and placed by
 * the default scheduler (ScheduleDaemonSetPods, always on since v1.17). Creations per sync are capped at
 * BurstReplicas (250) and issued with slowStartBatch through the controller's client; the sync then waits for
 * its expectations (creations observed through the shared pod informer). Nodes are watched through the shared
 * node informer: a node added, or one whose labels, taints or unschedulable flag changed, queues the
 * DaemonSets whose NodeShouldRunDaemonPod answer is (or changed to) something to act on (addNode, updateNode).
 *
 * Not modeled: updates of the DaemonSet (RollingUpdate/OnDelete: a DaemonSet is created once, a second apply is
 * ignored), the failed-pod backoff (failedPodsBackoff, 1 s doubling to 15 min; failed pods are replaced at once),
 * ControllerRevisions and their labels.
 */
import { type ApiServer, Client } from '../api/api-server.js';
import { Informer } from '../api/informer.js';
import { isTerminal, keyOf, objectKey, type DaemonSet, type DaemonSetStatus, type Node, type Pod, type PodSpec } from '../api/objects.js';
import type { RateLimit } from '../api/rate-limiter.js';
import type { RngFactory } from '../core/rng.js';
import { daemonPod, daemonTemplateSpec, nodeShouldRunDaemonPod, targetNodeName, type ShouldRun } from './daemon-pod.js';
import { randomSuffix } from './names.js';
import type { SharedInformer } from './shared-informer.js';
import { WorkQueue } from './work-queue.js';
import { ItemBackoff } from './item-backoff.js';
import type { Simulation } from '../core/simulation.js';

export interface DaemonSetParams {
  readonly client: RateLimit;
  /** --concurrent-daemonset-syncs (2). */
  readonly workers: number;
}

/** daemon_controller.go BurstReplicas: creations (and deletions) per sync. */
export const DAEMONSET_BURST_REPLICAS = 250;

function ownerKey(pod: Pod): string | undefined {
  for (const o of pod.metadata.ownerReferences)
    if (o.controller && o.kind === 'DaemonSet') return objectKey('DaemonSet', pod.metadata.namespace, o.name);
  return undefined;
}

const isDeleting = (p: Pod): boolean => p.metadata.deletionTimestamp !== undefined;

export class DaemonSetController {
  private readonly client: Client;
  private readonly dsInformer: Informer<DaemonSet>;
  /** DaemonSet key → its pods by key. */
  private readonly owned = new Map<string, Map<string, Pod>>();
  private readonly expectations = new Map<string, number>();
  /** DaemonSet key → its template spec with the daemon tolerations (recomputed when the object changes). */
  private readonly specs = new Map<string, { readonly ds: DaemonSet; readonly spec: PodSpec }>();
  private readonly queue: WorkQueue;
  podsCreated = 0;

  private readonly backoff: ItemBackoff;

  constructor(
    sim: Simulation,
    private readonly api: ApiServer,
    params: DaemonSetParams,
    private readonly rngs: RngFactory,
    pods: SharedInformer<Pod>,
    private readonly nodes: SharedInformer<Node>,
  ) {
    this.client = new Client('daemon-set-controller', params.client);
    this.backoff = new ItemBackoff(sim);
    this.queue = new WorkQueue(params.workers, (key, done) => this.sync(key, done));
    this.dsInformer = new Informer<DaemonSet>({
      add: (ds) => this.queue.add(keyOf(ds)),
      update: (_o, ds) => this.queue.add(keyOf(ds)),
      delete: (ds) => this.specs.delete(keyOf(ds)),
    });
    api.watch('DaemonSet', 'daemon-set-controller/daemonsets', this.dsInformer.onEvent);
    pods.addHandlers({
      add: (p, key) => this.onPod(undefined, p, key),
      update: (o, p, key) => this.onPod(o, p, key),
      delete: (p, key) => this.onPodDelete(p, key),
    });
    nodes.addHandlers({
      add: (n) => this.onNode(undefined, n),
      update: (o, n) => this.onNode(o, n),
    });
  }

  private templateSpec(ds: DaemonSet): PodSpec {
    const key = keyOf(ds);
    const c = this.specs.get(key);
    if (c !== undefined && c.ds === ds) return c.spec;
    const spec = daemonTemplateSpec(ds);
    this.specs.set(key, { ds, spec });
    return spec;
  }

  /** addNode / updateNode: queue the DaemonSets the node concerns. */
  private onNode(old: Node | undefined, n: Node): void {
    if (old !== undefined && old.metadata.labels === n.metadata.labels && old.spec === n.spec) return;
    for (const ds of this.dsInformer.cache.values()) {
      const spec = this.templateSpec(ds);
      const now = nodeShouldRunDaemonPod(n, spec);
      if (old === undefined) {
        if (now.shouldRun) this.queue.add(keyOf(ds));
        continue;
      }
      const before = nodeShouldRunDaemonPod(old, spec);
      if (before.shouldRun !== now.shouldRun || before.shouldContinueRunning !== now.shouldContinueRunning) this.queue.add(keyOf(ds));
    }
  }

  private onPod(old: Pod | undefined, pod: Pod, k: string): void {
    const ds = ownerKey(pod);
    if (ds === undefined) return;
    let m = this.owned.get(ds);
    if (m === undefined) this.owned.set(ds, (m = new Map()));
    m.set(k, pod);
    if (old === undefined) {
      const e = this.expectations.get(ds);
      if (e !== undefined && e > 0) this.expectations.set(ds, e - 1);
      this.queue.add(ds);
      return;
    }
    if (
      old.spec.nodeName !== pod.spec.nodeName ||
      old.status.phase !== pod.status.phase ||
      old.status.ready !== pod.status.ready ||
      isDeleting(old) !== isDeleting(pod)
    ) {
      this.queue.add(ds);
    }
  }

  private onPodDelete(pod: Pod, key: string): void {
    const ds = ownerKey(pod);
    if (ds === undefined) return;
    this.owned.get(ds)?.delete(key);
    this.queue.add(ds);
  }

  private sync(key: string, done: () => void): void {
    const ds = this.dsInformer.cache.get(key);
    if (ds === undefined) return done();
    const spec = this.templateSpec(ds);
    const byNode = new Map<string, Pod[]>();
    for (const p of this.owned.get(key)?.values() ?? []) {
      const node = targetNodeName(p);
      if (node === undefined) continue;
      let list = byNode.get(node);
      if (list === undefined) byNode.set(node, (list = []));
      list.push(p);
    }
    const decisions = new Map<string, ShouldRun>();
    for (const n of this.nodes.cache.values()) decisions.set(n.metadata.name, nodeShouldRunDaemonPod(n, spec));
    const finish = (): void => this.updateStatus(ds, byNode, decisions, done);
    if ((this.expectations.get(key) ?? 0) > 0) return finish();

    // manage: podsShouldBeOnNode for every node, in the node informer's order.
    const create: string[] = [];
    const remove: Pod[] = [];
    for (const [name, d] of decisions) {
      const pods = byNode.get(name) ?? [];
      if (d.shouldRun && pods.length === 0) create.push(name);
      else if (d.shouldContinueRunning) {
        const running: Pod[] = [];
        for (const p of pods) {
          if (isDeleting(p)) continue;
          if (isTerminal(p)) remove.push(p);
          else running.push(p);
        }
        // Without surge, every running pod but the oldest goes (podByCreationTimestampAndPhase).
        if (running.length > 1) {
          running.sort((a, b) => a.metadata.creationTimestamp - b.metadata.creationTimestamp || (keyOf(a) < keyOf(b) ? -1 : 1));
          for (let i = 1; i < running.length; i++) remove.push(running[i]);
        }
      } else for (const p of pods) if (!isDeleting(p)) remove.push(p);
    }
    // getUnscheduledPodsWithoutNode: pods not bound yet whose target node is gone.
    for (const [name, pods] of byNode) {
      if (decisions.has(name)) continue;
      for (const p of pods) if (p.spec.nodeName === '' && !isDeleting(p)) remove.push(p);
    }
    this.syncNodes(ds, spec, remove.slice(0, DAEMONSET_BURST_REPLICAS), create.slice(0, DAEMONSET_BURST_REPLICAS), finish);
  }

  /** syncNodes: deletions all at once, creations with slowStartBatch; done when every answer is in. */
  private syncNodes(ds: DaemonSet, spec: PodSpec, remove: readonly Pod[], create: readonly string[], done: () => void): void {
    const key = keyOf(ds);
    let outstanding = 2;
    const part = (): void => {
      if (--outstanding === 0) done();
    };
    if (remove.length === 0) part();
    else {
      let left = remove.length;
      for (const p of remove)
        this.api.delete(this.client, 'Pod', keyOf(p), () => {
          if (--left === 0) part();
        });
    }
    if (create.length === 0) return part();
    this.expectations.set(key, create.length);
    const names = this.rngs.stream(`daemonset/${key}/names`);
    let next = 0;
    const batch = (size: number): void => {
      let waiting = size;
      let failed = 0;
      let refused = false;
      for (let i = 0; i < size; i++) {
        const node = create[next++];
        this.podsCreated++;
        this.api.create(this.client, daemonPod(ds, spec, node, `${ds.metadata.name}-${randomSuffix(names)}`), (r) => {
          if (!r.ok) {
            failed++;
            if (r.code !== 409) refused = true;
            this.lowerExpectations(key, 1);
          }
          if (--waiting > 0) return;
          const remaining = create.length - next;
          if (failed > 0 || remaining === 0) {
            // slowStartBatch stops at the first failed batch; the skipped creations are not expected.
            this.lowerExpectations(key, remaining);
            part();
            if (failed > 0) this.retry(key, refused);
            else this.backoff.forget(key);
            return;
          }
          batch(Math.min(2 * size, remaining));
        });
      }
    };
    batch(1);
  }

  private lowerExpectations(key: string, n: number): void {
    this.expectations.set(key, Math.max(0, (this.expectations.get(key) ?? 0) - n));
  }

  /** updateDaemonSetStatus: one write, only when a count changed. */
  private updateStatus(
    ds: DaemonSet,
    byNode: ReadonlyMap<string, Pod[]>,
    decisions: ReadonlyMap<string, ShouldRun>,
    done: () => void,
  ): void {
    let desired = 0;
    let current = 0;
    let mis = 0;
    let ready = 0;
    for (const [name, d] of decisions) {
      const pods = (byNode.get(name) ?? []).filter((p) => p.spec.nodeName === name && !isTerminal(p));
      if (d.shouldRun) {
        desired++;
        if (pods.length > 0) {
          current++;
          if (pods.some((p) => p.status.ready)) ready++;
        }
      } else if (pods.length > 0) mis++;
    }
    const s = ds.status;
    if (
      s.desiredNumberScheduled === desired &&
      s.currentNumberScheduled === current &&
      s.numberMisscheduled === mis &&
      s.numberReady === ready
    )
      return done();
    const status: DaemonSetStatus = {
      desiredNumberScheduled: desired,
      currentNumberScheduled: current,
      numberMisscheduled: mis,
      numberReady: ready,
    };
    this.api.update(
      this.client,
      'DaemonSet',
      keyOf(ds),
      (cur) => (cur.kind === 'DaemonSet' ? { ...cur, status } : null),
      () => done(),
    );
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
}
