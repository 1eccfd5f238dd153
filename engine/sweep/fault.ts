/**
 * Fault injection FOR TESTS ONLY: the environment variable KUBESIM_TEST_FAULT makes a worker thread misbehave
 * on chosen runs, so the tests can check crash recovery and interruption on real worker threads. It is a
 * comma-separated list of `MODE:POLICY:SEED` with MODE one of
 *   crash         the worker thread exits (as if it died) on the run's first attempt only;
 *   crash-always  the worker thread exits on every attempt;
 *   hang          the run never ends (a busy loop: only terminating the thread stops it).
 * Never set it outside tests; nothing else reads it.
 */
import type { RunTask } from './plan.js';

export const FAULT_ENV = 'KUBESIM_TEST_FAULT';

export function injectedFault(task: RunTask, attempt: number): void {
  const spec = process.env[FAULT_ENV];
  if (spec === undefined || spec === '') return;
  for (const item of spec.split(',')) {
    const [mode, policy, seed] = item.split(':');
    if (policy !== task.policy || Number(seed) !== task.seed) continue;
    if ((mode === 'crash' && attempt === 1) || mode === 'crash-always') process.exit(70);
    if (mode === 'hang') for (;;);
  }
}
