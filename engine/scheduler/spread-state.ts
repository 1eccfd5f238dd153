/**
 * PodTopologySpread's per-cycle state over typed arrays (formulas in plugins/pod-topology-spread.ts).
 *
 * Domains are interned label value ids (NodeTable), so a domain's count is `dom[k][valueId]`: PreFilter and
 * PreScore add the per-node match counts (AssignedPods counters, maintained incrementally as pods come and
 * go) into these arrays in one pass over the nodes, and the per-node Filter/Score reads two array entries
 * per constraint. Nothing is allocated per node; the arrays are reused across cycles (only the entries
 * touched are reset).
 */
import type { AssignedPods } from './assigned-pods.js';
import type { NodeEligibility } from './node-eligibility.js';
import type { NodeTable } from './node-table.js';
import { podMatches } from './pod-matcher.js';
import { goRound } from './plugins/node-resources-fit.js';
import { HOSTNAME_LABEL, scoreForCount, topologyNormalizingWeight, type SpreadConstraint } from './plugins/pod-topology-spread.js';

const ZEROS = new Int32Array(0);

/** Per-constraint domain sums, reusable across cycles. */
class DomainSlots {
  readonly dom: Float64Array[] = [];
  readonly present: Uint8Array[] = [];
  readonly touched: Int32Array[] = [];
  readonly nTouched: number[] = [];

  /** Clears the first n slots' touched entries and sizes them for `values` label value ids. */
  reset(n: number, values: number): void {
    for (let k = 0; k < n; k++) {
      if (k >= this.dom.length || this.dom[k].length < values) {
        const size = Math.max(values, 64);
        this.dom[k] = new Float64Array(size);
        this.present[k] = new Uint8Array(size);
        this.touched[k] = new Int32Array(size);
        this.nTouched[k] = 0;
        continue;
      }
      const d = this.dom[k];
      const p = this.present[k];
      const tt = this.touched[k];
      for (let j = 0; j < this.nTouched[k]; j++) {
        d[tt[j]] = 0;
        p[tt[j]] = 0;
      }
      this.nTouched[k] = 0;
    }
  }

  mark(k: number, v: number): void {
    if (this.present[k][v] === 0) {
      this.present[k][v] = 1;
      this.touched[k][this.nTouched[k]++] = v;
    }
  }
}

/** PreFilter + Filter for DoNotSchedule constraints. */
export class SpreadFilter {
  private cs: readonly SpreadConstraint[] = [];
  private cols: (Int32Array | undefined)[] = [];
  private counts: Int32Array[] = [];
  private readonly slots = new DomainSlots();
  private readonly min: number[] = [];
  private minDirty = false;
  private used = 0;

  get active(): boolean {
    return this.cs.length > 0;
  }

  /** calPreFilterState. False when the pod has no constraint of this kind (Filter passes every node). */
  prepare(t: NodeTable, pods: AssignedPods, cs: readonly SpreadConstraint[], elig: NodeEligibility): boolean {
    this.slots.reset(this.used, 0);
    this.cs = cs;
    this.used = cs.length;
    if (cs.length === 0) return false;
    const n = cs.length;
    this.slots.reset(n, t.labelValueNum.length);
    this.cols = cs.map((c) => t.labelColumn(c.topologyKey));
    this.counts = cs.map((c) => (c.countable ? pods.counter([c.matcher], true) : ZEROS));
    const needAff = cs.some((c) => c.honorAffinity);
    const needTaints = cs.some((c) => c.honorTaints);
    const { dom } = this.slots;
    for (let i = 0; i < t.count; i++) {
      if (!this.hasAllKeys(i)) continue;
      const affOk = !needAff || elig.matchesAffinity(t, i);
      const taintsOk = !needTaints || elig.toleratesTaints(t, i);
      for (let k = 0; k < n; k++) {
        const c = cs[k];
        if ((c.honorAffinity && !affOk) || (c.honorTaints && !taintsOk)) continue;
        const v = (this.cols[k] as Int32Array)[i];
        this.slots.mark(k, v);
        const cnt = this.counts[k];
        if (cnt.length > i) dom[k][v] += cnt[i];
      }
    }
    this.computeMin();
    return true;
  }

  /** 0 = passes, 1 = a topology key is missing (UnschedulableAndUnresolvable), 2 = skew too large. */
  check(i: number): number {
    if (this.minDirty) this.computeMin();
    const cs = this.cs;
    for (let k = 0; k < cs.length; k++) {
      const col = this.cols[k];
      const v = col === undefined ? 0 : col[i];
      if (v === 0) return 1;
      const c = cs[k];
      if (this.slots.dom[k][v] + (c.selfMatch ? 1 : 0) - this.min[k] > c.maxSkew) return 2;
    }
    return 0;
  }

  /** PreFilterExtensions AddPod/RemovePod (updateWithPod), used by preemption's dry runs. */
  updateWithPod(t: NodeTable, row: number, podNamespace: string, namespace: string, labels: Readonly<Record<string, string>>, delta: number, elig: NodeEligibility): void {
    if (this.cs.length === 0 || namespace !== podNamespace || !this.hasAllKeys(row)) return;
    for (let k = 0; k < this.cs.length; k++) {
      const c = this.cs[k];
      if (!podMatches(c.matcher, namespace, labels)) continue;
      if ((c.honorAffinity && !elig.matchesAffinity(t, row)) || (c.honorTaints && !elig.toleratesTaints(t, row))) continue;
      const v = (this.cols[k] as Int32Array)[row];
      this.slots.mark(k, v);
      this.slots.dom[k][v] += delta;
    }
    this.minDirty = true;
  }

  private hasAllKeys(i: number): boolean {
    for (let k = 0; k < this.cs.length; k++) {
      const col = this.cols[k];
      if (col === undefined || col[i] === 0) return false;
    }
    return true;
  }

  /** minMatchNum: the smallest count over eligible domains, 0 with fewer domains than minDomains. */
  private computeMin(): void {
    this.minDirty = false;
    const { dom, touched, nTouched } = this.slots;
    for (let k = 0; k < this.cs.length; k++) {
      let m = Infinity;
      for (let j = 0; j < nTouched[k]; j++) {
        const d = dom[k][touched[k][j]];
        if (d < m) m = d;
      }
      this.min[k] = nTouched[k] < this.cs[k].minDomains ? 0 : m;
    }
  }
}

/** PreScore + Score for ScheduleAnyway (or default) constraints; raw scores before NormalizeScore. */
export class SpreadScore {
  private readonly slots = new DomainSlots();
  private used = 0;

  /**
   * Writes raw scores and the ignored flags of the first `found` feasible nodes; false = Skip (no
   * constraints). `requireAll`: explicit constraints or non-System defaulting (nodes missing a key are ignored).
   */
  score(
    t: NodeTable,
    pods: AssignedPods,
    cs: readonly SpreadConstraint[],
    requireAll: boolean,
    feasible: Int32Array,
    found: number,
    elig: NodeEligibility,
    raw: Float64Array,
    ignored: Uint8Array,
  ): boolean {
    this.slots.reset(this.used, 0);
    this.used = cs.length;
    if (cs.length === 0 || t.count === 0) return false;
    const n = cs.length;
    // Value id 0 is the domain of nodes without the key (upstream's "" value) when not every key is required.
    this.slots.reset(n, t.labelValueNum.length);
    const cols = cs.map((c) => t.labelColumn(c.topologyKey));
    const host = cs.map((c) => c.topologyKey === HOSTNAME_LABEL);
    const counts = cs.map((c) => (c.countable ? pods.counter([c.matcher], true) : ZEROS));
    const hasAll = (i: number): boolean => {
      for (let k = 0; k < n; k++) {
        const col = cols[k];
        if (col === undefined || col[i] === 0) return false;
      }
      return true;
    };
    let nIgnored = 0;
    for (let f = 0; f < found; f++) {
      const i = feasible[f];
      if (requireAll && !hasAll(i)) {
        ignored[f] = 1;
        nIgnored++;
        continue;
      }
      ignored[f] = 0;
      for (let k = 0; k < n; k++) if (!host[k]) this.slots.mark(k, cols[k]?.[i] ?? 0);
    }
    const weight = cs.map((_, k) => topologyNormalizingWeight(host[k] ? found - nIgnored : this.slots.nTouched[k]));
    const needAff = cs.some((c) => c.honorAffinity);
    const needTaints = cs.some((c) => c.honorTaints);
    const { dom, present } = this.slots;
    for (let i = 0; i < t.count; i++) {
      if (requireAll && !hasAll(i)) continue;
      const affOk = !needAff || elig.matchesAffinity(t, i);
      const taintsOk = !needTaints || elig.toleratesTaints(t, i);
      for (let k = 0; k < n; k++) {
        if (host[k]) continue;
        const c = cs[k];
        if ((c.honorAffinity && !affOk) || (c.honorTaints && !taintsOk)) continue;
        const v = cols[k]?.[i] ?? 0;
        const cnt = counts[k];
        if (present[k][v] === 1 && cnt.length > i) dom[k][v] += cnt[i];
      }
    }
    for (let f = 0; f < found; f++) {
      if (ignored[f] === 1) {
        raw[f] = 0;
        continue;
      }
      const i = feasible[f];
      let s = 0;
      for (let k = 0; k < n; k++) {
        const v = cols[k]?.[i] ?? 0;
        if (v === 0) continue;
        const cnt = host[k] ? (counts[k].length > i ? counts[k][i] : 0) : dom[k][v];
        s += scoreForCount(cnt, cs[k].maxSkew, weight[k]);
      }
      raw[f] = goRound(s);
    }
    return true;
  }
}
