/**
 * Measurement helpers shared by the benchmarks: tinybench runs each task (one call = `ops` operations, so
 * timer resolution never matters) and we report the median latency per operation. Ratios between two
 * implementations are measured in alternating rounds in the same process, so a slow or noisy machine moves
 * both sides alike (the basis of the machine-independent regression check).
 */
import { Bench } from 'tinybench';

export interface Task {
  readonly name: string;
  /** One call performs `ops` operations. */
  readonly ops: number;
  readonly fn: () => unknown;
}

export interface Measured {
  readonly name: string;
  /** Median nanoseconds per operation. */
  readonly nsPerOp: number;
  readonly opsPerSec: number;
  /** tinybench's relative margin of error of the mean, in percent. */
  readonly rme: number;
  readonly samples: number;
}

export interface MeasureOptions {
  /** Milliseconds of measurement per task (tinybench `time`). */
  readonly timeMs: number;
  /** Minimum calls per task (tinybench `iterations`). */
  readonly minCalls?: number;
  readonly warmupMs?: number;
}

export async function measure(tasks: readonly Task[], o: MeasureOptions): Promise<Measured[]> {
  const bench = new Bench({
    time: o.timeMs,
    iterations: o.minCalls ?? 5,
    warmupTime: o.warmupMs ?? Math.min(100, o.timeMs),
    warmupIterations: 2,
    throws: true,
  });
  for (const t of tasks) bench.add(t.name, t.fn);
  await bench.run();
  return tasks.map((t) => {
    const task = bench.getTask(t.name);
    const r = task?.result;
    if (r === undefined || !('latency' in r)) throw new Error(`benchmark ${t.name} did not complete`);
    const nsPerOp = (r.latency.p50 * 1e6) / t.ops;
    return { name: t.name, nsPerOp, opsPerSec: 1e9 / nsPerOp, rme: r.latency.rme, samples: r.latency.samplesCount };
  });
}

/**
 * The ratio a/b of two tasks' median cost per operation, measured in `rounds` alternating short tinybench
 * runs; returns the median of the per-round ratios and each side's median ns/op.
 */
export async function ratio(a: Task, b: Task, rounds: number, timeMs: number): Promise<{ ratio: number; a: number; b: number }> {
  const rs: number[] = [];
  const as: number[] = [];
  const bs: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const order = i % 2 === 0 ? [a, b] : [b, a];
    const m = await measure(order, { timeMs, minCalls: 3, warmupMs: Math.min(50, timeMs) });
    const ma = m.find((x) => x.name === a.name) as Measured;
    const mb = m.find((x) => x.name === b.name) as Measured;
    rs.push(ma.nsPerOp / mb.nsPerOp);
    as.push(ma.nsPerOp);
    bs.push(mb.nsPerOp);
  }
  return { ratio: median(rs), a: median(as), b: median(bs) };
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((x, y) => x - y);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}
