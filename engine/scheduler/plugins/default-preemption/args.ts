/** DefaultPreemptionArgs (SetDefaults_DefaultPreemptionArgs; ValidateDefaultPreemptionArgs). */
import type { Field } from '../../../scenario/yaml-field.js';
import type { PluginDescriptor } from '../../framework/registry-types.js';
import { DEFAULT_PREEMPTION_ARGS, NAME, type PreemptionArgs } from './index.js';

function parse(args: Field): PreemptionArgs {
  args.rejectUnknownKeys(['apiVersion', 'kind', 'minCandidateNodesPercentage', 'minCandidateNodesAbsolute']);
  const pct = args.get('minCandidateNodesPercentage').optInt(DEFAULT_PREEMPTION_ARGS.minCandidateNodesPercentage, { min: 0, max: 100 });
  const abs = args.get('minCandidateNodesAbsolute').optInt(DEFAULT_PREEMPTION_ARGS.minCandidateNodesAbsolute, { min: 0 });
  if (pct === 0 && abs === 0) args.fail('minCandidateNodesPercentage and minCandidateNodesAbsolute cannot both be zero');
  return { minCandidateNodesPercentage: pct, minCandidateNodesAbsolute: abs };
}

export const descriptor: PluginDescriptor<PreemptionArgs> = {
  name: NAME,
  points: ['postFilter'],
  support: 'modeled',
  args: { defaults: DEFAULT_PREEMPTION_ARGS, parse },
};
