/**
 * Placement policies beyond upstream, as Score plugins a KubeSchedulerConfiguration enables like any other
 * (kube-scheduler has no such plugins; they exist so that studies can compare the classic baselines with the
 * upstream profile on the same simulated cluster). Each gives one feasible node MaxNodeScore (100) and every
 * other node 0, so enabled alone it decides the placement, and with a weight it can be mixed with the upstream
 * scores. They need no NormalizeScore. The kernel (kernel.ts scoreExtras) computes them in its score loop.
 *
 * The nodes they choose among are the ones the cycle scores: all feasible nodes below 100 nodes, otherwise the
 * percentageOfNodesToScore window the search found (set percentageOfNodesToScore: 100 to let them see every
 * feasible node).
 */

/**
 * The feasible node earliest in NodeTree order (zones interleaved, nodes in the order they were added):
 * classic first-fit bin packing, which fills the front of the node list first.
 */
export const FIRST_FIT = 'FirstFit';
/**
 * The feasible node that comes first in NodeTree order at or after a cursor, which then moves just past it:
 * pods rotate over the nodes, skipping the ones they do not fit. The cursor belongs to the profile and starts
 * at the first node.
 */
export const ROUND_ROBIN = 'RoundRobin';
/**
 * One feasible node drawn uniformly from the scheduler's seeded stream (one draw per scored cycle, before
 * selectHost's tie-breaking draws): deterministic for a seed. Not the FGD study's GPU `RandomScore`
 * (plugins/random-score), one of the kernel's GPU score plugins.
 */
export const UNIFORM_RANDOM = 'UniformRandom';

/** framework.MaxNodeScore: the score of the chosen node. */
export const POLICY_SCORE = 100;
