/**
 * The inputs of `kubesim explain` as a user pastes them: Node and Pod manifests (multi-document YAML, or a
 * List / <Kind>List as `kubectl get -o yaml` prints it) and optionally a KubeSchedulerConfiguration, read
 * with the scenario loader's parsers, so a bad file fails with the same `file:line:column: path: detail`
 * InputError and nothing is scheduled.
 */
import { isTerminal, keyOf, type KubeObject, type Pod, type ReplicaSet, type Service } from '../api/objects.js';
import { resolve } from 'node:path';
import { isFinished } from '../scenario/importers/cluster-dump.js';
import { InputError } from '../scenario/input-error.js';
import { ReadBudget } from '../scenario/input-file.js';
import { parsePlacedManifests } from '../scenario/manifests.js';
import { NotModeled } from '../scenario/kinds.js';
import { DEFAULT_POLICY, parseSchedulerConfig, type SchedulerPolicy } from '../scenario/scheduler-config.js';
import { readYamlFile, type Field } from '../scenario/yaml-field.js';
import type { ExplainRequest } from './explain.js';

/** What explain() needs but the seed; the profile is the one the pod's spec.schedulerName names. */
export interface ExplainInput extends Omit<ExplainRequest, 'seed'> {
  /** Enabled plugins kubesim does not model (for a warning). */
  readonly ignoredPlugins: readonly string[];
  /** KubeSchedulerConfiguration fields that cannot affect a simulation (for a warning). */
  readonly configNotModeled: readonly string[];
  /** Objects of kinds kubesim does not model (ConfigMaps, custom resources…), skipped; for one note on stderr. */
  readonly notModeled: NotModeled;
  /** Modeled objects of a cluster dump that one scheduling cycle does not read (Deployments, Jobs…), skipped. */
  readonly unused: NotModeled;
  /** Notes about manifest fields kubesim reads but does not simulate (field-dispositions.ts). */
  readonly fieldNotes: readonly string[];
}

export interface ExplainFiles {
  readonly nodes: string;
  readonly pod: string;
  readonly pods?: string;
  readonly config?: string;
}

/** Modeled kinds a dump of existing pods may hold that one scheduling cycle does not read: skipped and listed. */
const UNUSED: readonly KubeObject['kind'][] = [
  'Deployment',
  'Job',
  'PriorityClass',
  // explain does not evaluate the volume plugins (docs/model/storage.md): storage objects are skipped and listed.
  'PersistentVolumeClaim',
  'PersistentVolume',
  'StorageClass',
  'CSINode',
  // Nor DynamicResources (docs/model/dynamic-resources.md): DRA objects are skipped and listed.
  'DeviceClass',
  'ResourceClaim',
  'ResourceClaimTemplate',
  'ResourceSlice',
];

/** An object with the manifest field it came from (for errors about it). */
interface Placed<T extends KubeObject> {
  readonly object: T;
  readonly at: Field;
}

export function readExplainInput(files: ExplainFiles): ExplainInput {
  const reads = new ReadBudget();
  const notModeled = new NotModeled();
  const unused = new NotModeled();
  // One cluster dump (kubectl get nodes,pods -A -o yaml) may be both the nodes and the existing pods.
  const sameDump = files.pods !== undefined && resolve(files.pods) === resolve(files.nodes);
  const nodes = objectsOf(files.nodes, ['Node'], reads, notModeled, sameDump ? ['Pod', 'Service', 'ReplicaSet', ...UNUSED] : [], unused);
  if (nodes.length === 0) throw new InputError(files.nodes, 0, 0, '', 'expected at least one Node manifest');
  const names = new Set<string>();
  for (const n of nodes) {
    const name = n.object.metadata.name;
    if (name === '') n.at.get('metadata').get('name').fail("expected the node's name");
    if (names.has(name)) n.at.get('metadata').get('name').fail(`duplicate node "${name}"`);
    names.add(name);
  }
  const pods = objectsOf(files.pod, ['Pod'], reads, notModeled);
  if (pods.length !== 1)
    throw new InputError(files.pod, 0, 0, '', `expected exactly one Pod manifest (the pod to schedule), found ${pods.length}`);
  const pod = pods[0];
  if (pod.object.spec.nodeName !== '')
    pod.at
      .get('spec')
      .get('nodeName')
      .fail('the pod to schedule must not have a node yet (the scheduler only sees pods without spec.nodeName)');
  const existing: Pod[] = [];
  const services: Service[] = [];
  const replicaSets: ReplicaSet[] = [];
  const keys = new Set<string>([keyOf(pod.object)]);
  if (files.pods !== undefined) {
    for (const e of objectsOf(
      files.pods,
      ['Pod', 'Service', 'ReplicaSet'],
      reads,
      sameDump ? new NotModeled() : notModeled,
      sameDump ? ['Node', ...UNUSED] : UNUSED,
      sameDump ? new NotModeled() : unused,
    )) {
      const key = keyOf(e.object);
      if (keys.has(key))
        e.at.get('metadata').get('name').fail(`duplicate ${e.object.kind} ${e.object.metadata.namespace}/${e.object.metadata.name}`);
      keys.add(key);
      if (e.object.kind === 'Service') services.push(e.object);
      if (e.object.kind === 'ReplicaSet') replicaSets.push(e.object);
      if (e.object.kind !== 'Pod') continue;
      const nodeName = e.object.spec.nodeName;
      const at = e.at.get('spec').get('nodeName');
      if (nodeName === '') at.fail('expected the node the pod runs on: existing pods are placed by spec.nodeName');
      if (!names.has(nodeName)) at.fail(`no node "${nodeName}" in ${files.nodes}`);
      // A finished pod of a dump (status.phase Succeeded or Failed) holds nothing on its node.
      if (!isTerminal(e.object) && !isFinished(e.at)) existing.push(e.object);
    }
  }
  const policy = files.config === undefined ? DEFAULT_POLICY : readConfig(files.config, reads);
  const schedulerName = pod.object.spec.schedulerName;
  const profile = policy.profiles.find((p) => p.schedulerName === schedulerName);
  if (profile === undefined) {
    const have = policy.profiles.map((p) => `"${p.schedulerName}"`).join(', ');
    const where = files.config === undefined ? 'the default configuration' : files.config;
    return pod.at.get('spec').get('schedulerName').fail(`no scheduler profile "${schedulerName}" in ${where}; it has ${have}`);
  }
  return {
    nodes: nodes.map((n) => n.object),
    pod: pod.object,
    existing,
    services,
    replicaSets,
    profile,
    ignoredPlugins: policy.ignoredPlugins,
    configNotModeled: policy.notModeled,
    notModeled,
    unused,
    fieldNotes: [
      ...reads.notes.lines(),
      ...((pod.object.spec.claims?.length ?? 0) > 0
        ? [
            'field not modeled: spec.volumes[].persistentVolumeClaim: explain does not evaluate VolumeBinding, VolumeZone and VolumeRestrictions (run the scenario to simulate storage)',
          ]
        : []),
      ...((pod.object.spec.resourceClaims?.length ?? 0) > 0
        ? [
            'field not modeled: spec.resourceClaims: explain does not evaluate DynamicResources (run the scenario to simulate device allocation)',
          ]
        : []),
    ],
  };
}

function readConfig(path: string, reads: ReadBudget): SchedulerPolicy {
  const docs = readYamlFile(path, reads);
  if (docs.length !== 1) throw new InputError(path, 0, 0, '', `expected one KubeSchedulerConfiguration document, found ${docs.length}`);
  return parseSchedulerConfig(docs[0]);
}

/** Every object of `file`, each of one of `kinds`; another modeled kind is an error at its manifest, a kind not modeled is noted. */
function objectsOf<K extends KubeObject['kind']>(
  file: string,
  kinds: readonly K[],
  reads: ReadBudget,
  notModeled: NotModeled,
  skip: readonly KubeObject['kind'][] = [],
  unused?: NotModeled,
): Placed<Extract<KubeObject, { kind: K }>>[] {
  const out: Placed<Extract<KubeObject, { kind: K }>>[] = [];
  for (const doc of readYamlFile(file, reads)) {
    if (doc.kind() === 'null') continue;
    for (const { object: o, at } of parsePlacedManifests(doc, notModeled)) {
      if (skip.includes(o.kind)) {
        if (unused !== undefined && UNUSED.includes(o.kind))
          unused.add({ kind: o.kind, apiVersion: '', namespace: o.metadata.namespace, name: o.metadata.name });
        continue;
      }
      if (!(kinds as readonly string[]).includes(o.kind)) at.fail(`expected ${kinds.join(', ')} manifests in this file, got a ${o.kind}`);
      out.push({ object: o as Extract<KubeObject, { kind: K }>, at });
    }
  }
  return out;
}
