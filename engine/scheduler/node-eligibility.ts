/**
 * Node inclusion tests of PodTopologySpread (topologySpreadConstraint.matchNodeInclusionPolicies): whether a
 * node passes the pod's required node affinity (nodeSelector and requiredDuringScheduling terms, not the
 * profile's addedAffinity: nodeaffinity.GetRequiredNodeAffinity) and whether it has no NoSchedule/NoExecute
 * taint the pod does not tolerate. Compiled once per cycle against the NodeTable.
 */
import type { NodeTable } from './node-table.js';
import type { PodInput } from './pod-input.js';
import { anyTermMatches, compileNodeSelector, compileRequired, type CompiledTerms } from './plugins/node-affinity/index.js';
import { isHardEffect, toleratedByAny } from './plugins/taint-toleration/index.js';

export class NodeEligibility {
  private selector: CompiledTerms | null = null;
  private required: CompiledTerms | null = null;
  private badTaint = new Uint8Array(64);

  prepare(t: NodeTable, pod: PodInput): void {
    let any = false;
    for (const _ in pod.nodeSelector) {
      any = true;
      break;
    }
    this.selector = any ? compileNodeSelector(t, pod.nodeSelector) : null;
    const req = pod.nodeAffinity?.required;
    this.required = req === undefined ? null : compileRequired(t, req.nodeSelectorTerms);
    const count = t.taints.length;
    if (this.badTaint.length < count) this.badTaint = new Uint8Array(Math.max(count, this.badTaint.length * 2));
    for (let id = 0; id < count; id++) {
      const taint = t.taints[id];
      this.badTaint[id] = isHardEffect(taint.effect) && !toleratedByAny(pod.tolerations, taint) ? 1 : 0;
    }
  }

  /** The pod has a nodeSelector or required node affinity (nodeAffinityPolicy Honor can exclude nodes). */
  get restrictsNodes(): boolean {
    return this.selector !== null || this.required !== null;
  }

  matchesAffinity(t: NodeTable, i: number): boolean {
    if (this.selector !== null && !anyTermMatches(this.selector, i, t.labelValueNum)) return false;
    if (this.required !== null && !anyTermMatches(this.required, i, t.labelValueNum)) return false;
    return true;
  }

  toleratesTaints(t: NodeTable, i: number): boolean {
    if (t.hardTaints[i] === 0) return true;
    const ids = t.nodeTaints[i];
    for (let k = 0; k < ids.length; k++) if (this.badTaint[ids[k]] === 1) return false;
    return true;
  }
}
