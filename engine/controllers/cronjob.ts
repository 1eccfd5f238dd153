/**
 * CronJob controller (pkg/controller/cronjob/cronjob_controllerv2.go syncCronJob, utils.go
 * mostRecentScheduleTime), creating Jobs that the Job controller runs.
 *
 * Each sync: the Jobs it owns are reconciled with status.active (finished ones leave it, a Complete one sets
 * lastSuccessfulTime); a suspended CronJob stops there. Otherwise the most recent scheduled time after
 * lastScheduleTime (or the creation time, or now − startingDeadlineSeconds if later) and not after now is the
 * run due; none → requeue for the next one. A run older than startingDeadlineSeconds is missed. The Job of a
 * run is named `<cronjob>-<scheduled time in minutes since the epoch>`, so a run is started once. Forbid with a
 * Job still active skips the start (the run starts when that Job finishes, if still within the deadline, as
 * upstream's requeue on the Job update does); Replace deletes the active Jobs first; Allow runs them side by
 * side. Finished Jobs beyond successfulJobsHistoryLimit / failedJobsHistoryLimit are deleted, oldest first
 * (cleanupFinishedJobs). The CronJob is requeued 100 ms after its next scheduled time (nextScheduleDelta).
 *
 * A Job deleted by the controller is deleted with propagationPolicy Background upstream, so the garbage collector
 * deletes its pods; kubesim has no garbage collector, so the controller deletes the Job's pods itself right
 * after the Job (same client).
 */
import { type ApiServer, Client } from '../api/api-server.js';
import { Informer } from '../api/informer.js';
import { EMPTY_JOB_STATUS, keyOf, objectKey, type CronJob, type CronJobStatus, type Job, type Pod } from '../api/objects.js';
import type { RateLimit } from '../api/rate-limiter.js';
import type { Simulation } from '../core/simulation.js';
import { MICROS_PER_SECOND, type Micros } from '../core/time.js';
import { MICROS_PER_MINUTE, nextAfter, parseCron, type CronSchedule } from '../api/cron-schedule.js';
import type { SharedInformer } from './shared-informer.js';
import { WorkQueue } from './work-queue.js';

export interface CronJobParams {
  readonly client: RateLimit;
  /** --concurrent-cron-job-syncs (5). */
  readonly workers: number;
}

/** cronjob_controllerv2.go nextScheduleDelta. */
const NEXT_SCHEDULE_DELTA: Micros = 100_000;
export const SCHEDULED_TIMESTAMP_ANNOTATION = 'batch.kubernetes.io/cronjob-scheduled-timestamp';

function ownerOf(o: Job | Pod, kind: 'CronJob' | 'Job'): string | undefined {
  for (const r of o.metadata.ownerReferences) if (r.controller && r.kind === kind) return objectKey(kind, o.metadata.namespace, r.name);
  return undefined;
}

/** mostRecentScheduleTime: the latest scheduled time in (earliest, now], or undefined. */
export function mostRecentScheduleTime(s: CronSchedule, earliest: Micros, now: Micros): Micros | undefined {
  let t = nextAfter(s, earliest);
  if (t > now) return undefined;
  // Scheduled times are whole minutes: step over them (bounded by the minutes between the two times).
  for (let n = nextAfter(s, t); n <= now; n = nextAfter(s, n)) t = n;
  return t;
}

export class CronJobController {
  private readonly client: Client;
  private readonly cronJobs: Informer<CronJob>;
  private readonly jobs: Informer<Job>;
  /** CronJob key → its Jobs' keys. */
  private readonly owned = new Map<string, Set<string>>();
  /** Job key → its pods' keys (for the deletion the garbage collector would do). */
  private readonly podsOf = new Map<string, Set<string>>();
  private readonly schedules = new Map<string, { readonly text: string; readonly s: CronSchedule }>();
  private readonly wakeups = new Map<string, Micros>();
  private readonly queue: WorkQueue;
  jobsCreated = 0;

  constructor(
    private readonly sim: Simulation,
    private readonly api: ApiServer,
    params: CronJobParams,
    pods: SharedInformer<Pod>,
  ) {
    this.client = new Client('cronjob-controller', params.client);
    this.queue = new WorkQueue(params.workers, (key, done) => this.sync(key, done));
    this.cronJobs = new Informer<CronJob>({ add: (c) => this.queue.add(keyOf(c)), update: (_o, c) => this.queue.add(keyOf(c)) });
    this.jobs = new Informer<Job>({
      add: (j, key) => this.onJob(j, key, false),
      update: (_o, j, key) => this.onJob(j, key, false),
      delete: (j, key) => this.onJob(j, key, true),
    });
    api.watch('CronJob', 'cronjob-controller/cronjobs', this.cronJobs.onEvent);
    api.watch('Job', 'cronjob-controller/jobs', this.jobs.onEvent);
    pods.addHandlers({
      add: (p, key) => this.onPod(p, key, false),
      delete: (p, key) => this.onPod(p, key, true),
    });
  }

  private onJob(job: Job, key: string, deleted: boolean): void {
    const cj = ownerOf(job, 'CronJob');
    if (cj === undefined) return;
    let s = this.owned.get(cj);
    if (s === undefined) this.owned.set(cj, (s = new Set()));
    if (deleted) s.delete(key);
    else s.add(key);
    this.queue.add(cj);
  }

  private onPod(pod: Pod, key: string, deleted: boolean): void {
    const job = ownerOf(pod, 'Job');
    if (job === undefined) return;
    let s = this.podsOf.get(job);
    if (deleted) s?.delete(key);
    else {
      if (s === undefined) this.podsOf.set(job, (s = new Set()));
      s.add(key);
    }
  }

  private schedule(cj: CronJob): CronSchedule {
    const k = keyOf(cj);
    const c = this.schedules.get(k);
    if (c !== undefined && c.text === cj.spec.schedule) return c.s;
    const s = parseCron(cj.spec.schedule);
    this.schedules.set(k, { text: cj.spec.schedule, s });
    return s;
  }

  /** Requeues the CronJob at `t` (one pending wake-up per CronJob, the earliest). */
  private wakeAt(key: string, t: Micros): void {
    if (!Number.isFinite(t)) return;
    const pending = this.wakeups.get(key);
    if (pending !== undefined && pending <= t && pending > this.sim.now) return;
    this.wakeups.set(key, t);
    this.sim.callAt(t, () => {
      if (this.wakeups.get(key) === t) this.wakeups.delete(key);
      this.queue.add(key);
    });
  }

  private sync(key: string, done: () => void): void {
    const cj = this.cronJobs.cache.get(key);
    if (cj === undefined) return done();
    const now = this.sim.now;
    const jobs = [...(this.owned.get(key) ?? [])].map((k) => this.jobs.cache.get(k)).filter((j): j is Job => j !== undefined);
    jobs.sort((a, b) => a.metadata.creationTimestamp - b.metadata.creationTimestamp || (a.metadata.name < b.metadata.name ? -1 : 1));
    // Reconcile status.active and lastSuccessfulTime with the Jobs.
    const active = jobs.filter((j) => j.status.finished === undefined).map((j) => j.metadata.name);
    let lastSuccessfulTime = cj.status.lastSuccessfulTime;
    for (const j of jobs)
      if (j.status.finished?.type === 'Complete' && (lastSuccessfulTime === undefined || j.status.finished.at > lastSuccessfulTime))
        lastSuccessfulTime = j.status.finished.at;
    let status: CronJobStatus = { ...cj.status, active, ...(lastSuccessfulTime !== undefined ? { lastSuccessfulTime } : {}) };
    const deletions: Job[] = this.historyToDelete(cj, jobs);
    const s = this.schedule(cj);
    const finish = (): void => {
      this.wakeAt(key, nextAfter(s, now) + NEXT_SCHEDULE_DELTA);
      this.deleteJobs(deletions, () => this.writeStatus(cj, status, done));
    };
    if (cj.spec.suspend) return this.deleteJobs(deletions, () => this.writeStatus(cj, status, done));
    const deadline = cj.spec.startingDeadlineSeconds;
    let earliest = cj.status.lastScheduleTime ?? cj.metadata.creationTimestamp;
    if (deadline !== null) earliest = Math.max(earliest, now - deadline * MICROS_PER_SECOND);
    const due = mostRecentScheduleTime(s, earliest, now);
    if (due === undefined) return finish();
    if (deadline !== null && due + deadline * MICROS_PER_SECOND < now) return finish(); // missed
    const name = `${cj.metadata.name}-${Math.floor(due / MICROS_PER_MINUTE)}`;
    if (jobs.some((j) => j.metadata.name === name)) return finish();
    if (cj.spec.concurrencyPolicy === 'Forbid' && active.length > 0) return finish();
    const start = (): void => {
      this.jobsCreated++;
      this.api.create(this.client, this.jobFor(cj, name, due), (r) => {
        if (r.ok || r.code === 409) status = { ...status, active: [...status.active, name], lastScheduleTime: due };
        finish();
      });
    };
    if (cj.spec.concurrencyPolicy !== 'Replace') return start();
    // Replace: the running Jobs are deleted before the new one is created.
    status = { ...status, active: [] };
    this.deleteJobs(
      jobs.filter((j) => j.status.finished === undefined),
      start,
    );
  }

  /** cleanupFinishedJobs: the finished Jobs beyond the history limits, oldest first. */
  private historyToDelete(cj: CronJob, jobs: readonly Job[]): Job[] {
    const out: Job[] = [];
    const trim = (type: 'Complete' | 'Failed', limit: number): void => {
      const done = jobs.filter((j) => j.status.finished?.type === type);
      out.push(...done.slice(0, Math.max(0, done.length - limit)));
    };
    trim('Complete', cj.spec.successfulJobsHistoryLimit);
    trim('Failed', cj.spec.failedJobsHistoryLimit);
    return out;
  }

  /** Deletes the Jobs and, as the garbage collector would for a Background deletion, their pods. */
  private deleteJobs(jobs: readonly Job[], done: () => void): void {
    let outstanding = jobs.length;
    if (outstanding === 0) return done();
    for (const j of jobs) {
      const k = keyOf(j);
      this.api.delete(this.client, 'Job', k, () => {
        for (const pod of [...(this.podsOf.get(k) ?? [])]) this.api.delete(this.client, 'Pod', pod);
        if (--outstanding === 0) done();
      });
    }
  }

  private writeStatus(cj: CronJob, status: CronJobStatus, done: () => void): void {
    const s = cj.status;
    if (
      s.active.join() === status.active.join() &&
      s.lastScheduleTime === status.lastScheduleTime &&
      s.lastSuccessfulTime === status.lastSuccessfulTime
    )
      return done();
    // A sync that read a stale CronJob keeps the later times already stored (upstream's update would conflict and
    // the sync run again on the newer object).
    const later = (a: Micros | undefined, b: Micros | undefined): Micros | undefined =>
      a === undefined ? b : b === undefined ? a : Math.max(a, b);
    this.api.update(
      this.client,
      'CronJob',
      keyOf(cj),
      (cur) => {
        if (cur.kind !== 'CronJob') return null;
        const lastScheduleTime = later(cur.status.lastScheduleTime, status.lastScheduleTime);
        const lastSuccessfulTime = later(cur.status.lastSuccessfulTime, status.lastSuccessfulTime);
        return {
          ...cur,
          status: {
            active: status.active,
            ...(lastScheduleTime !== undefined ? { lastScheduleTime } : {}),
            ...(lastSuccessfulTime !== undefined ? { lastSuccessfulTime } : {}),
          },
        };
      },
      () => done(),
    );
  }

  /** getJobFromTemplate2: the template's labels and annotations, the scheduled-time annotation, the owner. */
  private jobFor(cj: CronJob, name: string, scheduled: Micros): Job {
    const t = cj.spec.jobTemplate;
    const labels = { ...t.spec.template.labels, 'batch.kubernetes.io/job-name': name, 'job-name': name };
    return {
      kind: 'Job',
      metadata: {
        name,
        namespace: cj.metadata.namespace,
        uid: '',
        labels: t.labels,
        annotations: { ...t.annotations, [SCHEDULED_TIMESTAMP_ANNOTATION]: new Date(scheduled / 1000).toISOString().replace('.000Z', 'Z') },
        ownerReferences: [{ kind: 'CronJob', name: cj.metadata.name, uid: cj.metadata.uid, controller: true }],
        creationTimestamp: 0,
        resourceVersion: 0,
      },
      spec: { ...t.spec, template: { ...t.spec.template, labels } },
      status: EMPTY_JOB_STATUS,
    };
  }
}
