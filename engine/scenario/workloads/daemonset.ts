/**
 * apps/v1 DaemonSet manifests, validated as pkg/apis/apps/validation ValidateDaemonSet and defaulted as
 * pkg/apis/apps/v1/defaults.go SetDefaults_DaemonSet (updateStrategy RollingUpdate, maxUnavailable 1, maxSurge 0).
 *
 * Honoured: selector, template (its pods are created by engine/controllers/daemonset.ts). Validated and without
 * effect, because a DaemonSet is created once and never updated in a run: updateStrategy, minReadySeconds,
 * revisionHistoryLimit. Refused: spec.replicas (a DaemonSet has none).
 */
import { EMPTY_DAEMONSET_STATUS, type DaemonSet } from '../../api/objects.js';
import { parseIntOrPercent, parseMeta, parseReplicatedSpec, rollingUpdateOf } from '../manifests.js';
import type { Field } from '../yaml-field.js';
import { checkFields, DAEMONSET_SPEC } from '../field-dispositions.js';

export function parseDaemonSet(f: Field): DaemonSet {
  const metadata = parseMeta(f, true, 'subdomain');
  const spec = f.get('spec');
  checkFields(spec, DAEMONSET_SPEC);
  if (spec.get('replicas').exists)
    spec.get('replicas').fail('a DaemonSet has no replicas: it runs one pod on every node that matches its template; remove the field');
  const { selector, template } = parseReplicatedSpec(spec, 'DaemonSet', metadata.namespace);
  checkUpdateStrategy(spec.get('updateStrategy'));
  spec.get('minReadySeconds').optInt(0, { min: 0, max: 2 ** 31 - 1 });
  spec.get('revisionHistoryLimit').optInt(10, { min: 0, max: 2 ** 31 - 1 });
  return { kind: 'DaemonSet', metadata, spec: { selector, template }, status: EMPTY_DAEMONSET_STATUS };
}

/** ValidateDaemonSetUpdateStrategy / ValidateRollingUpdateDaemonSet. */
function checkUpdateStrategy(f: Field): void {
  if (!f.exists) return;
  const ru = rollingUpdateOf(f, 'OnDelete');
  if (ru === null) return;
  const unavailable = ru.get('maxUnavailable').exists ? parseIntOrPercent(ru.get('maxUnavailable')) : { value: 1, percent: false };
  const surge = ru.get('maxSurge').exists ? parseIntOrPercent(ru.get('maxSurge')) : { value: 0, percent: false };
  if (unavailable.percent && unavailable.value > 100) ru.get('maxUnavailable').fail('must not be greater than 100%');
  if (surge.percent && surge.value > 100) ru.get('maxSurge').fail('must not be greater than 100%');
  if (unavailable.value === 0 && surge.value === 0) ru.get('maxUnavailable').fail('may not be 0 when maxSurge is 0');
  if (unavailable.value !== 0 && surge.value !== 0) ru.get('maxSurge').fail('may not be set when maxUnavailable is non-zero');
}
