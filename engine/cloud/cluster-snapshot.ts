/**
 * The cluster autoscaler's view of the cluster for its "would it fit" simulations: upstream's ClusterSnapshot
 * (cluster-autoscaler simulator/clustersnapshot: a NodeInfo per node with its pods; Fork, Revert, Commit) and
 * its SchedulerPluginRunner (simulator/clustersnapshot/predicate/plugin_runner.go), which runs the scheduler
 * framework's PreFilter plugins once per pod and then the Filter plugins node by node.
 *
 * The node and pod state is the scheduler's own cache layout (NodeTable, AssignedPods) and the checks are the
 * scheduler's Kernel — its PreFilter, then filterNode per row — so every filter the scheduler's profile runs
 * (NodeUnschedulable, TaintToleration, NodeAffinity, NodePorts, NodeResourcesFit, PodTopologySpread,
 * InterPodAffinity, user filters) counts, with no second implementation of any of them.
 *
 * Built once per autoscaler loop (when a simulation needs it) from the autoscaler's informer caches. Changes
 * made inside a fork are logged and undone by revert; rows of nodes removed are tombstones (NodeTable), which
 * only live as long as the loop's snapshot.
 */
import { keyOf, type LabelSelector, type Node, type Pod, type Taint } from '../api/objects.js';
import { AssignedPods } from '../scheduler/assigned-pods.js';
import { PASS, type Kernel } from '../scheduler/kernel.js';
import { NodeTable } from '../scheduler/node-table.js';
import { podInput, type PodInput } from '../scheduler/pod-input.js';
import { enabledAt } from '../scheduler/profile.js';

/** A change made inside a fork, with what revert needs to undo it. */
type Change =
  | { readonly op: 'addNode'; readonly name: string }
  | { readonly op: 'removeNode'; readonly node: Node }
  | { readonly op: 'setNode'; readonly old: Node }
  | { readonly op: 'addPod'; readonly key: string }
  | { readonly op: 'removePod'; readonly key: string; readonly pod: Pod; readonly node: string };

/** The scheduler framework the simulation runs: a Kernel per profile, the pod's default spreading selector. */
export interface SimulatedFramework {
  /** The Kernel of the profile named by the pod's schedulerName (the first profile for an unknown one). */
  kernelFor(schedulerName: string): Kernel;
  /** helper.DefaultSelector for a pod without spread constraints of its own, when its profile needs it. */
  defaultSelector(pod: Pod): LabelSelector | undefined;
  /**
   * SchedulerPluginRunner.lastIndex: the search for a node starts after the last node found, across calls and
   * loops (the runner lives as long as the autoscaler).
   */
  lastIndex: number;
}

export class ClusterSnapshot {
  readonly table: NodeTable;
  readonly pods: AssignedPods;
  private readonly changes: Change[] = [];
  private readonly forks: number[] = [];
  private readonly inputs = new Map<Pod, PodInput>();

  constructor(
    private readonly framework: SimulatedFramework,
    capacity: number,
  ) {
    this.table = new NodeTable(Math.max(16, capacity));
    this.pods = new AssignedPods(this.table);
  }

  /** Fork: changes from now on can be undone by revert. */
  fork(): void {
    this.forks.push(this.changes.length);
  }

  /** Revert: undoes every change since the matching fork, newest first. */
  revert(): void {
    const at = this.forks.pop() ?? 0;
    while (this.changes.length > at) {
      const c = this.changes.pop() as Change;
      if (c.op === 'addNode') this.table.remove(c.name);
      else if (c.op === 'removeNode') this.table.upsert(c.node);
      else if (c.op === 'setNode') this.table.upsert(c.old);
      else if (c.op === 'addPod') this.pods.remove(c.key);
      else this.accountPod(c.key, c.pod, this.table.indexOf(c.node));
    }
  }

  /** Commit: keeps the changes since the matching fork (an enclosing fork may still revert them). */
  commit(): void {
    const at = this.forks.pop() ?? 0;
    if (this.forks.length === 0) this.changes.length = at;
  }

  private record(c: Change): void {
    if (this.forks.length > 0) this.changes.push(c);
  }

  /** AddNodeInfo: returns the node's row. */
  addNode(node: Node): number {
    const row = this.table.upsert(node);
    this.record({ op: 'addNode', name: node.metadata.name });
    return row;
  }

  /** RemoveNodeInfo, for a node whose pods were removed first. */
  removeNode(name: string): void {
    const row = this.table.indexOf(name);
    if (row < 0) return;
    this.record({ op: 'removeNode', node: this.table.nodes[row] });
    this.table.remove(name);
  }

  /** The node on `row` with one more taint (the drained node's ToBeDeletedByClusterAutoscaler ghost). */
  addTaint(row: number, taint: Taint): void {
    const old = this.table.nodes[row];
    this.record({ op: 'setNode', old });
    this.table.upsert({ ...old, spec: { ...old.spec, taints: [...old.spec.taints, taint] } });
  }

  /** AddPod / SchedulePod: the pod is accounted on the node (its resources, ports, and the pod counters). */
  addPod(pod: Pod, row: number, key: string = keyOf(pod)): void {
    this.accountPod(key, pod, row);
    this.record({ op: 'addPod', key });
  }

  /** UnschedulePod: every pod of the node leaves it; returns them. */
  removePodsOn(row: number): Pod[] {
    const out: Pod[] = [];
    const name = this.table.names[row];
    for (const e of [...this.pods.on(row)]) {
      this.pods.remove(e.key);
      this.record({ op: 'removePod', key: e.key, pod: e.pod, node: name });
      out.push(e.pod);
    }
    return out;
  }

  private accountPod(key: string, pod: Pod, row: number): void {
    const input = this.input(pod);
    this.pods.add(key, pod, row, input.requests, input.hostPorts);
  }

  /** The pod as its scheduler's cycle sees it (memoized for the loop). */
  input(pod: Pod): PodInput {
    let x = this.inputs.get(pod);
    if (x === undefined) {
      const k = this.framework.kernelFor(pod.spec.schedulerName);
      const own = (pod.spec.topologySpreadConstraints?.length ?? 0) > 0;
      const selector = own || !enabledAt(k.profile, 'filter', 'PodTopologySpread') ? undefined : this.framework.defaultSelector(pod);
      x = podInput(pod.spec, pod.metadata, selector);
      this.inputs.set(pod, x);
    }
    return x;
  }

  /** RunFiltersOnNode (CheckPredicates): PreFilter, then every Filter plugin on the node of `row`. */
  fits(pod: Pod, row: number): boolean {
    const kernel = this.framework.kernelFor(pod.spec.schedulerName);
    if (!kernel.preFilter(this.table, this.input(pod), { pods: this.pods })) return false;
    return kernel.inPreFilterResult(row) && kernel.filterNode(this.table, row) === PASS;
  }

  /**
   * RunFiltersUntilPassingNode (FitsAnyNodeMatching): PreFilter once, then Filter on the candidate rows
   * (ascending; every node present when null) that `accept` admits, starting after the last node found, until
   * one passes; its row, or -1. Unschedulable nodes are skipped before the filters, as upstream does.
   */
  fitsAnyNode(pod: Pod, rows: readonly number[] | null, accept: (row: number) => boolean): number {
    const t = this.table;
    const kernel = this.framework.kernelFor(pod.spec.schedulerName);
    if (!kernel.preFilter(t, this.input(pod), { pods: this.pods })) return -1;
    const n = rows === null ? t.count : rows.length;
    if (n === 0) return -1;
    // The position of the first candidate at or after lastIndex (rows are ascending).
    let start = 0;
    const last = this.framework.lastIndex;
    if (rows === null) start = last < n ? last : 0;
    else {
      while (start < n && rows[start] < last) start++;
      if (start === n) start = 0;
    }
    for (let k = 0; k < n; k++) {
      let j = start + k;
      if (j >= n) j -= n;
      const row = rows === null ? j : rows[j];
      if (!t.isLive(row) || t.unschedulable[row] === 1 || !accept(row)) continue;
      if (!kernel.inPreFilterResult(row) || kernel.filterNode(t, row) !== PASS) continue;
      this.framework.lastIndex = row + 1;
      return row;
    }
    return -1;
  }
}
