/**
 * The plain plugin-by-plugin scheduling cycle (framework/runtime/framework.go RunPreFilterPlugins,
 * RunFilterPlugins per node, RunScorePlugins, then schedule_one.go selectHost): every enabled plugin is called
 * through its interface, one at a time, with no fused arithmetic. It defines what the fused kernel (kernel.ts)
 * computes; test/framework-differential.test.ts runs both on randomized clusters and requires the same
 * decisions, scores and random draws. `kubesim explain` reads its per-plugin scores from here.
 */
import type { RngStream } from '../../core/rng.js';
import { AssignedPods } from '../assigned-pods.js';
import {
  numFeasibleNodesToFind,
  preScoreError,
  selectHost,
  type CycleContext,
  type Decision,
  type Diagnosis,
  type SearchState,
} from '../kernel.js';
import type { NodeTable } from '../node-table.js';
import type { PodInput } from '../pod-input.js';
import type { Profile } from '../profile.js';
import { REASON_NOT_IN_PREFILTER_RESULT } from '../plugins/node-affinity/index.js';
import { CHECK, PASS, REJECT, type FilterCycle, type FilterPlugin, type ScoreCycle } from './plugin.js';
import { profilePlugins, type ProfilePlugins } from './profile-plugins.js';

/** A cycle's outcome with what the plain path computed on the way. */
export interface RuntimeCycle {
  readonly decision: Decision;
  /** The feasible rows kept, in search order. */
  readonly feasible: Int32Array;
  /** Their weighted total scores (empty when the cycle did not score). */
  readonly totals: Float64Array;
  /** Per Score plugin (by name): its weighted contribution per feasible node. */
  readonly byPlugin: ReadonlyMap<string, Float64Array>;
}

export class PluginRuntime {
  readonly plugins: ProfilePlugins;

  constructor(readonly profile: Profile) {
    this.plugins = profilePlugins(profile);
  }

  schedule(t: NodeTable, pod: PodInput, state: SearchState, rng: RngStream, ctx: CycleContext = {}): RuntimeCycle {
    const none = (decision: Decision): RuntimeCycle => ({
      decision,
      feasible: new Int32Array(0),
      totals: new Float64Array(0),
      byPlugin: new Map(),
    });
    if (t.live === 0)
      return none({
        node: -1,
        visited: 0,
        feasible: 0,
        error: { message: 'no nodes available to schedule pods', reason: 'Unschedulable' },
      });
    const pods = ctx.pods ?? new AssignedPods(t);
    const c: FilterCycle = { t, pod, pods };
    // RunPreFilterPlugins.
    const active: FilterPlugin[] = [];
    for (const p of this.plugins.filters) {
      const s = p.preFilter(c);
      if (s === REJECT)
        return none({ node: -1, visited: 0, feasible: 0, diagnosis: new Map(), preFilterMessage: p.rejection, rejectors: p.bit });
      if (s === CHECK) active.push(p);
    }
    const affinity = this.plugins.affinity;
    const names = affinity !== null && active.includes(affinity) ? affinity.preFilterNodeNames() : null;
    const window = Array.from(t.order).filter((row) => names === null || names.has(t.names[row]));
    const passes = (i: number, reasons: string[] | null): { code: number; bit: number } => {
      for (const p of active) {
        const code = p.filter(t, i, reasons);
        if (code !== PASS) return { code, bit: p.bit };
      }
      return { code: PASS, bit: 0 };
    };
    const nominated = ctx.nominated ?? [];
    for (const n of nominated) t.account(n.row, n.requests, 1, n.ports);
    const unnominate = (): void => {
      for (const n of nominated) t.account(n.row, n.requests, -1, n.ports);
    };
    const own = ctx.nominatedRow;
    if (own !== undefined && own >= 0 && own < t.count && passes(own, null).code === PASS) {
      unnominate();
      return { ...none({ node: own, visited: 1, feasible: 1 }), feasible: Int32Array.of(own) };
    }
    // findNodesThatPassFilters: from nextStartNodeIndex, until numFeasibleNodesToFind nodes pass.
    const m = window.length;
    const want = this.plugins.scores.length > 0 ? numFeasibleNodesToFind(this.profile.percentageOfNodesToScore, m) : 1;
    const kept: number[] = [];
    let visited = 0;
    const start = m === 0 ? 0 : state.nextStartNodeIndex % m;
    for (let k = 0; k < m && kept.length < want; k++) {
      const row = window[(start + k) % m];
      visited++;
      if (passes(row, null).code === PASS) kept.push(row);
    }
    state.nextStartNodeIndex = (state.nextStartNodeIndex + visited) % t.live;
    if (kept.length === 0) {
      const diagnosis: Diagnosis = new Map();
      let rejectors = 0;
      if (names !== null && t.live > m) {
        diagnosis.set(REASON_NOT_IN_PREFILTER_RESULT, t.live - m);
        rejectors |= affinity?.bit ?? 0;
      }
      for (const row of window) {
        const reasons: string[] = [];
        rejectors |= passes(row, reasons).bit;
        for (const r of reasons) diagnosis.set(r, (diagnosis.get(r) ?? 0) + 1);
      }
      unnominate();
      return none({ node: -1, visited, feasible: 0, diagnosis, rejectors });
    }
    unnominate();
    const feasible = Int32Array.from(kept);
    const found = feasible.length;
    if (found === 1) return { ...none({ node: feasible[0], visited, feasible: 1 }), feasible };
    const error = preScoreError(this.plugins.scores, pod);
    if (error !== null)
      return { ...none({ node: -1, visited, feasible: found, error: { message: error, reason: 'SchedulerError' } }), feasible };
    const scores = this.scorePlugins(t, pod, pods, feasible, rng);
    const totals = new Float64Array(found);
    for (const contribution of scores.values()) for (let f = 0; f < found; f++) totals[f] += contribution[f];
    return { decision: { node: selectHost(feasible, totals, found, rng), visited, feasible: found }, feasible, totals, byPlugin: scores };
  }

  /** RunScorePlugins: each enabled Score plugin alone over the feasible rows, its weighted scores by plugin name. */
  scorePlugins(
    t: NodeTable,
    pod: PodInput,
    pods: AssignedPods,
    feasible: Int32Array,
    rng: RngStream | undefined,
  ): Map<string, Float64Array> {
    const found = feasible.length;
    const c: ScoreCycle = { t, pod, pods, rng, raw: new Float64Array(found), ignored: new Uint8Array(found) };
    const out = new Map<string, Float64Array>();
    for (const s of this.plugins.scores) {
      const contribution = new Float64Array(found);
      s.plugin.score(c, feasible, found, s.weight, contribution);
      out.set(s.plugin.name, contribution);
    }
    return out;
  }
}
