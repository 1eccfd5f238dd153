/**
 * PodTopologySpreadArgs (ValidatePodTopologySpreadArgs): defaultingType System (the default: hostname maxSkew 3
 * and zone maxSkew 5, ScheduleAnyway) or List with defaultConstraints that carry no selector.
 */
import { events } from './events.js';
import type { TopologySpreadConstraint } from '../../../api/objects.js';
import type { Field } from '../../../scenario/yaml-field.js';
import type { PluginDescriptor } from '../../framework/registry-types.js';
import { POD_TOPOLOGY_SPREAD } from '../../framework/rejectors.js';
import { NAME, SYSTEM_DEFAULTS, type SpreadDefaults } from './index.js';

function parse(args: Field): SpreadDefaults {
  args.rejectUnknownKeys(['apiVersion', 'kind', 'defaultConstraints', 'defaultingType']);
  // SetDefaults_PodTopologySpreadArgs: an empty defaultingType means System.
  const type = args.get('defaultingType').optOneOf(['System', 'List'] as const, 'System');
  const list = args.get('defaultConstraints').items();
  if (type === 'System') {
    if (list.length > 0)
      args.get('defaultConstraints').fail('must be empty when defaultingType is "System" (set defaultingType: List to use your own)');
    return SYSTEM_DEFAULTS;
  }
  const seen = new Set<string>();
  const constraints = list.map((c): TopologySpreadConstraint => {
    c.rejectUnknownKeys([
      'maxSkew',
      'topologyKey',
      'whenUnsatisfiable',
      'labelSelector',
      'minDomains',
      'nodeAffinityPolicy',
      'nodeTaintsPolicy',
      'matchLabelKeys',
    ]);
    if (c.get('labelSelector').exists)
      c.get('labelSelector').fail(
        'default constraints must not define a selector: it is deduced for each pod from its Services and controller',
      );
    const topologyKey = c.get('topologyKey').str();
    if (topologyKey === '') c.get('topologyKey').fail('expected a node label key, got ""');
    const whenUnsatisfiable = c.get('whenUnsatisfiable').oneOf(['DoNotSchedule', 'ScheduleAnyway'] as const);
    const pair = `${topologyKey}/${whenUnsatisfiable}`;
    if (seen.has(pair))
      c.get('topologyKey').fail(`duplicate constraint for topologyKey "${topologyKey}" and whenUnsatisfiable ${whenUnsatisfiable}`);
    seen.add(pair);
    return { maxSkew: c.get('maxSkew').int({ min: 1, max: 2 ** 31 - 1 }), topologyKey, whenUnsatisfiable, matchLabelKeys: [] };
  });
  return { defaultingType: 'List', constraints };
}

export const descriptor: PluginDescriptor<SpreadDefaults> = {
  name: NAME,
  points: ['preFilter', 'filter', 'preScore', 'score'],
  support: 'modeled',
  args: { defaults: SYSTEM_DEFAULTS, parse },
  bit: POD_TOPOLOGY_SPREAD,
  events,
};
