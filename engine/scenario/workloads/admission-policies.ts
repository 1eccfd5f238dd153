/**
 * v1 LimitRange and v1 ResourceQuota manifests (pkg/apis/core/validation ValidateLimitRange,
 * ValidateResourceQuota; defaults from pkg/apis/core/v1/defaults.go SetDefaults_LimitRangeItem).
 *
 * LimitRange honoured: items of type Container with default, defaultRequest, min, max (engine/api/limit-ranger.ts).
 * Refused: items of type Pod or PersistentVolumeClaim and maxLimitRequestRatio (not modeled).
 * ResourceQuota honoured: spec.hard pods, count/pods, requests.cpu, requests.memory, cpu, memory, limits.cpu,
 * limits.memory (engine/api/resource-quota.ts). Refused: any other resource, scopes and scopeSelector.
 */
import type { ContainerLimits, LimitRange, ResourceQuota } from '../../api/objects.js';
import { QuantityError, cpuToMilli, quantityValue } from '../../api/quantity.js';
import { parseMeta } from '../manifests.js';
import type { Field } from '../yaml-field.js';

export function parseLimitRange(f: Field): LimitRange {
  const metadata = parseMeta(f, true, 'subdomain');
  const limits = f.get('spec').get('limits').items().map(parseItem);
  return { kind: 'LimitRange', metadata, spec: { limits } };
}

function parseItem(f: Field): ContainerLimits {
  const type = f.get('type').str();
  if (type !== 'Container') f.get('type').fail(`only type Container is modeled, got ${JSON.stringify(type)}`);
  if (f.get('maxLimitRequestRatio').exists) f.get('maxLimitRequestRatio').fail('maxLimitRequestRatio is not modeled');
  const min = f.get('min').resourceList();
  const max = f.get('max').resourceList();
  const def: Record<string, number> = { ...f.get('default').resourceList() };
  const defReq: Record<string, number> = { ...f.get('defaultRequest').resourceList() };
  // SetDefaults_LimitRangeItem: default limit ← max; default request ← default limit, then ← min.
  for (const [k, v] of Object.entries(max)) if (!(k in def)) def[k] = v;
  for (const [k, v] of Object.entries(def)) if (!(k in defReq)) defReq[k] = v;
  for (const [k, v] of Object.entries(min)) if (!(k in defReq)) defReq[k] = v;
  // ValidateLimitRange: min ≤ defaultRequest ≤ default ≤ max.
  for (const [k, v] of Object.entries(defReq)) {
    if (k in min && v < min[k]) f.get('defaultRequest').fail(`${k}: default request must be at least the min`);
    if (k in def && v > def[k]) f.get('defaultRequest').fail(`${k}: default request must not exceed the default limit`);
  }
  for (const [k, v] of Object.entries(def))
    if (k in max && v > max[k]) f.get('default').fail(`${k}: default limit must not exceed the max`);
  return { default: def, defaultRequest: defReq, min, max };
}

export const QUOTA_RESOURCES = [
  'pods',
  'count/pods',
  'requests.cpu',
  'requests.memory',
  'cpu',
  'memory',
  'limits.cpu',
  'limits.memory',
] as const;

export function parseResourceQuota(f: Field): ResourceQuota {
  const metadata = parseMeta(f, true, 'subdomain');
  const spec = f.get('spec');
  for (const k of ['scopes', 'scopeSelector']) if (spec.get(k).exists) spec.get(k).fail(`${k} are not modeled`);
  const hardField = spec.get('hard');
  for (const key of hardField.keys()) {
    if (!(QUOTA_RESOURCES as readonly string[]).includes(key))
      hardField.get(key).fail(`quota on ${JSON.stringify(key)} is not modeled; expected one of ${QUOTA_RESOURCES.join(', ')}`);
  }
  // Stored by resource: cpu amounts in millicores, memory in bytes, pod counts as integers.
  const hard: Record<string, number> = {};
  for (const key of hardField.keys()) {
    const text = hardField.get(key).scalarString();
    try {
      hard[key] = key.endsWith('cpu') ? cpuToMilli(text) : quantityValue(text);
    } catch (err) {
      if (!(err instanceof QuantityError)) throw err;
      hardField
        .get(key)
        .fail(
          `expected a quantity such as ${key.endsWith('cpu') ? '"2" or "500m"' : key.endsWith('memory') ? '"8Gi"' : '10'}, got ${JSON.stringify(text)}`,
        );
    }
    if (!Number.isInteger(hard[key]) || hard[key] < 0)
      hardField.get(key).fail(`expected a non-negative whole amount, got ${JSON.stringify(text)}`);
  }
  return { kind: 'ResourceQuota', metadata, spec: { hard } };
}
