/**
 * StatefulSet controller (pkg/controller/statefulset/stateful_set_control.go defaultStatefulSetControl
 * updateStatefulSet): pods with stable names `<set>-<ordinal>` for the ordinals [start, start + replicas);
 * pods outside that range are condemned and deleted, highest ordinal first.
 *
 * podManagementPolicy OrderedReady (monotonic): the sync walks the ordinals in order and stops at the first pod
 * it creates, at a pod Terminating, and at a pod not Running and Ready; condemned pods are deleted one per
 * sync, the next only once the previous is gone, and only when every pod below is Running and Ready (an
 * unhealthy condemned pod may go if it is the first unhealthy one). Parallel: every missing pod is created in
 * one sync (runForAll with slowStartBatch: batches of 1, 2, 4, …) and every condemned pod deleted at once.
 * Failed or Succeeded pods are deleted and created again under the same name once they are gone
 * (processReplica). Pods carry the labels statefulset.kubernetes.io/pod-name and apps.kubernetes.io/pod-index.
 *
 * Failed API calls requeue the set after the work queue's per-item exponential backoff (item-backoff.ts: 5 ms doubling, capped
 * at 1000 s: client-go DefaultControllerRateLimiter's ItemExponentialFailureRateLimiter).
 *
 * Not modeled: updates of the set (RollingUpdate with partition, OnDelete: a StatefulSet is created once, a
 * second apply is ignored), minReadySeconds (refused by the parser when not 0), hostname/subdomain,
 * ControllerRevisions, persistentVolumeClaimRetentionPolicy Delete (claims are always retained).
 *
 * volumeClaimTemplates: each pod's claims `<template>-<set>-<ordinal>` are created before it (createClaims) and kept
 * when the set scales down, as the default retention policy (Retain) does; a pod created again reuses them.
 */
import { type ApiServer, Client } from '../api/api-server.js';
import { Informer } from '../api/informer.js';
import {
  isTerminal,
  keyOf,
  objectKey,
  type PersistentVolumeClaim,
  type Pod,
  type StatefulSet,
  type StatefulSetStatus,
} from '../api/objects.js';
import type { RateLimit } from '../api/rate-limiter.js';
import type { Simulation } from '../core/simulation.js';
import type { SharedInformer } from './shared-informer.js';
import { WorkQueue } from './work-queue.js';
import { ItemBackoff } from './item-backoff.js';

export interface StatefulSetParams {
  readonly client: RateLimit;
  /** --concurrent-statefulset-syncs (5). */
  readonly workers: number;
}

export const POD_NAME_LABEL = 'statefulset.kubernetes.io/pod-name';
export const POD_INDEX_LABEL = 'apps.kubernetes.io/pod-index';

/** getPersistentVolumeClaimName: `<template>-<set>-<ordinal>`. */
export function claimName(template: string, set: string, ordinal: number): string {
  return `${template}-${set}-${ordinal}`;
}

function ownerKey(pod: Pod): string | undefined {
  for (const o of pod.metadata.ownerReferences)
    if (o.controller && o.kind === 'StatefulSet') return objectKey('StatefulSet', pod.metadata.namespace, o.name);
  return undefined;
}

/** getOrdinal: the integer after the set's name and a dash, or -1. */
export function ordinalOf(setName: string, podName: string): number {
  if (!podName.startsWith(`${setName}-`)) return -1;
  const rest = podName.slice(setName.length + 1);
  return /^(0|[1-9]\d*)$/.test(rest) ? Number(rest) : -1;
}

const isTerminating = (p: Pod): boolean => p.metadata.deletionTimestamp !== undefined;
const isRunningAndReady = (p: Pod): boolean => p.status.phase === 'Running' && p.status.ready;
const isHealthy = (p: Pod): boolean => isRunningAndReady(p) && !isTerminating(p);

export class StatefulSetController {
  private readonly client: Client;
  private readonly sets: Informer<StatefulSet>;
  /** Set key → its pods by ordinal. */
  private readonly owned = new Map<string, Map<number, Pod>>();
  /** Set key → ordinals whose create was sent and not yet observed or answered. */
  private readonly creating = new Map<string, Set<number>>();
  private readonly backoff: ItemBackoff;
  private readonly queue: WorkQueue;

  constructor(
    sim: Simulation,
    private readonly api: ApiServer,
    params: StatefulSetParams,
    pods: SharedInformer<Pod>,
  ) {
    this.client = new Client('statefulset-controller', params.client);
    this.backoff = new ItemBackoff(sim);
    this.queue = new WorkQueue(params.workers, (key, done) => this.sync(key, done));
    this.sets = new Informer<StatefulSet>({ add: (s) => this.queue.add(keyOf(s)), update: (_o, s) => this.queue.add(keyOf(s)) });
    api.watch('StatefulSet', 'statefulset-controller/statefulsets', this.sets.onEvent);
    pods.addHandlers({
      add: (p) => this.onPod(undefined, p),
      update: (o, p) => this.onPod(o, p),
      delete: (p) => this.onPodDelete(p),
    });
  }

  private ordinal(set: string, pod: Pod): number {
    return ordinalOf(set.slice(set.lastIndexOf('/') + 1), pod.metadata.name);
  }

  private onPod(old: Pod | undefined, pod: Pod): void {
    const set = ownerKey(pod);
    if (set === undefined) return;
    const o = this.ordinal(set, pod);
    if (o < 0) return;
    let m = this.owned.get(set);
    if (m === undefined) this.owned.set(set, (m = new Map()));
    m.set(o, pod);
    if (old === undefined) this.creating.get(set)?.delete(o);
    if (
      old === undefined ||
      old.status.phase !== pod.status.phase ||
      old.status.ready !== pod.status.ready ||
      isTerminating(old) !== isTerminating(pod)
    )
      this.queue.add(set);
  }

  private onPodDelete(pod: Pod): void {
    const set = ownerKey(pod);
    if (set === undefined) return;
    const o = this.ordinal(set, pod);
    const m = this.owned.get(set);
    // A pod of the same name created since is not this one.
    if (m !== undefined && m.get(o)?.metadata.uid === pod.metadata.uid) m.delete(o);
    this.queue.add(set);
  }

  private sync(key: string, done: () => void): void {
    const set = this.sets.cache.get(key);
    if (set === undefined) return done();
    const pods = this.owned.get(key) ?? new Map<number, Pod>();
    let creating = this.creating.get(key);
    if (creating === undefined) this.creating.set(key, (creating = new Set()));
    const monotonic = set.spec.podManagementPolicy === 'OrderedReady';
    const start = set.spec.ordinalsStart;
    const end = start + set.spec.replicas;
    const finish = (): void => this.updateStatus(set, pods, done);

    const toCreate: number[] = [];
    const toDelete: Pod[] = [];
    let blocked = false;
    let firstUnhealthy: Pod | undefined;
    for (let o = start; o < end; o++) {
      const p = pods.get(o);
      if (p === undefined) {
        if (!creating.has(o)) toCreate.push(o);
        if (monotonic) {
          blocked = true;
          break;
        }
        continue;
      }
      if (isTerminal(p) && !isTerminating(p)) {
        // processReplica: a failed or succeeded pod is deleted; its replacement is created once it is gone.
        toDelete.push(p);
        if (monotonic) {
          blocked = true;
          break;
        }
        continue;
      }
      if (!isHealthy(p)) {
        firstUnhealthy ??= p;
        if (monotonic) {
          blocked = true;
          break;
        }
      }
    }
    if (!blocked) {
      // Condemned pods, highest ordinal first.
      const condemned = [...pods.entries()]
        .filter(([o]) => o < start || o >= end)
        .sort((a, b) => b[0] - a[0])
        .map(([, p]) => p);
      if (firstUnhealthy === undefined) firstUnhealthy = [...condemned].reverse().find((p) => !isHealthy(p));
      for (const p of condemned) {
        if (isTerminating(p)) {
          if (monotonic) break;
          continue;
        }
        if (monotonic && !isRunningAndReady(p) && p !== firstUnhealthy) break;
        toDelete.push(p);
        if (monotonic) break;
      }
    }
    this.act(set, toCreate, toDelete, finish);
  }

  private act(set: StatefulSet, create: readonly number[], remove: readonly Pod[], done: () => void): void {
    const key = keyOf(set);
    let outstanding = 2;
    let failed = false;
    const part = (): void => {
      if (--outstanding > 0) return;
      if (failed) this.backoff.requeue(key, (k) => this.queue.add(k));
      else this.backoff.forget(key);
      done();
    };
    if (remove.length === 0) part();
    else {
      let left = remove.length;
      for (const p of remove)
        this.api.delete(this.client, 'Pod', keyOf(p), (r) => {
          if (!r.ok && r.code !== 404) failed = true;
          if (--left === 0) part();
        });
    }
    if (create.length === 0) return part();
    const creating = this.creating.get(key) as Set<number>;
    let next = 0;
    const batch = (size: number): void => {
      let waiting = size;
      let batchFailed = false;
      for (let i = 0; i < size; i++) {
        const o = create[next++];
        creating.add(o);
        const answered = (r: { ok: boolean }): void => {
          if (!r.ok) {
            creating.delete(o);
            batchFailed = true;
          }
          if (--waiting > 0) return;
          if (batchFailed) failed = true;
          if (batchFailed || next === create.length) return part();
          batch(Math.min(2 * size, create.length - next));
        };
        this.createClaims(set, o, (ok) => (ok ? this.api.create(this.client, this.podFor(set, o), answered) : answered({ ok: false })));
      }
    };
    batch(1);
  }

  private updateStatus(set: StatefulSet, pods: ReadonlyMap<number, Pod>, done: () => void): void {
    let replicas = 0;
    let ready = 0;
    for (const p of pods.values()) {
      replicas++;
      if (isRunningAndReady(p) && !isTerminating(p)) ready++;
    }
    const s = set.status;
    if (s.replicas === replicas && s.readyReplicas === ready) return done();
    const status: StatefulSetStatus = { replicas, readyReplicas: ready };
    this.api.update(
      this.client,
      'StatefulSet',
      keyOf(set),
      (cur) => (cur.kind === 'StatefulSet' ? { ...cur, status } : null),
      () => done(),
    );
  }

  /**
   * createPersistentVolumeClaims (stateful_pod_control.go): the pod's claims `<template>-<set>-<ordinal>`, created
   * before the pod when missing (an existing claim, kept from an earlier pod of that ordinal, is reused: the default
   * persistentVolumeClaimRetentionPolicy Retain keeps claims on scale-down). `done(false)` when a create failed.
   */
  private createClaims(set: StatefulSet, ordinal: number, done: (ok: boolean) => void): void {
    const templates = set.spec.volumeClaimTemplates ?? [];
    if (templates.length === 0) return done(true);
    let waiting = templates.length;
    let ok = true;
    for (const t of templates) {
      const claim: PersistentVolumeClaim = {
        ...t,
        metadata: {
          ...t.metadata,
          name: claimName(t.metadata.name, set.metadata.name, ordinal),
          namespace: set.metadata.namespace,
          labels: { ...set.spec.selector.matchLabels, ...t.metadata.labels },
        },
      };
      this.api.create(this.client, claim, (r) => {
        if (!r.ok && r.code !== 409) ok = false;
        if (--waiting === 0) done(ok);
      });
    }
  }

  /** newStatefulSetPod: the template with the identity labels and the controller reference. */
  private podFor(set: StatefulSet, ordinal: number): Pod {
    const t = set.spec.template;
    const name = `${set.metadata.name}-${ordinal}`;
    // updateStorage: each claim template becomes the pod volume of that name, on the ordinal's claim.
    const templates = set.spec.volumeClaimTemplates ?? [];
    const own = templates.map((c) => claimName(c.metadata.name, set.metadata.name, ordinal));
    const spec = templates.length === 0 ? t.spec : { ...t.spec, claims: [...(t.spec.claims ?? []), ...own] };
    return {
      kind: 'Pod',
      metadata: {
        name,
        namespace: set.metadata.namespace,
        uid: '',
        labels: { ...t.labels, [POD_NAME_LABEL]: name, [POD_INDEX_LABEL]: String(ordinal) },
        annotations: t.annotations,
        ownerReferences: [{ kind: 'StatefulSet', name: set.metadata.name, uid: set.metadata.uid, controller: true }],
        creationTimestamp: 0,
        resourceVersion: 0,
      },
      spec,
      status: { phase: 'Pending', ready: false },
    };
  }
}
