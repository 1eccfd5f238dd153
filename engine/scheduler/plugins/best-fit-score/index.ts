/**
 * BestFitScore (the simulator's pkg/simulator/plugin/best_fit_score.go; fgd-method.md §4.2): prefers the node
 * left with the least free cpu and GPU, each relative to the largest node ("MaxSpec"):
 *   raw = ⌊100 · (1 − [0.5 · (c − cpu_q)/maxCpu + 0.5 · (ΣL − k·m)/maxGpuMilli])⌋,
 * then NormalizeScore min–max scales the feasible nodes' raw scores to 0..100 with integer division.
 */
import type { GpuCluster } from '../../../gpu/cluster.js';

/** The plugin's name in a KubeSchedulerConfiguration. */
export const NAME = 'BestFitScore';

export function bestFitRaw(c: GpuCluster, row: number, cpu: number, gpus: number, milli: number): number {
  const cpuLeft = (c.cpuFree[row] - cpu) / c.maxCpu;
  const gpuLeft = c.maxGpuMilli === 0 ? 0 : (c.leftSum[row] - gpus * milli) / c.maxGpuMilli;
  return Math.trunc(100 * (1 - (0.5 * cpuLeft + 0.5 * gpuLeft)));
}

/** Min–max normalization to 0..100 in place ((s − min)·100/(max − min), integer division; all 0 if max = min). */
export function minMaxNormalize(scores: Float64Array, n: number): void {
  if (n === 0) return;
  let min = scores[0];
  let max = scores[0];
  for (let f = 1; f < n; f++) {
    if (scores[f] < min) min = scores[f];
    if (scores[f] > max) max = scores[f];
  }
  const span = max - min;
  for (let f = 0; f < n; f++) scores[f] = span === 0 ? 0 : Math.trunc(((scores[f] - min) * 100) / span);
}
