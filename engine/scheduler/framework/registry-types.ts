/**
 * What the registry knows of a plugin (upstream: the in-tree registry, framework/plugins/registry.go, plus each
 * plugin's args type and its validation in apis/config/validation/validation_pluginargs.go): its name, the
 * extension points it implements, how kubesim supports it, how its pluginConfig args are parsed and validated,
 * its bit in a pod's rejector set (rejectors.ts) and its EventsToRegister with their hints (plugins/<name>/events.ts).
 */
import type { Field } from '../../scenario/yaml-field.js';
import type { Registration } from './hint-types.js';

export type ExtensionPoint =
  | 'preEnqueue'
  | 'queueSort'
  | 'preFilter'
  | 'filter'
  | 'postFilter'
  | 'preScore'
  | 'score'
  | 'reserve'
  | 'permit'
  | 'preBind'
  | 'bind'
  | 'postBind';

export const EXTENSION_POINTS: readonly ExtensionPoint[] = [
  'preEnqueue',
  'queueSort',
  'preFilter',
  'filter',
  'postFilter',
  'preScore',
  'score',
  'reserve',
  'permit',
  'preBind',
  'bind',
  'postBind',
];

/**
 * modeled: the simulator runs it; trivial: it runs but has nothing to act on in kubesim's model (always passes);
 * ignored: accepted so real configurations load, reported as not modeled (its effect is missing from results).
 */
export type Support = 'modeled' | 'trivial' | 'ignored';

export interface ArgsSpec<A> {
  /** SetDefaults_<Plugin>Args. */
  readonly defaults: A;
  /** Parses and validates pluginConfig[].args (a mapping with apiVersion/kind), with field paths in errors. */
  parse(args: Field): A;
}

export interface PluginDescriptor<A = unknown> {
  readonly name: string;
  readonly points: readonly ExtensionPoint[];
  readonly support: Support;
  /**
   * How its pluginConfig args are read. Absent: upstream has args kubesim does not model (any given beyond
   * apiVersion/kind are warned about).
   */
  readonly args?: ArgsSpec<A>;
  /** Its rejector bit (framework/rejectors.ts); absent for plugins that never reject a pod. */
  readonly bit?: number;
  /**
   * EnqueueExtensions.EventsToRegister with the QueueingHint functions (plugins/<name>/events.ts), with hints on or
   * off; absent: every event requeues a pod it rejected (upstream's treatment of a plugin without them).
   */
  readonly events?: (hints: boolean) => readonly Registration[];
}

/** A plugin that takes no args upstream: pluginConfig may give only apiVersion and kind. */
export const NO_ARGS: ArgsSpec<null> = {
  defaults: null,
  parse(args: Field): null {
    args.rejectUnknownKeys(['apiVersion', 'kind']);
    return null;
  },
};

/** A plugin without args (NO_ARGS), or, with `argsNotModeled`, one whose upstream args kubesim does not model. */
export function plugin(
  name: string,
  points: readonly ExtensionPoint[],
  support: Support,
  rejects?: { readonly bit: number; readonly events?: (hints: boolean) => readonly Registration[] },
  argsNotModeled = false,
): PluginDescriptor<null> {
  return { name, points, support, ...(argsNotModeled ? {} : { args: NO_ARGS }), ...(rejects ?? {}) };
}
