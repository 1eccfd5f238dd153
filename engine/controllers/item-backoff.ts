/**
 * The per-item part of client-go's workqueue.DefaultControllerRateLimiter: a key whose sync failed is requeued
 * after 5 ms · 2^(failures − 1), capped at 1000 s (ItemExponentialFailureRateLimiter), and forgotten after a
 * sync that succeeded (queue.Forget). The limiter's overall token bucket (10 qps, burst 100) is not modeled.
 */
import type { Simulation } from '../core/simulation.js';
import type { Micros } from '../core/time.js';

const BASE: Micros = 5_000;
const MAX: Micros = 1_000_000_000;

export class ItemBackoff {
  private readonly failures = new Map<string, number>();

  constructor(private readonly sim: Simulation) {}

  /** AddRateLimited: `add(key)` after the key's backoff. */
  requeue(key: string, add: (key: string) => void): void {
    const n = this.failures.get(key) ?? 0;
    this.failures.set(key, n + 1);
    this.sim.callAt(this.sim.now + Math.min(BASE * 2 ** n, MAX), () => add(key));
  }

  forget(key: string): void {
    this.failures.delete(key);
  }
}
