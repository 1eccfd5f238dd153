/**
 * DefaultPreemption's PostFilter (pkg/scheduler/framework/preemption/preemption.go Evaluator.Preempt,
 * defaultpreemption/default_preemption.go SelectVictimsOnNode), run when a cycle found no feasible node:
 *
 *  1. candidates are the nodes whose filter status was Unschedulable (not UnschedulableAndUnresolvable);
 *  2. from a random offset (the scheduler's seeded stream), nodes are dry-run in turn until
 *     numCandidates(args, #potential) candidates are found; on each, every lower-priority pod is removed
 *     (through the filters' AddPod/RemovePod extensions, with nominated pods present) and the pod must then
 *     pass every filter; victims are then reprieved one by one, most important first, as long as the pod
 *     still fits;
 *  3. pickOneNodeForPreemption chooses among the candidates.
 * PodDisruptionBudgets (the scheduler's PDB lister): filterPodsWithPDBViolation splits the victims, in importance
 * order, into those whose eviction would take a budget below zero (each budget's disruptionsAllowed, decremented
 * per matching victim not already in its disruptedPods; a budget with an empty or absent selector matches
 * nothing here) and the others; the violating ones are reprieved first, and those that cannot be are counted
 * as the candidate's PDB violations, which pickOneNodeForPreemption minimizes first. Preemption deletes its
 * victims directly (not through the Eviction API): budgets are best effort. Extenders are not supported.
 */
import { selectorMatches, type Pod, type PodDisruptionBudget } from '../api/objects.js';
import type { RngStream } from '../core/rng.js';
import type { Micros } from '../core/time.js';
import type { AssignedPod, AssignedPods } from './assigned-pods.js';
import { PASS, UNSCHEDULABLE, type Kernel, type NominatedPod } from './kernel.js';
import type { NodeTable } from './node-table.js';
import { byImportance, numCandidates, pickOneNode, type PreemptionArgs, type VictimInfo } from './plugins/default-preemption/index.js';

export interface PreemptionOutcome {
  /** Chosen node row, or -1 when preemption cannot help. */
  readonly row: number;
  /** Pods to evict from that node, most important first. */
  readonly victims: readonly AssignedPod[];
  /** Node filter evaluations the dry runs made, and the nodes dry-run (for the cycle's modeled cost). */
  readonly evaluations: number;
  readonly dryRuns: number;
  /** Candidate nodes found. */
  readonly candidates: number;
}

interface Victim extends VictimInfo {
  readonly e: AssignedPod;
}

/** Runs after kernel.schedule() failed for `priority`'s pod; kernel.status holds the per-node codes. */
export function preempt(
  kernel: Kernel,
  t: NodeTable,
  pods: AssignedPods,
  priority: number,
  args: PreemptionArgs,
  nominated: readonly NominatedPod[],
  rng: RngStream,
  now: Micros,
  budgets: readonly PodDisruptionBudget[] = [],
): PreemptionOutcome {
  // nodesWherePreemptionMightHelp, in the snapshot's node order.
  const order = t.order;
  const potential: number[] = [];
  for (let j = 0; j < order.length; j++) if (kernel.status[order[j]] === UNSCHEDULABLE) potential.push(order[j]);
  if (potential.length === 0) return { row: -1, victims: [], evaluations: 0, dryRuns: 0, candidates: 0 };
  const offset = rng.int(potential.length);
  const want = numCandidates(args, potential.length);
  const rows: number[] = [];
  const found: Victim[][] = [];
  const violations: number[] = [];
  let evaluations = 0;
  let dryRuns = 0;
  kernel.applyNominated(t, nominated, 1);
  for (let k = 0; k < potential.length && rows.length < want; k++, dryRuns++) {
    const row = potential[(offset + k) % potential.length];
    const r = selectVictimsOnNode(kernel, t, pods, row, priority, now, budgets);
    evaluations += r.evaluations;
    if (r.victims !== null && r.victims.length > 0) {
      rows.push(row);
      found.push(r.victims);
      violations.push(r.pdbViolations);
    }
  }
  kernel.applyNominated(t, nominated, -1);
  const pick = pickOneNode(found.map((victims, i) => ({ victims, pdbViolations: violations[i] })));
  if (pick < 0) return { row: -1, victims: [], evaluations, dryRuns, candidates: 0 };
  return { row: rows[pick], victims: found[pick].map((v) => v.e), evaluations, dryRuns, candidates: rows.length };
}

/** SelectVictimsOnNode; the cache is left as it was. */
function selectVictimsOnNode(
  kernel: Kernel,
  t: NodeTable,
  pods: AssignedPods,
  row: number,
  priority: number,
  now: Micros,
  budgets: readonly PodDisruptionBudget[],
): { victims: Victim[] | null; evaluations: number; pdbViolations: number } {
  const lower: Victim[] = [];
  for (const e of pods.on(row)) {
    if (e.pod.spec.priority < priority) lower.push({ e, priority: e.pod.spec.priority, startTime: e.pod.status.startTime ?? now });
  }
  if (lower.length === 0) return { victims: null, evaluations: 0, pdbViolations: 0 };
  for (const v of lower) kernel.updateWithPod(t, v.e, -1);
  let evaluations = 1;
  if (kernel.filterNode(t, row) !== PASS) {
    for (const v of lower) kernel.updateWithPod(t, v.e, 1);
    return { victims: null, evaluations, pdbViolations: 0 };
  }
  byImportance(lower);
  const victims: Victim[] = [];
  let pdbViolations = 0;
  const reprieve = (v: Victim): boolean => {
    kernel.updateWithPod(t, v.e, 1);
    evaluations++;
    if (kernel.filterNode(t, row) === PASS) return true;
    kernel.updateWithPod(t, v.e, -1);
    victims.push(v);
    return false;
  };
  const { violating, other } = splitByBudgetViolation(lower, budgets);
  for (const v of violating) if (!reprieve(v)) pdbViolations++;
  for (const v of other) reprieve(v);
  for (const v of victims) kernel.updateWithPod(t, v.e, 1);
  // Victims are evicted most important first, whichever group they came from.
  byImportance(victims);
  return { victims, evaluations, pdbViolations };
}

/** filterPodsWithPDBViolation (default_preemption.go): keeps the victims' order within each group. */
export function splitByBudgetViolation<T extends { readonly e: { readonly pod: Pod } }>(
  victims: readonly T[],
  budgets: readonly PodDisruptionBudget[],
): { violating: T[]; other: T[] } {
  const violating: T[] = [];
  const other: T[] = [];
  if (budgets.length === 0) return { violating, other: [...victims] };
  const allowed = budgets.map((b) => b.status.disruptionsAllowed);
  for (const v of victims) {
    const pod = v.e.pod;
    let violated = false;
    // A pod with no labels matches no budget.
    if (Object.keys(pod.metadata.labels).length > 0) {
      budgets.forEach((b, i) => {
        const sel = b.spec.selector;
        if (b.metadata.namespace !== pod.metadata.namespace || sel === null) return;
        // A nil or empty selector matches nothing here.
        if (Object.keys(sel.matchLabels).length === 0 && sel.matchExpressions.length === 0) return;
        if (!selectorMatches(sel, pod.metadata.labels)) return;
        // Already processed by the Eviction API: not a violation, and not counted again.
        if (pod.metadata.name in b.status.disruptedPods) return;
        if (--allowed[i] < 0) violated = true;
      });
    }
    (violated ? violating : other).push(v);
  }
  return { violating, other };
}
