/**
 * Run fingerprint in the manner of OMNeT++'s cFingerprintCalculator: a running 32-bit hash of
 * (time, kind, target) for every event. Two runs with equal fingerprints executed the same events in the
 * same order at the same virtual times, so any change in simulated behaviour shows up as a changed value.
 */
export class Fingerprint {
  private h = 0x811c9dc5;

  /** Mixes one 32-bit word (FNV-1a over the word, then a murmur-style avalanche on read). */
  addWord(w: number): void {
    this.h = Math.imul(this.h ^ (w | 0), 0x01000193);
  }

  /** Mixes a non-negative integer up to 2^53 as two 32-bit words. */
  addInt(v: number): void {
    this.addWord(v % 0x100000000);
    this.addWord(Math.floor(v / 0x100000000));
  }

  addEvent(time: number, kind: number, target: number): void {
    this.addInt(time);
    this.addWord(kind);
    this.addWord(target);
  }

  addString(s: string): void {
    for (let i = 0; i < s.length; i++) this.addWord(s.charCodeAt(i));
  }

  value(): string {
    let x = this.h;
    x ^= x >>> 16;
    x = Math.imul(x, 0x85ebca6b);
    x ^= x >>> 13;
    x = Math.imul(x, 0xc2b2ae35);
    x ^= x >>> 16;
    return (x >>> 0).toString(16).padStart(8, '0');
  }
}
