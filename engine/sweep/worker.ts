/**
 * A piscina worker: loads the scenario itself from its path (only plain data crosses the thread boundary)
 * and runs one task per call. The loaded scenario is kept for the worker's next tasks.
 *
 * Two entries, chosen per sweep (pool.ts `entry`): `timedRun` runs the timed control-plane simulation,
 * `gpuReplayRun` the FGD study's arrival-only GPU replay (engine/gpu) of a `gpuReplay:` scenario.
 */
import { gpuInputs, runGpuReplay, type GpuRun } from '../gpu/experiment.js';
import type { ReplayInput } from '../gpu/replay.js';
import { loadScenario, scenarioNodes } from '../scenario/load.js';
import { isKnownPlugin } from '../scenario/scheduler-config.js';
import { loadPluginModules } from '../scheduler/user-plugins.js';
import type { Scenario } from '../scenario/types.js';
import { scanOptions } from '../scheduler/parallel/auto.js';
import { ParallelScanner } from '../scheduler/parallel/scanner.js';
import { executeTask, type RunSettings, type TaskResult } from './execute.js';
import { injectedFault } from './fault.js';
import type { RunTask } from './plan.js';

export interface WorkerMessage {
  readonly settings: RunSettings;
  readonly task: RunTask;
  /** 1 for the first try, 2 for the retry after a crash. */
  readonly attempt: number;
}

export type WorkerEntry = 'timedRun' | 'gpuReplayRun';

/** One GPU replay run of a sweep (the task it answers, for ordering and the progress line). */
export interface GpuTaskResult {
  readonly task: RunTask;
  readonly run: GpuRun;
}

let cached: { path: string; scenario: Scenario; scanner: ParallelScanner | undefined; gpu: ReplayInput | null } | null = null;

async function scenarioOf(s: RunSettings, scanThreads: boolean): Promise<NonNullable<typeof cached>> {
  if (cached === null || cached.path !== s.scenarioPath) {
    await cached?.scanner?.close();
    await loadPluginModules(s.pluginModules ?? [], isKnownPlugin);
    const scenario = loadScenario(s.scenarioPath, { allowOutside: s.allowOutside, clusterDumps: s.clusterDumps ?? [] }).scenario;
    // The node search of this thread's runs may be sharded over scan threads of its own (--workers); they live
    // as long as this worker and end with it.
    const opts = scanThreads ? scanOptions(s.scanWorkers ?? 0, s.runThreads ?? 1, scenarioNodes(scenario)) : null;
    cached = { path: s.scenarioPath, scenario, scanner: opts === null ? undefined : await ParallelScanner.start(opts), gpu: null };
  }
  return cached;
}

export async function timedRun(msg: WorkerMessage): Promise<TaskResult> {
  injectedFault(msg.task, msg.attempt);
  const c = await scenarioOf(msg.settings, true);
  return executeTask(c.scenario, msg.task, msg.settings, c.scanner);
}

export async function gpuReplayRun(msg: WorkerMessage): Promise<GpuTaskResult> {
  injectedFault(msg.task, msg.attempt);
  const c = await scenarioOf(msg.settings, false);
  const spec = c.scenario.gpuReplay;
  if (spec === undefined) throw new Error(`${msg.settings.scenarioPath} has no gpuReplay section`);
  // The trace's prepared nodes, pods and FGD classes are the same for every run: built once per thread.
  c.gpu ??= gpuInputs(c.scenario, spec);
  const policy = c.scenario.policies.find((p) => p.name === msg.task.policy);
  if (policy === undefined) throw new Error(`no policy ${msg.task.policy} in ${msg.settings.scenarioPath}`);
  return { task: msg.task, run: runGpuReplay(spec, c.gpu, policy, msg.task.seed) };
}
