/**
 * DotProductScore with dimExtMethod merge and normMethod max (the simulator's
 * pkg/simulator/plugin/dot_product_score.go; fgd-method.md §4.3): the dot product of the node's free
 * (cpu, GPU) vector and the pod's request, each dimension divided by the largest node's capacity, averaged over
 * the two dimensions; the node with the smallest product scores highest: ⌊100 · (1 − d)⌋. No normalization.
 */
import type { GpuCluster } from '../cluster.js';

export function dotProductScore(c: GpuCluster, row: number, cpu: number, gpus: number, milli: number): number {
  const cpuTerm = (c.cpuFree[row] / c.maxCpu) * (cpu / c.maxCpu);
  const gpuTerm = c.maxGpuMilli === 0 ? 0 : (c.leftSum[row] / c.maxGpuMilli) * ((gpus * milli) / c.maxGpuMilli);
  return Math.trunc(100 * (1 - (cpuTerm + gpuTerm) / 2));
}
