/**
 * batch/v1 CronJob manifests, validated as pkg/apis/batch/validation ValidateCronJob and defaulted as
 * pkg/apis/batch/v1/defaults.go SetDefaults_CronJob (concurrencyPolicy Allow, suspend false,
 * successfulJobsHistoryLimit 3, failedJobsHistoryLimit 1).
 *
 * Honoured: schedule, concurrencyPolicy, startingDeadlineSeconds, suspend, successfulJobsHistoryLimit,
 * failedJobsHistoryLimit, jobTemplate (engine/controllers/cronjob.ts). Refused: timeZone other than UTC
 * (virtual time has no local zone), a schedule with a CRON_TZ/TZ prefix.
 */
import { EMPTY_CRONJOB_STATUS, type CronJob } from '../../api/objects.js';
import { parseJobSpec, parseMeta } from '../manifests.js';
import type { Field } from '../yaml-field.js';
import { parseCron } from '../../api/cron-schedule.js';

const INT32_MAX = 2 ** 31 - 1;

export function parseCronJob(f: Field): CronJob {
  const metadata = parseMeta(f, true, 'subdomain');
  // ValidateCronJob: the name is at most 52 characters (the Job name adds an 11-character suffix).
  if (metadata.name.length > 52)
    f.get('metadata').get('name').fail(`expected at most 52 characters for a CronJob name, got ${metadata.name.length}`);
  const spec = f.get('spec');
  const schedField = spec.get('schedule');
  const schedule = schedField.str();
  if (/^\s*(CRON_)?TZ=/.test(schedule)) schedField.fail('CRON_TZ or TZ in the schedule is not supported; kubesim schedules in UTC');
  try {
    parseCron(schedule);
  } catch (err) {
    schedField.fail(`invalid cron schedule: ${(err as Error).message}`);
  }
  const tz = spec.get('timeZone').optStr('');
  if (tz !== '' && tz !== 'UTC' && tz !== 'Etc/UTC')
    spec.get('timeZone').fail(`only UTC is modeled (virtual time has no local zone), got ${JSON.stringify(tz)}`);
  const deadlineField = spec.get('startingDeadlineSeconds');
  const startingDeadlineSeconds =
    deadlineField.exists && deadlineField.kind() !== 'null' ? deadlineField.int({ min: 0, max: INT32_MAX }) : null;
  const jt = spec.get('jobTemplate');
  if (jt.kind() !== 'map') jt.fail('expected a job template (metadata and spec)');
  const meta = jt.get('metadata');
  return {
    kind: 'CronJob',
    metadata,
    spec: {
      schedule,
      concurrencyPolicy: spec.get('concurrencyPolicy').optOneOf(['Allow', 'Forbid', 'Replace'] as const, 'Allow'),
      startingDeadlineSeconds,
      suspend: spec.get('suspend').optBool(false),
      successfulJobsHistoryLimit: spec.get('successfulJobsHistoryLimit').optInt(3, { min: 0, max: INT32_MAX }),
      failedJobsHistoryLimit: spec.get('failedJobsHistoryLimit').optInt(1, { min: 0, max: INT32_MAX }),
      jobTemplate: {
        labels: meta.get('labels').stringMap(),
        annotations: meta.get('annotations').stringMap(),
        spec: parseJobSpec(jt.get('spec'), metadata.namespace),
      },
    },
    status: EMPTY_CRONJOB_STATUS,
  };
}
