/**
 * etcd as the API server uses it: a versioned key-value store with one global revision that every write
 * increments, and a commit latency per write (raft round trip + fdatasync; etcd op-guide/performance.md,
 * summarised in docs/model/control-plane.md).
 *
 * Writes commit in the order they are proposed: a write's commit time is never earlier than the previous
 * one's, as raft applies entries in log order. The store keeps only the latest version of each key (no
 * history or compaction is modeled; watches are served from the commit stream directly).
 */
import { sample, type Distribution } from '../core/distribution.js';
import type { RngStream } from '../core/rng.js';
import type { Micros } from '../core/time.js';
import type { KubeObject } from './objects.js';

export interface EtcdParams {
  /** Time from proposal to commit of one write. */
  readonly writeLatency: Distribution;
}

/**
 * One stored key. `key` is the string the key was first written with, kept for the key's lifetime: the API
 * server hands this same string object to every watcher, so informer caches compare keys by identity instead
 * of comparing (and hashing) a fresh equal string per event, which profiling showed to be ~8% of a large run.
 */
export interface Entry {
  readonly key: string;
  value: KubeObject;
}

export class Etcd {
  private rev = 0;
  private lastCommit: Micros = 0;
  private readonly data = new Map<string, Entry>();
  writes = 0;
  /** Multiplies every write latency drawn from now on (an etcdSlowdown fault: slow disk, noisy neighbour). */
  latencyFactor = 1;

  constructor(
    private readonly params: EtcdParams,
    private readonly rng: RngStream,
  ) {}

  get revision(): number {
    return this.rev;
  }

  get size(): number {
    return this.data.size;
  }

  /** Virtual time at which a write proposed at `now` commits. */
  commitTime(now: Micros): Micros {
    const t = Math.max(now + Math.round(sample(this.params.writeLatency, this.rng) * this.latencyFactor), this.lastCommit);
    this.lastCommit = t;
    return t;
  }

  get(key: string): KubeObject | undefined {
    return this.data.get(key)?.value;
  }

  /** The stored entry for `key`, whose `key` field is the canonical string for it. */
  entry(key: string): Entry | undefined {
    return this.data.get(key);
  }

  /** Applies a committed write and returns its revision. */
  put(key: string, value: KubeObject): number {
    this.write(this.data.get(key), key, value);
    return this.rev;
  }

  /** put() for a caller that already looked the entry up (`e` = entry(key)); returns the entry written. */
  write(e: Entry | undefined, key: string, value: KubeObject): Entry {
    if (e === undefined) this.data.set(key, (e = { key, value }));
    else e.value = value;
    this.writes++;
    this.rev++;
    return e;
  }

  delete(key: string): number {
    this.data.delete(key);
    this.writes++;
    return ++this.rev;
  }

  /** Objects in key order (deterministic whatever the write order). */
  list(prefix: string): KubeObject[] {
    const keys: string[] = [];
    for (const k of this.data.keys()) if (k.startsWith(prefix)) keys.push(k);
    keys.sort();
    return keys.map((k) => (this.data.get(k) as Entry).value);
  }
}
