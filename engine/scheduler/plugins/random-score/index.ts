/**
 * RandomScore (hkust-adsl/kubernetes-scheduler-simulator pkg/simulator/plugin, its RandomScore; fgd-method.md
 * §4.6): PreScore draws one feasible node uniformly, which scores 100; every other node scores 0. One draw per
 * scored pod, from the stream the caller passes (the cycle's, or the replay's gpu/random-score).
 */
import type { RngStream } from '../../../core/rng.js';

/** The plugin's name in a KubeSchedulerConfiguration. */
export const NAME = 'RandomScore';

/** Adds `weight` × 100 to the score of one of the `found` feasible nodes, drawn uniformly. */
export function addRandomScore(found: number, out: Float64Array, weight: number, rng: RngStream): void {
  out[rng.int(found)] += weight * 100;
}
