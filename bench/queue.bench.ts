/**
 * Event queue micro-benchmarks (engine/core/event-queue.ts) beside the reference queue
 * (bench/reference/flat-queue.ts, no FIFO ties), in the shapes of engine-performance.md §1.2:
 *   bulk N  = push N events with random times, then pop them all (ns per push+pop pair);
 *   hold Q  = Q events pending, then pop the earliest and push it back at now + Exp(1) (ns per hold),
 *             the classic "hold model" (Jones, CACM 1986; ns-3 utils/bench-scheduler.cc);
 *   hold Q, integer µs = the same with increments rounded to whole microseconds of an Exp(mean 1 ms)
 *             delay, the simulator's own time base (some equal times).
 * Increments are precomputed from an engine RNG stream so both queues see the same sequence.
 */
import { EventQueue } from '../engine/core/event-queue.js';
import { RngStream } from '../engine/core/rng.js';
import { FlatQueue } from './reference/flat-queue.js';
import type { Task } from './harness.js';

const INC_BITS = 16;
const INC_MASK = (1 << INC_BITS) - 1;

function increments(kind: 'exp' | 'micros', seed: number): Float64Array {
  const rng = new RngStream(seed, `bench/queue/${kind}`);
  const a = new Float64Array(1 << INC_BITS);
  for (let i = 0; i < a.length; i++) {
    const e = -Math.log(rng.nextOpen());
    a[i] = kind === 'exp' ? e : Math.round(e * 1000);
  }
  return a;
}

/** Our queue: Q pending events, then `holds` × (pop earliest; push at now + increment). */
export function holdOurs(q: EventQueue, inc: Float64Array, holds: number, k0: number): number {
  let k = k0;
  for (let i = 0; i < holds; i++) {
    const t = q.peekTime();
    const id = q.pop();
    q.push(t + inc[k++ & INC_MASK], id);
  }
  return k;
}

export function holdRef(q: FlatQueue, inc: Float64Array, holds: number, k0: number): number {
  let k = k0;
  for (let i = 0; i < holds; i++) {
    const t = q.peekValue();
    const id = q.pop();
    q.push(id, t + inc[k++ & INC_MASK]);
  }
  return k;
}

/** A pair of hold tasks (ours, reference) at `pending` events. */
export function holdTasks(pending: number, kind: 'exp' | 'micros', holds = 100_000): { ours: Task; ref: Task } {
  const inc = increments(kind, 1);
  const ours = new EventQueue(pending);
  const ref = new FlatQueue(pending);
  const start = new RngStream(3, 'bench/queue/prefill');
  for (let i = 0; i < pending; i++) {
    const t = kind === 'exp' ? start.next() : Math.floor(start.next() * 1000);
    ours.push(t, i);
    ref.push(i, t);
  }
  let ko = 0;
  let kr = 0;
  const label = `hold ${fmtCount(pending)}${kind === 'micros' ? ', integer µs' : ''}`;
  return {
    ours: { name: `${label}: EventQueue`, ops: holds, fn: () => (ko = holdOurs(ours, inc, holds, ko)) },
    ref: { name: `${label}: reference`, ops: holds, fn: () => (kr = holdRef(ref, inc, holds, kr)) },
  };
}

/** Bulk: push n events with random times, then pop all n (one op = one push + one pop). */
export function bulkTasks(n: number): { ours: Task; ref: Task } {
  const rng = new RngStream(2, 'bench/queue/bulk');
  const times = new Float64Array(n);
  for (let i = 0; i < n; i++) times[i] = rng.next() * n;
  const ours = new EventQueue(n);
  const ref = new FlatQueue(n);
  return {
    ours: {
      name: `bulk ${fmtCount(n)}: EventQueue`,
      ops: n,
      fn: () => {
        for (let i = 0; i < n; i++) ours.push(times[i], i);
        let s = 0;
        for (let i = 0; i < n; i++) s += ours.pop();
        return s;
      },
    },
    ref: {
      name: `bulk ${fmtCount(n)}: reference`,
      ops: n,
      fn: () => {
        for (let i = 0; i < n; i++) ref.push(i, times[i]);
        let s = 0;
        for (let i = 0; i < n; i++) s += ref.pop();
        return s;
      },
    },
  };
}

export function fmtCount(n: number): string {
  const e = Math.log10(n);
  return Number.isInteger(e) ? `1e${e}` : n.toLocaleString('en-US');
}
