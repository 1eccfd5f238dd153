/**
 * The modeled wall time of one scheduling cycle (schedule_one.go schedulingCycle, with PostFilter when it runs).
 *
 * Upstream runs every per-node loop of a cycle through its Parallelizer (framework/parallelize/parallelism.go):
 * `parallelism` goroutines (KubeSchedulerConfiguration, default 16) take chunks of chunkSizeFor(n, parallelism)
 * pieces from a shared counter (client-go workqueue.ParallelizeUntil). The loops are:
 *  - Filter: findNodesThatPassFilters over all nodes, stopping once numFeasibleNodesToFind fit (`visited`);
 *  - Score: prioritizeNodes over the feasible nodes, only when more than one fits (`scored`);
 *  - PreFilter/PreScore of InterPodAffinity and PodTopologySpread: over all nodes, each visit matching the
 *    node's existing pods against the pod's terms or constraints, so their cost grows with the pods already
 *    running (filtering.go getExistingAntiAffinityCounts / getIncomingAffinityAntiAffinityCounts, scoring.go
 *    processExistingPod, podtopologyspread calPreFilterState / initPreScoreState countPodsMatchSelector);
 *  - DefaultPreemption's DryRunPreemption over the candidate nodes (preemption.go), each node's dry run
 *    removing the lower-priority pods and re-running the filters once per victim it reprieves.
 * The wall time of a loop is its slowest goroutine: ceil(chunks / workers) rounds of one chunk each.
 *
 * The per-unit costs are estimates calibrated against scheduler_perf's thresholds at 5,000 nodes
 * (bench/scheduler-perf.ts prints kubesim's throughput beside upstream's; docs/design/performance.md).
 */
import type { Micros } from '../core/time.js';

/** KubeSchedulerConfiguration parallelism default (apis/config/v1/defaults.go). */
export const DEFAULT_PARALLELISM = 16;

export interface CycleCostParams {
  /** Fixed cost of a cycle: queue pop, snapshot update, framework setup, the Reserve/Permit/assume steps. */
  readonly cycleOverhead: Micros;
  /** CPU time of one node through every enabled Filter plugin. */
  readonly perNodeFilter: Micros;
  /** CPU time of one node through every enabled Score plugin. */
  readonly perNodeScore: Micros;
  /** CPU time of matching one existing pod against one (anti-)affinity term (InterPodAffinity PreFilter/PreScore). */
  readonly perPodAffinityTerm: Micros;
  /** CPU time of matching one existing pod against one spread constraint's selector (PodTopologySpread). */
  readonly perPodSpreadConstraint: Micros;
  /** CPU time of setting up one node's preemption dry run (state and node clones, removing lower-priority pods). */
  readonly perPreemptionNode: Micros;
  /** KubeSchedulerConfiguration parallelism: goroutines per parallel loop (apis/config/v1/defaults.go: 16). */
  readonly parallelism: number;
}

/** What one cycle did, counted as upstream's loops would do it. */
export interface CycleWork {
  /** Nodes in the cluster (the PreFilter/PreScore loops' pieces). */
  readonly allNodes: number;
  /** Nodes run through the filters. */
  readonly visited: number;
  /** Nodes scored (0 when at most one node fit: upstream skips Score then). */
  readonly scored: number;
  /** Existing pod × term pairs InterPodAffinity's PreFilter and PreScore match. */
  readonly affinityTermChecks: number;
  /** Existing pod × constraint pairs PodTopologySpread's PreFilter and PreScore count. */
  readonly spreadChecks: number;
  /** Nodes dry-run by preemption, and the filter runs those dry runs made. */
  readonly preemptionNodes: number;
  readonly preemptionFilters: number;
}

/** client-go workqueue chunkSizeFor (as the scheduler's Parallelizer calls it): ≈√n, at most n/workers + 1. */
export function chunkSize(n: number, parallelism: number): number {
  let s = Math.trunc(Math.sqrt(n));
  const r = Math.trunc(n / parallelism) + 1;
  if (s > r) s = r;
  return s < 1 ? 1 : s;
}

/** Goroutines a loop over n pieces starts: min(parallelism, chunks). */
export function workers(n: number, parallelism: number): number {
  if (n <= 1) return 1;
  return Math.max(1, Math.min(parallelism, Math.ceil(n / chunkSize(n, parallelism))));
}

/**
 * Wall time of a loop over all n pieces: its slowest goroutine does ceil(chunks / workers) chunks.
 * `work` is the loop's total CPU time, spread evenly over the pieces.
 */
export function fullLoopWall(work: number, n: number, parallelism: number): number {
  if (n <= 1 || parallelism <= 1) return work;
  const s = chunkSize(n, parallelism);
  const chunks = Math.ceil(n / s);
  const rounds = Math.ceil(chunks / Math.min(parallelism, chunks));
  return (work * Math.min(n, rounds * s)) / n;
}

/**
 * Wall time of a loop over n pieces that is cancelled once it has what it needs (findNodesThatPassFilters,
 * DryRunPreemption): the goroutines check for cancellation before each piece, so the `done` pieces were
 * shared by every worker the loop started.
 */
export function cancelledLoopWall(unit: number, done: number, n: number, parallelism: number): number {
  if (done <= 0) return 0;
  return Math.ceil(done / workers(n, parallelism)) * unit;
}

export function cycleCost(w: CycleWork, p: CycleCostParams): Micros {
  const par = p.parallelism;
  let cost = p.cycleOverhead;
  cost += cancelledLoopWall(p.perNodeFilter, w.visited, w.allNodes, par);
  cost += fullLoopWall(w.scored * p.perNodeScore, w.scored, par);
  cost += fullLoopWall(w.affinityTermChecks * p.perPodAffinityTerm + w.spreadChecks * p.perPodSpreadConstraint, w.allNodes, par);
  if (w.preemptionNodes > 0) {
    const perNode = p.perPreemptionNode + (w.preemptionFilters / w.preemptionNodes) * p.perNodeFilter;
    cost += cancelledLoopWall(perNode, w.preemptionNodes, w.allNodes, par);
  }
  return Math.max(1, Math.round(cost));
}
