/**
 * apps/v1 StatefulSet manifests, validated as pkg/apis/apps/validation ValidateStatefulSet and defaulted as
 * pkg/apis/apps/v1/defaults.go SetDefaults_StatefulSet (replicas 1, podManagementPolicy OrderedReady,
 * updateStrategy RollingUpdate with partition 0).
 *
 * Honoured: replicas, selector, template, podManagementPolicy, ordinals.start (engine/controllers/statefulset.ts).
 * Validated and without effect: serviceName (DNS only), updateStrategy (a StatefulSet is created once and never
 * updated in a run), revisionHistoryLimit, persistentVolumeClaimRetentionPolicy (there are no claims).
 * Refused: volumeClaimTemplates (storage is not modeled: each pod's claims would bind volumes that constrain
 * where it can run, and kubesim cannot honour that) and a non-zero minReadySeconds (not modeled).
 */
import { EMPTY_STATEFULSET_STATUS, type StatefulSet } from '../../api/objects.js';
import { parseIntOrPercent, parseMeta, parseReplicatedSpec } from '../manifests.js';
import type { Field } from '../yaml-field.js';
import { checkFields, STATEFULSET_SPEC } from '../field-dispositions.js';

const INT32_MAX = 2 ** 31 - 1;

export function parseStatefulSet(f: Field): StatefulSet {
  const metadata = parseMeta(f, true, 'subdomain');
  const spec = f.get('spec');
  checkFields(spec, STATEFULSET_SPEC);
  const claims = spec.get('volumeClaimTemplates');
  if (claims.exists && claims.kind() !== 'null' && claims.items().length > 0) {
    claims.fail(
      'volumeClaimTemplates are not supported: kubesim does not model storage (PersistentVolumeClaims, volume binding and its zone constraints), so the pods could be placed where a real cluster would not place them; remove the field to simulate the set without volumes',
    );
  }
  const minReady = spec.get('minReadySeconds').optInt(0, { min: 0, max: INT32_MAX });
  if (minReady !== 0)
    spec
      .get('minReadySeconds')
      .fail(`minReadySeconds is not modeled (pods count as available as soon as they are Ready); expected 0 or no field, got ${minReady}`);
  const { replicas, selector, template } = parseReplicatedSpec(spec, 'StatefulSet', metadata.namespace);
  const podManagementPolicy = spec.get('podManagementPolicy').optOneOf(['OrderedReady', 'Parallel'] as const, 'OrderedReady');
  const ordinalsStart = spec.get('ordinals').get('start').optInt(0, { min: 0, max: INT32_MAX });
  spec.get('serviceName').optStr('');
  spec.get('revisionHistoryLimit').optInt(10, { min: 0, max: INT32_MAX });
  checkUpdateStrategy(spec.get('updateStrategy'));
  checkRetentionPolicy(spec.get('persistentVolumeClaimRetentionPolicy'));
  return {
    kind: 'StatefulSet',
    metadata,
    spec: { replicas, selector, template, podManagementPolicy, ordinalsStart },
    status: EMPTY_STATEFULSET_STATUS,
  };
}

/** ValidateStatefulSetUpdateStrategy. */
function checkUpdateStrategy(f: Field): void {
  if (!f.exists) return;
  const type = f.get('type').optOneOf(['RollingUpdate', 'OnDelete'] as const, 'RollingUpdate');
  const ru = f.get('rollingUpdate');
  if (type === 'OnDelete') {
    if (ru.exists) ru.fail('rollingUpdate may not be set when type is OnDelete');
    return;
  }
  ru.get('partition').optInt(0, { min: 0, max: INT32_MAX });
  if (ru.get('maxUnavailable').exists) {
    const m = parseIntOrPercent(ru.get('maxUnavailable'));
    if (m.value === 0) ru.get('maxUnavailable').fail('must be greater than 0');
    if (m.percent && m.value > 100) ru.get('maxUnavailable').fail('must not be greater than 100%');
  }
}

function checkRetentionPolicy(f: Field): void {
  if (!f.exists) return;
  f.get('whenDeleted').optOneOf(['Retain', 'Delete'] as const, 'Retain');
  f.get('whenScaled').optOneOf(['Retain', 'Delete'] as const, 'Retain');
}
