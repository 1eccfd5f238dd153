/**
 * NodeResourcesFitArgs (apis/config/v1 types_pluginargs.go; SetDefaults_NodeResourcesFitArgs;
 * ValidateNodeResourcesFitArgs in apis/config/validation/validation_pluginargs.go) and the plugin's registry entry.
 */
import { events } from './events.js';
import { isQualifiedName } from '../../../api/validation.js';
import type { Field } from '../../../scenario/yaml-field.js';
import type { PluginDescriptor } from '../../framework/registry-types.js';
import { NODE_RESOURCES_FIT } from '../../framework/rejectors.js';
import {
  DEFAULT_SCORING_STRATEGY,
  NAME,
  type ResourceSpec,
  type ScoringStrategy,
  type ScoringStrategyType,
  type ShapePoint,
} from './index.js';

export interface FitArgs {
  readonly scoringStrategy: ScoringStrategy;
  /** Extended resources the Filter does not check (by name, or by the group before the '/'). */
  readonly ignoredResources: readonly string[];
  readonly ignoredResourceGroups: readonly string[];
}

export const DEFAULT_FIT_ARGS: FitArgs = { scoringStrategy: DEFAULT_SCORING_STRATEGY, ignoredResources: [], ignoredResourceGroups: [] };

export function parseFitArgs(args: Field): FitArgs {
  args.rejectUnknownKeys(['apiVersion', 'kind', 'ignoredResources', 'ignoredResourceGroups', 'scoringStrategy']);
  // ValidateNodeResourcesFitArgs: every ignored resource is a qualified name (ValidateLabelName); a group is one
  // without '/' (it is matched against the prefix before the '/' of extended resource names).
  const qualified =
    "an optional DNS subdomain prefix and '/', then at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit";
  const ignoredResources = args
    .get('ignoredResources')
    .items()
    .map((f) => {
      const name = f.str();
      if (!isQualifiedName(name)) f.fail(`invalid resource name ${JSON.stringify(name)}: expected ${qualified}`);
      return name;
    });
  const ignoredResourceGroups = args
    .get('ignoredResourceGroups')
    .items()
    .map((f) => {
      const group = f.str();
      if (group.includes('/')) f.fail(`invalid resource group ${JSON.stringify(group)}: resource group name can't contain '/'`);
      if (!isQualifiedName(group))
        f.fail(
          `invalid resource group ${JSON.stringify(group)}: expected at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit`,
        );
      return group;
    });
  return { scoringStrategy: parseScoringStrategy(args.get('scoringStrategy')), ignoredResources, ignoredResourceGroups };
}

function parseScoringStrategy(ss: Field): ScoringStrategy {
  if (!ss.exists) return DEFAULT_SCORING_STRATEGY;
  ss.rejectUnknownKeys(['type', 'resources', 'requestedToCapacityRatio']);
  const type = ss
    .get('type')
    .optOneOf<ScoringStrategyType>(['LeastAllocated', 'MostAllocated', 'RequestedToCapacityRatio'], 'LeastAllocated');
  const resources = ss.get('resources').exists ? parseResources(ss.get('resources')) : DEFAULT_SCORING_STRATEGY.resources;
  let shape: ShapePoint[] = [];
  const rtcr = ss.get('requestedToCapacityRatio');
  if (type === 'RequestedToCapacityRatio') {
    rtcr.rejectUnknownKeys(['shape']);
    const points = rtcr.get('shape').items();
    if (points.length === 0) rtcr.get('shape').fail('expected at least one shape point for RequestedToCapacityRatio');
    shape = points.map((p) => {
      p.rejectUnknownKeys(['utilization', 'score']);
      return { utilization: p.get('utilization').int({ min: 0, max: 100 }), score: p.get('score').int({ min: 0, max: 10 }) };
    });
    for (let i = 1; i < shape.length; i++) {
      if (shape[i].utilization <= shape[i - 1].utilization)
        points[i].get('utilization').fail('shape utilization values must be strictly increasing');
    }
  } else if (rtcr.exists) rtcr.fail(`requestedToCapacityRatio is only valid with type RequestedToCapacityRatio, not ${type}`);
  return { type, resources, shape };
}

/** A resource list (ScoringStrategy.resources, NodeResourcesBalancedAllocationArgs.resources). */
export function parseResources(f: Field): ResourceSpec[] {
  const items = f.items();
  if (items.length === 0) f.fail('expected at least one resource');
  const out: ResourceSpec[] = [];
  for (const r of items) {
    r.rejectUnknownKeys(['name', 'weight']);
    const name = r.get('name').str();
    if (out.some((x) => x.name === name)) r.get('name').fail(`duplicate resource "${name}"`);
    out.push({ name, weight: r.get('weight').optInt(1, { min: 1, max: 100 }) });
  }
  return out;
}

export const descriptor: PluginDescriptor<FitArgs> = {
  name: NAME,
  points: ['preFilter', 'filter', 'preScore', 'score'],
  support: 'modeled',
  args: { defaults: DEFAULT_FIT_ARGS, parse: parseFitArgs },
  bit: NODE_RESOURCES_FIT,
  events,
};
