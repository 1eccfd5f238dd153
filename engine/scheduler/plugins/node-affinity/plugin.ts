/**
 * NodeAffinity as PreFilter/Filter and PreScore/Score plugins (framework/plugin.ts), with NodeAffinityArgs'
 * addedAffinity applied to every pod. The terms are compiled against the node table once per cycle (index.ts).
 */
import type { NodeAffinity } from '../../../api/objects.js';
import { addDefaultNormalized } from '../../framework/normalize-score.js';
import {
  CHECK,
  PASS,
  REJECT,
  SKIP,
  UNRESOLVABLE,
  type FilterCycle,
  type FilterPlugin,
  type NodeNamesPreFilter,
  type PreFilterStatus,
  type ScoreCycle,
  type ScorePlugin,
} from '../../framework/plugin.js';
import { NODE_AFFINITY } from '../../framework/rejectors.js';
import type { NodeTable } from '../../node-table.js';
import { hasKeys, type PodInput } from '../../pod-input.js';
import {
  NAME,
  REASON_CONFLICT,
  REASON_ENFORCED,
  REASON_POD,
  anyTermMatches,
  compileNodeSelector,
  compilePreferred,
  compileRequired,
  matchingWeight,
  preFilterNodeNames,
  type CompiledTerms,
} from './index.js';

export class NodeAffinityPlugin implements FilterPlugin, NodeNamesPreFilter, ScorePlugin {
  readonly name = NAME;
  readonly bit = NODE_AFFINITY;
  readonly rejection = REASON_CONFLICT;
  private selector: CompiledTerms | null = null;
  private required: CompiledTerms | null = null;
  private enforced: CompiledTerms | null = null;
  private names: ReadonlySet<string> | null = null;

  /**
   * @param addedAffinity NodeAffinityArgs.addedAffinity.
   * @param preFilterEnabled whether NodeAffinity runs at PreFilter (its PreFilterResult restricts the search).
   */
  constructor(
    readonly addedAffinity: NodeAffinity | undefined,
    private readonly preFilterEnabled: boolean,
  ) {}

  /** Skip without a nodeSelector, required terms or addedAffinity.required; Reject when metadata.name terms conflict. */
  preFilter(c: FilterCycle): PreFilterStatus {
    const { t, pod } = c;
    const required = pod.nodeAffinity?.required;
    const enforced = this.addedAffinity?.required;
    this.selector = hasKeys(pod.nodeSelector) ? compileNodeSelector(t, pod.nodeSelector) : null;
    this.required = required === undefined ? null : compileRequired(t, required.nodeSelectorTerms);
    this.enforced = enforced === undefined ? null : compileRequired(t, enforced.nodeSelectorTerms);
    this.names = null;
    if (this.selector === null && this.required === null && this.enforced === null) return SKIP;
    if (this.preFilterEnabled) {
      this.names = preFilterNodeNames(pod.nodeAffinity);
      if (this.names !== null && this.names.size === 0) return REJECT;
    }
    return CHECK;
  }

  preFilterNodeNames(): ReadonlySet<string> | null {
    return this.names;
  }

  /** null when row i passes, else the failure reason. */
  reason(t: NodeTable, i: number): string | null {
    const num = t.labelValueNum;
    if (this.enforced !== null && !anyTermMatches(this.enforced, i, num)) return REASON_ENFORCED;
    if (this.selector !== null && !anyTermMatches(this.selector, i, num)) return REASON_POD;
    if (this.required !== null && !anyTermMatches(this.required, i, num)) return REASON_POD;
    return null;
  }

  filter(t: NodeTable, i: number, reasons: string[] | null): number {
    const reason = this.reason(t, i);
    if (reason === null) return PASS;
    reasons?.push(reason);
    return UNRESOLVABLE;
  }

  /** RunPreScorePlugins: preferred terms that do not parse fail the cycle (an Error status). */
  preScoreError(pod: PodInput): string | null {
    return pod.preferredAffinityError;
  }

  /** PreScore (Skip without preferred terms), Score, NormalizeScore. */
  score(c: ScoreCycle, feasible: Int32Array, found: number, w: number, out: Float64Array): void {
    const t = c.t;
    const own = c.pod.nodeAffinity?.preferred;
    const added = this.addedAffinity?.preferred;
    const hasAdded = added !== undefined && added.length > 0;
    if (own === undefined && !hasAdded) return;
    const num = t.labelValueNum;
    const ownTerms = own === undefined ? null : compilePreferred(t, own);
    const addedTerms = hasAdded ? compilePreferred(t, added) : null;
    const raw = c.raw;
    for (let f = 0; f < found; f++) {
      const i = feasible[f];
      let s = 0;
      if (addedTerms !== null) s += matchingWeight(addedTerms, i, num);
      if (ownTerms !== null) s += matchingWeight(ownTerms, i, num);
      raw[f] = s;
    }
    addDefaultNormalized(raw, found, false, w, out);
  }

  /** PreScore Skips without preferred terms. */
  uniform(c: FilterCycle): boolean {
    return c.pod.nodeAffinity?.preferred === undefined && (this.addedAffinity?.preferred?.length ?? 0) === 0;
  }
}
