/** NodeAffinityArgs (apis/config/v1 types_pluginargs.go; ValidateNodeAffinityArgs builds addedAffinity's selectors). */
import { events } from './events.js';
import type { NodeAffinity } from '../../../api/objects.js';
import { parseNodeAffinity } from '../../../api/node-selector-input.js';
import type { Field } from '../../../scenario/yaml-field.js';
import type { PluginDescriptor } from '../../framework/registry-types.js';
import { NODE_AFFINITY } from '../../framework/rejectors.js';
import { NAME } from './index.js';

export interface NodeAffinityArgs {
  /** Applied to every pod of the profile, ANDed with the pod's own. */
  readonly addedAffinity: NodeAffinity | undefined;
}

function parse(args: Field): NodeAffinityArgs {
  args.rejectUnknownKeys(['apiVersion', 'kind', 'addedAffinity']);
  const aa = args.get('addedAffinity');
  return { addedAffinity: aa.kind() !== 'missing' && aa.kind() !== 'null' ? parseNodeAffinity(aa) : undefined };
}

export const descriptor: PluginDescriptor<NodeAffinityArgs> = {
  name: NAME,
  points: ['preFilter', 'filter', 'preScore', 'score'],
  support: 'modeled',
  args: { defaults: { addedAffinity: undefined }, parse },
  bit: NODE_AFFINITY,
  events,
};
