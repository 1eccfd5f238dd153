/**
 * PodTopologySpread's per-cycle state over typed arrays (formulas in plugins/pod-topology-spread/).
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
import { goRound } from './plugins/node-resources-fit/index.js';
import { HOSTNAME_LABEL, scoreForCount, topologyNormalizingWeight, type SpreadConstraint } from './plugins/pod-topology-spread/index.js';

const ZEROS = new Int32Array(0);
let zeroCol = new Int32Array(0);
/** A shared all-zero column of at least `n` entries (read-only). */
function zeros(n: number): Int32Array {
  if (zeroCol.length < n) zeroCol = new Int32Array(n);
  return zeroCol;
}
let zeroSums = new Float64Array(0);
function zeroF(n: number): Float64Array {
  if (zeroSums.length < n) zeroSums = new Float64Array(n);
  return zeroSums;
}

/**
 * For a set of topology keys: the distinct values of each key among the nodes that carry all of them, and
 * whether every node carrying one of the keys carries all (then per-key sums over all nodes equal the sums
 * over those nodes). Rebuilt only when nodes or their labels change.
 */
interface DomainIndex {
  readonly version: number;
  readonly count: number;
  readonly values: Int32Array[];
  readonly consistent: boolean;
}

const indexCache = new WeakMap<NodeTable, Map<string, DomainIndex>>();

function domainIndex(t: NodeTable, keys: readonly string[]): DomainIndex {
  let m = indexCache.get(t);
  if (m === undefined) indexCache.set(t, (m = new Map()));
  const id = keys.join('\u0000');
  const hit = m.get(id);
  if (hit !== undefined && hit.version === t.labelVersion && hit.count === t.count) return hit;
  const cols = keys.map((k) => t.labelColumn(k));
  const seen = keys.map(() => new Set<number>());
  let consistent = true;
  for (let i = 0; i < t.count; i++) {
    let have = 0;
    for (const col of cols) if (col !== undefined && col[i] !== 0) have++;
    if (have === 0) continue;
    if (have < keys.length) {
      consistent = false;
      continue;
    }
    cols.forEach((col, k) => seen[k].add((col as Int32Array)[i]));
  }
  const idx: DomainIndex = { version: t.labelVersion, count: t.count, values: seen.map((s) => Int32Array.from(s)), consistent };
  if (m.size > 64) m.clear();
  m.set(id, idx);
  return idx;
}

/** No constraint's inclusion policy can exclude a node for this pod. */
function noInclusionFiltering(t: NodeTable, cs: readonly SpreadConstraint[], elig: NodeEligibility): boolean {
  for (const c of cs) {
    if (c.honorAffinity && elig.restrictsNodes) return false;
    if (c.honorTaints && t.hardTaintNodes > 0) return false;
  }
  return true;
}

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
    const { dom } = this.slots;
    const index = noInclusionFiltering(t, cs, elig)
      ? domainIndex(
          t,
          cs.map((c) => c.topologyKey),
        )
      : null;
    if (index !== null && index.consistent) {
      // Every eligible domain's count is the incrementally kept sum over its nodes: no pass over the nodes.
      for (let k = 0; k < n; k++) {
        const c = cs[k];
        const sums = c.countable ? pods.domainSums([c.matcher], true, c.topologyKey) : null;
        const vals = index.values[k];
        for (let j = 0; j < vals.length; j++) {
          this.slots.mark(k, vals[j]);
          if (sums !== null) dom[k][vals[j]] = sums[vals[j]];
        }
      }
      this.computeMin();
      return true;
    }
    const needAff = cs.some((c) => c.honorAffinity);
    const needTaints = cs.some((c) => c.honorTaints);
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
  updateWithPod(
    t: NodeTable,
    row: number,
    podNamespace: string,
    namespace: string,
    labels: Readonly<Record<string, string>>,
    delta: number,
    elig: NodeEligibility,
  ): void {
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
    // A key no node has reads as a column of zeros (value id 0 = "no such label").
    const cols = cs.map((c) => t.labelColumn(c.topologyKey) ?? zeros(t.capacity));
    const host = cs.map((c) => c.topologyKey === HOSTNAME_LABEL);
    const counts = cs.map((c) => (c.countable ? pods.counter([c.matcher], true) : zeros(t.capacity)));
    const hasAll = (i: number): boolean => {
      for (let k = 0; k < n; k++) if (cols[k][i] === 0) return false;
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
      for (let k = 0; k < n; k++) if (!host[k]) this.slots.mark(k, cols[k][i]);
    }
    const weight = cs.map((_, k) => topologyNormalizingWeight(host[k] ? found - nIgnored : this.slots.nTouched[k]));
    const { dom, present } = this.slots;
    // Fast path: the domain counts are the incrementally kept sums per label value (every node counts).
    const fast =
      noInclusionFiltering(t, cs, elig) &&
      (!requireAll ||
        n === 1 ||
        domainIndex(
          t,
          cs.map((c) => c.topologyKey),
        ).consistent);
    const sums = cs.map((c, k) =>
      fast && !host[k] && c.countable ? pods.domainSums([c.matcher], true, c.topologyKey) : zeroF(t.labelValueNum.length),
    );
    const needAff = cs.some((c) => c.honorAffinity);
    const needTaints = cs.some((c) => c.honorTaints);
    for (let i = 0; !fast && i < t.count; i++) {
      if (requireAll && !hasAll(i)) continue;
      const affOk = !needAff || elig.matchesAffinity(t, i);
      const taintsOk = !needTaints || elig.toleratesTaints(t, i);
      for (let k = 0; k < n; k++) {
        if (host[k]) continue;
        const c = cs[k];
        if ((c.honorAffinity && !affOk) || (c.honorTaints && !taintsOk)) continue;
        const v = cols[k][i];
        if (present[k][v] === 1) dom[k][v] += counts[k][i];
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
        const v = cols[k][i];
        if (v === 0) continue;
        const cnt = host[k] ? counts[k][i] : fast ? sums[k][v] : dom[k][v];
        s += scoreForCount(cnt, cs[k].maxSkew, weight[k]);
      }
      raw[f] = goRound(s);
    }
    return true;
  }
}
