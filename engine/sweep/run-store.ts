/**
 * Per-run results kept in the output folder (`<out>/runs/<policy>.seed-<seed>.json`), each written atomically
 * as soon as its run finishes. They are what survives an interruption (Ctrl-C, SIGTERM, a killed machine) and
 * what `--resume` reuses: a stored run is reused only when its key matches, and the key covers everything the
 * run's output depends on — the engine's compiled code, the loaded scenario (every default filled in), the
 * policy, the seed and the report settings — so an edited scenario or a rebuilt engine reruns instead of
 * mixing old and new results.
 */
import { reviveSummaryNaN } from '../metrics/run-output.js';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeFileAtomic } from '../report/atomic-write.js';
import type { Scenario } from '../scenario/types.js';
import type { RunSettings, TaskResult } from './execute.js';
import type { RunTask } from './plan.js';

export const RUNS_DIR = 'runs';
const FORMAT = 'kubesim-run/v1';

interface StoredRun {
  readonly format: typeof FORMAT;
  readonly key: string;
  readonly result: TaskResult;
}

/** Policy names are [A-Za-z0-9._-]+ (checked by the loader), so they are safe in a file name. */
export function runFile(out: string, task: RunTask): string {
  return join(out, RUNS_DIR, `${task.policy}.seed-${task.seed}.json`);
}

/** JSON with maps as sorted entry lists and non-finite numbers spelled out, so equal data gives equal text. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => {
    if (v instanceof Map) return [...v.entries()].sort((a, b) => (String(a[0]) < String(b[0]) ? -1 : 1));
    if (typeof v === 'number' && !Number.isFinite(v)) return String(v);
    return v;
  });
}

let engineDigest: string | null = null;

/** Hash of the compiled engine (every .js file under dist/engine), computed once per process. */
export function engineHash(): string {
  if (engineDigest !== null) return engineDigest;
  const root = dirname(dirname(fileURLToPath(import.meta.url)));
  const h = createHash('sha256');
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.js')) h.update(relative(root, p)).update('\0').update(readFileSync(p)).update('\0');
    }
  };
  walk(root);
  engineDigest = h.digest('hex');
  return engineDigest;
}

/** The key of one run: what its output is a function of. */
export function runKey(scenario: Scenario, task: RunTask, s: RunSettings): string {
  const policy = scenario.policies.find((p) => p.name === task.policy);
  // The file's location, the other policies, the seed range and the description do not change this run.
  const {
    file: _file,
    policies: _policies,
    seed: _seed,
    replications: _replications,
    description: _description,
    report: _report,
    ...rest
  } = scenario;
  const inputs = {
    engine: engineHash(),
    scenario: rest,
    policy: policy === undefined ? null : { ...policy, source: undefined },
    seed: task.seed,
    sampleInterval: s.sampleInterval,
    pods: s.pods,
    trace: s.trace !== null && task.seed === s.traceSeed ? s.trace : null,
  };
  return createHash('sha256').update(canonical(inputs)).digest('hex');
}

export function storeRun(out: string, key: string, result: TaskResult): void {
  const stored: StoredRun = { format: FORMAT, key, result };
  writeFileAtomic(runFile(out, result.task), `${JSON.stringify(stored)}\n`);
}

/** The stored result of a task when one exists with the same key; null otherwise (missing, stale or unreadable). */
export function loadRun(out: string, task: RunTask, key: string): TaskResult | null {
  let text: string;
  try {
    text = readFileSync(runFile(out, task), 'utf8');
  } catch {
    return null;
  }
  let stored: Partial<StoredRun> | null;
  try {
    stored = JSON.parse(text) as Partial<StoredRun> | null;
  } catch {
    return null;
  }
  if (stored === null || typeof stored !== 'object' || stored.format !== FORMAT || stored.key !== key || stored.result === undefined)
    return null;
  const r = stored.result;
  if (r.task?.policy !== task.policy || r.task.seed !== task.seed || typeof r.output !== 'object' || r.output === null) return null;
  reviveSummaryNaN(r.output);
  // The stored task index belongs to the sweep that wrote it; this sweep's index is the one that counts.
  return { ...r, task };
}
