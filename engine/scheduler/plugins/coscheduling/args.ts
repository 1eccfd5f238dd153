/**
 * CoschedulingArgs (scheduler-plugins apis/config/v1 types.go, defaults.go: permitWaitingTimeSeconds 60,
 * podGroupBackoffSeconds 0; coscheduling.go New refuses a negative backoff).
 */
import { events } from './events.js';
import type { Field } from '../../../scenario/yaml-field.js';
import type { PluginDescriptor } from '../../framework/registry-types.js';
import { COSCHEDULING } from '../../framework/rejectors.js';
import { DEFAULT_COSCHEDULING_ARGS, NAME, type CoschedulingArgs } from './index.js';

function parse(args: Field): CoschedulingArgs {
  args.rejectUnknownKeys(['apiVersion', 'kind', 'permitWaitingTimeSeconds', 'podGroupBackoffSeconds']);
  return {
    permitWaitingTimeSeconds: args
      .get('permitWaitingTimeSeconds')
      .optInt(DEFAULT_COSCHEDULING_ARGS.permitWaitingTimeSeconds, { min: 0, max: 2 ** 31 - 1 }),
    podGroupBackoffSeconds: args
      .get('podGroupBackoffSeconds')
      .optInt(DEFAULT_COSCHEDULING_ARGS.podGroupBackoffSeconds, { min: 0, max: 2 ** 31 - 1 }),
  };
}

export const descriptor: PluginDescriptor<CoschedulingArgs> = {
  name: NAME,
  points: ['queueSort', 'preFilter', 'postFilter', 'permit', 'reserve'],
  support: 'modeled',
  args: { defaults: DEFAULT_COSCHEDULING_ARGS, parse },
  bit: COSCHEDULING,
  events,
};
