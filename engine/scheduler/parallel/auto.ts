/**
 * `--workers N|auto`: how many scan workers a run gets, and from which window size sharding pays.
 *
 * Crossover measured on the project's 2-core VM with `npm run bench` (bench/parallel.bench.ts, 1 worker +
 * the main thread, full scans): 0.6x at 10,000 nodes, ~1.0x at 20,000, 1.5–1.8x at 50,000–200,000; sampled
 * searches (upstream's default percentageOfNodesToScore: 2,700 nodes visited at 50,000) never win. So
 * `auto` shards only windows of at least 20,000 nodes, with one worker beside the main thread (two workers
 * would oversubscribe 2 cores), and none when the sweep already runs on several threads (--jobs > 1).
 */
import { availableParallelism } from 'node:os';
import type { ScannerOptions } from './scanner.js';

export const AUTO_MIN_NODES = 20_000;

/**
 * Scanner options for `--workers` (a count or 'auto') in a run on `runThreads` threads over `nodes` nodes,
 * or null for the sequential kernel.
 */
export function scanOptions(workers: number | 'auto', runThreads: number, nodes: number): ScannerOptions | null {
  if (workers === 'auto') {
    if (nodes < AUTO_MIN_NODES) return null;
    const spare = availableParallelism() - runThreads;
    return spare >= 1 ? { workers: Math.min(spare, availableParallelism() - 1), minNodes: AUTO_MIN_NODES } : null;
  }
  return workers >= 1 ? { workers, minNodes: 0 } : null;
}
