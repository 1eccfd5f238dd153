import { test } from 'uvu';
import * as assert from 'uvu/assert';
import seedrandom from 'seedrandom';
import { RngStream } from '../engine/core/rng.js';

// RngStream is a hand-written Tyche-i seeded as seedrandom's tychei(string); the library is the reference
// implementation, so every run keeps drawing the sequences it drew when rng.ts wrapped the library.
test('RngStream draws exactly what seedrandom.tychei draws for the same seed string', () => {
  for (const [seed, name] of [
    [1, 'scheduler'],
    [42, 'kubelet/general-617'],
    [0, ''],
    [4294967295, 'watch/kube-scheduler/pods'],
    [7, 'ünïcode/名前'],
  ] as const) {
    const ours = new RngStream(seed, name);
    const ref = seedrandom.tychei(`${seed}\u0000${name}`);
    for (let i = 0; i < 2000; i++) {
      const want = ref();
      const kind = i % 3;
      if (kind === 0) assert.is(ours.next(), want, `${seed}/${name} draw ${i}`);
      else if (kind === 1) assert.is(ours.nextOpen(), 1 - want, `${seed}/${name} draw ${i}`);
      else assert.is(ours.int(1000), Math.floor(want * 1000), `${seed}/${name} draw ${i}`);
    }
  }
});

test('RngStream.next stays in [0, 1) and nextOpen in (0, 1]', () => {
  const r = new RngStream(3, 'range');
  for (let i = 0; i < 100_000; i++) {
    const x = r.next();
    assert.ok(x >= 0 && x < 1);
    const y = r.nextOpen();
    assert.ok(y > 0 && y <= 1);
  }
});

test.run();
