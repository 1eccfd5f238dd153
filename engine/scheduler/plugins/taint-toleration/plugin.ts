/**
 * TaintToleration as Filter and Score plugins (framework/plugin.ts); the rules are in index.ts. Filter's
 * per-cycle precomputation (which interned taints the pod does not tolerate) stands in for upstream's per-node
 * loop over taints.
 */
import { addDefaultNormalized } from '../../framework/normalize-score.js';
import {
  CHECK,
  PASS,
  SKIP,
  UNRESOLVABLE,
  type FilterCycle,
  type FilterPlugin,
  type PreFilterStatus,
  type ScoreCycle,
  type ScorePlugin,
} from '../../framework/plugin.js';
import { TAINT_TOLERATION } from '../../framework/rejectors.js';
import type { NodeTable } from '../../node-table.js';
import type { PodInput } from '../../pod-input.js';
import { NAME, firstUntolerated, isHardEffect, preferNoScheduleTolerations, reasonUntolerated, toleratedByAny } from './index.js';

export class TaintTolerationPlugin implements FilterPlugin, ScorePlugin {
  readonly name = NAME;
  readonly bit = TAINT_TOLERATION;
  readonly rejection = '';
  /** Per interned taint id: 1 if it is a NoSchedule/NoExecute taint the pod does not tolerate. */
  private untolerated = new Uint8Array(64);
  /** Per interned taint id: 1 if it is a PreferNoSchedule taint the pod does not tolerate (Score). */
  private intolerable = new Uint8Array(64);
  private pod: PodInput | null = null;

  /** TaintToleration has no PreFilter upstream; this is its per-cycle precomputation. Skip = nothing to check. */
  preFilter(c: FilterCycle): PreFilterStatus {
    const { t, pod } = c;
    this.pod = pod;
    if (t.hardTaintNodes === 0) return SKIP;
    const count = t.taints.length;
    if (this.untolerated.length < count) this.untolerated = new Uint8Array(Math.max(count, this.untolerated.length * 2));
    const u = this.untolerated;
    let any = false;
    for (let id = 0; id < count; id++) {
      const taint = t.taints[id];
      const bad = isHardEffect(taint.effect) && (pod.tolerations.length === 0 || !toleratedByAny(pod.tolerations, taint));
      u[id] = bad ? 1 : 0;
      if (bad) any = true;
    }
    return any ? CHECK : SKIP;
  }

  /** Whether row i has a NoSchedule/NoExecute taint the pod does not tolerate (after a CHECK). */
  rejects(t: NodeTable, i: number): boolean {
    if (t.hardTaints[i] === 0) return false;
    const ids = t.nodeTaints[i];
    const u = this.untolerated;
    for (let k = 0; k < ids.length; k++) if (u[ids[k]] === 1) return true;
    return false;
  }

  filter(t: NodeTable, i: number, reasons: string[] | null): number {
    if (!this.rejects(t, i)) return PASS;
    if (reasons !== null && this.pod !== null) {
      const taint = firstUntolerated(t.nodes[i].spec.taints, this.pod.tolerations);
      if (taint !== undefined) reasons.push(reasonUntolerated(taint));
    }
    return UNRESOLVABLE;
  }

  /** Score + NormalizeScore (reverse): intolerable PreferNoSchedule taints per node. */
  score(c: ScoreCycle, feasible: Int32Array, found: number, w: number, out: Float64Array): void {
    const t = c.t;
    if (t.softTaintNodes === 0) {
      // Every raw score is 0, so every node normalizes to 100.
      for (let f = 0; f < found; f++) out[f] += 100 * w;
      return;
    }
    const tolerations = preferNoScheduleTolerations(c.pod.tolerations);
    const count = t.taints.length;
    if (this.intolerable.length < count) this.intolerable = new Uint8Array(Math.max(count, this.intolerable.length * 2));
    const bad = this.intolerable;
    for (let id = 0; id < count; id++) {
      const taint = t.taints[id];
      bad[id] = taint.effect === 'PreferNoSchedule' && !toleratedByAny(tolerations, taint) ? 1 : 0;
    }
    const raw = c.raw;
    const soft = t.softTaints;
    for (let f = 0; f < found; f++) {
      const i = feasible[f];
      let n = 0;
      if (soft[i] !== 0) {
        const ids = t.nodeTaints[i];
        for (let k = 0; k < ids.length; k++) n += bad[ids[k]];
      }
      raw[f] = n;
    }
    addDefaultNormalized(raw, found, true, w, out);
  }

  /** Every raw score is 0 without PreferNoSchedule taints. */
  uniform(c: FilterCycle): boolean {
    return c.t.softTaintNodes === 0;
  }
}
