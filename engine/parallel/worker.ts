/**
 * A piscina worker: loads the scenario itself from its path (only plain data crosses the thread boundary)
 * and runs one task per call. The loaded scenario is kept for the worker's next tasks.
 */
import { loadScenario } from '../scenario/load.js';
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

let cached: { path: string; scenario: Scenario; scanner: ParallelScanner | undefined } | null = null;

export default async function run(msg: WorkerMessage): Promise<TaskResult> {
  injectedFault(msg.task, msg.attempt);
  const s = msg.settings;
  if (cached === null || cached.path !== s.scenarioPath) {
    await cached?.scanner?.close();
    const scenario = loadScenario(s.scenarioPath, { allowOutside: s.allowOutside }).scenario;
    // The node search of this thread's runs may be sharded over scan threads of its own (--workers); they live
    // as long as this worker and end with it.
    const opts = scanOptions(s.scanWorkers ?? 0, s.runThreads ?? 1, scenario.nodePools.reduce((n, p) => n + p.count, 0));
    cached = { path: s.scenarioPath, scenario, scanner: opts === null ? undefined : await ParallelScanner.start(opts) };
  }
  return executeTask(cached.scenario, msg.task, s, cached.scanner);
}
