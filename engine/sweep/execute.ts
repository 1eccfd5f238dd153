/**
 * Runs one (policy, seed) task in the current thread (a piscina worker, or a test): a run is a pure function
 * of (scenario, policy, seed, settings), whichever thread runs it.
 */
import { performance } from 'node:perf_hooks';
import { runOutput, type RunOutput } from '../metrics/run-output.js';
import { runOnce } from '../run.js';
import type { Scenario } from '../scenario/types.js';
import type { RunTask } from './plan.js';
import type { ParallelScanner } from '../scheduler/parallel/scanner.js';

/** Plain settings shared by every task of a sweep (they cross the worker boundary by structured clone). */
export interface RunSettings {
  readonly scenarioPath: string;
  /** The loader's --allow-outside: workers load the scenario again and must accept what the CLI accepted. */
  readonly allowOutside: boolean;
  /** Virtual µs between two samples of the time series. */
  readonly sampleInterval: number;
  readonly pods: boolean;
  /** Pod to trace, on the first seed only; null = none. */
  readonly trace: string | null;
  readonly traceSeed: number;
  /** Scheduler scan workers per run (`--workers`): a count, or 'auto' (engine/scheduler/parallel/auto.ts). */
  readonly scanWorkers?: number | 'auto';
  /** Threads the sweep runs on (--jobs): `auto` gives scan workers only to a run that has the machine alone. */
  readonly runThreads?: number;
  /** `--plugin-module` files (absolute): each worker imports them before it loads the scenario. */
  readonly pluginModules?: readonly string[];
  /** `--cluster` dumps (absolute): workers load the scenario again with the same starting state. */
  readonly clusterDumps?: readonly string[];
}

export interface TaskResult {
  readonly task: RunTask;
  readonly output: RunOutput;
  /** Wall-clock time of the run (engine.csv only). */
  readonly wallMs: number;
}

export function executeTask(scenario: Scenario, task: RunTask, s: RunSettings, scanner?: ParallelScanner): TaskResult {
  const policy = scenario.policies.find((p) => p.name === task.policy);
  if (policy === undefined) throw new Error(`no policy ${task.policy} in ${s.scenarioPath}`);
  const t0 = performance.now();
  const trace = s.trace !== null && task.seed === s.traceSeed ? { trace: s.trace } : {};
  const r = runOnce(scenario, policy, task.seed, {
    ...trace,
    sampleInterval: s.sampleInterval,
    ...(scanner === undefined ? {} : { scanner }),
  });
  const output = runOutput(r, s.sampleInterval, s.pods);
  return { task, output, wallMs: performance.now() - t0 };
}
