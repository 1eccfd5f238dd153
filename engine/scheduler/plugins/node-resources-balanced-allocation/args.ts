/** NodeResourcesBalancedAllocationArgs (apis/config/v1 types_pluginargs.go; default resources cpu and memory, weight 1). */
import type { Field } from '../../../scenario/yaml-field.js';
import type { PluginDescriptor } from '../../framework/registry-types.js';
import type { ResourceSpec } from '../node-resources-fit/index.js';
import { parseResources } from '../node-resources-fit/args.js';
import { NAME } from './index.js';

export interface BalancedArgs {
  readonly resources: readonly ResourceSpec[];
}

export const DEFAULT_BALANCED_ARGS: BalancedArgs = {
  resources: [
    { name: 'cpu', weight: 1 },
    { name: 'memory', weight: 1 },
  ],
};

function parse(args: Field): BalancedArgs {
  args.rejectUnknownKeys(['apiVersion', 'kind', 'resources']);
  return args.get('resources').exists ? { resources: parseResources(args.get('resources')) } : DEFAULT_BALANCED_ARGS;
}

export const descriptor: PluginDescriptor<BalancedArgs> = {
  name: NAME,
  points: ['preScore', 'score'],
  support: 'modeled',
  args: { defaults: DEFAULT_BALANCED_ARGS, parse },
};
