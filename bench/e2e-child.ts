/**
 * Runs one end-to-end case in a fresh process (so peak RSS belongs to that case alone) and prints one JSON
 * line: wall time of loading and of each policy's run, events, pods, and memory.
 *   node dist/bench/e2e-child.js <case id>
 */
import { performance } from 'node:perf_hooks';
import { runOnce } from '../engine/run.js';
import { loadScenario } from '../engine/scenario/load.js';
import { E2E_CASES, caseScenario } from './e2e-cases.js';

export interface E2eRun {
  readonly policy: string;
  readonly wallMs: number;
  /** CPU time of the process during the run (user + system), less sensitive to a busy machine than wall. */
  readonly cpuMs: number;
  readonly events: number;
  readonly podsCreated: number;
  readonly podsScheduled: number;
  readonly simEndS: number;
  readonly fingerprint: string;
}

export interface E2eResult {
  readonly id: string;
  readonly nodes: number;
  readonly loadMs: number;
  readonly runs: readonly E2eRun[];
  /** process.resourceUsage().maxRSS, in bytes. */
  readonly maxRssBytes: number;
  readonly heapUsedBytes: number;
}

const id = process.argv[2];
const c = E2E_CASES.find((x) => x.id === id);
if (c === undefined) {
  process.stderr.write(`unknown case ${id}; known: ${E2E_CASES.map((x) => x.id).join(', ')}\n`);
  process.exit(2);
}
const t0 = performance.now();
const scenario = caseScenario(loadScenario(c.scenario).scenario, c);
const loadMs = performance.now() - t0;
const runs: E2eRun[] = [];
for (const policy of scenario.policies) {
  const t = performance.now();
  const cpu = process.cpuUsage();
  const r = runOnce(scenario, policy, scenario.seed);
  const wallMs = performance.now() - t;
  const dc = process.cpuUsage(cpu);
  const s = r.summary;
  runs.push({
    policy: policy.name,
    wallMs,
    cpuMs: (dc.user + dc.system) / 1000,
    events: s.events,
    podsCreated: s.pods_created,
    podsScheduled: s.pods_scheduled,
    simEndS: s.sim_end_s,
    fingerprint: r.fingerprint,
  });
}
const result: E2eResult = {
  id: c.id,
  nodes: scenario.nodePools.reduce((n, p) => n + p.count, 0),
  loadMs,
  runs,
  maxRssBytes: process.resourceUsage().maxRSS * 1024,
  heapUsedBytes: process.memoryUsage().heapUsed,
};
process.stdout.write(`${JSON.stringify(result)}\n`);
