/**
 * The (policy, seed) runs of a sweep, in one canonical order (policy by policy as the scenario lists them,
 * seeds ascending), and a deterministic share of them for `--shard i/n`. Reports always list runs in this
 * order, whatever order workers or shards finish them in.
 */
export interface RunTask {
  /** Position in the canonical order. */
  readonly index: number;
  readonly policy: string;
  readonly seed: number;
}

/** Common random numbers: replication k of every policy runs on seed + k. */
export function seedsOf(seed: number, replications: number): number[] {
  return Array.from({ length: replications }, (_, k) => seed + k);
}

export function planTasks(policies: readonly string[], seeds: readonly number[]): RunTask[] {
  const out: RunTask[] = [];
  for (const policy of policies) for (const seed of seeds) out.push({ index: out.length, policy, seed });
  return out;
}

export interface Shard {
  /** 0-based, as a Kubernetes Indexed Job's JOB_COMPLETION_INDEX. */
  readonly index: number;
  readonly count: number;
}

/** Parses "i/n" (0 ≤ i < n); null with the reason when malformed. */
export function parseShard(text: string): Shard | string {
  const m = /^(\d+)\/(\d+)$/.exec(text);
  if (m === null) return `expected i/n such as 0/4, got "${text}"`;
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (count < 1 || count > 100_000) return `expected n from 1 to 100000, got ${count}`;
  if (index >= count) return `expected 0 ≤ i < n, got ${index}/${count}`;
  return { index, count };
}

/** Shard i of n takes every n-th run starting at i: shares differ by at most one run and mix policies. */
export function shardTasks(tasks: readonly RunTask[], shard: Shard): RunTask[] {
  return tasks.filter((t) => t.index % shard.count === shard.index);
}
