/**
 * Job controller (pkg/controller/job/job_controller.go): keeps min(parallelism, completions − succeeded)
 * pods active until `completions` pods have succeeded (Complete), or fails the Job when more than
 * backoffLimit pods have failed (Failed; its active pods are deleted). A work-queue Job (no completions) is
 * Complete once a pod succeeded and no pod is active. After pod failures, new pods wait an exponential
 * backoff: 10 s · 2^(failures−1), capped at 6 minutes (DefaultJobPodFailureBackOff, MaxJobPodFailureBackOff).
 * Pods are created through the controller's client with slowStartBatch, at most 500 per sync
 * (MaxPodCreateDeletePerSync). Not modeled: indexed completion, pod failure policies, activeDeadlineSeconds,
 * suspend, ttlSecondsAfterFinished.
 */
import { type ApiServer, Client } from '../api/api-server.js';
import { Informer } from '../api/informer.js';
import { isTerminal, keyOf, objectKey, type Job, type JobStatus, type Pod } from '../api/objects.js';
import type { RateLimit } from '../api/rate-limiter.js';
import type { RngFactory } from '../core/rng.js';
import type { Simulation } from '../core/simulation.js';
import { MICROS_PER_SECOND, type Micros } from '../core/time.js';
import { randomSuffix } from './names.js';
import type { SharedInformer } from './shared-informer.js';
import { WorkQueue } from './work-queue.js';
import { ItemBackoff } from './item-backoff.js';

export interface JobParams {
  readonly client: RateLimit;
  readonly workers: number;
}

export const MAX_POD_CREATE_DELETE_PER_SYNC = 500;
export const POD_FAILURE_BACKOFF: Micros = 10 * MICROS_PER_SECOND;
export const MAX_POD_FAILURE_BACKOFF: Micros = 360 * MICROS_PER_SECOND;

/** Delay before a replacement pod after `failures` failures (0 → none). */
export function failureBackoff(failures: number): Micros {
  if (failures <= 0) return 0;
  return Math.min(POD_FAILURE_BACKOFF * 2 ** (failures - 1), MAX_POD_FAILURE_BACKOFF);
}

interface Tracked {
  readonly pods: Map<string, Pod>;
  /** Terminal pods counted once, even after they are deleted. */
  readonly counted: Set<string>;
  succeeded: number;
  failed: number;
  lastFailure: Micros;
  pendingCreates: number;
  /** Indexed Jobs: the completion indexes that have a succeeded pod. */
  readonly succeededIndexes: Set<number>;
}

/** The pod's completion index (batch.kubernetes.io/job-completion-index), or null for a NonIndexed Job's pod. */
export const COMPLETION_INDEX = 'batch.kubernetes.io/job-completion-index';

function indexOf(pod: Pod): number | null {
  const v = pod.metadata.annotations[COMPLETION_INDEX];
  return v === undefined ? null : Number(v);
}

function ownerJob(pod: Pod): string | undefined {
  for (const o of pod.metadata.ownerReferences)
    if (o.controller && o.kind === 'Job') return objectKey('Job', pod.metadata.namespace, o.name);
  return undefined;
}

export class JobController {
  private readonly client: Client;
  private readonly jobs: Informer<Job>;
  private readonly tracked = new Map<string, Tracked>();
  private readonly queue: WorkQueue;
  private readonly backoff: ItemBackoff;

  constructor(
    private readonly sim: Simulation,
    private readonly api: ApiServer,
    params: JobParams,
    private readonly rngs: RngFactory,
    pods: SharedInformer<Pod>,
  ) {
    this.client = new Client('job-controller', params.client);
    this.backoff = new ItemBackoff(sim);
    this.queue = new WorkQueue(params.workers, (key, done) => this.sync(key, done));
    this.jobs = new Informer<Job>({ add: (j) => this.queue.add(keyOf(j)), update: (_o, j) => this.queue.add(keyOf(j)) });
    api.watch('Job', 'job-controller/jobs', this.jobs.onEvent);
    pods.addHandlers({ add: (p) => this.onPod(p, true), update: (_o, p) => this.onPod(p, false), delete: (p) => this.onPodDelete(p) });
  }

  private state(key: string): Tracked {
    let t = this.tracked.get(key);
    if (t === undefined)
      this.tracked.set(
        key,
        (t = {
          pods: new Map(),
          counted: new Set(),
          succeeded: 0,
          failed: 0,
          lastFailure: 0,
          pendingCreates: 0,
          succeededIndexes: new Set(),
        }),
      );
    return t;
  }

  private onPod(pod: Pod, added: boolean): void {
    const job = ownerJob(pod);
    if (job === undefined) return;
    const t = this.state(job);
    const k = keyOf(pod);
    t.pods.set(k, pod);
    if (added && t.pendingCreates > 0) t.pendingCreates--;
    if (isTerminal(pod) && !t.counted.has(k)) {
      t.counted.add(k);
      if (pod.status.phase === 'Succeeded') {
        t.succeeded++;
        const index = indexOf(pod);
        if (index !== null) t.succeededIndexes.add(index);
      } else {
        t.failed++;
        t.lastFailure = this.sim.now;
      }
    }
    this.queue.add(job);
  }

  private onPodDelete(pod: Pod): void {
    const job = ownerJob(pod);
    if (job === undefined) return;
    this.state(job).pods.delete(keyOf(pod));
    this.queue.add(job);
  }

  private sync(key: string, done: () => void): void {
    const job = this.jobs.cache.get(key);
    if (job === undefined || job.status.finished !== undefined) return done();
    const t = this.state(key);
    if (t.pendingCreates > 0) return done(); // expectations: wait for our creations to be observed
    const active = [...t.pods.values()].filter((p) => !isTerminal(p) && p.metadata.deletionTimestamp === undefined);
    const { parallelism, completions, backoffLimit } = job.spec;
    const suspended = job.spec.suspend === true;
    // syncJob: startTime is set when the Job runs unsuspended, and cleared on suspension so that
    // activeDeadlineSeconds counts from the resume (job_controller.go, "if !jobSuspended ... StartTime").
    const startTime = suspended ? undefined : (job.status.startTime ?? this.sim.now);
    const deadline = job.spec.activeDeadlineSeconds;
    const deadlineAt = startTime === undefined || deadline === undefined ? undefined : startTime + deadline * 1_000_000;
    let finished: JobStatus['finished'];
    if (t.failed > backoffLimit) finished = { type: 'Failed', at: this.sim.now, reason: 'BackoffLimitExceeded' };
    else if (deadlineAt !== undefined && this.sim.now >= deadlineAt)
      finished = { type: 'Failed', at: this.sim.now, reason: 'DeadlineExceeded' };
    // An Indexed Job is complete when every index has succeeded (job_controller.go, succeededIndexes).
    else if (
      completions !== null
        ? (job.spec.completionMode === 'Indexed' ? t.succeededIndexes.size : t.succeeded) >= completions
        : t.succeeded > 0 && active.length === 0
    ) {
      finished = { type: 'Complete', at: this.sim.now, reason: 'Completed' };
    }
    const status: JobStatus = {
      active: active.length,
      succeeded: t.succeeded,
      failed: t.failed,
      ...(finished !== undefined ? { finished } : {}),
      ...(startTime !== undefined ? { startTime } : {}),
    };
    // pastActiveDeadline is checked on every sync; upstream requeues the Job for the moment it passes.
    if (finished === undefined && deadlineAt !== undefined && job.status.startTime === undefined)
      this.sim.callAt(deadlineAt, () => this.queue.add(key));
    const writeStatus = (): void => this.writeStatus(job, status, done);
    if (finished !== undefined) {
      if (finished.type === 'Failed' && active.length > 0) return this.deletePods(active, writeStatus);
      return writeStatus();
    }
    // manageJob: a suspended Job wants no active pod (its running ones are deleted).
    const indexed = job.spec.completionMode === 'Indexed' && completions !== null;
    const done_ = indexed ? t.succeededIndexes.size : t.succeeded;
    const want = suspended ? 0 : completions === null ? (t.succeeded > 0 ? 0 : parallelism) : Math.min(parallelism, completions - done_);
    const diff = want - active.length;
    if (diff > 0) {
      const readyAt = t.lastFailure + failureBackoff(t.failed);
      if (t.failed > 0 && readyAt > this.sim.now) {
        this.sim.callAt(readyAt, () => this.queue.add(key));
        return writeStatus();
      }
      const count = Math.min(diff, MAX_POD_CREATE_DELETE_PER_SYNC);
      // Indexed: the lowest indexes with neither a succeeded nor an active pod (indexesToAdd / firstPendingIndexes).
      const indexes = indexed ? pendingIndexes(completions, t.succeededIndexes, active, count) : Array.from({ length: count }, () => null);
      if (indexes.length === 0) return writeStatus();
      return this.createPods(job, t, indexes, writeStatus);
    }
    if (diff < 0) return this.deletePods(active.slice(0, Math.min(-diff, MAX_POD_CREATE_DELETE_PER_SYNC)), writeStatus);
    writeStatus();
  }

  private writeStatus(job: Job, status: JobStatus, done: () => void): void {
    const s = job.status;
    if (
      s.active === status.active &&
      s.succeeded === status.succeeded &&
      s.failed === status.failed &&
      s.finished === status.finished &&
      s.startTime === status.startTime
    )
      return done();
    this.api.update(
      this.client,
      'Job',
      keyOf(job),
      (cur) => (cur.kind === 'Job' && cur.status.finished === undefined ? { ...cur, status } : null),
      () => done(),
    );
  }

  /** slowStartBatch: batches of 1, 2, 4, … each waiting for the previous one's answers. */
  private createPods(job: Job, t: Tracked, indexes: readonly (number | null)[], done: () => void): void {
    const count = indexes.length;
    const names = this.rngs.stream(`job/${keyOf(job)}/names`);
    let next = 0;
    t.pendingCreates = count;
    let remaining = count;
    const batch = (size: number): void => {
      let outstanding = size;
      let failed = 0;
      let refused = false;
      for (let i = 0; i < size; i++) {
        const index = indexes[next++];
        // Indexed pods are generated from `<job>-<index>-` (podGenerateNameWithIndex).
        const name =
          index === null ? `${job.metadata.name}-${randomSuffix(names)}` : `${job.metadata.name}-${index}-${randomSuffix(names)}`;
        this.api.create(this.client, this.podFor(job, name, index), (r) => {
          if (!r.ok) {
            failed++;
            if (r.code !== 409) refused = true;
            t.pendingCreates--;
          }
          if (--outstanding > 0) return;
          remaining -= size;
          if (failed > 0 || remaining === 0) {
            t.pendingCreates -= remaining;
            done();
            if (failed > 0) this.retry(keyOf(job), refused);
            else this.backoff.forget(keyOf(job));
            return;
          }
          batch(Math.min(2 * size, remaining));
        });
      }
    };
    batch(Math.min(1, remaining));
  }

  private deletePods(pods: readonly Pod[], done: () => void): void {
    let outstanding = pods.length;
    if (outstanding === 0) return done();
    for (const p of pods) {
      this.api.delete(this.client, 'Pod', keyOf(p), () => {
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

  private podFor(job: Job, name: string, index: number | null = null): Pod {
    const tpl = job.spec.template;
    // addCompletionIndexAnnotation / label, and the pod's hostname `<job>-<index>` (indexed_job_utils.go).
    const labels = index === null ? tpl.labels : { ...tpl.labels, [COMPLETION_INDEX]: String(index) };
    const annotations = index === null ? tpl.annotations : { ...tpl.annotations, [COMPLETION_INDEX]: String(index) };
    return {
      kind: 'Pod',
      metadata: {
        name,
        namespace: job.metadata.namespace,
        uid: '',
        labels,
        annotations,
        ownerReferences: [{ kind: 'Job', name: job.metadata.name, uid: job.metadata.uid, controller: true }],
        creationTimestamp: 0,
        resourceVersion: 0,
      },
      spec: tpl.spec,
      status: { phase: 'Pending', ready: false },
    };
  }
}

/** The lowest `count` indexes in [0, completions) with no succeeded and no active pod. */
export function pendingIndexes(completions: number, succeeded: ReadonlySet<number>, active: readonly Pod[], count: number): number[] {
  const busy = new Set(active.map(indexOf));
  const out: number[] = [];
  for (let i = 0; i < completions && out.length < count; i++) if (!succeeded.has(i) && !busy.has(i)) out.push(i);
  return out;
}
