/**
 * DotProductScore with dimExtMethod merge and normMethod max (the simulator's
 * pkg/simulator/plugin/dot_product_score.go; fgd-method.md §4.3): the dot product of the node's free
 * (cpu, GPU) vector and the pod's request, each dimension divided by the largest node's capacity, averaged over
 * the two dimensions; the node with the smallest product scores highest: ⌊100 · (1 − d)⌋. No normalization.
 */
import type { GpuCluster } from '../../../gpu/cluster.js';

/** The plugin's name in a KubeSchedulerConfiguration. */
export const NAME = 'DotProductScore';

/**
 * Args (the simulator's pluginConfig): the similarity variants. The study's policy uses dimExtMethod merge and
 * normMethod max, which is what kubesim implements; the other values are accepted as the simulator does.
 */
export const DIM_EXT_METHODS = ['share', 'merge', 'divide', 'extend'] as const;
export const NORM_METHODS = ['max', 'sum', 'node'] as const;

export function dotProductScore(c: GpuCluster, row: number, cpu: number, gpus: number, milli: number): number {
  const cpuTerm = (c.cpuFree[row] / c.maxCpu) * (cpu / c.maxCpu);
  const gpuTerm = c.maxGpuMilli === 0 ? 0 : (c.leftSum[row] / c.maxGpuMilli) * ((gpus * milli) / c.maxGpuMilli);
  return Math.trunc(100 * (1 - (cpuTerm + gpuTerm) / 2));
}
