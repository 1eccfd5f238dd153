/**
 * RNG micro-benchmarks (engine/core/rng.ts, engine/core/distribution.ts): draws from a stream, the samples
 * the control plane takes per request (lognormal latencies, uniform watch delays), and stream creation
 * (one per kubelet and per watcher, so 5,000-node runs create ~10,000 streams).
 */
import { lognormalFromP99, sample, type Distribution } from '../engine/core/distribution.js';
import { RngFactory, RngStream } from '../engine/core/rng.js';
import type { Task } from './harness.js';

const DRAWS = 100_000;
const STREAMS = 2_000;

export function rngTasks(): Task[] {
  const rng = new RngStream(1, 'bench/rng');
  const lognormal = lognormalFromP99(1000, 5000);
  const uniform: Distribution = { type: 'uniform', min: 1000, max: 5000 };
  const exponential: Distribution = { type: 'exponential', mean: 1000 };
  // One loop per task (not a shared loop calling a closure) so each call site stays monomorphic.
  let gen = 0;
  return [
    {
      name: 'RngStream.next()',
      ops: DRAWS,
      fn: () => {
        let s = 0;
        for (let i = 0; i < DRAWS; i++) s += rng.next();
        return s;
      },
    },
    {
      name: 'RngStream.int(1000)',
      ops: DRAWS,
      fn: () => {
        let s = 0;
        for (let i = 0; i < DRAWS; i++) s += rng.int(1000);
        return s;
      },
    },
    {
      name: 'sample(uniform)',
      ops: DRAWS,
      fn: () => {
        let s = 0;
        for (let i = 0; i < DRAWS; i++) s += sample(uniform, rng);
        return s;
      },
    },
    {
      name: 'sample(exponential)',
      ops: DRAWS,
      fn: () => {
        let s = 0;
        for (let i = 0; i < DRAWS; i++) s += sample(exponential, rng);
        return s;
      },
    },
    {
      name: 'sample(lognormal)',
      ops: DRAWS,
      fn: () => {
        let s = 0;
        for (let i = 0; i < DRAWS; i++) s += sample(lognormal, rng);
        return s;
      },
    },
    {
      name: 'create a stream (RngFactory.stream, new name)',
      ops: STREAMS,
      fn: () => {
        const f = new RngFactory(gen++);
        let s = 0;
        for (let i = 0; i < STREAMS; i++) s += f.stream(`kubelet/node-${i}`).next();
        return s;
      },
    },
  ];
}
