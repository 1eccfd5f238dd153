/**
 * InterPodAffinity's per-cycle state over typed arrays (rules in plugins/inter-pod-affinity/).
 *
 * Upstream keeps maps topologyPair → count; here a pair is (term or key slot, label value id) and each slot
 * is a Float64Array indexed by value id. The incoming pod's terms read the AssignedPods counters (per-node
 * match counts kept incrementally) and fold them into domains in one pass over the nodes; existing pods'
 * terms are visited only for pods that have (anti-)affinity, as upstream's PodsWithAffinity lists.
 */
import type { AssignedPod, AssignedPods } from './assigned-pods.js';
import type { NodeTable } from './node-table.js';
import type { PodInput } from './pod-input.js';
import { podMatches } from './pod-matcher.js';
import { matchesAllTerms, type AffinityTerm, type PodAffinityInfo } from './plugins/inter-pod-affinity/index.js';

/** A growable set of per-domain sums, one slot per term or topology key. */
class Slots {
  cols: (Int32Array | undefined)[] = [];
  sums: Float64Array[] = [];
  private touched: Int32Array[] = [];
  private nTouched: number[] = [];
  private present: Uint8Array[] = [];
  n = 0;
  readonly keys: string[] = [];

  clear(): void {
    for (let k = 0; k < this.n; k++) {
      const s = this.sums[k];
      const p = this.present[k];
      const tt = this.touched[k];
      for (let j = 0; j < this.nTouched[k]; j++) {
        s[tt[j]] = 0;
        p[tt[j]] = 0;
      }
      this.nTouched[k] = 0;
    }
    this.n = 0;
    this.keys.length = 0;
  }

  /** Adds a slot for topology key `key` sized for `values` ids; returns its index. */
  add(t: NodeTable, key: string): number {
    const k = this.n++;
    const values = Math.max(t.labelValueNum.length, 64);
    if (k >= this.sums.length || this.sums[k].length < values) {
      this.sums[k] = new Float64Array(values);
      this.present[k] = new Uint8Array(values);
      this.touched[k] = new Int32Array(values);
      this.nTouched[k] = 0;
    }
    this.cols[k] = t.labelColumn(key);
    this.keys[k] = key;
    return k;
  }

  /** The slot of topology key `key`, added if absent (slots keyed by topology key). */
  slotOf(t: NodeTable, key: string): number {
    const k = this.keys.indexOf(key);
    return k >= 0 ? k : this.add(t, key);
  }

  bump(k: number, v: number, d: number): void {
    if (this.present[k][v] === 0) {
      this.present[k][v] = 1;
      this.touched[k][this.nTouched[k]++] = v;
    }
    this.sums[k][v] += d;
  }

  /** Whether slot k has any entry (a pair that was counted, even if it nets to zero). */
  hasEntries(k: number): boolean {
    return this.nTouched[k] > 0;
  }
}

/** PreFilter + Filter. */
export class AffinityFilter {
  /** Incoming pod's required affinity terms, one slot each; counts of pods matching ALL of them. */
  private readonly aff = new Slots();
  private affTotal = 0;
  private selfMatchesAll = false;
  private affTerms: readonly AffinityTerm[] = [];
  /** Incoming pod's required anti-affinity terms, one slot each. */
  private readonly anti = new Slots();
  private antiTerms: readonly AffinityTerm[] = [];
  /** Existing pods' required anti-affinity terms matching the incoming pod, one slot per topology key. */
  private readonly existing = new Slots();
  private namespace = '';
  private labels: Readonly<Record<string, string>> = {};

  /** False = Skip: no required terms on the pod and no existing pod's anti-affinity matches it. */
  prepare(t: NodeTable, pods: AssignedPods, pod: PodInput): boolean {
    this.aff.clear();
    this.anti.clear();
    this.existing.clear();
    this.affTotal = 0;
    this.namespace = pod.namespace;
    this.labels = pod.labels;
    const info = pod.podAffinity;
    this.affTerms = info?.requiredAffinity ?? [];
    this.antiTerms = info?.requiredAnti ?? [];
    for (const e of pods.withAffinity.values()) this.addExisting(t, e, 1);
    if (this.affTerms.length > 0) {
      this.selfMatchesAll = matchesAllTerms(this.affTerms, pod.namespace, pod.labels);
      const all = pods.counter(
        this.affTerms.map((x) => x.matcher),
        false,
      );
      for (const term of this.affTerms) this.aff.add(t, term.topologyKey);
      this.fold(t, this.aff, all, true);
    }
    if (this.antiTerms.length > 0) {
      this.antiTerms.forEach((term, k) => {
        this.anti.add(t, term.topologyKey);
        this.foldOne(t, this.anti, k, pods.counter([term.matcher], false));
      });
    }
    return this.affTerms.length > 0 || this.antiTerms.length > 0 || this.existing.n > 0;
  }

  /** 0 = passes; 1 = affinity (UnschedulableAndUnresolvable); 2 = anti-affinity; 3 = existing pods' anti-affinity. */
  check(i: number): number {
    const aff = this.aff;
    if (aff.n > 0) {
      let podsExist = true;
      for (let k = 0; k < aff.n; k++) {
        const col = aff.cols[k];
        const v = col === undefined ? 0 : col[i];
        if (v === 0) return 1;
        if (aff.sums[k][v] <= 0) podsExist = false;
      }
      if (!podsExist && !(this.affTotal === 0 && this.selfMatchesAll)) return 1;
    }
    const anti = this.anti;
    for (let k = 0; k < anti.n; k++) {
      const col = anti.cols[k];
      const v = col === undefined ? 0 : col[i];
      if (v !== 0 && anti.sums[k][v] > 0) return 2;
    }
    const ex = this.existing;
    for (let k = 0; k < ex.n; k++) {
      const col = ex.cols[k];
      const v = col === undefined ? 0 : col[i];
      if (v !== 0 && ex.sums[k][v] > 0) return 3;
    }
    return 0;
  }

  /** PreFilterExtensions AddPod/RemovePod (preFilterState.updateWithPod). */
  updateWithPod(t: NodeTable, e: AssignedPod, delta: number): void {
    this.addExisting(t, e, delta);
    const ns = e.pod.metadata.namespace;
    const labels = e.pod.metadata.labels;
    if (this.affTerms.length > 0 && matchesAllTerms(this.affTerms, ns, labels)) {
      for (let k = 0; k < this.aff.n; k++) {
        const v = this.aff.cols[k]?.[e.row] ?? 0;
        if (v !== 0) {
          this.aff.bump(k, v, delta);
          this.affTotal += delta;
        }
      }
    }
    for (let k = 0; k < this.antiTerms.length; k++) {
      if (!podMatches(this.antiTerms[k].matcher, ns, labels)) continue;
      const v = this.anti.cols[k]?.[e.row] ?? 0;
      if (v !== 0) this.anti.bump(k, v, delta);
    }
  }

  private addExisting(t: NodeTable, e: AssignedPod, delta: number): void {
    const info = e.affinity;
    if (info === null) return;
    for (const term of info.requiredAnti) {
      if (!podMatches(term.matcher, this.namespace, this.labels)) continue;
      const col = t.labelColumn(term.topologyKey);
      const v = col === undefined ? 0 : col[e.row];
      if (v === 0) continue;
      this.existing.bump(this.existing.slotOf(t, term.topologyKey), v, delta);
    }
  }

  /** Sums per-node counts into every slot's domains (affinity: all slots share the same counts). */
  private fold(t: NodeTable, s: Slots, counts: Int32Array, total: boolean): void {
    for (let k = 0; k < s.n; k++) {
      const sum = this.foldOne(t, s, k, counts);
      if (total) this.affTotal += sum;
    }
  }

  private foldOne(t: NodeTable, s: Slots, k: number, counts: Int32Array): number {
    const col = s.cols[k];
    if (col === undefined) return 0;
    let sum = 0;
    const n = Math.min(t.count, counts.length);
    for (let i = 0; i < n; i++) {
      const c = counts[i];
      if (c === 0) continue;
      const v = col[i];
      if (v === 0) continue;
      s.bump(k, v, c);
      sum += c;
    }
    return sum;
  }
}

/** PreScore + Score: raw scores before NormalizeScore. */
export class AffinityScore {
  private readonly slots = new Slots();

  /** False = Skip (nothing accumulated, or ignorePreferredTermsOfExistingPods and no preferred terms). */
  score(
    t: NodeTable,
    pods: AssignedPods,
    pod: PodInput,
    hardPodAffinityWeight: number,
    ignorePreferredTermsOfExistingPods: boolean,
    feasible: Int32Array,
    found: number,
    raw: Float64Array,
  ): boolean {
    const s = this.slots;
    s.clear();
    const info: PodAffinityInfo | null = pod.podAffinity;
    const own = info === null ? 0 : info.preferredAffinity.length + info.preferredAnti.length;
    if (ignorePreferredTermsOfExistingPods && own === 0) return false;
    if (info !== null) {
      const add = (terms: readonly AffinityTerm[], sign: number): void => {
        for (const term of terms) {
          const k = s.slotOf(t, term.topologyKey);
          const col = s.cols[k];
          if (col === undefined) continue;
          const counts = pods.counter([term.matcher], false);
          const n = Math.min(t.count, counts.length);
          for (let i = 0; i < n; i++) {
            const c = counts[i];
            if (c === 0 || col[i] === 0) continue;
            s.bump(k, col[i], sign * term.weight * c);
          }
        }
      };
      add(info.preferredAffinity, 1);
      add(info.preferredAnti, -1);
    }
    {
      // processExistingPod: with the pod's own preferred terms every pod counts (the counters above); the
      // existing pods' own terms are visited for the pods that have any.
      for (const e of pods.withAffinity.values()) {
        const a = e.affinity as PodAffinityInfo;
        const apply = (terms: readonly AffinityTerm[], weight: number, sign: number): void => {
          for (const term of terms) {
            if (!podMatches(term.matcher, pod.namespace, pod.labels)) continue;
            const col = t.labelColumn(term.topologyKey);
            const v = col === undefined ? 0 : col[e.row];
            if (v === 0) continue;
            s.bump(s.slotOf(t, term.topologyKey), v, sign * (weight > 0 ? weight : term.weight));
          }
        };
        if (hardPodAffinityWeight > 0) apply(a.requiredAffinity, hardPodAffinityWeight, 1);
        apply(a.preferredAffinity, 0, 1);
        apply(a.preferredAnti, 0, -1);
      }
    }
    let any = false;
    for (let k = 0; k < s.n; k++) if (s.hasEntries(k)) any = true;
    if (!any) return false;
    for (let f = 0; f < found; f++) {
      const i = feasible[f];
      let sum = 0;
      for (let k = 0; k < s.n; k++) {
        const col = s.cols[k];
        const v = col === undefined ? 0 : col[i];
        if (v !== 0) sum += s.sums[k][v];
      }
      raw[f] = sum;
    }
    return true;
  }
}
