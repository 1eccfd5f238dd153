/**
 * CronJob: the schedule parser and next-activation search (robfig/cron/v3 parser_test.go / spec_test.go
 * TestActivation cases: steps, ranges, lists, names, descriptors, the day-of-month/day-of-week OR) and the
 * controller (pkg/controller/cronjob/cronjob_controllerv2_test.go TestControllerV2SyncCronJob situations:
 * Allow, Forbid, Replace, startingDeadlineSeconds, suspend, history limits), running its Jobs through the Job
 * controller.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { CronJob, Job, KubeObject, Pod } from '../engine/api/objects.js';
import { mostRecentScheduleTime } from '../engine/controllers/cronjob.js';
import { runOnce, type RunResult } from '../engine/run.js';
import { nextAfter, parseCron } from '../engine/api/cron-schedule.js';
import { expectInputError, scenarioFrom } from './helpers.js';

const S = 1_000_000;
const MIN = 60 * S;
/** Virtual time of a UTC date (virtual 0 = the epoch). */
const at = (iso: string): number => Date.parse(iso) * 1000;
const next = (spec: string, from: string): string => new Date(nextAfter(parseCron(spec), at(from)) / 1000).toISOString();

test('cron: steps, ranges, lists, names, descriptors', () => {
  assert.is(next('* * * * *', '2024-05-01T10:00:30Z'), '2024-05-01T10:01:00.000Z');
  assert.is(next('*/15 * * * *', '2024-05-01T10:01:00Z'), '2024-05-01T10:15:00.000Z');
  assert.is(next('5/20 * * * *', '2024-05-01T10:26:00Z'), '2024-05-01T10:45:00.000Z');
  assert.is(next('0 9-17/4 * * MON-FRI', '2024-05-03T14:00:00Z'), '2024-05-03T17:00:00.000Z'); // a Friday
  assert.is(next('0 9-17/4 * * MON-FRI', '2024-05-03T17:00:00Z'), '2024-05-06T09:00:00.000Z'); // → Monday
  assert.is(next('30 2 * jan,jul *', '2024-02-01T00:00:00Z'), '2024-07-01T02:30:00.000Z');
  assert.is(next('@hourly', '2024-05-01T10:00:00Z'), '2024-05-01T11:00:00.000Z');
  assert.is(next('@weekly', '2024-05-01T10:00:00Z'), '2024-05-05T00:00:00.000Z'); // Sunday
  assert.is(next('@yearly', '2024-05-01T10:00:00Z'), '2025-01-01T00:00:00.000Z');
  assert.is(next('0 0 29 2 *', '2025-03-01T00:00:00Z'), '2028-02-29T00:00:00.000Z');
});

test('cron: day of month OR day of week when both are restricted; AND when one is *', () => {
  // 1st or 15th of the month, or any Wednesday.
  assert.is(next('0 0 1,15 * 3', '2024-05-02T00:00:00Z'), '2024-05-08T00:00:00.000Z');
  assert.is(next('0 0 1,15 * 3', '2024-05-09T00:00:00Z'), '2024-05-15T00:00:00.000Z');
  // */2 on day of week is a restriction (a step clears the star), so the OR applies with the 10th.
  assert.is(next('0 0 10 * */2', '2024-05-05T00:00:00Z'), '2024-05-07T00:00:00.000Z'); // Tuesday (2)
});

test('cron: invalid schedules are refused with the reason', () => {
  for (const [spec, why] of [
    ['* * * *', /expected 5 fields/],
    ['60 * * * *', /minute "60" is not in 0-59/],
    ['* * * * 7', /day of week "7" is not in 0-6/],
    ['5-1 * * * *', /ends before it starts/],
    ['*/0 * * * *', /step "0"/],
    ['@every 5m', /unknown descriptor/],
  ] as const) {
    assert.throws(() => parseCron(spec), why, spec);
  }
});

test('mostRecentScheduleTime: the latest run due, missed ones skipped', () => {
  const s = parseCron('*/10 * * * *');
  assert.is(mostRecentScheduleTime(s, 0, 35 * MIN), 30 * MIN);
  assert.is(mostRecentScheduleTime(s, 30 * MIN, 35 * MIN), undefined);
  assert.is(mostRecentScheduleTime(s, 0, 10 * MIN), 10 * MIN);
});

function cronJob(extra: string, runFor: string, schedule = '* * * * *'): string {
  return `  - manifest:
      apiVersion: batch/v1
      kind: CronJob
      metadata: {name: cj}
      spec:
        schedule: "${schedule}"
${extra}        jobTemplate:
          spec:
            template:
              metadata: {annotations: {kubesim.io/run-duration: ${runFor}}}
              spec:
                restartPolicy: Never
                containers: [{name: c, image: busybox, resources: {requests: {cpu: 100m}}}]`;
}

function run(workloads: string, duration: string): { r: RunResult; log: { t: number; type: string; obj: KubeObject }[] } {
  const s = scenarioFrom(`
name: cron
duration: ${duration}
cluster:
  nodePools:
    - {name: n, count: 2, template: {cpu: "4", memory: 8Gi}}
workloads:
${workloads}
`);
  const log: { t: number; type: string; obj: KubeObject }[] = [];
  const r = runOnce(s, s.policies[0], 1, { observe: (t, type, obj) => log.push({ t, type, obj }) });
  return { r, log };
}

const jobCreations = (log: { t: number; type: string; obj: KubeObject }[]): { t: number; name: string }[] =>
  log.filter((c) => c.obj.kind === 'Job' && c.type === 'ADDED').map((c) => ({ t: c.t, name: c.obj.metadata.name }));

test('Allow: a Job per scheduled minute, created 100 ms after it, named by the minute; history trimmed to 3 successful', () => {
  const { r, log } = run(cronJob('', '10s'), '330s');
  const created = jobCreations(log);
  assert.equal(
    created.map((c) => c.name),
    ['cj-1', 'cj-2', 'cj-3', 'cj-4', 'cj-5'],
  );
  created.forEach((c, i) => assert.ok(c.t > (i + 1) * MIN + 0.1 * S && c.t < (i + 1) * MIN + 0.2 * S, `${c.name} at ${c.t}`));
  const job = log.find((c) => c.obj.kind === 'Job')?.obj as Job;
  assert.is(job.metadata.ownerReferences[0].kind, 'CronJob');
  assert.is(job.metadata.annotations['batch.kubernetes.io/cronjob-scheduled-timestamp'], '1970-01-01T00:01:00Z');
  const deleted = log.filter((c) => c.obj.kind === 'Job' && c.type === 'DELETED').map((c) => c.obj.metadata.name);
  assert.equal(deleted, ['cj-1', 'cj-2'], 'the oldest beyond successfulJobsHistoryLimit 3');
  const status = (log.filter((c) => c.obj.kind === 'CronJob').at(-1)?.obj as CronJob).status;
  assert.is(status.lastScheduleTime, 5 * MIN);
  assert.ok((status.lastSuccessfulTime ?? 0) > 5 * MIN);
  assert.is(r.store.pods.filter((p) => p.status.phase === 'Succeeded').length, 3, "the deleted Jobs' pods went with them");
});

test('Forbid: the next run waits for the running Job, and starts when it finishes; with a deadline it is missed', () => {
  const forbid = run(cronJob('        concurrencyPolicy: Forbid\n', '90s'), '200s');
  const c = jobCreations(forbid.log);
  assert.equal(
    c.map((x) => x.name),
    ['cj-1', 'cj-2'],
  );
  // cj-1 runs from ~61 s to ~152 s; the 120 s run starts once it finished.
  const finished =
    forbid.log.find((x) => x.obj.kind === 'Job' && x.obj.metadata.name === 'cj-1' && (x.obj as Job).status.finished !== undefined)?.t ?? -1;
  assert.ok(finished > 150 * S && c[1].t > finished, `cj-2 at ${c[1].t}, cj-1 finished at ${finished}`);
  const late = run(cronJob('        concurrencyPolicy: Forbid\n        startingDeadlineSeconds: 10\n', '90s'), '200s');
  assert.equal(
    jobCreations(late.log).map((x) => x.name),
    ['cj-1', 'cj-3'],
    'the 2-minute run was missed',
  );
});

test('Replace: the running Job and its pod are deleted before the new Job is created', () => {
  const { log } = run(cronJob('        concurrencyPolicy: Replace\n', '90s'), '130s');
  const c = jobCreations(log);
  assert.equal(
    c.map((x) => x.name),
    ['cj-1', 'cj-2'],
  );
  const jobGone = log.find((x) => x.obj.kind === 'Job' && x.type === 'DELETED' && x.obj.metadata.name === 'cj-1')?.t ?? -1;
  assert.ok(jobGone > 120 * S && jobGone < c[1].t, 'cj-1 deleted before cj-2 was created');
  const pod = log.find(
    (x) =>
      x.obj.kind === 'Pod' &&
      (x.obj as Pod).metadata.ownerReferences[0]?.name === 'cj-1' &&
      (x.obj as Pod).metadata.deletionTimestamp !== undefined,
  );
  assert.ok(pod !== undefined && pod.t > 120 * S, 'its running pod is deleted too');
});

test('suspend: no Job is created', () => {
  const { log } = run(cronJob('        suspend: true\n', '10s'), '200s');
  assert.equal(jobCreations(log), []);
});

test('manifests: schedule and timeZone validated with the field path', () => {
  const e = expectInputError(() => run(cronJob('', '10s', '61 * * * *'), '1m'));
  assert.match(e.message, /spec\.schedule.*minute "61"/);
  const z = expectInputError(() => run(cronJob('        timeZone: Europe/Paris\n', '10s'), '1m'));
  assert.match(z.message, /timeZone.*only UTC/);
  const p = expectInputError(() => run(cronJob('        concurrencyPolicy: Sometimes\n', '10s'), '1m'));
  assert.match(p.message, /concurrencyPolicy/);
});

test.run();
