/**
 * The scheduler cache's pods (NodeInfo.Pods, PodsWithAffinity, PodsWithRequiredAntiAffinity in
 * pkg/scheduler/framework/types.go): every pod assumed or bound to a node, by node row, kept in step with
 * the NodeTable's resource columns.
 *
 * Spreading and inter-pod affinity count "pods on node i that match selector S" for every node in every
 * cycle. Upstream rescans every pod of every node (PreFilter/PreScore are O(pods)); here each distinct
 * selector gets a counter, a typed array of per-node match counts kept up to date as pods come and go, so
 * a cycle reads counts instead of scanning pods. Counters are created on first use (one scan) and the least
 * recently used are dropped beyond MAX_COUNTERS.
 */
import type { Pod } from '../api/objects.js';
import type { PodRequests } from '../api/pod-resources.js';
import type { NodeTable } from './node-table.js';
import type { GpuGrant } from '../gpu/resources.js';
import { compileAffinity, type PodAffinityInfo } from './plugins/inter-pod-affinity/index.js';
import type { HostPort } from './plugins/node-ports/index.js';
import { podMatches, type PodMatcher } from './pod-matcher.js';

export interface AssignedPod {
  readonly key: string;
  pod: Pod;
  readonly row: number;
  readonly requests: PodRequests;
  readonly ports: readonly HostPort[];
  /** Position in its node's list. */
  slot: number;
  /** The pod's (anti-)affinity terms, compiled; null without pod (anti-)affinity. */
  readonly affinity: PodAffinityInfo | null;
  /** deletionTimestamp set: still on the node (its resources are held) until the pod is deleted. */
  terminating: boolean;
  /** The GPU devices the pod holds (Open-Gpu-Share Reserve), null without. */
  readonly gpu: GpuGrant | null;
}

interface Counter {
  /** Pods matching ALL matchers are counted. */
  readonly matchers: readonly PodMatcher[];
  /** Topology spreading skips terminating pods (countPodsMatchSelector); inter-pod affinity counts them. */
  readonly skipTerminating: boolean;
  perNode: Int32Array;
  lastUsed: number;
  /** Per topology key: match counts summed by the node's label value id (0 = nodes without the key). */
  readonly domains: Map<string, DomainSums>;
}

interface DomainSums {
  sums: Float64Array;
  /** NodeTable.labelVersion the sums were built for; -1 = stale. */
  version: number;
}

const MAX_COUNTERS = 256;

export class AssignedPods {
  private readonly byKey = new Map<string, AssignedPod>();
  private readonly byNode: AssignedPod[][] = [];
  /** Pods with pod (anti-)affinity terms, in insertion order (PodsWithAffinity). */
  readonly withAffinity = new Map<string, AssignedPod>();
  /** Required anti-affinity terms of the pods held (PodsWithRequiredAntiAffinity's terms: cycle-cost.ts). */
  requiredAntiTerms = 0;
  private readonly counters = new Map<string, Counter>();
  private useClock = 0;

  constructor(readonly table: NodeTable) {}

  get(key: string): AssignedPod | undefined {
    return this.byKey.get(key);
  }

  get size(): number {
    return this.byKey.size;
  }

  values(): IterableIterator<AssignedPod> {
    return this.byKey.values();
  }

  /** Pods on node row i, in cache order (insertion order, with removals filled from the end as upstream). */
  on(row: number): readonly AssignedPod[] {
    return this.byNode[row] ?? NONE;
  }

  /** Accounts a pod on row: resources in the NodeTable, and every counter it matches. */
  add(key: string, pod: Pod, row: number, requests: PodRequests, ports: readonly HostPort[], gpu: GpuGrant | null = null): AssignedPod {
    this.remove(key);
    while (this.byNode.length <= row) this.byNode.push([]);
    const list = this.byNode[row];
    const e: AssignedPod = {
      key,
      pod,
      row,
      requests,
      ports,
      slot: list.length,
      affinity: compileAffinity(pod.spec, pod.metadata.namespace, pod.metadata.labels),
      terminating: pod.metadata.deletionTimestamp !== undefined,
      gpu,
    };
    list.push(e);
    this.byKey.set(key, e);
    if (e.affinity !== null) {
      this.withAffinity.set(key, e);
      this.requiredAntiTerms += e.affinity.requiredAnti.length;
    }
    this.table.account(row, requests, 1, ports);
    if (gpu !== null) this.table.accountGpu(row, gpu, 1);
    for (const c of this.counters.values()) if (counts(c, e)) this.bump(c, row, 1);
    return e;
  }

  remove(key: string): AssignedPod | undefined {
    const e = this.byKey.get(key);
    if (e === undefined) return undefined;
    for (const c of this.counters.values()) if (counts(c, e)) this.bump(c, e.row, -1);
    this.table.account(e.row, e.requests, -1, e.ports);
    if (e.gpu !== null) this.table.accountGpu(e.row, e.gpu, -1);
    const list = this.byNode[e.row];
    const last = list.pop() as AssignedPod;
    if (last !== e) {
      list[e.slot] = last;
      last.slot = e.slot;
    }
    this.byKey.delete(key);
    if (e.affinity !== null) {
      this.withAffinity.delete(key);
      this.requiredAntiTerms -= e.affinity.requiredAnti.length;
    }
    return e;
  }

  /** A newer version of an accounted pod on the same node (labels of a running pod do not change here). */
  update(key: string, pod: Pod): void {
    const e = this.byKey.get(key);
    if (e !== undefined) this.updateEntry(e, pod);
  }

  /** update() for a caller that already holds the pod's entry. */
  updateEntry(e: AssignedPod, pod: Pod): void {
    const terminating = pod.metadata.deletionTimestamp !== undefined;
    if (terminating !== e.terminating) {
      for (const c of this.counters.values()) if (c.skipTerminating && countsIgnoringState(c, e)) this.bump(c, e.row, terminating ? -1 : 1);
      e.terminating = terminating;
    }
    e.pod = pod;
  }

  /** Per-node counts of the pods matching every matcher (a view valid until the next change of the cache). */
  counter(matchers: readonly PodMatcher[], skipTerminating: boolean): Int32Array {
    const key = counterKey(matchers, skipTerminating);
    let c = this.counters.get(key);
    if (c === undefined) {
      if (this.counters.size >= MAX_COUNTERS) this.evictOldest();
      c = { matchers, skipTerminating, perNode: new Int32Array(this.table.capacity), lastUsed: 0, domains: new Map() };
      for (const e of this.byKey.values()) if (counts(c, e)) this.bump(c, e.row, 1);
      this.counters.set(key, c);
    }
    if (c.perNode.length < this.table.capacity) c.perNode = grown(c.perNode, this.table.capacity);
    c.lastUsed = ++this.useClock;
    return c.perNode;
  }

  /**
   * The counter's per-node counts summed per label value id of topology key `key` over every node (value id
   * 0 collects the nodes without the key). Maintained incrementally with the counter; rebuilt after node
   * labels changed.
   */
  domainSums(matchers: readonly PodMatcher[], skipTerminating: boolean, key: string): Float64Array {
    this.counter(matchers, skipTerminating);
    const c = this.counters.get(counterKey(matchers, skipTerminating)) as Counter;
    const t = this.table;
    let d = c.domains.get(key);
    if (d === undefined) c.domains.set(key, (d = { sums: new Float64Array(0), version: -1 }));
    if (d.version !== t.labelVersion || d.sums.length < t.labelValueNum.length) {
      const size = Math.max(t.labelValueNum.length, 64);
      if (d.sums.length < size) d.sums = new Float64Array(size);
      else d.sums.fill(0);
      const col = t.labelColumn(key);
      const per = c.perNode;
      const n = Math.min(t.count, per.length);
      for (let i = 0; i < n; i++) if (per[i] !== 0) d.sums[col === undefined ? 0 : col[i]] += per[i];
      d.version = t.labelVersion;
    }
    return d.sums;
  }

  private bump(c: Counter, row: number, d: number): void {
    if (c.perNode.length <= row) c.perNode = grown(c.perNode, this.table.capacity);
    c.perNode[row] += d;
    for (const [key, ds] of c.domains) {
      if (ds.version !== this.table.labelVersion) continue;
      const col = this.table.labelColumn(key);
      const v = col === undefined ? 0 : col[row];
      if (v < ds.sums.length) ds.sums[v] += d;
      else ds.version = -1;
    }
  }

  private evictOldest(): void {
    let oldest: string | undefined;
    let at = Infinity;
    for (const [k, c] of this.counters) {
      if (c.lastUsed < at) {
        at = c.lastUsed;
        oldest = k;
      }
    }
    if (oldest !== undefined) this.counters.delete(oldest);
  }
}

const NONE: readonly AssignedPod[] = [];

function counterKey(matchers: readonly PodMatcher[], skipTerminating: boolean): string {
  return `${skipTerminating ? 'T' : 'A'}${matchers.map((m) => m.key).join('&')}`;
}

function counts(c: Counter, e: AssignedPod): boolean {
  if (c.skipTerminating && e.terminating) return false;
  return countsIgnoringState(c, e);
}

function countsIgnoringState(c: Counter, e: AssignedPod): boolean {
  const ns = e.pod.metadata.namespace;
  const labels = e.pod.metadata.labels;
  for (const m of c.matchers) if (!podMatches(m, ns, labels)) return false;
  return true;
}

function grown(a: Int32Array, cap: number): Int32Array {
  const b = new Int32Array(Math.max(cap, a.length));
  b.set(a);
  return b;
}
