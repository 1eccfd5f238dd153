/**
 * Filter+score per pod with the node search sharded over worker threads (engine/scheduler/parallel/) against
 * the sequential kernel on the same workload (bench/kernel.bench.ts), same process: µs per pod decision,
 * speedup, and whether every placement matched. The smallest node count where 1 worker wins is the
 * crossover `--workers auto` uses (engine/scheduler/parallel/auto.ts).
 */
import { AssignedPods } from '../engine/scheduler/assigned-pods.js';
import { ParallelScanner } from '../engine/scheduler/parallel/scanner.js';
import { KernelPath } from './kernel.bench.js';

export interface ParallelRow {
  readonly nodes: number;
  /** percentageOfNodesToScore: 0 = upstream's adaptive sampling, 100 = full scan. */
  readonly pct: number;
  readonly workers: number;
  readonly usPerPod: number;
  /** Sequential time / this time, same process. */
  readonly speedup: number;
  readonly samePlacements: boolean;
}

/** KernelPath whose decisions go through a scanner first. */
class ShardedPath extends KernelPath {
  private readonly assigned = new AssignedPods(this.table);
  constructor(
    n: number,
    pct: number,
    private readonly scanner: ParallelScanner,
  ) {
    super(n, pct);
  }

  override run(count: number): void {
    for (let c = 0; c < count; c++) {
      const p = this.nextPod();
      const d =
        this.scanner.schedule(this.kernel, this.table, this.pods[p], this.state, this.rng, this.assigned) ??
        this.kernel.schedule(this.table, this.pods[p], this.state, this.rng);
      this.visited += d.visited;
      this.place(d.node, p);
    }
  }
}

/**
 * Sequential vs sharded decisions in alternating rounds in this process (as harness.ratio does), so the VM's
 * drifting speed moves both sides alike: each side's median µs per pod and the median of per-round ratios.
 */
function alternate(
  seq: (count: number) => void,
  par: (count: number) => void,
  count: number,
  rounds: number,
): { seqUs: number; parUs: number; speedup: number } {
  const warm = Math.max(5, count >> 2);
  seq(warm);
  par(warm);
  const s: number[] = [];
  const p: number[] = [];
  const r: number[] = [];
  for (let k = 0; k < rounds; k++) {
    let t = performance.now();
    seq(count);
    const a = ((performance.now() - t) * 1000) / count;
    t = performance.now();
    par(count);
    const b = ((performance.now() - t) * 1000) / count;
    s.push(a);
    p.push(b);
    r.push(a / b);
  }
  const median = (xs: number[]): number => xs.sort((x, y) => x - y)[xs.length >> 1];
  return { seqUs: median(s), parUs: median(p), speedup: median(r) };
}

export async function parallelRows(quick: boolean, workerCounts: readonly number[] = [1, 2]): Promise<ParallelRow[]> {
  const sizes: [number, number][] = quick
    ? [
        [5000, 100],
        [20000, 100],
        [50000, 0],
        [50000, 100],
      ]
    : [
        [2000, 100],
        [5000, 100],
        [10000, 100],
        [20000, 100],
        [50000, 100],
        [200000, 100],
        [5000, 0],
        [50000, 0],
        [200000, 0],
      ];
  const rows: ParallelRow[] = [];
  const rounds = quick ? 5 : 8;
  for (const [n, pct] of sizes) {
    // ~0.1–0.4 s of decisions per round: fewer (20 pods at 50,000 nodes) left the figure to JIT warm-up and noise.
    const count = Math.max(100, Math.round((pct === 100 ? 1e7 : 1e8) / n / 5));
    let seqUs = 0;
    for (const workers of workerCounts) {
      const scanner = await ParallelScanner.start({ workers, minNodes: 0 });
      try {
        const seq = new KernelPath(n, pct);
        const par = new ShardedPath(n, pct, scanner);
        const m = alternate(
          (c) => seq.run(c),
          (c) => par.run(c),
          count,
          rounds,
        );
        seqUs = m.seqUs;
        // Placement check from fresh states.
        const a = new KernelPath(n, pct);
        const b = new ShardedPath(n, pct, scanner);
        a.run(100);
        b.run(100);
        rows.push({
          nodes: n,
          pct,
          workers,
          usPerPod: m.parUs,
          speedup: m.speedup,
          samePlacements: a.checksum === b.checksum && a.visited === b.visited,
        });
      } finally {
        await scanner.close();
      }
    }
    rows.push({ nodes: n, pct, workers: 0, usPerPod: seqUs, speedup: 1, samePlacements: true });
  }
  return rows;
}
