/**
 * autoscaling/v2 HorizontalPodAutoscaler manifests (pkg/apis/autoscaling/validation, defaults from
 * pkg/apis/autoscaling/v2/defaults.go: minReplicas 1).
 *
 * Honoured: scaleTargetRef (a Deployment, StatefulSet or ReplicaSet), minReplicas, maxReplicas, and one metric:
 * type Resource, name cpu, target type Utilization with averageUtilization (engine/controllers/horizontal.ts).
 * The load comes from the annotation kubesim.io/cpu-load, required: the total cpu the workload is asked to do
 * over virtual time, as `time=cpu` points, e.g. "0s=2, 5m=8, 15m=3" (linear between points, constant after the
 * last), shared equally by the target's ready pods. Refused: other metrics (memory, Pods, Object, External,
 * AverageValue targets), several metrics, and spec.behavior (only the default behavior is modeled).
 */
import type { HorizontalPodAutoscaler } from '../../api/objects.js';
import { DURATION_EXPECTED, parseDuration } from '../../api/duration.js';
import { QuantityError, cpuToMilli } from '../../api/quantity.js';
import { parseMeta } from '../manifests.js';
import type { Field } from '../yaml-field.js';

export const LOAD_ANNOTATION = 'kubesim.io/cpu-load';
const INT32_MAX = 2 ** 31 - 1;

export function parseHorizontalPodAutoscaler(f: Field): HorizontalPodAutoscaler {
  const metadata = parseMeta(f, true, 'subdomain');
  const spec = f.get('spec');
  const ref = spec.get('scaleTargetRef');
  const kind = ref.get('kind').oneOf(['Deployment', 'StatefulSet', 'ReplicaSet'] as const);
  const name = ref.get('name').str();
  const minReplicas = spec.get('minReplicas').optInt(1, { min: 1, max: INT32_MAX });
  const maxReplicas = spec.get('maxReplicas').int({ min: 1, max: INT32_MAX });
  if (maxReplicas < minReplicas) spec.get('maxReplicas').fail(`must be at least minReplicas (${minReplicas})`);
  if (spec.get('behavior').exists)
    spec.get('behavior').fail('custom behavior is not modeled; remove it to use the default (scale-down stabilization 300 s)');
  const metrics = spec.get('metrics').items();
  if (metrics.length !== 1)
    spec.get('metrics').fail(`expected exactly one metric (type Resource, name cpu, target Utilization), got ${metrics.length}`);
  const m = metrics[0];
  if (m.get('type').str() !== 'Resource') m.get('type').fail('only type Resource is modeled');
  const res = m.get('resource');
  if (res.get('name').str() !== 'cpu') res.get('name').fail('only the cpu resource is modeled');
  const target = res.get('target');
  if (target.get('type').str() !== 'Utilization') target.get('type').fail('only target type Utilization is modeled');
  const targetCpuUtilization = target.get('averageUtilization').int({ min: 1, max: INT32_MAX });
  const loadText = metadata.annotations[LOAD_ANNOTATION];
  const annotations = f.get('metadata').get('annotations');
  if (loadText === undefined)
    annotations.fail(`expected the annotation ${LOAD_ANNOTATION} (the workload's total cpu over time, e.g. "0s=2, 5m=8")`);
  return {
    kind: 'HorizontalPodAutoscaler',
    metadata,
    spec: {
      scaleTargetRef: { kind, name },
      minReplicas,
      maxReplicas,
      targetCpuUtilization,
      load: parseLoad(loadText, annotations.get(LOAD_ANNOTATION)),
    },
  };
}

function parseLoad(text: string, f: Field): { at: number; milli: number }[] {
  const points = text
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '')
    .map((p) => {
      const [t, v, extra] = p.split('=');
      if (v === undefined || extra !== undefined) f.fail(`expected time=cpu points such as "0s=2, 5m=8", got ${JSON.stringify(p)}`);
      const at = parseDuration(t.trim());
      if (at === null) return f.fail(`${JSON.stringify(t.trim())}: ${DURATION_EXPECTED}`);
      let milli: number;
      try {
        milli = cpuToMilli(v.trim());
      } catch (err) {
        if (!(err instanceof QuantityError)) throw err;
        return f.fail(`${JSON.stringify(v.trim())}: expected a cpu amount such as "2" or "500m"`);
      }
      return { at, milli };
    });
  if (points.length === 0) f.fail('expected at least one time=cpu point');
  for (let i = 1; i < points.length; i++) if (points[i].at <= points[i - 1].at) f.fail('the points must be in increasing time order');
  return points;
}
