/**
 * `parameters.nodeLifecycle`: node leases, the node lifecycle controller and taint-based eviction. Defaults
 * and sources:
 *   leaseDuration 40s, renewIntervalFraction 0.25 → renewals every 10 s (kubelet nodeLeaseDurationSeconds,
 *     pkg/kubelet/apis/config/v1beta1/defaults.go; NodeLeaseRenewIntervalFraction, pkg/kubelet/kubelet.go)
 *   monitorPeriod 5s (--node-monitor-period), gracePeriod 50s (--node-monitor-grace-period: 50 s since v1.32,
 *     kubernetes/kubernetes#126287; 40 s before), evictionRate 0.1, secondaryEvictionRate 0.01,
 *     largeClusterThreshold 50, unhealthyZoneThreshold 0.55 (kube-controller-manager NodeLifecycleController
 *     options, pkg/controller/nodelifecycle/config)
 * `enabled` defaults to on when the scenario injects faults or autoscales node pools: leases and the monitor
 * loop never stop, so an enabled run always lasts its full `duration` (without faults they change no result).
 */
import type { RateLimit } from '../api/rate-limiter.js';
import type { NodeLifecycleParams } from '../controllers/node-lifecycle.js';
import { MICROS_PER_SECOND } from '../core/time.js';
import type { NodeLeaseParams } from '../node/kubelet.js';
import type { Field } from './yaml-field.js';

export interface NodeLifecycleConfig {
  /** null = decided by the scenario (on with faults or autoscaling). */
  readonly enabled: boolean | null;
  readonly controller: NodeLifecycleParams;
  readonly lease: NodeLeaseParams;
  /** The taint eviction controller's client (kube-controller-manager's). */
  readonly evictionClient: RateLimit;
}

export const NODE_LIFECYCLE_DEFAULTS = {
  leaseDurationSeconds: 40,
  renewIntervalFraction: 0.25,
  monitorPeriod: 5 * MICROS_PER_SECOND,
  gracePeriod: 50 * MICROS_PER_SECOND,
  evictionRate: 0.1,
  secondaryEvictionRate: 0.01,
  largeClusterThreshold: 50,
  unhealthyZoneThreshold: 0.55,
} as const;

export function parseNodeLifecycle(f: Field, client: RateLimit): NodeLifecycleConfig {
  const d = NODE_LIFECYCLE_DEFAULTS;
  f.rejectUnknownKeys([
    'enabled',
    'leaseDuration',
    'renewIntervalFraction',
    'monitorPeriod',
    'gracePeriod',
    'evictionRate',
    'secondaryEvictionRate',
    'largeClusterThreshold',
    'unhealthyZoneThreshold',
  ]);
  const lease = f.get('leaseDuration').optDuration(d.leaseDurationSeconds * MICROS_PER_SECOND);
  if (lease < MICROS_PER_SECOND) f.get('leaseDuration').fail('expected at least 1s');
  const monitorPeriod = f.get('monitorPeriod').optDuration(d.monitorPeriod);
  if (monitorPeriod <= 0) f.get('monitorPeriod').fail('expected a positive duration');
  const gracePeriod = f.get('gracePeriod').optDuration(d.gracePeriod);
  if (gracePeriod <= 0) f.get('gracePeriod').fail('expected a positive duration');
  return {
    enabled: f.get('enabled').exists ? f.get('enabled').bool() : null,
    lease: {
      durationSeconds: lease / MICROS_PER_SECOND,
      renewIntervalFraction: f.get('renewIntervalFraction').optNum(d.renewIntervalFraction, { min: 0.01, max: 1 }),
    },
    controller: {
      client,
      monitorPeriod,
      gracePeriod,
      evictionRate: f.get('evictionRate').optNum(d.evictionRate, { min: 0 }),
      secondaryEvictionRate: f.get('secondaryEvictionRate').optNum(d.secondaryEvictionRate, { min: 0 }),
      largeClusterThreshold: f.get('largeClusterThreshold').optInt(d.largeClusterThreshold, { min: 0 }),
      unhealthyZoneThreshold: f.get('unhealthyZoneThreshold').optNum(d.unhealthyZoneThreshold, { min: 0, max: 1 }),
    },
    evictionClient: client,
  };
}
