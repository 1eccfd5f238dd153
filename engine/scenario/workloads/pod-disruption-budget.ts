/**
 * policy/v1 PodDisruptionBudget manifests, validated as pkg/apis/policy/validation
 * ValidatePodDisruptionBudgetSpec: minAvailable and maxUnavailable are non-negative integers or percentages of at
 * most 100%, and not both. Honoured: selector, minAvailable, maxUnavailable (engine/controllers/disruption.ts,
 * the Eviction API in engine/api/eviction.ts, preemption and the cluster autoscaler). Refused: a budget with
 * neither field (it protects nothing; upstream accepts it and never allows a disruption of its pods, which is
 * almost certainly not what was meant), unhealthyPodEvictionPolicy AlwaysAllow (only the default IfHealthyBudget
 * is modeled).
 */
import { EMPTY_PDB_STATUS, type IntOrPercent, type PodDisruptionBudget } from '../../api/objects.js';
import { parseIntOrPercent, parseLabelSelector, parseMeta } from '../manifests.js';
import type { Field } from '../yaml-field.js';

export function parsePodDisruptionBudget(f: Field): PodDisruptionBudget {
  const metadata = parseMeta(f, true, 'subdomain');
  const spec = f.get('spec');
  const minField = spec.get('minAvailable');
  const maxField = spec.get('maxUnavailable');
  const present = (x: Field): boolean => x.exists && x.kind() !== 'null';
  if (present(minField) && present(maxField)) maxField.fail('minAvailable and maxUnavailable cannot both be set');
  if (!present(minField) && !present(maxField))
    spec.fail('expected minAvailable or maxUnavailable (an integer such as 1 or a percentage such as "50%")');
  const amount = (x: Field): IntOrPercent => {
    const v = parseIntOrPercent(x);
    if (v.percent && v.value > 100) x.fail('must not be greater than 100%');
    return v;
  };
  const policy = spec.get('unhealthyPodEvictionPolicy').optOneOf(['IfHealthyBudget', 'AlwaysAllow'] as const, 'IfHealthyBudget');
  if (policy === 'AlwaysAllow')
    spec.get('unhealthyPodEvictionPolicy').fail('AlwaysAllow is not modeled; only the default IfHealthyBudget is');
  const selField = spec.get('selector');
  const selector = present(selField) ? parseLabelSelector(selField) : null;
  return {
    kind: 'PodDisruptionBudget',
    metadata,
    spec: { selector, ...(present(minField) ? { minAvailable: amount(minField) } : { maxUnavailable: amount(maxField) }) },
    status: EMPTY_PDB_STATUS,
  };
}
