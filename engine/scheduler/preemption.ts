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
 * PodDisruptionBudgets are not modeled (no victim ever violates one). Extenders are not supported.
 */
import type { RngStream } from '../core/rng.js';
import type { Micros } from '../core/time.js';
import type { AssignedPod, AssignedPods } from './assigned-pods.js';
import { PASS, UNSCHEDULABLE, type Kernel, type NominatedPod } from './kernel.js';
import type { NodeTable } from './node-table.js';
import { byImportance, numCandidates, pickOneNode, type PreemptionArgs, type VictimInfo } from './plugins/default-preemption.js';

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
  let evaluations = 0;
  let dryRuns = 0;
  kernel.applyNominated(t, nominated, 1);
  for (let k = 0; k < potential.length && rows.length < want; k++, dryRuns++) {
    const row = potential[(offset + k) % potential.length];
    const r = selectVictimsOnNode(kernel, t, pods, row, priority, now);
    evaluations += r.evaluations;
    if (r.victims !== null && r.victims.length > 0) {
      rows.push(row);
      found.push(r.victims);
    }
  }
  kernel.applyNominated(t, nominated, -1);
  const pick = pickOneNode(found.map((victims) => ({ victims, pdbViolations: 0 })));
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
): { victims: Victim[] | null; evaluations: number } {
  const lower: Victim[] = [];
  for (const e of pods.on(row)) {
    if (e.pod.spec.priority < priority) lower.push({ e, priority: e.pod.spec.priority, startTime: e.pod.status.startTime ?? now });
  }
  if (lower.length === 0) return { victims: null, evaluations: 0 };
  for (const v of lower) kernel.updateWithPod(t, v.e, -1);
  let evaluations = 1;
  if (kernel.filterNode(t, row) !== PASS) {
    for (const v of lower) kernel.updateWithPod(t, v.e, 1);
    return { victims: null, evaluations };
  }
  byImportance(lower);
  const victims: Victim[] = [];
  for (const v of lower) {
    kernel.updateWithPod(t, v.e, 1);
    evaluations++;
    if (kernel.filterNode(t, row) !== PASS) {
      kernel.updateWithPod(t, v.e, -1);
      victims.push(v);
    }
  }
  for (const v of victims) kernel.updateWithPod(t, v.e, 1);
  return { victims, evaluations };
}
