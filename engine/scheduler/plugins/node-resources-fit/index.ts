/**
 * NodeResourcesFit (pkg/scheduler/framework/plugins/noderesources/fit.go, least_allocated.go,
 * most_allocated.go, requested_to_capacity_ratio.go; formulas in docs/model/scheduler.md,
 * §5.1). Go's int64 arithmetic is reproduced with float64 plus Math.trunc: every intermediate here stays below
 * 2^53 (memory in bytes × 100 stays exact up to 90 PB), so results are bit-identical to upstream.
 */

import { isQualifiedName } from '../../../api/validation.js';

export const NAME = 'NodeResourcesFit';

export type ScoringStrategyType = 'LeastAllocated' | 'MostAllocated' | 'RequestedToCapacityRatio';

export interface ResourceSpec {
  readonly name: string;
  readonly weight: number;
}

/** A shape point of RequestedToCapacityRatio: utilization 0..100 → score 0..10 (scaled ×10 when compiled). */
export interface ShapePoint {
  readonly utilization: number;
  readonly score: number;
}

export interface ScoringStrategy {
  readonly type: ScoringStrategyType;
  readonly resources: readonly ResourceSpec[];
  readonly shape: readonly ShapePoint[];
}

/** pkg/scheduler/apis/config/v1/defaults.go: LeastAllocated over cpu and memory, weight 1 each. */
export const DEFAULT_SCORING_STRATEGY: ScoringStrategy = {
  type: 'LeastAllocated',
  resources: [
    { name: 'cpu', weight: 1 },
    { name: 'memory', weight: 1 },
  ],
  shape: [],
};

/**
 * NodeResourcesFitArgs.ignoredResources / ignoredResourceGroups: extended resources the Filter does not check
 * (fit.go fitsRequest: a resource whose full name is listed, or whose prefix before '/' is a listed group).
 */
export interface IgnoredResources {
  readonly names: ReadonlySet<string>;
  readonly groups: ReadonlySet<string>;
}

/** v1helper.IsExtendedResourceName: not native (no '/', or a kubernetes.io/ name), not requests.*, a qualified name with the requests. prefix. */
export function isExtendedResourceName(name: string): boolean {
  if (!name.includes('/') || name.includes('kubernetes.io/')) return false;
  if (name.startsWith('requests.')) return false;
  return isQualifiedName(`requests.${name}`);
}

/** Whether fitsRequest skips this scalar resource. */
export function isIgnoredResource(name: string, ignored: IgnoredResources): boolean {
  if (!isExtendedResourceName(name)) return false;
  return ignored.names.has(name) || (ignored.groups.size > 0 && ignored.groups.has(name.slice(0, name.indexOf('/'))));
}

/**
 * The scalar requests the Filter checks: all of them without ignored resources (the same object, no allocation),
 * else a copy without the ignored ones. Once per cycle.
 */
export function checkedScalars(
  scalars: Readonly<Record<string, number>>,
  ignored: IgnoredResources | null,
): Readonly<Record<string, number>> {
  if (ignored === null) return scalars;
  let out: Record<string, number> | null = null;
  for (const name in scalars) {
    if (isIgnoredResource(name, ignored)) {
      if (out === null) out = { ...scalars };
      delete out[name];
    }
  }
  return out ?? scalars;
}

/** Filter failure reasons, in upstream's order and wording (fit.go fitsRequest). */
export const REASON_TOO_MANY_PODS = 'Too many pods';
export const REASON_INSUFFICIENT = (resource: string): string => `Insufficient ${resource}`;
export const REASON_INSUFFICIENT_CPU = REASON_INSUFFICIENT('cpu');
export const REASON_INSUFFICIENT_MEMORY = REASON_INSUFFICIENT('memory');
export const REASON_INSUFFICIENT_EPHEMERAL = REASON_INSUFFICIENT('ephemeral-storage');

/** least_allocated.go leastResourceScorer, for one resource: (capacity - requested) * 100 / capacity. */
export function leastAllocated(requested: number, capacity: number): number {
  if (capacity === 0 || requested > capacity) return 0;
  return Math.trunc(((capacity - requested) * 100) / capacity);
}

/** most_allocated.go mostResourceScorer: requested clamped to capacity, * 100 / capacity. */
export function mostAllocated(requested: number, capacity: number): number {
  if (capacity === 0) return 0;
  const r = requested > capacity ? capacity : requested;
  return Math.trunc((r * 100) / capacity);
}

/**
 * helper.BuildBrokenLinearFunction over shape points already scaled to 0..100 scores; the interpolation uses
 * Go integer division.
 */
export function brokenLinear(utilization: readonly number[], score: readonly number[], p: number): number {
  const n = utilization.length;
  for (let i = 0; i < n; i++) {
    if (p <= utilization[i]) {
      if (i === 0) return score[0];
      return score[i - 1] + Math.trunc(((score[i] - score[i - 1]) * (p - utilization[i - 1])) / (utilization[i] - utilization[i - 1]));
    }
  }
  return score[n - 1];
}

/** requested_to_capacity_ratio.go: the resource's utilization mapped through the shape. */
export function requestedToCapacityRatio(
  utilization: readonly number[],
  score: readonly number[],
  requested: number,
  capacity: number,
): number {
  if (capacity === 0 || requested > capacity) return brokenLinear(utilization, score, 100);
  return brokenLinear(utilization, score, Math.trunc((requested * 100) / capacity));
}

/** Go's math.Round: half away from zero. */
export function goRound(x: number): number {
  return x < 0 ? -Math.round(-x) : Math.round(x);
}
