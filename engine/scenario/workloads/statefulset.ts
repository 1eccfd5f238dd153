/**
 * apps/v1 StatefulSet manifests, validated as pkg/apis/apps/validation ValidateStatefulSet and defaulted as
 * pkg/apis/apps/v1/defaults.go SetDefaults_StatefulSet (replicas 1, podManagementPolicy OrderedReady,
 * updateStrategy RollingUpdate with partition 0).
 *
 * Honoured: replicas, selector, template, podManagementPolicy, ordinals.start (engine/controllers/statefulset.ts).
 * Honoured too: volumeClaimTemplates (one claim per template and pod, created by the controller), with the
 * default persistentVolumeClaimRetentionPolicy (Retain).
 * Validated and without effect: serviceName (DNS only), updateStrategy (a StatefulSet is created once and never
 * updated in a run), revisionHistoryLimit. Refused: a non-zero minReadySeconds (not modeled) and
 * persistentVolumeClaimRetentionPolicy.whenScaled Delete.
 */
import { EMPTY_STATEFULSET_STATUS, type PersistentVolumeClaim, type StatefulSet } from '../../api/objects.js';
import { parseClaimBody } from './storage.js';
import { parseIntOrPercent, parseMeta, parseReplicatedSpec, rollingUpdateOf } from '../manifests.js';
import type { Field } from '../yaml-field.js';
import { checkFields, STATEFULSET_SPEC } from '../field-dispositions.js';

const INT32_MAX = 2 ** 31 - 1;

export function parseStatefulSet(f: Field): StatefulSet {
  const metadata = parseMeta(f, true, 'subdomain');
  const spec = f.get('spec');
  checkFields(spec, STATEFULSET_SPEC);
  const volumeClaimTemplates = parseClaimTemplates(spec.get('volumeClaimTemplates'), metadata.namespace);
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
    spec: {
      replicas,
      selector,
      template,
      podManagementPolicy,
      ordinalsStart,
      ...(volumeClaimTemplates.length === 0 ? {} : { volumeClaimTemplates }),
    },
    status: EMPTY_STATEFULSET_STATUS,
  };
}

/** ValidateStatefulSetUpdateStrategy. */
function checkUpdateStrategy(f: Field): void {
  if (!f.exists) return;
  const ru = rollingUpdateOf(f, 'OnDelete');
  if (ru === null) return;
  ru.get('partition').optInt(0, { min: 0, max: INT32_MAX });
  if (ru.get('maxUnavailable').exists) {
    const m = parseIntOrPercent(ru.get('maxUnavailable'));
    if (m.value === 0) ru.get('maxUnavailable').fail('must be greater than 0');
    if (m.percent && m.value > 100) ru.get('maxUnavailable').fail('must not be greater than 100%');
  }
}

/**
 * persistentVolumeClaimRetentionPolicy: Retain (the default) is what the controller does; Delete on scale-down is
 * refused (it would free volumes and zones kubesim keeps); whenDeleted has no effect (sets are never deleted).
 */
function checkRetentionPolicy(f: Field): void {
  if (!f.exists) return;
  f.get('whenDeleted').optOneOf(['Retain', 'Delete'] as const, 'Retain');
  const scaled = f.get('whenScaled').optOneOf(['Retain', 'Delete'] as const, 'Retain');
  if (scaled === 'Delete') f.get('whenScaled').fail('whenScaled: Delete is not modeled (claims are kept on scale-down); expected Retain');
}

/** volumeClaimTemplates: claims named by metadata.name (unique), each a claim spec (storage.ts parseClaimBody). */
function parseClaimTemplates(f: Field, namespace: string): PersistentVolumeClaim[] {
  const out: PersistentVolumeClaim[] = [];
  for (const item of f.items()) {
    const metadata = parseMeta(item, false, 'subdomain');
    if (out.some((c) => c.metadata.name === metadata.name))
      item
        .get('metadata')
        .get('name')
        .fail(`duplicate claim template ${JSON.stringify(metadata.name)}`);
    out.push({ kind: 'PersistentVolumeClaim', metadata: { ...metadata, namespace }, ...parseClaimBody(item) });
  }
  return out;
}
