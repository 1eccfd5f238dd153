/**
 * DynamicResources' registry entry (framework/registry.ts) and DynamicResourcesArgs (apis/config/v1
 * types_pluginargs.go, v1.34): filterTimeout bounds the wall-clock time of one node's Filter (kubesim's Filter takes
 * no modeled time and never times out: warned about); bindingTimeout serves device binding conditions, which are
 * not modeled (refused).
 */
import { events } from './events.js';
import type { Field } from '../../../scenario/yaml-field.js';
import type { PluginDescriptor } from '../../framework/registry-types.js';
import { DYNAMIC_RESOURCES } from '../../framework/rejectors.js';
import { NAME } from './index.js';

export interface DynamicResourcesArgs {
  /** filterTimeout in microseconds (default 10 s); read, not simulated. */
  readonly filterTimeout: number;
}

const DEFAULTS: DynamicResourcesArgs = { filterTimeout: 10_000_000 };

function parse(args: Field): DynamicResourcesArgs {
  args.rejectUnknownKeys(['apiVersion', 'kind', 'filterTimeout', 'bindingTimeout']);
  const ft = args.get('filterTimeout');
  let filterTimeout = DEFAULTS.filterTimeout;
  if (ft.exists && ft.kind() !== 'null') {
    filterTimeout = ft.duration();
    ft.warn("bounds the wall-clock time of one node's Filter; kubesim's Filter takes no modeled time and never times out");
  }
  const bt = args.get('bindingTimeout');
  if (bt.exists && bt.kind() !== 'null')
    bt.fail('not supported by kubesim: device binding conditions (DRADeviceBindingConditions) are not modeled');
  return { filterTimeout };
}

export const descriptor: PluginDescriptor<DynamicResourcesArgs> = {
  name: NAME,
  points: ['preEnqueue', 'preFilter', 'filter', 'postFilter', 'reserve', 'preBind'],
  support: 'modeled',
  args: { defaults: DEFAULTS, parse },
  bit: DYNAMIC_RESOURCES,
  events,
};
