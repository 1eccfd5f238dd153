/**
 * End-to-end benchmark cases: a bundled scenario, optionally with some pod workloads' counts changed (the
 * scheduler_perf parameter sets), run through runOnce exactly as `kubesim run` does.
 */
import { MICROS_PER_SECOND, type Micros } from '../engine/core/time.js';
import type { Scenario } from '../engine/scenario/types.js';

export interface E2eCase {
  readonly id: string;
  readonly label: string;
  readonly scenario: string;
  /** Pod workload name → count (e.g. scheduler_perf's initPods / measurePods). */
  readonly counts?: Readonly<Record<string, number>>;
  /** Node count of the scenario's single node pool (scheduler_perf's initNodes). */
  readonly nodes?: number;
  /** Left out of `--quick` runs (minutes of wall time or GiBs of memory). */
  readonly slow?: boolean;
  /** Virtual time limit replacing the scenario's (so that every pod can be scheduled). */
  readonly duration?: Micros;
}

export const E2E_CASES: readonly E2eCase[] = [
  { id: 'quickstart', label: 'quickstart: 1,000 nodes, 10,000 pods, 3 policies', scenario: 'scenarios/quickstart.yaml' },
  {
    id: 'sb-5000x10k',
    label: 'SchedulingBasic 5,000 nodes, 1,000 + 10,000 pods',
    scenario: 'scenarios/scheduling-basic-5000.yaml',
  },
  {
    id: 'sb-5000x50k',
    label: 'SchedulingBasic 5,000 nodes, 5,000 + 50,000 pods',
    scenario: 'scenarios/scheduling-basic-5000.yaml',
    counts: { init: 5000, measure: 50000 },
  },
  {
    id: 'sb-5000x150k',
    label: 'SchedulingBasic 5,000 nodes, 5,000 + 145,000 pods',
    scenario: 'scenarios/scheduling-basic-5000.yaml',
    counts: { init: 5000, measure: 145000 },
    slow: true,
  },
  {
    id: 'sb-50000x50k',
    label: 'SchedulingBasic 50,000 nodes, 5,000 + 45,000 pods',
    scenario: 'scenarios/scheduling-basic-5000.yaml',
    nodes: 50000,
    counts: { init: 5000, measure: 45000 },
    slow: true,
  },
  {
    id: 'sb-100000x1m',
    label: 'SchedulingBasic 100,000 nodes, 10,000 + 990,000 pods',
    scenario: 'scenarios/scheduling-basic-5000.yaml',
    nodes: 100000,
    counts: { init: 10000, measure: 990000 },
    slow: true,
    // At the scheduler's ~100 bindings/s a million pods need ~3 h of virtual time (the scenario stops at 30 min).
    duration: 4 * 3600 * MICROS_PER_SECOND,
  },
];

/** The scenario resized as the case says. */
export function caseScenario(s: Scenario, c: E2eCase): Scenario {
  const resized = { ...withCounts(s, c.counts), ...(c.duration === undefined ? {} : { duration: c.duration }) };
  if (c.nodes === undefined) return resized;
  if (resized.nodePools.length !== 1) throw new Error(`${s.file}: a node count needs exactly one node pool`);
  return { ...resized, nodePools: [{ ...resized.nodePools[0], count: c.nodes }] };
}

/** The scenario with the named pod workloads' counts replaced; fails on a name the scenario lacks. */
export function withCounts(s: Scenario, counts: Readonly<Record<string, number>> | undefined): Scenario {
  if (counts === undefined) return s;
  for (const name of Object.keys(counts)) {
    if (!s.podWorkloads.some((w) => w.name === name)) throw new Error(`${s.file}: no pod workload named ${name}`);
  }
  return {
    ...s,
    podWorkloads: s.podWorkloads.map((w) =>
      counts[w.name] === undefined ? w : { ...w, arrival: { ...w.arrival, count: counts[w.name] } },
    ),
  };
}
