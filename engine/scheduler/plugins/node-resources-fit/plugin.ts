/**
 * NodeResourcesFit as Filter and Score plugins (framework/plugin.ts), written per resource as fit.go and
 * resource_allocation.go do. The fused kernel inlines the Filter's cpu/memory/ephemeral/pods test and fuses
 * the default cpu+memory score with BalancedAllocation; this class is the plain definition both are checked
 * against (test/framework-differential.test.ts).
 */
import {
  CHECK,
  PASS,
  UNRESOLVABLE,
  UNSCHEDULABLE,
  type FilterCycle,
  type FilterPlugin,
  type PreFilterStatus,
  type ScoreCycle,
  type ScorePlugin,
} from '../../framework/plugin.js';
import { NODE_RESOURCES_FIT } from '../../framework/rejectors.js';
import type { NodeTable } from '../../node-table.js';
import type { PodInput } from '../../pod-input.js';
import {
  NAME,
  REASON_INSUFFICIENT,
  REASON_INSUFFICIENT_CPU,
  REASON_INSUFFICIENT_EPHEMERAL,
  REASON_INSUFFICIENT_MEMORY,
  REASON_TOO_MANY_PODS,
  checkedScalars,
  goRound,
  leastAllocated,
  mostAllocated,
  requestedToCapacityRatio,
  type IgnoredResources,
  type ScoringStrategy,
} from './index.js';
import { R_SCALAR, kindOf, nodeAlloc, nodeRequested, podAmount } from './resource-columns.js';

export class NodeResourcesFitPlugin implements FilterPlugin, ScorePlugin {
  readonly name = NAME;
  readonly bit = NODE_RESOURCES_FIT;
  readonly rejection = '';
  readonly kinds: Int32Array;
  readonly weights: Float64Array;
  readonly names: readonly string[];
  /** The shape scaled from 0..10 to 0..100 scores (requested_to_capacity_ratio.go). */
  readonly shapeU: readonly number[];
  readonly shapeS: readonly number[];
  /** NodeResourcesFitArgs.ignoredResources / ignoredResourceGroups; null when none (the common case). */
  private readonly ignored: IgnoredResources | null;
  private pod: PodInput | null = null;
  /** The pod's scalar requests the Filter checks this cycle (without the ignored ones). */
  scalars: Readonly<Record<string, number>> = {};

  constructor(
    readonly strategy: ScoringStrategy,
    ignoredResources: readonly string[],
    ignoredResourceGroups: readonly string[],
  ) {
    const fr = strategy.resources;
    this.kinds = Int32Array.from(fr, (r) => kindOf(r.name));
    this.weights = Float64Array.from(fr, (r) => r.weight);
    this.names = fr.map((r) => r.name);
    this.shapeU = strategy.shape.map((p) => p.utilization);
    this.shapeS = strategy.shape.map((p) => p.score * 10);
    this.ignored =
      ignoredResources.length + ignoredResourceGroups.length === 0
        ? null
        : { names: new Set(ignoredResources), groups: new Set(ignoredResourceGroups) };
  }

  preFilter(c: FilterCycle): PreFilterStatus {
    this.pod = c.pod;
    this.scalars = checkedScalars(c.pod.requests.scalars, this.ignored);
    return CHECK;
  }

  /** fitsRequest: every insufficient resource is a reason; v1.34+ (PR #131345) a request above allocatable is unresolvable. */
  filter(t: NodeTable, i: number, reasons: string[] | null): number {
    const r = (this.pod as PodInput).requests;
    let failed = false;
    let unresolvable = false;
    if (t.podCount[i] + 1 > t.allocPods[i]) {
      failed = true;
      reasons?.push(REASON_TOO_MANY_PODS);
    }
    if (r.cpu > 0 && r.cpu > t.allocCpu[i] - t.reqCpu[i]) {
      failed = true;
      if (r.cpu > t.allocCpu[i]) unresolvable = true;
      reasons?.push(REASON_INSUFFICIENT_CPU);
    }
    if (r.memory > 0 && r.memory > t.allocMem[i] - t.reqMem[i]) {
      failed = true;
      if (r.memory > t.allocMem[i]) unresolvable = true;
      reasons?.push(REASON_INSUFFICIENT_MEMORY);
    }
    if (r.ephemeralStorage > 0 && r.ephemeralStorage > t.allocEph[i] - t.reqEph[i]) {
      failed = true;
      if (r.ephemeralStorage > t.allocEph[i]) unresolvable = true;
      reasons?.push(REASON_INSUFFICIENT_EPHEMERAL);
    }
    const scalars = this.scalars;
    for (const name in scalars) {
      const alloc = t.scalarAlloc.get(name)?.[i] ?? 0;
      const req = t.scalarReq.get(name)?.[i] ?? 0;
      if (scalars[name] > alloc - req) {
        failed = true;
        if (scalars[name] > alloc) unresolvable = true;
        reasons?.push(REASON_INSUFFICIENT(name));
      }
    }
    if (!failed) return PASS;
    return unresolvable ? UNRESOLVABLE : UNSCHEDULABLE;
  }

  /** resource_allocation.go score: the strategy per configured resource, weighted mean (no NormalizeScore). */
  score(c: ScoreCycle, feasible: Int32Array, found: number, w: number, out: Float64Array): void {
    const { t } = c;
    const r = c.pod.requests;
    const strategy = this.strategy.type;
    for (let f = 0; f < found; f++) {
      const i = feasible[f];
      let nodeScore = 0;
      let weightSum = 0;
      for (let k = 0; k < this.kinds.length; k++) {
        const kind = this.kinds[k];
        const podReq = podAmount(r, kind, this.names[k], true);
        if (kind === R_SCALAR && podReq === 0) continue;
        const alloc = nodeAlloc(t, i, kind, this.names[k]);
        if (alloc === 0) continue;
        const req = nodeRequested(t, i, kind, this.names[k], true) + podReq;
        const rw = this.weights[k];
        if (strategy === 'LeastAllocated') {
          nodeScore += leastAllocated(req, alloc) * rw;
          weightSum += rw;
        } else if (strategy === 'MostAllocated') {
          nodeScore += mostAllocated(req, alloc) * rw;
          weightSum += rw;
        } else {
          const s = requestedToCapacityRatio(this.shapeU, this.shapeS, req, alloc);
          if (s > 0) {
            nodeScore += s * rw;
            weightSum += rw;
          }
        }
      }
      if (weightSum !== 0)
        out[f] += (strategy === 'RequestedToCapacityRatio' ? goRound(nodeScore / weightSum) : Math.trunc(nodeScore / weightSum)) * w;
    }
  }

  /** Resource scores tell nodes apart. */
  uniform(): boolean {
    return false;
  }
}
