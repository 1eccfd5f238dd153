/**
 * A named, seeded random stream. Every component draws from its own stream, derived from the run seed and a
 * stable name ("scheduler", "kubelet/node-17", "workload/web/arrivals"), in the manner of ns-3's stream
 * numbers: adding a component or an event never shifts another component's draws, and two policies run on
 * the same seed see the same workload draws (common random numbers).
 *
 * The generator is Tyche-i (Neves & Araujo, "Fast and small nonlinear pseudorandom number generators for
 * computer simulation", PPAM 2011): 128 bits of state, four add/xor/rotate steps per 32-bit output. It is
 * written out here with the state in the stream's own fields, and seeded exactly as seedrandom 3.0.5's
 * `tychei(seedString)` (lib/tychei.js), so its sequences are the ones kubesim always drew (a test compares
 * them): no closure per draw and one small object per stream, which matters with one stream per kubelet
 * and per watcher (docs/design/performance.md: the library's closures cost ~3x a draw).
 */
export class RngStream {
  private a = 0;
  private b = 0;
  private c = 2654435769 | 0;
  private d = 1367130551;

  constructor(
    readonly runSeed: number,
    readonly name: string,
  ) {
    // seedrandom's string seeding: XOR each UTF-16 unit into b, one step per unit, then 20 more steps.
    const seed = `${runSeed}\u0000${name}`;
    for (let k = 0; k < seed.length + 20; k++) {
      if (k < seed.length) this.b ^= seed.charCodeAt(k);
      this.step();
    }
  }

  /** One Tyche-i step; returns the new 32-bit word as a signed integer. */
  private step(): number {
    let b = this.b;
    let c = this.c;
    let d = this.d;
    let a = this.a;
    b = (b << 25) ^ (b >>> 7) ^ c;
    c = (c - d) | 0;
    d = (d << 24) ^ (d >>> 8) ^ a;
    a = (a - b) | 0;
    this.b = b = (b << 20) ^ (b >>> 12) ^ c;
    this.c = c = (c - d) | 0;
    this.d = (d << 16) ^ (c >>> 16) ^ a;
    return (this.a = (a - b) | 0);
  }

  /** Uniform in [0, 1) with 32 bits of resolution. */
  next(): number {
    return (this.step() >>> 0) / 0x100000000;
  }

  /** Uniform in (0, 1]: safe as the argument of a logarithm. */
  nextOpen(): number {
    return 1 - (this.step() >>> 0) / 0x100000000;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(((this.step() >>> 0) / 0x100000000) * n);
  }
}

/** Hands out streams by name, creating each once; the same (seed, name) always gives the same sequence. */
export class RngFactory {
  private readonly streams = new Map<string, RngStream>();

  constructor(readonly runSeed: number) {}

  stream(name: string): RngStream {
    let s = this.streams.get(name);
    if (s === undefined) {
      s = new RngStream(this.runSeed, name);
      this.streams.set(name, s);
    }
    return s;
  }
}
