/**
 * A piscina worker: loads the scenario itself from its path (only plain data crosses the thread boundary)
 * and runs one task per call. The loaded scenario is kept for the worker's next tasks.
 */
import { loadScenario } from '../scenario/load.js';
import type { Scenario } from '../scenario/types.js';
import { executeTask, type RunSettings, type TaskResult } from './execute.js';
import { injectedFault } from './fault.js';
import type { RunTask } from './plan.js';

export interface WorkerMessage {
  readonly settings: RunSettings;
  readonly task: RunTask;
  /** 1 for the first try, 2 for the retry after a crash. */
  readonly attempt: number;
}

let cached: { path: string; scenario: Scenario } | null = null;

export default function run(msg: WorkerMessage): TaskResult {
  injectedFault(msg.task, msg.attempt);
  if (cached === null || cached.path !== msg.settings.scenarioPath) {
    cached = { path: msg.settings.scenarioPath, scenario: loadScenario(msg.settings.scenarioPath, { allowOutside: msg.settings.allowOutside }).scenario };
  }
  return executeTask(cached.scenario, msg.task, msg.settings);
}
