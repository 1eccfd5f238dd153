/**
 * `parameters.clusterAutoscaler`. Defaults (cluster-autoscaler FAQ, "What are the parameters to CA?"):
 * scanInterval 10s, expander random, scaleDownUnneededTime 10m, scaleDownDelayAfterAdd 10m,
 * scaleDownUtilizationThreshold 0.5, maxEmptyBulkDelete 10, scale-down enabled; client 5 qps / burst 10
 * (client-go defaults behind --kube-client-qps/--kube-client-burst). provisioningDelay is an engineering
 * estimate (EST, docs/model/autoscaler.md: 45–90 s reported for a new node to be Ready):
 * lognormal with median 60 s and p95 180 s.
 */
import type { Field } from './yaml-field.js';
import { parseDistribution } from './distribution-field.js';
import { MICROS_PER_SECOND } from '../core/time.js';
import type { AutoscalerParams, Expander } from '../cloud/cluster-autoscaler.js';

/** z-score of the 95th percentile of the standard normal. */
const Z_P95 = 1.6448536269514722;

export const AUTOSCALER_DEFAULTS: AutoscalerParams = {
  scanInterval: 10 * MICROS_PER_SECOND,
  provisioningDelay: { type: 'lognormal', median: 60 * MICROS_PER_SECOND, sigma: Math.log(3) / Z_P95 },
  expander: 'random',
  scaleDownEnabled: true,
  scaleDownUnneededTime: 600 * MICROS_PER_SECOND,
  scaleDownDelayAfterAdd: 600 * MICROS_PER_SECOND,
  scaleDownUtilizationThreshold: 0.5,
  maxEmptyBulkDelete: 10,
  client: { qps: 5, burst: 10 },
};

export function parseAutoscaler(f: Field): AutoscalerParams {
  const d = AUTOSCALER_DEFAULTS;
  f.rejectUnknownKeys([
    'scanInterval',
    'provisioningDelay',
    'expander',
    'scaleDownEnabled',
    'scaleDownUnneededTime',
    'scaleDownDelayAfterAdd',
    'scaleDownUtilizationThreshold',
    'maxEmptyBulkDelete',
    'qps',
    'burst',
  ]);
  const scanInterval = f.get('scanInterval').optDuration(d.scanInterval);
  if (scanInterval <= 0) f.get('scanInterval').fail('expected a positive duration');
  const qps = f.get('qps').optNum(d.client.qps);
  return {
    scanInterval,
    provisioningDelay: f.get('provisioningDelay').exists ? parseDistribution(f.get('provisioningDelay')) : d.provisioningDelay,
    expander: f.get('expander').optOneOf(['random', 'least-waste', 'most-pods'] as const, d.expander) as Expander,
    scaleDownEnabled: f.get('scaleDownEnabled').optBool(d.scaleDownEnabled),
    scaleDownUnneededTime: f.get('scaleDownUnneededTime').optDuration(d.scaleDownUnneededTime),
    scaleDownDelayAfterAdd: f.get('scaleDownDelayAfterAdd').optDuration(d.scaleDownDelayAfterAdd),
    scaleDownUtilizationThreshold: f.get('scaleDownUtilizationThreshold').optNum(d.scaleDownUtilizationThreshold, { min: 0, max: 1 }),
    maxEmptyBulkDelete: f.get('maxEmptyBulkDelete').optInt(d.maxEmptyBulkDelete, { min: 1 }),
    client: qps < 0 ? { qps: Infinity, burst: Infinity } : { qps, burst: f.get('burst').optInt(d.client.burst, { min: 1 }) },
  };
}
