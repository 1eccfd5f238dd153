/**
 * Coscheduling's EventsToRegister and QueueingHint functions (upstream's EnqueueExtensions): the cluster events that may
 * make a pod it rejected schedulable, with hints (SchedulerQueueingHints on) and without. The registry
 * (framework/registry.ts) holds them under the plugin's rejector bit; framework/queueing-hints.ts asks them.
 */
import { reg, type Registration } from '../../framework/hint-types.js';
import { ADD, UPDATE } from '../../framework/cluster-events.js';

export function events(_hints: boolean): readonly Registration[] {
  // coscheduling.go EventsToRegister: Pod Add and PodGroup Add|Update, without hint functions.
  return [reg('Pod', ADD, 'Coscheduling/Pod', null), reg('PodGroup', ADD | UPDATE, 'Coscheduling/PodGroup', null)];
}
