/**
 * scheduling.x-k8s.io/v1alpha1 PodGroup manifests (sigs.k8s.io/scheduler-plugins apis/scheduling/v1alpha1
 * types.go PodGroupSpec), read by the Coscheduling plugin (engine/scheduler/plugins/coscheduling/).
 *
 * Honoured: spec.minMember (int32 ≥ 0, omitempty: 0 when absent) and spec.scheduleTimeoutSeconds (int32 > 0,
 * the group's Permit wait). Refused: spec.minResources (the PreFilter cluster-capacity check is not modeled)
 * and any other spec field. status is the PodGroup controller's output, not modeled: refused.
 */
import type { PodGroup } from '../../api/objects.js';
import { parseMeta } from '../manifests.js';
import type { Field } from '../yaml-field.js';

const INT32_MAX = 2 ** 31 - 1;

export function parsePodGroup(f: Field): PodGroup {
  f.rejectUnknownKeys(['apiVersion', 'kind', 'metadata', 'spec', 'status']);
  const metadata = parseMeta(f, true, 'subdomain');
  if (f.get('status').exists) f.get('status').fail('status is written by the PodGroup controller, which is not modeled; remove it');
  const spec = f.get('spec');
  spec.rejectUnknownKeys(['minMember', 'scheduleTimeoutSeconds', 'minResources']);
  if (spec.get('minResources').exists)
    spec
      .get('minResources')
      .fail("minResources is not modeled (Coscheduling PreFilter's cluster-capacity check); remove it to gang-schedule on minMember");
  const minMember = spec.get('minMember').optInt(0, { min: 0, max: INT32_MAX });
  const t = spec.get('scheduleTimeoutSeconds');
  const scheduleTimeoutSeconds = t.exists ? t.int({ min: 1, max: INT32_MAX }) : null;
  return { kind: 'PodGroup', metadata, spec: { minMember, scheduleTimeoutSeconds } };
}
