/** InterPodAffinityArgs (apis/config/v1 types_pluginargs.go; validation_pluginargs.go ValidateInterPodAffinityArgs). */
import { events } from './events.js';
import type { Field } from '../../../scenario/yaml-field.js';
import type { PluginDescriptor } from '../../framework/registry-types.js';
import { INTER_POD_AFFINITY } from '../../framework/rejectors.js';
import { DEFAULT_HARD_POD_AFFINITY_WEIGHT, NAME } from './index.js';

export interface InterPodAffinityArgs {
  readonly hardPodAffinityWeight: number;
  readonly ignorePreferredTermsOfExistingPods: boolean;
}

const DEFAULTS: InterPodAffinityArgs = {
  hardPodAffinityWeight: DEFAULT_HARD_POD_AFFINITY_WEIGHT,
  ignorePreferredTermsOfExistingPods: false,
};

function parse(args: Field): InterPodAffinityArgs {
  args.rejectUnknownKeys(['apiVersion', 'kind', 'hardPodAffinityWeight', 'ignorePreferredTermsOfExistingPods']);
  return {
    hardPodAffinityWeight: args.get('hardPodAffinityWeight').optInt(DEFAULT_HARD_POD_AFFINITY_WEIGHT, { min: 0, max: 100 }),
    ignorePreferredTermsOfExistingPods: args.get('ignorePreferredTermsOfExistingPods').optBool(false),
  };
}

export const descriptor: PluginDescriptor<InterPodAffinityArgs> = {
  name: NAME,
  points: ['preFilter', 'filter', 'preScore', 'score'],
  support: 'modeled',
  args: { defaults: DEFAULTS, parse },
  bit: INTER_POD_AFFINITY,
  events,
};
