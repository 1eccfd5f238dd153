import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { EventQueue } from '../engine/core/event-queue.js';
import { Simulation } from '../engine/core/simulation.js';
import { RngFactory, RngStream } from '../engine/core/rng.js';
import { sample, mean, lognormalFromP99, type Distribution } from '../engine/core/distribution.js';

test('event queue pops in time order, equal times in insertion order', () => {
  const q = new EventQueue(4); // small, to exercise growth
  const times = [5, 3, 3, 9, 1, 3, 5, 0, 9, 3];
  times.forEach((t, id) => q.push(t, id));
  const out: [number, number][] = [];
  while (q.size > 0) {
    const t = q.peekTime();
    out.push([t, q.pop()]);
  }
  assert.equal(out, [
    [0, 7],
    [1, 4],
    [3, 1],
    [3, 2],
    [3, 5],
    [3, 9],
    [5, 0],
    [5, 6],
    [9, 3],
    [9, 8],
  ]);
  assert.is(q.pop(), -1);
  assert.is(q.peekTime(), Infinity);
});

test('event queue matches a stable sort over 20,000 interleaved operations', () => {
  const q = new EventQueue(8);
  const rng = new RngStream(7, 'queue-test');
  const ref: { t: number; id: number; seq: number }[] = [];
  let seq = 0;
  let now = 0;
  for (let step = 0; step < 20000; step++) {
    if (ref.length === 0 || rng.next() < 0.55) {
      const t = now + Math.floor(rng.next() * 10); // many equal times
      q.push(t, step);
      ref.push({ t, id: step, seq: seq++ });
    } else {
      ref.sort((a, b) => a.t - b.t || a.seq - b.seq);
      const want = ref.shift()!;
      assert.is(q.peekTime(), want.t);
      assert.is(q.pop(), want.id);
      now = want.t;
    }
  }
});

test('simulation runs handlers in (time, FIFO) order and stops at the horizon', () => {
  const sim = new Simulation();
  const seen: string[] = [];
  const k = sim.register('note', (a, b) => seen.push(`${sim.now}:${a}:${b}`));
  sim.at(10, k, 1, 0);
  sim.at(5, k, 2, 0);
  sim.at(10, k, 3, 0);
  sim.callAt(7, () => {
    seen.push(`${sim.now}:cb`);
    sim.after(0, k, 4, 1.5); // same-time event scheduled from a handler runs after those already queued
    sim.at(20, k, 5, 0);
  });
  const end = sim.run(15);
  assert.equal(seen, ['5:2:0', '7:cb', '7:4:1.5', '10:1:0', '10:3:0']);
  assert.is(end, 10);
  assert.is(sim.pending, 1);
  assert.throws(() => sim.at(3, k), /past/);
});

test('fingerprint changes when any event differs and is equal for equal runs', () => {
  const run = (extraAt: number | null): string => {
    const sim = new Simulation();
    const k = sim.register('x', () => undefined);
    for (let i = 0; i < 100; i++) sim.at(i * 3, k, i);
    if (extraAt !== null) sim.at(extraAt, k, 999);
    sim.run();
    return sim.fingerprint.value();
  };
  assert.is(run(null), run(null));
  assert.is.not(run(null), run(50));
  assert.is.not(run(50), run(51));
});

test('RNG streams: same (seed, name) → same draws; other streams do not disturb them', () => {
  const a = new RngFactory(1);
  const xs = Array.from({ length: 5 }, () => a.stream('scheduler').next());
  const b = new RngFactory(1);
  // Interleave draws on unrelated streams, and create a new stream in between.
  const ys: number[] = [];
  for (let i = 0; i < 5; i++) {
    b.stream('kubelet/node-1').next();
    if (i === 2) b.stream('brand-new-component').next();
    ys.push(b.stream('scheduler').next());
  }
  assert.equal(ys, xs);
  const c = new RngFactory(2);
  assert.is.not(c.stream('scheduler').next(), xs[0]);
  assert.is.not(a.stream('other').next(), new RngFactory(1).stream('scheduler').next());
});

test('distributions: integer samples with the declared means', () => {
  const rng = new RngStream(3, 'dist');
  const n = 200_000;
  const avg = (d: Distribution): number => {
    let s = 0;
    for (let i = 0; i < n; i++) {
      const x = sample(d, rng);
      assert.ok(Number.isInteger(x));
      s += x;
    }
    return s / n;
  };
  assert.is(avg({ type: 'constant', value: 42 }), 42);
  const u = avg({ type: 'uniform', min: 1000, max: 5000 });
  assert.ok(Math.abs(u - 3000) < 15, `uniform mean ${u}`);
  const e = avg({ type: 'exponential', mean: 10_000 });
  assert.ok(Math.abs(e - 10_000) < 100, `exponential mean ${e}`);
  const ln = lognormalFromP99(1500, 10_000);
  const l = avg(ln);
  assert.ok(Math.abs(l - mean(ln)) / mean(ln) < 0.02, `lognormal mean ${l} vs ${mean(ln)}`);
  // p99 of the lognormal lands at the declared value
  const xs = Array.from({ length: n }, () => sample(ln, rng)).sort((a, b) => a - b);
  const p99 = xs[Math.ceil(n * 0.99) - 1];
  assert.ok(Math.abs(p99 - 10_000) < 400, `p99 ${p99}`);
  const emp = avg({ type: 'empirical', values: [10, 20], weights: [3, 1] });
  assert.ok(Math.abs(emp - 12.5) < 0.1, `empirical mean ${emp}`);
});

test('M/M/1 queue on the engine: mean time in system within 2% of 1/(mu - lambda)', () => {
  const sim = new Simulation();
  const rngs = new RngFactory(11);
  const arr = rngs.stream('arrivals');
  const svc = rngs.stream('service');
  const lambda = 0.5; // per time unit (1 unit = 1000 µs); rho = 0.5 keeps the estimate's error well under 2%
  const mu = 1.0;
  const unit = 1000;
  const queue: number[] = [];
  let busy = false;
  let done = 0;
  let sumT = 0;
  const N = 200_000;
  const depart = sim.register('depart', () => {
    const arrivedAt = queue.shift()!;
    sumT += sim.now - arrivedAt;
    done++;
    busy = false;
    if (queue.length > 0) start();
  });
  const start = (): void => {
    busy = true;
    sim.after(Math.max(1, Math.round((-Math.log(svc.nextOpen()) / mu) * unit)), depart);
  };
  const arrive = sim.register('arrive', (i) => {
    queue.push(sim.now);
    if (!busy) start();
    if (i + 1 < N) sim.after(Math.round((-Math.log(arr.nextOpen()) / lambda) * unit), arrive, i + 1);
  });
  sim.at(0, arrive, 0);
  sim.run();
  assert.is(done, N);
  const W = sumT / done / unit;
  const theory = 1 / (mu - lambda);
  assert.ok(Math.abs(W - theory) / theory < 0.02, `W=${W} theory=${theory}`);
});

test.run();
