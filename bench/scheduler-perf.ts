/**
 * scheduler_perf's test cases at 5,000 nodes (scenarios/scheduler-perf/perf-*.yaml) run through kubesim, with
 * kubesim's modeled scheduling throughput beside upstream's CI threshold (the minimum average pods/s a CI run
 * must reach, test/integration/scheduler_perf/*\/performance-config.yaml). The thresholds are a floor of
 * upstream's measurements, so the comparison is of order and ratio: each case relative to SchedulingBasic.
 * This is what the cycle cost model's parameters (engine/scheduler/cycle-cost.ts, scenario/defaults.ts) are
 * calibrated against.
 *
 *   node dist/bench/scheduler-perf.js [--case NAME ...] [--json FILE]
 *
 * Virtual time only: the figures are the same on every machine (no wall clock enters them).
 */
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runOnce } from '../engine/run.js';
import { loadScenario } from '../engine/scenario/load.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface PerfCase {
  /** scenarios/scheduler-perf/<file>.yaml */
  readonly file: string;
  /** Upstream's test case and workload. */
  readonly upstream: string;
  /** Upstream's CI threshold (pods/s), or null where upstream has none. */
  readonly threshold: number | null;
}

/** In upstream's order of throughput (thresholds: misc/, affinity/, topology_spreading/ performance-config.yaml). */
export const PERF_CASES: readonly PerfCase[] = [
  { file: 'perf-scheduling-basic', upstream: 'SchedulingBasic/5000Nodes_10000Pods', threshold: 680 },
  { file: 'perf-unschedulable', upstream: 'Unschedulable/5kNodes/100Init/10kPods', threshold: 590 },
  { file: 'perf-topology-spreading', upstream: 'TopologySpreading/5000Nodes_5000Pods', threshold: 460 },
  { file: 'perf-pod-anti-affinity', upstream: 'SchedulingPodAntiAffinity/5000Nodes_2000Pods', threshold: 60 },
  { file: 'perf-pod-affinity', upstream: 'SchedulingPodAffinity/5000Nodes_5000Pods', threshold: 35 },
  // Commented out upstream ("This test case always seems to fail", kubernetes issue 108308): no threshold.
  { file: 'perf-preemption-basic', upstream: 'PreemptionBasic/5000Nodes', threshold: null },
];

export interface PerfResult {
  readonly file: string;
  readonly upstream: string;
  readonly threshold: number | null;
  /** kubesim's scheduling throughput average over the measured pods (pods/s of virtual time). */
  readonly throughput: number;
  readonly scheduled: number;
  readonly created: number;
}

export function runPerfCase(c: PerfCase): PerfResult {
  const s = loadScenario(join(ROOT, 'scenarios', 'scheduler-perf', `${c.file}.yaml`)).scenario;
  const r = runOnce(s, s.policies[0], s.seed);
  return {
    file: c.file,
    upstream: c.upstream,
    threshold: c.threshold,
    throughput: r.summary.throughput_avg_per_s,
    scheduled: r.summary.pods_scheduled,
    created: r.summary.pods_created,
  };
}

function main(): void {
  const args = process.argv.slice(2);
  const picked = new Set<string>();
  let json: string | null = null;
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--case') picked.add(args[++i]);
    else if (args[i] === '--json') json = args[++i];
    else throw new Error(`unknown argument ${args[i]}`);
  }
  const cases = PERF_CASES.filter((c) => picked.size === 0 || picked.has(c.file));
  const results: PerfResult[] = [];
  for (const c of cases) {
    const r = runPerfCase(c);
    results.push(r);
    process.stderr.write(`${c.file}: ${r.throughput.toFixed(1)} pods/s\n`);
  }
  const basic = results.find((r) => r.file === 'perf-scheduling-basic');
  const row = (cells: readonly string[]): string => `| ${cells.join(' | ')} |`;
  const lines = [
    row([
      'scheduler_perf case (5,000 nodes)',
      'upstream threshold (pods/s)',
      'upstream / SchedulingBasic',
      'kubesim (pods/s)',
      'kubesim / SchedulingBasic',
    ]),
    row(['---', '---:', '---:', '---:', '---:']),
  ];
  for (const r of results) {
    const up = r.threshold === null ? '–' : String(r.threshold);
    const upRatio = r.threshold === null || basic?.threshold == null ? '–' : (r.threshold / basic.threshold).toFixed(3);
    const ours = basic === undefined ? '–' : (r.throughput / basic.throughput).toFixed(3);
    lines.push(row([r.upstream, up, upRatio, r.throughput.toFixed(1), ours]));
  }
  process.stdout.write(`${lines.join('\n')}\n`);
  if (json !== null) writeFileSync(json, `${JSON.stringify(results, null, 2)}\n`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main();
