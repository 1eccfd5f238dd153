/** Builders for scheduler tests: a NodeTable and its AssignedPods from compact descriptions. */
import type { LabelSelector, Pod, PodSpec } from '../engine/api/objects.js';
import { podRequests } from '../engine/api/pod-resources.js';
import { RngStream } from '../engine/core/rng.js';
import { AssignedPods } from '../engine/scheduler/assigned-pods.js';
import { Kernel, type CycleContext, type Decision } from '../engine/scheduler/kernel.js';
import { NodeTable } from '../engine/scheduler/node-table.js';
import { podInput, type PodInput } from '../engine/scheduler/pod-input.js';
import { hostPorts } from '../engine/scheduler/plugins/node-ports/index.js';
import { DEFAULT_PROFILE, editProfile, type Profile, type ProfileEdit } from '../engine/scheduler/profile.js';
import { makeNode, makePod, makeSpec } from './helpers.js';

export interface NodeDesc {
  readonly name: string;
  readonly labels?: Record<string, string>;
  readonly alloc?: Record<string, number>;
}

export interface PodDesc {
  readonly name: string;
  readonly node: string;
  readonly labels?: Record<string, string>;
  readonly namespace?: string;
  readonly terminating?: boolean;
  readonly spec?: Partial<PodSpec>;
  readonly requests?: Record<string, number>;
  readonly priority?: number;
  readonly startTime?: number;
}

export const EXISTS = (key: string): LabelSelector => ({ matchLabels: {}, matchExpressions: [{ key, operator: 'Exists', values: [] }] });

export function labeledPod(
  name: string,
  labels: Record<string, string>,
  spec: Partial<PodSpec> = {},
  namespace = 'default',
  requests: Record<string, number> = {},
): Pod {
  const p = makePod(name, makeSpec([requests], spec));
  return { ...p, metadata: { ...p.metadata, labels, namespace } };
}

export function cluster(nodes: readonly NodeDesc[], pods: readonly PodDesc[] = []): { t: NodeTable; pods: AssignedPods } {
  const t = new NodeTable(4);
  for (const n of nodes) t.upsert(makeNode(n.name, n.alloc ?? { cpu: 64000, memory: 2 ** 40, pods: 110 }, n.labels ?? {}));
  const cache = new AssignedPods(t);
  for (const d of pods) {
    let pod = labeledPod(
      d.name,
      d.labels ?? {},
      { ...(d.spec ?? {}), priority: d.priority ?? 0 },
      d.namespace ?? 'default',
      d.requests ?? {},
    );
    if (d.terminating === true) pod = { ...pod, metadata: { ...pod.metadata, deletionTimestamp: 1 } };
    if (d.startTime !== undefined) pod = { ...pod, status: { ...pod.status, startTime: d.startTime } };
    const row = t.indexOf(d.node);
    if (row < 0) throw new Error(`no node ${d.node}`);
    cache.add(`Pod/${pod.metadata.namespace}/${pod.metadata.name}`, pod, row, podRequests(pod.spec), hostPorts(pod.spec));
  }
  return { t, pods: cache };
}

export function inputOf(pod: Pod, defaultSpreadSelector?: LabelSelector): PodInput {
  return podInput(pod.spec, pod.metadata, defaultSpreadSelector);
}

/** A profile where only the listed plugins score, with these weights (filters as in the default profile). */
export function onlyScores(weights: Readonly<Record<string, number>>, edit: ProfileEdit = {}): Profile {
  const none = Object.fromEntries(DEFAULT_PROFILE.plugins.score.map((name) => [name, 0]));
  return editProfile(DEFAULT_PROFILE, { ...edit, weights: { ...none, ...weights, ...(edit.weights ?? {}) } });
}

/** Scores the named candidate nodes through Kernel.scoreAll; returns name → score. */
export function scoreNodes(
  profile: Profile,
  c: { t: NodeTable; pods: AssignedPods },
  pod: PodInput,
  candidates: readonly string[],
): Record<string, number> {
  const k = new Kernel(profile);
  const feasible = Int32Array.from(candidates.map((n) => c.t.indexOf(n)));
  const out = new Float64Array(candidates.length);
  k.scoreAll(c.t, pod, feasible, candidates.length, out, c.pods);
  return Object.fromEntries(candidates.map((n, i) => [n, out[i]]));
}

/** Runs a full cycle; returns the kernel (for its per-node status) and the decision. */
export function runCycle(
  profile: Profile,
  c: { t: NodeTable; pods: AssignedPods },
  pod: PodInput,
  ctx: Partial<CycleContext> = {},
  seed = 1,
): { k: Kernel; d: Decision } {
  const k = new Kernel(profile);
  const d = k.schedule(c.t, pod, { nextStartNodeIndex: 0 }, new RngStream(seed, 'test'), { pods: c.pods, ...ctx });
  return { k, d };
}

/** The per-node filter verdict of the last cycle (0 pass, 1 Unschedulable, 2 UnschedulableAndUnresolvable). */
export function verdicts(k: Kernel, t: NodeTable): Record<string, number> {
  return Object.fromEntries(t.names.map((n, i) => [n, k.filterNode(t, i)]));
}
