/**
 * `--workers N|auto`: how many scan workers a run gets, and from which window size sharding pays.
 *
 * Crossover measured on the project's 2-core VM with `npm run bench` (bench/parallel.bench.ts, upstream default
 * profile, 1 worker + the main thread, sequential and sharded in alternating rounds, 2026-12-02): windows of
 * 545 nodes (5,000 sampled) 0.94x, 2,727 (50,000 sampled) 1.0x, 10,000 (200,000 sampled) 1.67x; full scans
 * 1.5x at 10,000 nodes, 2.0x at 20,000, 1.75x at 50,000, 1.6x at 200,000. So `auto` shards windows of at
 * least 10,000 nodes in clusters of at least 10,000, with one worker beside the main thread (two workers would
 * oversubscribe 2 cores), and none when the sweep already runs on several threads (--jobs > 1).
 */
import { availableParallelism } from 'node:os';
import type { ScannerOptions } from './scanner.js';

export const AUTO_MIN_NODES = 10_000;

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
