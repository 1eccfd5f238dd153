/**
 * NodeResourcesBalancedAllocation as a Score plugin (framework/plugin.ts), for any configured resource list
 * (balanced_allocation.go); the fused kernel specialises cpu + memory (least-allocated-balanced.ts).
 */
import type { PodRequests } from '../../../api/pod-resources.js';
import type { FilterCycle, ScoreCycle, ScorePlugin } from '../../framework/plugin.js';
import type { NodeTable } from '../../node-table.js';
import type { ResourceSpec } from '../node-resources-fit/index.js';
import { R_SCALAR, kindOf, nodeAlloc, nodeRequested, podAmount } from '../node-resources-fit/resource-columns.js';
import { NAME, balanceN, balancedScore } from './index.js';

export class BalancedAllocationPlugin implements ScorePlugin {
  readonly name = NAME;
  readonly kinds: Int32Array;
  readonly names: readonly string[];
  private readonly withPod: number[] = [];
  private readonly withoutPod: number[] = [];

  constructor(resources: readonly ResourceSpec[]) {
    this.kinds = Int32Array.from(resources, (r) => kindOf(r.name));
    this.names = resources.map((r) => r.name);
  }

  /** v1.33+ PreScore: Skip for a pod requesting none of the configured resources (PR #130260). */
  active(r: PodRequests): boolean {
    for (let k = 0; k < this.kinds.length; k++) if (podAmount(r, this.kinds[k], this.names[k], false) !== 0) return true;
    return false;
  }

  score(c: ScoreCycle, feasible: Int32Array, found: number, w: number, out: Float64Array): void {
    const r = c.pod.requests;
    if (!this.active(r)) return;
    for (let f = 0; f < found; f++) out[f] += this.nodeScore(c.t, feasible[f], r) * w;
  }

  private nodeScore(t: NodeTable, i: number, r: PodRequests): number {
    const withPod = this.withPod;
    const withoutPod = this.withoutPod;
    withPod.length = 0;
    withoutPod.length = 0;
    for (let k = 0; k < this.kinds.length; k++) {
      const kind = this.kinds[k];
      const podReq = podAmount(r, kind, this.names[k], false);
      if (kind === R_SCALAR && podReq === 0) continue;
      const alloc = nodeAlloc(t, i, kind, this.names[k]);
      if (alloc === 0) continue;
      const req = nodeRequested(t, i, kind, this.names[k], false);
      withPod.push(Math.min((req + podReq) / alloc, 1));
      withoutPod.push(Math.min(req / alloc, 1));
    }
    return balancedScore(balanceN(withPod), balanceN(withoutPod));
  }

  uniform(_c: FilterCycle): boolean {
    return false;
  }
}
