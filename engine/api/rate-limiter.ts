/**
 * client-go's default client-side rate limiter (flowcontrol.NewTokenBucketRateLimiter, built on
 * golang.org/x/time/rate): a bucket of `burst` tokens, full at start, refilled at `qps` tokens a second;
 * each request takes one token and, when none is left, waits for its reservation (requests are served in
 * the order they ask). Defaults per component are in docs/model/control-plane.md
 */
import type { Micros } from '../core/time.js';

export interface RateLimit {
  /** Sustained requests per second; Infinity disables limiting (client-go: negative QPS). */
  readonly qps: number;
  readonly burst: number;
}

export class TokenBucket {
  private tokens: number;
  private last: Micros = 0;
  private readonly perMicro: number;
  throttled = 0;
  throttledWait: Micros = 0;

  constructor(readonly limit: RateLimit) {
    this.tokens = limit.burst;
    this.perMicro = limit.qps / 1_000_000;
  }

  /** Reserves one token for a request issued at `now`; returns when the request may start. */
  reserve(now: Micros): Micros {
    if (this.limit.qps === Infinity) return now;
    if (now > this.last) {
      this.tokens = Math.min(this.limit.burst, this.tokens + (now - this.last) * this.perMicro);
      this.last = now;
    }
    this.tokens -= 1;
    if (this.tokens >= 0) return now;
    // Wait until the deficit is refilled, measured from the bucket's reference time.
    const start = this.last + Math.ceil(-this.tokens / this.perMicro);
    this.throttled++;
    this.throttledWait += start - now;
    return start;
  }
}
