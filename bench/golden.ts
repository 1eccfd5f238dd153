/**
 * Golden results: every bundled scenario (scenarios/*.yaml), every policy, on the scenario's own seed, run
 * once; the run fingerprint (a hash of every event and of the summary, engine/core/fingerprint.ts) is pinned
 * in bench/golden.json. A changed fingerprint means the simulated behaviour changed: either a bug, or a
 * deliberate change whose pins are regenerated with `npm run bench:golden` (and the diff of golden.json
 * committed with it, so the change is visible in review).
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { runOnce } from '../engine/run.js';
import { loadScenario } from '../engine/scenario/load.js';
import { InputError } from '../engine/scenario/input-error.js';

export interface GoldenPin {
  readonly scenario: string;
  readonly policy: string;
  readonly seed: number;
  readonly fingerprint: string;
  readonly events: number;
  readonly podsCreated: number;
  readonly podsScheduled: number;
}

export interface GoldenFile {
  readonly note: string;
  readonly pins: readonly GoldenPin[];
}

export const GOLDEN_NOTE =
  'Run fingerprints of every bundled scenario x policy on the scenario seed. Regenerate after a deliberate change of simulated behaviour: npm run bench:golden';

/** True when the scenario loads only with allowOutside (an error of any other kind propagates). */
function readsOutside(path: string): boolean {
  loadScenario(path, { allowOutside: true });
  try {
    loadScenario(path);
    return false;
  } catch (e) {
    if (e instanceof InputError) return true;
    throw e;
  }
}

/** Bundled scenario files, relative to the repository root, in name order. */
export function bundledScenarios(root: string): string[] {
  return readdirSync(join(root, 'scenarios'))
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((f) => `scenarios/${f}`);
}

/** Runs every pin's (scenario, policy, seed); `root` is the repository root (scenario paths are relative to it). */
export function computeGolden(root: string, onRun?: (label: string) => void): GoldenPin[] {
  const pins: GoldenPin[] = [];
  for (const file of bundledScenarios(root)) {
    // Scenarios that read the production trace in place (../shared/traces, outside the repository: loading them
    // needs allowOutside) are not pinned: the trace is not part of the checkout, and their own tests cover them
    // (test/gpu-replay.test.ts: the study's replay; test/openb-replay.test.ts: the timed trace replay).
    if (readsOutside(join(root, file))) continue;
    const s = loadScenario(join(root, file)).scenario;
    for (const policy of s.policies) {
      onRun?.(`${file} / ${policy.name}`);
      const r = runOnce(s, policy, s.seed);
      pins.push({
        scenario: file,
        policy: policy.name,
        seed: s.seed,
        fingerprint: r.fingerprint,
        events: r.summary.events,
        podsCreated: r.summary.pods_created,
        podsScheduled: r.summary.pods_scheduled,
      });
    }
  }
  return pins;
}

/** Human-readable differences between pinned and current results (empty = identical). */
export function diffGolden(pinned: readonly GoldenPin[], current: readonly GoldenPin[]): string[] {
  const key = (p: GoldenPin): string => `${p.scenario} / ${p.policy} / seed ${p.seed}`;
  const cur = new Map(current.map((p) => [key(p), p]));
  const old = new Map(pinned.map((p) => [key(p), p]));
  const out: string[] = [];
  for (const [k, p] of old) {
    const c = cur.get(k);
    if (c === undefined) out.push(`${k}: pinned but no longer run`);
    else if (c.fingerprint !== p.fingerprint)
      out.push(
        `${k}: fingerprint ${p.fingerprint} → ${c.fingerprint} (events ${p.events} → ${c.events}, scheduled ${p.podsScheduled} → ${c.podsScheduled})`,
      );
  }
  for (const k of cur.keys()) if (!old.has(k)) out.push(`${k}: not pinned yet`);
  return out;
}
