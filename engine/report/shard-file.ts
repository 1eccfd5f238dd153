/**
 * shard.json: what one `kubesim run --shard i/n` produced (the sweep description and its runs' outputs), and
 * the merge of n shard files back into the whole sweep. A merge checks that the shards come from the same
 * sweep and that every run is present exactly once, then orders runs canonically, so the merged reports
 * equal an unsharded run's byte for byte.
 */
import { reviveSummaryNaN } from '../metrics/run-output.js';
import type { TaskResult } from '../sweep/execute.js';
import { planTasks, type Shard } from '../sweep/plan.js';
import type { Sweep, SweepInfo } from './sweep.js';

export const SHARD_FILE = 'shard.json';
const FORMAT = 'kubesim-shard/v1';

export interface ShardFile {
  readonly format: typeof FORMAT;
  readonly shard: Shard;
  readonly info: SweepInfo;
  readonly results: readonly TaskResult[];
}

export function shardJson(info: SweepInfo, shard: Shard, results: readonly TaskResult[]): string {
  const f: ShardFile = { format: FORMAT, shard, info, results };
  return `${JSON.stringify(f)}\n`;
}

/** Thrown when shard files do not form one complete sweep. */
export class MergeError extends Error {}

export function parseShardFile(text: string, where: string): ShardFile {
  let f: unknown;
  try {
    f = JSON.parse(text);
  } catch (e) {
    throw new MergeError(`${where}: not JSON (${e instanceof Error ? e.message : String(e)})`);
  }
  const o = f as Partial<ShardFile> | null;
  if (
    o === null ||
    typeof o !== 'object' ||
    o.format !== FORMAT ||
    o.info === undefined ||
    o.shard === undefined ||
    !Array.isArray(o.results)
  ) {
    throw new MergeError(`${where}: not a kubesim shard file (expected "format": "${FORMAT}")`);
  }
  for (const r of o.results) reviveSummaryNaN((r as { output?: unknown }).output);
  return o as ShardFile;
}

export function mergeShards(files: readonly { readonly where: string; readonly file: ShardFile }[]): {
  sweep: Sweep;
  results: TaskResult[];
} {
  if (files.length === 0) throw new MergeError('no shard folders given');
  const first = files[0];
  const infoJson = JSON.stringify(first.file.info);
  const count = first.file.shard.count;
  const seen = new Map<number, string>();
  for (const { where, file } of files) {
    if (JSON.stringify(file.info) !== infoJson)
      throw new MergeError(`${where}: from a different sweep than ${first.where} (scenario, policies, seeds or report options differ)`);
    if (file.shard.count !== count)
      throw new MergeError(`${where}: shard ${file.shard.index}/${file.shard.count}, but ${first.where} is one of ${count}`);
    const other = seen.get(file.shard.index);
    if (other !== undefined) throw new MergeError(`${where}: shard ${file.shard.index}/${count} given twice (also ${other})`);
    seen.set(file.shard.index, where);
  }
  const missing = Array.from({ length: count }, (_, i) => i).filter((i) => !seen.has(i));
  if (missing.length > 0)
    throw new MergeError(`missing shard${missing.length > 1 ? 's' : ''} ${missing.map((i) => `${i}/${count}`).join(', ')}`);
  const tasks = planTasks(first.file.info.policies, first.file.info.seeds);
  const byIndex = new Map<number, TaskResult>();
  for (const { where, file } of files) {
    for (const r of file.results) {
      const t = tasks[r.task.index];
      if (t === undefined || t.policy !== r.task.policy || t.seed !== r.task.seed)
        throw new MergeError(`${where}: run ${r.task.policy} seed ${r.task.seed} is not part of the sweep`);
      if (byIndex.has(t.index)) throw new MergeError(`${where}: run ${t.policy} seed ${t.seed} appears twice`);
      byIndex.set(t.index, r);
    }
  }
  const absent = tasks.filter((t) => !byIndex.has(t.index));
  if (absent.length > 0) throw new MergeError(`the shards lack ${absent.length} run(s), e.g. ${absent[0].policy} seed ${absent[0].seed}`);
  const results = tasks.map((t) => byIndex.get(t.index) as TaskResult);
  return { sweep: { info: first.file.info, runs: results.map((r) => r.output) }, results };
}
