/**
 * A user's own Filter/Score plugins, from a plain JavaScript module the CLI loads only when given
 * `--plugin-module FILE.js` (kubesim never imports code on its own). The module exports `plugins`, an array
 * of UserPlugin (or a default export of one plugin or an array); each plugin is then a name a
 * KubeSchedulerConfiguration can enable at `filter` and/or `score` like an in-tree plugin.
 *
 * Unlike the in-tree plugins, which the kernel fuses into one loop over typed arrays, a user plugin costs a
 * JavaScript call per node per cycle (engine-performance.md §3 measured ~8x for a call per plugin per node),
 * through a reused NodeView. Plugins must be pure functions of their arguments (no Math.random, no clock, no
 * state carried between calls that depends on timing), or runs stop being reproducible.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Node, PodSpec } from '../api/objects.js';
import { CPU, EPHEMERAL_STORAGE, MEMORY, type PodRequests } from '../api/pod-resources.js';
import { InputError } from '../scenario/input-error.js';
import type { NodeTable } from './node-table.js';
import { MAX_NODE_SCORE, addDefaultNormalized } from './framework/normalize-score.js';
import {
  CHECK,
  PASS,
  UNSCHEDULABLE,
  type FilterCycle,
  type FilterPlugin,
  type PreFilterStatus,
  type ScoreCycle,
  type ScorePlugin,
} from './framework/plugin.js';
import { USER_PLUGIN } from './framework/rejectors.js';

/** The pod being scheduled, as a user plugin sees it (one object per cycle). */
export interface PodView {
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly spec: PodSpec;
  /** Effective request of a resource: millicores for cpu, bytes for memory and ephemeral-storage, else the count. */
  request(resource: string): number;
}

/**
 * One node of the scheduler's cache, as a user plugin sees it. The same object is reused for every node of a
 * cycle: read it during the call, do not keep it.
 */
export interface NodeViewApi {
  readonly name: string;
  /** The Node object (labels, taints, allocatable, images) as the API server holds it. */
  readonly node: Node;
  readonly labels: Readonly<Record<string, string>>;
  /** Allocatable amount (millicores for cpu, bytes for memory and ephemeral-storage, pods, extended resources). */
  allocatable(resource: string): number;
  /** Sum of the requests of the pods assigned or assumed on the node, in the same units. */
  requested(resource: string): number;
  /** Pods assigned or assumed on the node. */
  readonly podCount: number;
}

/**
 * The interface a plugin module implements (TypeScript users: `import type { UserPlugin } from
 * 'kubesim/dist/engine/scheduler/user-plugins.js'`).
 */
export interface UserPlugin {
  /** Unique, not an in-tree plugin's name; letters, digits and '-'. */
  readonly name: string;
  /** Filter: null/undefined = the node passes; a string = it fails with that reason (code Unschedulable). */
  filter?(pod: PodView, node: NodeViewApi): string | null | undefined;
  /**
   * Score: a finite number, truncated to an integer as upstream's int64 scores. Without `normalize` it must
   * already be in 0–100 (the framework's check after NormalizeScore).
   */
  score?(pod: PodView, node: NodeViewApi): number;
  /**
   * NormalizeScore: 'max' scales the raw scores so the highest is 100 (helper.DefaultNormalizeScore), 'reverse'
   * does the same and then takes 100 − score (lower raw is better); omitted = none.
   */
  readonly normalize?: 'max' | 'reverse';
}

/** A plugin loaded from a module: the module's path and digest make it part of a run's identity. */
export interface LoadedUserPlugin {
  readonly name: string;
  readonly module: string;
  /** SHA-256 of the module file (kubesim run --resume reruns runs when it changes). */
  readonly digest: string;
  readonly impl: UserPlugin;
}

/** A user plugin enabled in a profile. */
export interface UserPluginUse {
  readonly plugin: LoadedUserPlugin;
  /** Enabled at filter. */
  readonly filter: boolean;
  /** Score weight; 0 = not enabled at score. */
  readonly weight: number;
}

/** A user plugin returned something the framework would refuse (an out-of-range score, say). */
export class UserPluginError extends Error {
  override name = 'UserPluginError';
}

const registry = new Map<string, LoadedUserPlugin>();

/** The loaded plugin of that name, if any module registered one. */
export function userPlugin(name: string): LoadedUserPlugin | undefined {
  return registry.get(name);
}

/**
 * Imports each module (once per path) and registers its plugins; `reserved` are names taken by in-tree
 * plugins. A bad module is an InputError naming the file.
 */
export async function loadPluginModules(paths: readonly string[], reserved: (name: string) => boolean): Promise<void> {
  for (const p of paths) {
    const path = resolve(p);
    if ([...registry.values()].some((l) => l.module === path)) continue;
    let text: Buffer;
    try {
      text = readFileSync(path);
    } catch (e) {
      throw new InputError(path, 0, 0, '', `cannot read plugin module: ${e instanceof Error ? e.message : String(e)}`);
    }
    let mod: Record<string, unknown>;
    try {
      mod = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
    } catch (e) {
      throw new InputError(path, 0, 0, '', `cannot load plugin module: ${e instanceof Error ? e.message : String(e)}`);
    }
    const digest = createHash('sha256').update(text).digest('hex');
    const exported = mod.plugins ?? mod.default;
    const list: unknown[] = Array.isArray(exported) ? exported : exported === undefined ? [] : [exported];
    if (list.length === 0) throw new InputError(path, 0, 0, '', 'expected an export `plugins` (an array of plugins) or a default export');
    list.forEach((x, i) => registerOne(validPlugin(x, path, i, reserved), path, digest));
  }
}

/** Registers an in-memory plugin (tests). */
export function registerUserPlugin(impl: UserPlugin, module = '<memory>', digest = ''): void {
  registerOne(impl, module, digest);
}

/** Forgets every registered plugin (tests). */
export function clearUserPlugins(): void {
  registry.clear();
}

function registerOne(impl: UserPlugin, module: string, digest: string): void {
  const prev = registry.get(impl.name);
  if (prev !== undefined && prev.module !== module) {
    throw new InputError(module, 0, 0, '', `plugin "${impl.name}" is already defined by ${prev.module}`);
  }
  registry.set(impl.name, { name: impl.name, module, digest, impl });
}

function validPlugin(x: unknown, path: string, i: number, reserved: (name: string) => boolean): UserPlugin {
  const at = `plugins[${i}]`;
  const bad = (detail: string): never => {
    throw new InputError(path, 0, 0, at, detail);
  };
  if (typeof x !== 'object' || x === null) return bad('expected a plugin object with a name and a filter and/or score function');
  const p = x as Record<string, unknown>;
  if (typeof p.name !== 'string' || !/^[A-Za-z][A-Za-z0-9-]*$/.test(p.name))
    return bad(`expected a name of letters, digits and '-', got ${JSON.stringify(p.name)}`);
  if (reserved(p.name)) bad(`"${p.name}" is the name of a plugin kubesim already has; choose another`);
  if (p.filter !== undefined && typeof p.filter !== 'function') bad('filter must be a function (pod, node) => reason | null');
  if (p.score !== undefined && typeof p.score !== 'function') bad('score must be a function (pod, node) => number');
  if (p.filter === undefined && p.score === undefined) bad('expected a filter or a score function');
  if (p.normalize !== undefined && p.normalize !== 'max' && p.normalize !== 'reverse')
    bad(`normalize must be "max" or "reverse", got ${JSON.stringify(p.normalize)}`);
  return p as unknown as UserPlugin;
}

/** The pod of a cycle for user plugins. */
export function podView(spec: PodSpec, namespace: string, labels: Readonly<Record<string, string>>, r: PodRequests): PodView {
  return {
    namespace,
    labels,
    spec,
    request: (resource) =>
      resource === CPU
        ? r.cpu
        : resource === MEMORY
          ? r.memory
          : resource === EPHEMERAL_STORAGE
            ? r.ephemeralStorage
            : (r.scalars[resource] ?? 0),
  };
}

/** The reused per-node view over the NodeTable's columns; the kernel sets `row` before each call. */
export class NodeView implements NodeViewApi {
  row = 0;

  constructor(readonly table: NodeTable) {}

  get name(): string {
    return this.table.names[this.row];
  }

  get node(): Node {
    return this.table.nodes[this.row];
  }

  get labels(): Readonly<Record<string, string>> {
    return this.table.nodes[this.row].metadata.labels;
  }

  get podCount(): number {
    return this.table.podCount[this.row];
  }

  allocatable(resource: string): number {
    const t = this.table;
    const i = this.row;
    if (resource === CPU) return t.allocCpu[i];
    if (resource === MEMORY) return t.allocMem[i];
    if (resource === EPHEMERAL_STORAGE) return t.allocEph[i];
    if (resource === 'pods') return t.allocPods[i];
    return t.scalarAlloc.get(resource)?.[i] ?? 0;
  }

  requested(resource: string): number {
    const t = this.table;
    const i = this.row;
    if (resource === CPU) return t.reqCpu[i];
    if (resource === MEMORY) return t.reqMem[i];
    if (resource === EPHEMERAL_STORAGE) return t.reqEph[i];
    if (resource === 'pods') return t.podCount[i];
    return t.scalarReq.get(resource)?.[i] ?? 0;
  }
}

/** A user plugin enabled at Filter (framework/plugin.ts): a function call per node, outside the fused arithmetic. */
export class UserFilterPlugin implements FilterPlugin {
  readonly bit = USER_PLUGIN;
  readonly rejection = '';
  readonly name: string;
  private pod: PodView | null = null;
  private view: NodeView | null = null;

  constructor(private readonly use: UserPluginUse) {
    this.name = use.plugin.name;
  }

  preFilter(c: FilterCycle): PreFilterStatus {
    this.pod = podView(c.pod.spec, c.pod.namespace, c.pod.labels, c.pod.requests);
    if (this.view === null || this.view.table !== c.t) this.view = new NodeView(c.t);
    return CHECK;
  }

  /** A returned reason fails the node (code Unschedulable); an empty one gets the framework's generic wording. */
  filter(_t: NodeTable, i: number, reasons: string[] | null): number {
    const view = this.view as NodeView;
    view.row = i;
    const f = this.use.plugin.impl.filter as NonNullable<UserPlugin['filter']>;
    const r = f(this.pod as PodView, view);
    if (r === null || r === undefined) return PASS;
    reasons?.push(typeof r === 'string' && r !== '' ? r : `node(s) didn't satisfy plugin(s) [${this.name}]`);
    return UNSCHEDULABLE;
  }
}

/** A user plugin enabled at Score, with its NormalizeScore and the framework's 0–100 check. */
export class UserScorePlugin implements ScorePlugin {
  readonly name: string;
  private view: NodeView | null = null;

  constructor(private readonly use: UserPluginUse) {
    this.name = use.plugin.name;
  }

  score(c: ScoreCycle, feasible: Int32Array, found: number, w: number, out: Float64Array): void {
    const { plugin } = this.use;
    const pv = podView(c.pod.spec, c.pod.namespace, c.pod.labels, c.pod.requests);
    if (this.view === null || this.view.table !== c.t) this.view = new NodeView(c.t);
    const view = this.view;
    const raw = c.raw;
    const score = plugin.impl.score as NonNullable<UserPlugin['score']>;
    for (let f = 0; f < found; f++) {
      view.row = feasible[f];
      const s = score(pv, view);
      if (typeof s !== 'number' || !Number.isFinite(s))
        throw new UserPluginError(
          `plugin ${plugin.name} (${plugin.module}) returned ${String(s)} for node ${view.name}; expected a finite number`,
        );
      raw[f] = Math.trunc(s);
    }
    const norm = plugin.impl.normalize;
    if (norm !== undefined) {
      addDefaultNormalized(raw, found, norm === 'reverse', w, out);
      return;
    }
    for (let f = 0; f < found; f++) {
      if (raw[f] < 0 || raw[f] > MAX_NODE_SCORE)
        throw new UserPluginError(
          `plugin ${plugin.name} (${plugin.module}) returned score ${raw[f]} for node ${c.t.names[feasible[f]]}; expected 0 to 100 (or set normalize)`,
        );
      out[f] += raw[f] * w;
    }
  }

  uniform(_c: FilterCycle): boolean {
    return false;
  }
}
