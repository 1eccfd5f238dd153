/**
 * Real Kubernetes manifests → the objects of engine/api/objects.ts.
 *
 * Users paste manifests from real clusters, full of fields the simulation does not model, so unknown
 * fields are ignored; every field that IS read is validated with the API server's rules and a clear
 * error. The API server's defaulting (k8s.io/kubernetes pkg/apis/core/v1/defaults.go and the apps and
 * scheduling equivalents) is applied here, so the objects look as they would after a create.
 * Identity (uid, creationTimestamp, resourceVersion) is left for the simulated API server.
 */
import {
  DEFAULT_SCHEDULER_NAME,
  selectorMatches,
  type Container,
  type ContainerImage,
  type ContainerPort,
  type Deployment,
  type DeploymentStrategy,
  EMPTY_REPLICASET_STATUS,
  type IntOrPercent,
  type Job,
  EMPTY_JOB_STATUS,
  type KubeObject,
  type LabelSelector,
  type LabelSelectorRequirement,
  type Node,
  type NodeAffinity,
  type PodAffinity,
  type PodAffinityTerm,
  type TopologySpreadConstraint,
  type WeightedPodAffinityTerm,
  type ObjectMeta,
  type Pod,
  type PodSpec,
  type PodTemplate,
  type PodResourceClaim,
  type PriorityClass,
  type ProbeTiming,
  type ReplicaSet,
  type ResourceList,
  type Service,
  type ServicePort,
  type Taint,
  type Toleration,
  DEFAULT_TERMINATION_GRACE_PERIOD_SECONDS,
  SYSTEM_PRIORITY_CLASSES,
} from '../api/objects.js';
import {
  DNS1035_LABEL_RULE,
  DNS1123_LABEL_RULE,
  DNS1123_SUBDOMAIN_RULE,
  LABEL_VALUE_RULE,
  isDns1035Label,
  isDns1123Label,
  isDns1123Subdomain,
  isLabelValue,
} from '../api/validation.js';
import type { Field } from './yaml-field.js';
import { checkQualifiedName, expectedMapping, parseNodeAffinity } from '../api/node-selector-input.js';
import { aggregateContainerRequests, HUGEPAGES_PREFIX, isSupportedPodLevelResource } from '../api/pod-resources.js';
import { parseDaemonSet } from './workloads/daemonset.js';
import { parseStatefulSet } from './workloads/statefulset.js';
import { parseCSINode, parsePersistentVolume, parsePersistentVolumeClaim, parseStorageClass } from './workloads/storage.js';
import { parseDeviceClass, parseResourceClaim, parseResourceClaimTemplate, parseResourceSlice } from './workloads/dynamic-resources.js';
import { parsePodDisruptionBudget } from './workloads/pod-disruption-budget.js';
import { parseCronJob } from './workloads/cronjob.js';
import { parseLimitRange, parseResourceQuota } from './workloads/admission-policies.js';
import { parseHorizontalPodAutoscaler } from './workloads/hpa.js';
import { parsePodGroup } from './workloads/pod-group.js';
import { gateRemovalDelay, REMOVE_GATES_ANNOTATION } from '../workload/gate-remover.js';
import { parseDuration } from '../api/duration.js';
import { INIT_RUN_DURATION_ANNOTATION } from '../node/kubelet.js';
import { RENDEZVOUS_ANNOTATION } from '../node/rendezvous.js';
import { checkFields, DEPLOYMENT_SPEC, JOB_SPEC, POD_SPEC } from './field-dispositions.js';
import { kindDisposition, MODELED_KINDS, type NotModeled } from './kinds.js';
import { imageTagIsLatest } from '../api/image-ref.js';

type Protocol = ContainerPort['protocol'];
type RestartPolicy = PodSpec['restartPolicy'];
type TaintEffect = Taint['effect'];

const PROTOCOLS: readonly Protocol[] = ['TCP', 'UDP', 'SCTP'];
const RESTART_POLICIES: readonly RestartPolicy[] = ['Always', 'OnFailure', 'Never'];
const TAINT_EFFECTS: readonly TaintEffect[] = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];
const SELECTOR_OPERATORS: readonly LabelSelectorRequirement['operator'][] = ['In', 'NotIn', 'Exists', 'DoesNotExist'];
const INT32 = { min: -(2 ** 31), max: 2 ** 31 - 1 } as const;
const PORT_RANGE = { min: 1, max: 65535 } as const;

/** k8s.io/api/core/v1 DefaultTerminationGracePeriodSeconds. */
/** kubelet's default maxPods (pkg/kubelet/apis/config/v1beta1/defaults.go), when a Node reports no pods. */
const DEFAULT_MAX_PODS = 110;
/** pkg/apis/scheduling/types.go HighestUserDefinablePriority; higher values are for system classes. */
const HIGHEST_USER_DEFINABLE_PRIORITY = 1_000_000_000;

/** The parser of each modeled kind; which kinds are modeled, and their apiVersions, is kinds.ts's table. */
const PARSERS: Readonly<Record<string, (f: Field) => KubeObject>> = {
  Node: parseNode,
  Pod: parsePod,
  Deployment: parseDeployment,
  ReplicaSet: parseReplicaSet,
  Service: parseService,
  PriorityClass: parsePriorityClass,
  Job: parseJob,
  // Workload kinds parsed in their own modules (engine/scenario/workloads/).
  DaemonSet: parseDaemonSet,
  StatefulSet: parseStatefulSet,
  PodDisruptionBudget: parsePodDisruptionBudget,
  CronJob: parseCronJob,
  LimitRange: parseLimitRange,
  ResourceQuota: parseResourceQuota,
  HorizontalPodAutoscaler: parseHorizontalPodAutoscaler,
  PodGroup: parsePodGroup,
  PersistentVolumeClaim: parsePersistentVolumeClaim,
  PersistentVolume: parsePersistentVolume,
  StorageClass: parseStorageClass,
  CSINode: parseCSINode,
  DeviceClass: parseDeviceClass,
  ResourceClaim: parseResourceClaim,
  ResourceClaimTemplate: parseResourceClaimTemplate,
  ResourceSlice: parseResourceSlice,
};

function modeledKinds(): string {
  const kinds = [...MODELED_KINDS].map(([kind, v]) => `${kind} (${v})`);
  return `${kinds.join(', ')}, and List or <Kind>List of those`;
}

// ---- objects ----

/**
 * The objects in one YAML document: a single object, or the items of a List / <Kind>List. Objects of kinds
 * that are not modeled (kinds.ts) go to `notModeled` when it is given; without it (a field that expects a
 * modeled object, such as a node pool's `node:`) they are refused. Refused kinds are always refused.
 */
export function parseManifests(f: Field, notModeled?: NotModeled): KubeObject[] {
  return parseObject(f, undefined, notModeled).map((p) => p.object);
}

/** An object with the manifest (or List item) it was parsed from, for fields read later and for errors about it. */
export interface PlacedObject {
  readonly object: KubeObject;
  readonly at: Field;
}

/** parseManifests, with each object's manifest. */
export function parsePlacedManifests(f: Field, notModeled?: NotModeled): PlacedObject[] {
  return parseObject(f, undefined, notModeled);
}

interface ImpliedType {
  readonly kind: string;
  readonly apiVersion: string;
}

/**
 * `implied` is the type of a <Kind>List's items: the API returns them without kind and apiVersion
 * (`kubectl get --raw /api/v1/pods`), while `kubectl get -o yaml` returns a List whose items carry both.
 */
function parseObject(f: Field, implied: ImpliedType | undefined, notModeled: NotModeled | undefined): PlacedObject[] {
  if (f.kind() !== 'map') {
    return f.fail(`expected a Kubernetes object (a mapping with apiVersion, kind and metadata), got ${f.describe()}`);
  }
  const kindField = f.get('kind');
  const versionField = f.get('apiVersion');
  const kind = implied !== undefined && !kindField.exists ? implied.kind : kindField.str();
  const apiVersion = implied !== undefined && !versionField.exists ? implied.apiVersion : versionField.str();
  if (kind === '') kindField.fail('expected the object\'s kind, got ""');

  if (kind.endsWith('List')) {
    const itemKind = kind.slice(0, -'List'.length);
    if (itemKind !== '') {
      const d = kindDisposition(itemKind);
      if (d.disposition === 'modeled') checkApiVersion(versionField, kind, apiVersion, d.apiVersion);
    } else checkApiVersion(versionField, kind, apiVersion, 'v1');
    const itemType = itemKind === '' ? undefined : { kind: itemKind, apiVersion };
    return f
      .get('items')
      .items()
      .flatMap((item) => parseObject(item, itemType, notModeled));
  }
  const d = kindDisposition(kind);
  if (d.disposition === 'refused') {
    return kindField.fail(
      `kind ${kind} is not modeled by kubesim and would change placements (${d.reason}); remove it to simulate without it`,
    );
  }
  if (d.disposition === 'notModeled') {
    if (notModeled === undefined) return kindField.fail(`unsupported kind ${JSON.stringify(kind)} here; expected one of ${modeledKinds()}`);
    const meta = f.get('metadata');
    notModeled.add({ kind, apiVersion, namespace: meta.get('namespace').optStr(''), name: meta.get('name').optStr('') });
    return [];
  }
  checkApiVersion(versionField, kind, apiVersion, d.apiVersion);
  return [{ object: PARSERS[kind](f), at: f }];
}

function checkApiVersion(f: Field, kind: string, got: string, expected: string): void {
  if (got !== expected) f.fail(`expected apiVersion ${JSON.stringify(expected)} for kind ${kind}, got ${JSON.stringify(got)}`);
}

function parsePod(f: Field): Pod {
  const metadata = parseMeta(f, true, 'subdomain');
  const spec = parsePodSpec(f.get('spec'));
  checkPodAnnotations(f, metadata.annotations, spec);
  return {
    kind: 'Pod',
    metadata,
    spec,
    // A pasted `kubectl get pod -o yaml` carries a status; the simulated pod starts from scratch.
    status: { phase: 'Pending', ready: false },
  };
}

/**
 * A Node manifest used as a template for many nodes (scheduler_perf's nodeTemplatePath): like a Node, but
 * metadata.generateName may stand for the name, as in upstream's node templates; the caller names the nodes.
 */
export function parseNodeTemplateManifest(f: Field): Node {
  if (f.kind() !== 'map') f.fail(`expected a Node manifest, got ${f.describe()}`);
  const kind = f.get('kind').str();
  if (kind !== 'Node') f.get('kind').fail(`expected kind Node, got ${JSON.stringify(kind)}`);
  checkApiVersion(f.get('apiVersion'), kind, f.get('apiVersion').str(), 'v1');
  return parseNode(f, true);
}

function parseNode(f: Field, template = false): Node {
  const metadata = parseMeta(f, false, 'subdomain', template);
  const spec = f.get('spec');
  const status = f.get('status');
  const { capacity, allocatable } = nodeResources(status);
  return {
    kind: 'Node',
    metadata,
    spec: {
      unschedulable: spec.get('unschedulable').optBool(false),
      taints: spec.get('taints').items().map(parseTaint),
    },
    status: {
      capacity,
      allocatable,
      images: status.get('images').items().map(parseImage),
      ready: true,
    },
  };
}

/**
 * Allocatable defaults to capacity (SetDefaults_NodeStatus in defaults.go) and, for a hand-written node
 * that gives only allocatable, capacity to allocatable. A node without `pods` gets the kubelet's maxPods.
 */
function nodeResources(status: Field): { capacity: ResourceList; allocatable: ResourceList } {
  const capField = status.get('capacity');
  const allocField = status.get('allocatable');
  const capGiven = capField.kind() === 'map';
  const allocGiven = allocField.kind() === 'map';
  const cap = capField.resourceList();
  const alloc = allocField.resourceList();
  const capacity: Record<string, number> = { ...(capGiven ? cap : alloc) };
  const allocatable: Record<string, number> = { ...(allocGiven ? alloc : cap) };
  const pods = capacity.pods ?? allocatable.pods ?? DEFAULT_MAX_PODS;
  if (!hasOwn(capacity, 'pods')) capacity.pods = pods;
  if (!hasOwn(allocatable, 'pods')) allocatable.pods = pods;
  return { capacity, allocatable };
}

function parseTaint(f: Field): Taint {
  const key = f.get('key').str();
  checkQualifiedName(f.get('key'), key, 'taint key');
  return {
    key,
    value: f.get('value').optStr(''),
    effect: f.get('effect').oneOf(TAINT_EFFECTS),
  };
}

function parseImage(f: Field): ContainerImage {
  return {
    names: f
      .get('names')
      .items()
      .map((n) => n.str()),
    sizeBytes: f.get('sizeBytes').optInt(0, { min: 0 }),
  };
}

function parseDeployment(f: Field): Deployment {
  const metadata = parseMeta(f, true, 'subdomain');
  const spec = f.get('spec');
  checkFields(spec, DEPLOYMENT_SPEC);
  const paused = spec.get('paused').optBool(false);
  return {
    kind: 'Deployment',
    metadata,
    spec: {
      ...parseReplicatedSpec(spec, 'Deployment', metadata.namespace),
      strategy: parseStrategy(spec.get('strategy')),
      ...(paused ? { paused } : {}),
    },
  };
}

/** DeploymentStrategy with SetDefaults_Deployment defaults and ValidateRollingUpdateDeployment's rules. */
function parseStrategy(f: Field): DeploymentStrategy {
  const ru = rollingUpdateOf(f, 'Recreate');
  if (ru === null) return { type: 'Recreate' };
  const type = 'RollingUpdate';
  const maxSurge = ru.get('maxSurge').exists ? parseIntOrPercent(ru.get('maxSurge')) : DEFAULT_MAX;
  const maxUnavailable = ru.get('maxUnavailable').exists ? parseIntOrPercent(ru.get('maxUnavailable')) : DEFAULT_MAX;
  if (maxUnavailable.percent && maxUnavailable.value > 100) ru.get('maxUnavailable').fail('must not be greater than 100%');
  if (maxSurge.value === 0 && maxUnavailable.value === 0) ru.get('maxUnavailable').fail('may not be 0 when maxSurge is 0');
  return { type, maxSurge, maxUnavailable };
}

const DEFAULT_MAX: IntOrPercent = { value: 25, percent: true };

/**
 * An update strategy's `type` (RollingUpdate by default, or the workload's other type) and its `rollingUpdate`
 * block: null for the other type, which may not carry one (ValidateDeploymentStrategy,
 * ValidateDaemonSetUpdateStrategy, ValidateStatefulSetUpdateStrategy).
 */
export function rollingUpdateOf(f: Field, other: 'Recreate' | 'OnDelete'): Field | null {
  const type = f.get('type').optOneOf(['RollingUpdate', other] as const, 'RollingUpdate');
  const ru = f.get('rollingUpdate');
  if (type === 'RollingUpdate') return ru;
  if (ru.exists) ru.fail(`rollingUpdate may not be set when type is ${other}`);
  return null;
}

/** An IntOrString that is a count ("2", 2) or a percentage ("25%"). */
export function parseIntOrPercent(f: Field): IntOrPercent {
  const text = f.scalarString();
  const m = /^(\d+)(%?)$/.exec(text);
  if (m === null) f.fail(`expected a non-negative integer or a percentage such as "25%", got ${JSON.stringify(text)}`);
  return { value: Number(m[1]), percent: m[2] === '%' };
}

/** batch/v1 Job with SetDefaults_Job (pkg/apis/batch/v1/defaults.go) and ValidateJob's restartPolicy rule. */
function parseJob(f: Field): Job {
  const metadata = parseMeta(f, true, 'subdomain');
  const spec = parseJobSpec(f.get('spec'), metadata.namespace);
  // The controller labels its pods with the Job's name (batch.kubernetes.io/job-name) to select them.
  const labels = { ...spec.template.labels, 'batch.kubernetes.io/job-name': metadata.name, 'job-name': metadata.name };
  return { kind: 'Job', metadata, spec: { ...spec, template: { ...spec.template, labels } }, status: EMPTY_JOB_STATUS };
}

/** A JobSpec (of a Job, or a CronJob's jobTemplate), without the job-name labels its name adds. */
export function parseJobSpec(spec: Field, namespace: string): Job['spec'] {
  checkFields(spec, JOB_SPEC);
  const parallelismField = spec.get('parallelism');
  const completionsField = spec.get('completions');
  // Neither set: one pod, one completion. Only parallelism set: a work-queue Job (completions stays nil).
  const parallelism = parallelismField.optInt(1, { min: 0, max: INT32.max });
  const completions = completionsField.exists ? completionsField.int({ min: 0, max: INT32.max }) : parallelismField.exists ? null : 1;
  const backoffLimit = spec.get('backoffLimit').optInt(6, { min: 0, max: INT32.max });
  const templateField = spec.get('template');
  if (templateField.kind() !== 'map') expectedMapping(templateField, 'a pod template (metadata.labels and spec)');
  const template = parsePodTemplate(templateField, namespace);
  if (template.spec.restartPolicy === 'Always') {
    templateField.get('spec').get('restartPolicy').fail('expected "Never" or "OnFailure" (a Job\'s pods must terminate), got "Always"');
  }
  // Only present when given, so other Jobs' specs are unchanged.
  const suspend = spec.get('suspend').optBool(false);
  const modeField = spec.get('completionMode');
  const mode = isAbsent(modeField) ? 'NonIndexed' : modeField.oneOf(['NonIndexed', 'Indexed'] as const);
  // ValidateJobSpec: an Indexed Job needs completions.
  if (mode === 'Indexed' && completions === null) completionsField.fail('required when completionMode is Indexed');
  const deadline = spec.get('activeDeadlineSeconds');
  const optional = {
    ...(mode === 'Indexed' ? { completionMode: mode } : {}),
    ...(suspend ? { suspend } : {}),
    ...(isAbsent(deadline) ? {} : { activeDeadlineSeconds: deadline.int({ min: 1, max: 2 ** 53 - 1 }) }),
  };
  return { parallelism, completions, backoffLimit, template, ...optional };
}

function parseReplicaSet(f: Field): ReplicaSet {
  const metadata = parseMeta(f, true, 'subdomain');
  return {
    kind: 'ReplicaSet',
    metadata,
    spec: parseReplicatedSpec(f.get('spec'), 'ReplicaSet', metadata.namespace),
    status: EMPTY_REPLICASET_STATUS,
  };
}

interface ReplicatedSpec {
  readonly replicas: number;
  readonly selector: LabelSelector;
  readonly template: PodTemplate;
  readonly minReadySeconds?: number;
}

/** The spec shared by Deployment and ReplicaSet, validated as pkg/apis/apps/validation does. */
export function parseReplicatedSpec(spec: Field, kind: string, namespace: string): ReplicatedSpec {
  // replicas defaults to 1: SetDefaults_Deployment / SetDefaults_ReplicaSet in pkg/apis/apps/v1/defaults.go.
  const replicas = spec.get('replicas').optInt(1, { min: 0, max: INT32.max });
  const selectorField = spec.get('selector');
  const selector = parseLabelSelector(selectorField);
  if (Object.keys(selector.matchLabels).length === 0 && selector.matchExpressions.length === 0) {
    selectorField.fail(`empty selector is invalid for a ${kind}; expected matchLabels or matchExpressions`);
  }
  const templateField = spec.get('template');
  if (templateField.kind() !== 'map') expectedMapping(templateField, 'a pod template (metadata.labels and spec)');
  const template = parsePodTemplate(templateField, namespace);
  if (!selectorMatches(selector, template.labels)) {
    templateField
      .get('metadata')
      .get('labels')
      .fail(
        `selector does not match template labels (selector ${formatSelector(selector)}; template labels ${formatLabels(template.labels)})`,
      );
  }
  if (template.spec.restartPolicy !== 'Always') {
    templateField
      .get('spec')
      .get('restartPolicy')
      .fail(`expected "Always" (the only restartPolicy a ${kind}'s pods may use), got ${JSON.stringify(template.spec.restartPolicy)}`);
  }
  // Only present when positive, so other specs are unchanged.
  const minReadySeconds = spec.get('minReadySeconds').optInt(0, { min: 0, max: INT32.max });
  return { replicas, selector, template, ...(minReadySeconds > 0 ? { minReadySeconds } : {}) };
}

function parseService(f: Field): Service {
  // Service names are DNS-1035 labels (they become DNS names and environment variables).
  const metadata = parseMeta(f, true, 'dns1035');
  const spec = f.get('spec');
  const portFields = spec.get('ports').items();
  const ports = portFields.map(parseServicePort);
  checkServicePortNames(portFields, ports);
  return { kind: 'Service', metadata, spec: { selector: labelMap(spec.get('selector')), ports } };
}

function parseServicePort(f: Field): ServicePort {
  return {
    name: f.get('name').optStr(''),
    port: f.get('port').int(PORT_RANGE),
    protocol: protocolOf(f.get('protocol')),
  };
}

/** Upstream ValidateService: with more than one port every port needs a unique name. */
function checkServicePortNames(fields: readonly Field[], ports: readonly ServicePort[]): void {
  if (ports.length < 2) return;
  const seen = new Set<string>();
  ports.forEach((p, i) => {
    const nameField = fields[i].get('name');
    if (p.name === '') nameField.fail('a name is required when a Service has more than one port');
    if (seen.has(p.name)) nameField.fail(`duplicate port name ${JSON.stringify(p.name)}`);
    seen.add(p.name);
  });
}

function parsePriorityClass(f: Field): PriorityClass {
  const metadata = parseMeta(f, false, 'subdomain');
  const valueField = f.get('value');
  const value = valueField.int(INT32);
  checkPriorityValue(f, metadata.name, value);
  return {
    kind: 'PriorityClass',
    metadata,
    value,
    globalDefault: f.get('globalDefault').optBool(false),
    // SetDefaults_PriorityClass in pkg/apis/scheduling/v1/defaults.go.
    preemptionPolicy: f.get('preemptionPolicy').optOneOf(['PreemptLowerPriority', 'Never'], 'PreemptLowerPriority'),
  };
}

/** ValidatePriorityClass (pkg/apis/scheduling/validation/validation.go). */
function checkPriorityValue(f: Field, name: string, value: number): void {
  if (name.startsWith('system-')) {
    const expected = SYSTEM_PRIORITY_CLASSES.get(name);
    if (expected === undefined) {
      f.get('metadata')
        .get('name')
        .fail(`priority class names with the "system-" prefix are reserved for ${[...SYSTEM_PRIORITY_CLASSES.keys()].join(' and ')}`);
    }
    if (value !== expected) f.get('value').fail(`expected ${expected} for the system priority class ${name}, got ${value}`);
  } else if (value > HIGHEST_USER_DEFINABLE_PRIORITY) {
    f.get('value').fail(`expected at most ${HIGHEST_USER_DEFINABLE_PRIORITY} (the highest user-definable priority), got ${value}`);
  }
}

// ---- metadata ----

type NameRule = 'subdomain' | 'dns1035';

/** `template`: a template's metadata, which may give generateName instead of a name (the name is then ''). */
export function parseMeta(f: Field, namespaced: boolean, rule: NameRule, template = false): ObjectMeta {
  const m = f.get('metadata');
  const nameField = m.get('name');
  const generated = !nameField.exists && m.get('generateName').exists;
  if (generated && !template) {
    m.get('generateName').fail('generateName is not supported; give the object a metadata.name');
  }
  const name = generated ? '' : nameField.str();
  if (!generated) checkName(nameField, name, rule);
  return {
    name,
    namespace: namespaced ? parseNamespace(m.get('namespace')) : '',
    uid: '',
    labels: labelMap(m.get('labels')),
    annotations: m.get('annotations').stringMap(),
    // Owner references name uids of another cluster; the simulated controllers set their own.
    ownerReferences: [],
    creationTimestamp: 0,
    resourceVersion: 0,
  };
}

/** An absent or empty namespace means "default", as for kubectl create -f. */
function parseNamespace(f: Field): string {
  const ns = f.optStr('');
  if (ns === '') return 'default';
  if (!isDns1123Label(ns)) f.fail(`expected a namespace name (${DNS1123_LABEL_RULE}), got ${JSON.stringify(ns)}`);
  return ns;
}

function checkName(f: Field, name: string, rule: NameRule): void {
  if (rule === 'dns1035' && !isDns1035Label(name)) {
    f.fail(`expected a DNS-1035 label (${DNS1035_LABEL_RULE}), got ${JSON.stringify(name)}`);
  }
  if (rule === 'subdomain' && !isDns1123Subdomain(name)) {
    f.fail(`expected a DNS-1123 subdomain (${DNS1123_SUBDOMAIN_RULE}), got ${JSON.stringify(name)}`);
  }
}

// ---- pod templates and specs ----

/**
 * A pod template (`spec.template` of a Deployment or ReplicaSet, or a pod template in a scenario file).
 * Its pods live in `namespace`, so a template that names another namespace is refused.
 */
export function parsePodTemplate(f: Field, namespace: string): PodTemplate {
  const meta = f.get('metadata');
  const nsField = meta.get('namespace');
  const ns = nsField.optStr('');
  if (ns !== '' && ns !== namespace) {
    nsField.fail(`the pods are created in namespace ${JSON.stringify(namespace)}, but the template names ${JSON.stringify(ns)}`);
  }
  const annotations = meta.get('annotations').stringMap();
  const spec = parsePodSpec(f.get('spec'));
  checkPodAnnotations(f, annotations, spec);
  return { labels: labelMap(meta.get('labels')), annotations, spec };
}

/** The kubesim.io/ annotations of a pod or pod template that the kubelet and the gate remover read. */
function checkPodAnnotations(f: Field, annotations: Readonly<Record<string, string>>, spec: PodSpec): void {
  checkInitRunAnnotations(f, annotations, spec);
  checkGateAnnotation(f, annotations, spec);
  const rdzv = annotations[RENDEZVOUS_ANNOTATION];
  if (rdzv !== undefined && !/^[1-9][0-9]{0,8}$/.test(rdzv))
    f.get('metadata')
      .get('annotations')
      .get(RENDEZVOUS_ANNOTATION)
      .fail(`expected the number of workers of the job's rendezvous (a positive integer), got ${JSON.stringify(rdzv)}`);
}

/** kubesim.io/init-run-duration[.<name>] (node/kubelet.ts initRunDuration): durations, naming an init container. */
function checkInitRunAnnotations(f: Field, annotations: Readonly<Record<string, string>>, spec: PodSpec): void {
  for (const [k, v] of Object.entries(annotations)) {
    if (k !== INIT_RUN_DURATION_ANNOTATION && !k.startsWith(`${INIT_RUN_DURATION_ANNOTATION}.`)) continue;
    const at = f.get('metadata').get('annotations').get(k);
    const d = parseDuration(v);
    if (d === null || d < 0) at.fail(`expected a duration such as "5s", got ${JSON.stringify(v)}`);
    const name = k.slice(INIT_RUN_DURATION_ANNOTATION.length + 1);
    const inits = spec.initContainers.filter((c) => c.restartPolicy === undefined).map((c) => c.name);
    if (inits.length === 0) at.fail('the pod has no init container (sidecars excepted) to run');
    if (name !== '' && !inits.includes(name)) at.fail(`no init container ${JSON.stringify(name)}; expected one of ${inits.join(', ')}`);
  }
}

/** kubesim.io/remove-scheduling-gates-after (workload/gate-remover.ts): a duration, on a pod that has gates. */
function checkGateAnnotation(f: Field, annotations: Readonly<Record<string, string>>, spec: PodSpec): void {
  if (annotations[REMOVE_GATES_ANNOTATION] === undefined) return;
  const at = f.get('metadata').get('annotations').get(REMOVE_GATES_ANNOTATION);
  const delay = gateRemovalDelay(annotations);
  if (delay === null || delay < 0)
    at.fail(`expected a duration such as "30s", got ${JSON.stringify(annotations[REMOVE_GATES_ANNOTATION])}`);
  if ((spec.schedulingGates?.length ?? 0) === 0) at.fail('the pod has no spec.schedulingGates to remove');
}

/** A PodSpec with SetDefaults_PodSpec and SetDefaults_Pod (pkg/apis/core/v1/defaults.go) applied. */
export function parsePodSpec(f: Field): PodSpec {
  if (f.kind() !== 'map') expectedMapping(f, 'a pod spec (a mapping with at least one container)');
  checkFields(f, POD_SPEC);
  const hostNetwork = f.get('hostNetwork').optBool(false);
  const containerFields = f.get('containers').items();
  if (containerFields.length === 0) f.get('containers').fail('expected at least one container');
  const initFields = f.get('initContainers').items();
  const containers = containerFields.map((c) => parseContainer(c, false, hostNetwork));
  const initContainers = initFields.map((c) => parseContainer(c, true, hostNetwork));
  checkUniqueContainerNames([...initFields, ...containerFields], [...initContainers, ...containers]);
  return {
    containers,
    initContainers,
    nodeName: optName(f.get('nodeName')),
    // SetDefaults_PodSpec: an empty schedulerName means the default scheduler.
    schedulerName: f.get('schedulerName').optStr('') || DEFAULT_SCHEDULER_NAME,
    priorityClassName: optName(f.get('priorityClassName')),
    // The simulated API server's Priority admission resolves priorityClassName later.
    priority: f.get('priority').optInt(0, INT32),
    nodeSelector: labelMap(f.get('nodeSelector')),
    tolerations: f.get('tolerations').items().map(parseToleration),
    restartPolicy: restartPolicyOf(f.get('restartPolicy')),
    overhead: f.get('overhead').resourceList(),
    ...podResourcesOf(f.get('resources'), containers, initContainers),
    // SetDefaults_PodSpec: terminationGracePeriodSeconds defaults to 30.
    terminationGracePeriodSeconds: f.get('terminationGracePeriodSeconds').optInt(DEFAULT_TERMINATION_GRACE_PERIOD_SECONDS, { min: 0 }),
    // Only present when given, so specs without them (and their pod-template-hash) stay as they were.
    ...affinityOf(f.get('affinity')),
    ...spreadOf(f.get('topologySpreadConstraints')),
    ...preemptionPolicyOf(f.get('preemptionPolicy')),
    ...schedulingGatesOf(f.get('schedulingGates')),
    ...claimsOf(f.get('volumes')),
    ...resourceClaimsOf(f.get('resourceClaims'), [...initFields, ...containerFields]),
  };
}

/**
 * spec.resourceClaims (validatePodResourceClaims): unique DNS-label names, exactly one of resourceClaimName and
 * resourceClaimTemplateName; and the containers' resources.claims (validateResourceClaimNames), which must name
 * one of them (a device's use inside the container does not change placement, so only the reference is checked).
 */
function resourceClaimsOf(f: Field, containers: readonly Field[]): Pick<PodSpec, 'resourceClaims'> {
  const names = new Set<string>();
  const out: PodResourceClaim[] = [];
  for (const c of f.items()) {
    c.rejectUnknownKeys(['name', 'resourceClaimName', 'resourceClaimTemplateName']);
    const nameField = c.get('name');
    const name = nameField.str();
    if (!isDns1123Label(name)) nameField.fail(`expected a claim name (${DNS1123_LABEL_RULE}), got ${JSON.stringify(name)}`);
    if (names.has(name)) nameField.fail(`duplicate resource claim name ${JSON.stringify(name)}`);
    names.add(name);
    const claim = c.get('resourceClaimName');
    const template = c.get('resourceClaimTemplateName');
    const given = [claim, template].filter((x) => x.exists && x.kind() !== 'null');
    if (given.length !== 1) c.fail('expected exactly one of resourceClaimName and resourceClaimTemplateName');
    const ref = given[0].str();
    if (!isDns1123Subdomain(ref)) given[0].fail(`expected an object name (${DNS1123_SUBDOMAIN_RULE}), got ${JSON.stringify(ref)}`);
    out.push(given[0] === claim ? { name, resourceClaimName: ref } : { name, resourceClaimTemplateName: ref });
  }
  for (const ct of containers) {
    const seen = new Set<string>();
    for (const rc of ct.get('resources').get('claims').items()) {
      rc.rejectUnknownKeys(['name', 'request']);
      const n = rc.get('name').str();
      if (!names.has(n))
        rc.get('name').fail(
          `must be the name of one of the pod's spec.resourceClaims${names.size === 0 ? ' (the pod has none)' : ` (${[...names].join(', ')})`}`,
        );
      const key = `${n}/${rc.get('request').optStr('')}`;
      if (seen.has(key)) rc.fail(`duplicate claim ${JSON.stringify(key)}`);
      seen.add(key);
    }
  }
  return out.length === 0 ? {} : { resourceClaims: out };
}

/**
 * spec.resources, the pod-level requests and limits (feature PodLevelResources, on by default since v1.34):
 * SetDefaults_Pod's defaultHugePagePodLimits and defaultPodRequests (pkg/apis/core/v1/defaults.go), then
 * validatePodResources and validatePodResourceConsistency (pkg/apis/core/validation/validation.go). Only present
 * when it sets something, so other specs (and their pod-template-hash) are unchanged.
 */
function podResourcesOf(f: Field, containers: readonly Container[], initContainers: readonly Container[]): Pick<PodSpec, 'resources'> {
  if (isAbsent(f)) return {};
  const reqField = f.get('requests');
  const limField = f.get('limits');
  const given = { requests: reqField.resourceList(), limits: limField.resourceList() };
  for (const [list, field] of [
    [given.requests, reqField],
    [given.limits, limField],
  ] as const) {
    for (const name of Object.keys(list)) {
      if (!isSupportedPodLevelResource(name)) {
        field
          .get(name)
          .fail(
            `unsupported pod-level resource ${JSON.stringify(name)}: only cpu, memory and hugepages-<size> may be set in spec.resources`,
          );
      }
    }
  }
  if (Object.keys(given.requests).length + Object.keys(given.limits).length === 0) return {};
  const requests: Record<string, number> = { ...given.requests };
  const limits: Record<string, number> = { ...given.limits };
  // defaultHugePagePodLimits: the containers' aggregated hugepages limits, unless the pod level names it.
  const containerLimits = aggregateContainerRequests({
    containers: containers.map((c) => ({ ...c, requests: c.limits })),
    initContainers: initContainers.map((c) => ({ ...c, requests: c.limits })),
  });
  for (const [name, amount] of Object.entries(containerLimits)) {
    if (name.startsWith(HUGEPAGES_PREFIX) && !hasOwn(requests, name) && !hasOwn(limits, name)) limits[name] = amount;
  }
  // defaultPodRequests (only with pod-level limits): a resource the containers request defaults to their
  // aggregate (hugepages excepted), then any other limited resource to its limit.
  const aggregate = aggregateContainerRequests({ containers, initContainers });
  if (Object.keys(limits).length > 0) {
    for (const [name, amount] of Object.entries(aggregate)) {
      if (!hasOwn(requests, name) && isSupportedPodLevelResource(name) && !name.startsWith(HUGEPAGES_PREFIX)) requests[name] = amount;
    }
    for (const [name, amount] of Object.entries(limits)) if (!hasOwn(requests, name)) requests[name] = amount;
  }
  checkRequestsWithinLimits(f, requests, limits);
  // validatePodResourceConsistency: pod-level requests ≥ the containers' aggregate; container limits ≤ pod-level limits.
  for (const [name, amount] of Object.entries(requests)) {
    const containersWant = aggregate[name];
    if (containersWant !== undefined && containersWant > amount) {
      reqField
        .get(name)
        .fail(
          `expected a pod-level ${name} request ≥ the containers' aggregate request of ${formatAmount(name, containersWant)}, got ${formatAmount(name, amount)}`,
        );
    }
  }
  for (const c of containers) {
    for (const [name, limit] of Object.entries(c.limits)) {
      const podLimit = limits[name];
      if (podLimit !== undefined && limit > podLimit) {
        limField
          .get(name)
          .fail(
            `expected a pod-level ${name} limit ≥ container ${c.name}'s limit of ${formatAmount(name, limit)}, got ${formatAmount(name, podLimit)}`,
          );
      }
    }
  }
  return { resources: { requests, limits } };
}

/** spec.schedulingGates, validated as validateSchedulingGates does: qualified names, no duplicates. */
function schedulingGatesOf(f: Field): Pick<PodSpec, 'schedulingGates'> {
  if (isAbsent(f)) return {};
  const names = f.items().map((g) => {
    const name = g.get('name').str();
    checkQualifiedName(g.get('name'), name, 'scheduling gate name');
    return name;
  });
  names.forEach((n, i) => {
    if (names.indexOf(n) !== i)
      f.items()
        [i].get('name')
        .fail(`duplicate scheduling gate ${JSON.stringify(n)}`);
  });
  return names.length === 0 ? {} : { schedulingGates: names };
}

/**
 * The claims of spec.volumes[].persistentVolumeClaim (validateVolumes: unique volume names, a claimName given),
 * for volume binding (engine/scheduler/plugins/volume-binding/).
 */
function claimsOf(f: Field): Pick<PodSpec, 'claims'> {
  if (isAbsent(f)) return {};
  const claims: string[] = [];
  const names = new Set<string>();
  for (const v of f.items()) {
    const name = v.get('name').str();
    if (names.has(name)) v.get('name').fail(`duplicate volume name ${JSON.stringify(name)}`);
    names.add(name);
    const pvc = v.get('persistentVolumeClaim');
    if (isAbsent(pvc)) continue;
    const claim = pvc.get('claimName').str();
    if (!isDns1123Subdomain(claim))
      pvc.get('claimName').fail(`expected a claim name (${DNS1123_SUBDOMAIN_RULE}), got ${JSON.stringify(claim)}`);
    pvc.get('readOnly').optBool(false);
    if (!claims.includes(claim)) claims.push(claim);
  }
  return claims.length === 0 ? {} : { claims };
}

function isAbsent(f: Field): boolean {
  return f.kind() === 'missing' || f.kind() === 'null';
}

/** spec.affinity: nodeAffinity, podAffinity and podAntiAffinity, each only when given. */
function affinityOf(f: Field): Pick<PodSpec, 'affinity'> {
  if (isAbsent(f)) return {};
  const out: { nodeAffinity?: NodeAffinity; podAffinity?: PodAffinity; podAntiAffinity?: PodAffinity } = {};
  if (!isAbsent(f.get('nodeAffinity'))) out.nodeAffinity = parseNodeAffinity(f.get('nodeAffinity'), 'pod');
  if (!isAbsent(f.get('podAffinity'))) out.podAffinity = parsePodAffinity(f.get('podAffinity'));
  if (!isAbsent(f.get('podAntiAffinity'))) out.podAntiAffinity = parsePodAffinity(f.get('podAntiAffinity'));
  return Object.keys(out).length === 0 ? {} : { affinity: out };
}

function preemptionPolicyOf(f: Field): Pick<PodSpec, 'preemptionPolicy'> {
  if (isAbsent(f)) return {};
  return { preemptionPolicy: f.oneOf(['PreemptLowerPriority', 'Never'] as const) };
}

/** core/v1 PodAffinity / PodAntiAffinity, validated as validatePodAffinity (pkg/apis/core/validation). */
function parsePodAffinity(f: Field): PodAffinity {
  if (f.kind() !== 'map')
    expectedMapping(f, 'requiredDuringSchedulingIgnoredDuringExecution and/or preferredDuringSchedulingIgnoredDuringExecution');
  const required = f.get('requiredDuringSchedulingIgnoredDuringExecution').items().map(parsePodAffinityTerm);
  const preferred = f
    .get('preferredDuringSchedulingIgnoredDuringExecution')
    .items()
    .map((w): WeightedPodAffinityTerm => {
      const tf = w.get('podAffinityTerm');
      if (tf.kind() !== 'map') expectedMapping(tf, 'a pod affinity term (labelSelector and topologyKey)');
      return { weight: w.get('weight').int({ min: 1, max: 100 }), term: parsePodAffinityTerm(tf) };
    });
  return { required, preferred };
}

function parsePodAffinityTerm(f: Field): PodAffinityTerm {
  const keyField = f.get('topologyKey');
  const topologyKey = keyField.str();
  if (topologyKey === '') keyField.fail('expected a topology key (a node label key such as topology.kubernetes.io/zone), got ""');
  checkQualifiedName(keyField, topologyKey, 'topology key');
  const sel = f.get('labelSelector');
  const nsSel = f.get('namespaceSelector');
  const namespaces = f
    .get('namespaces')
    .items()
    .map((n) => {
      const ns = n.str();
      if (!isDns1123Label(ns)) n.fail(`expected a namespace name (${DNS1123_LABEL_RULE}), got ${JSON.stringify(ns)}`);
      return ns;
    });
  const labelSelector = isAbsent(sel) ? undefined : parseLabelSelector(sel);
  const matchLabelKeys = labelKeys(f.get('matchLabelKeys'), labelSelector);
  const mismatchLabelKeys = labelKeys(f.get('mismatchLabelKeys'), labelSelector);
  for (const k of mismatchLabelKeys) {
    if (matchLabelKeys.includes(k))
      f.get('mismatchLabelKeys').fail(`key ${JSON.stringify(k)} is in both matchLabelKeys and mismatchLabelKeys`);
  }
  return {
    ...(labelSelector === undefined ? {} : { labelSelector }),
    namespaces,
    ...(isAbsent(nsSel) ? {} : { namespaceSelector: parseLabelSelector(nsSel) }),
    topologyKey,
    matchLabelKeys,
    mismatchLabelKeys,
  };
}

/**
 * matchLabelKeys / mismatchLabelKeys (validateMatchLabelKeysAndMismatchLabelKeys, validateMatchLabelKeysInTopologySpread):
 * label keys, only with a labelSelector, and none already constrained by the selector.
 */
function labelKeys(f: Field, selector: LabelSelector | undefined): string[] {
  const items = f.items();
  if (items.length > 0 && selector === undefined) f.fail('must not be set when labelSelector is not set');
  return items.map((k) => {
    const key = k.str();
    checkQualifiedName(k, key, 'label key');
    if (selector !== undefined && (hasOwn(selector.matchLabels, key) || selector.matchExpressions.some((r) => r.key === key))) {
      k.fail(`key ${JSON.stringify(key)} is already in the labelSelector; it must not also be listed here`);
    }
    return key;
  });
}

const WHEN_UNSATISFIABLE: readonly TopologySpreadConstraint['whenUnsatisfiable'][] = ['DoNotSchedule', 'ScheduleAnyway'];
const INCLUSION_POLICIES = ['Honor', 'Ignore'] as const;

/** spec.topologySpreadConstraints, validated as ValidateTopologySpreadConstraints (pkg/apis/core/validation). */
function spreadOf(f: Field): Pick<PodSpec, 'topologySpreadConstraints'> {
  const items = f.items();
  if (items.length === 0) return {};
  const seen = new Set<string>();
  const out = items.map((c): TopologySpreadConstraint => {
    const maxSkew = c.get('maxSkew').int({ min: 1, max: INT32.max });
    const keyField = c.get('topologyKey');
    const topologyKey = keyField.str();
    if (topologyKey === '') keyField.fail('expected a topology key (a node label key such as topology.kubernetes.io/zone), got ""');
    checkQualifiedName(keyField, topologyKey, 'topology key');
    const whenUnsatisfiable = c.get('whenUnsatisfiable').oneOf(WHEN_UNSATISFIABLE);
    const pair = `${topologyKey}\u0000${whenUnsatisfiable}`;
    if (seen.has(pair))
      keyField.fail(`duplicate constraint for topologyKey ${JSON.stringify(topologyKey)} and whenUnsatisfiable ${whenUnsatisfiable}`);
    seen.add(pair);
    const sel = c.get('labelSelector');
    const labelSelector = isAbsent(sel) ? undefined : parseLabelSelector(sel);
    const minField = c.get('minDomains');
    const out: { -readonly [K in keyof TopologySpreadConstraint]: TopologySpreadConstraint[K] } = {
      maxSkew,
      topologyKey,
      whenUnsatisfiable,
      matchLabelKeys: labelKeys(c.get('matchLabelKeys'), labelSelector),
    };
    if (labelSelector !== undefined) out.labelSelector = labelSelector;
    if (!isAbsent(minField)) {
      out.minDomains = minField.int({ min: 1, max: INT32.max });
      if (whenUnsatisfiable !== 'DoNotSchedule') minField.fail('minDomains may only be set when whenUnsatisfiable is DoNotSchedule');
    }
    if (!isAbsent(c.get('nodeAffinityPolicy'))) out.nodeAffinityPolicy = c.get('nodeAffinityPolicy').oneOf(INCLUSION_POLICIES);
    if (!isAbsent(c.get('nodeTaintsPolicy'))) out.nodeTaintsPolicy = c.get('nodeTaintsPolicy').oneOf(INCLUSION_POLICIES);
    return out;
  });
  return { topologySpreadConstraints: out };
}

/** SetDefaults_PodSpec: an empty restartPolicy means Always. */
function restartPolicyOf(f: Field): RestartPolicy {
  return f.optStr('') === '' ? 'Always' : f.oneOf(RESTART_POLICIES);
}

/** An optional object name (nodeName, priorityClassName): '' or a DNS-1123 subdomain. */
function optName(f: Field): string {
  const name = f.optStr('');
  if (name !== '' && !isDns1123Subdomain(name)) {
    f.fail(`expected a DNS-1123 subdomain (${DNS1123_SUBDOMAIN_RULE}), got ${JSON.stringify(name)}`);
  }
  return name;
}

function parseContainer(f: Field, init: boolean, hostNetwork: boolean): Container {
  const nameField = f.get('name');
  const name = nameField.str();
  if (!isDns1123Label(name)) nameField.fail(`expected a container name (${DNS1123_LABEL_RULE}), got ${JSON.stringify(name)}`);
  const imageField = f.get('image');
  const image = imageField.str();
  if (image.trim() === '') imageField.fail('expected a container image, got ""');
  const resources = f.get('resources');
  const limits = resources.get('limits').resourceList();
  const requests = defaultRequestsFromLimits(resources.get('requests').resourceList(), limits);
  checkRequestsWithinLimits(resources, requests, limits);
  const container: Container = {
    name,
    image,
    requests,
    limits,
    ports: f
      .get('ports')
      .items()
      .map((p) => parseContainerPort(p, hostNetwork)),
  };
  // Probes only when given (and only on app containers, as validation requires), so other specs are unchanged;
  // likewise an imagePullPolicy other than IfNotPresent. SetDefaults_Container: absent, it is Always for an image
  // whose tag is "latest" (an untagged reference without a digest means :latest, parsers.ParseImageName), else
  // IfNotPresent.
  const pullField = f.get('imagePullPolicy');
  const pull = isAbsent(pullField)
    ? imageTagIsLatest(image)
      ? 'Always'
      : 'IfNotPresent'
    : pullField.oneOf(['Always', 'IfNotPresent', 'Never'] as const);
  const probes = {
    ...(pull === 'IfNotPresent' ? {} : { imagePullPolicy: pull }),
    ...(init ? {} : { ...probeOf(f.get('readinessProbe'), 'readinessProbe'), ...probeOf(f.get('startupProbe'), 'startupProbe') }),
  };
  if (init && f.get('restartPolicy').exists) return { ...container, ...probes, restartPolicy: sidecarPolicy(f.get('restartPolicy')) };
  return { ...container, ...probes };
}

/**
 * A probe's timing with SetDefaults_Probe (periodSeconds 10, successThreshold 1) and validateProbe's rules
 * (a startup probe's successThreshold must be 1).
 */
function probeOf(f: Field, name: 'readinessProbe' | 'startupProbe'): Partial<Record<typeof name, ProbeTiming>> {
  if (isAbsent(f)) return {};
  const successThreshold = f.get('successThreshold').optInt(1, { min: 1, max: INT32.max });
  if (name === 'startupProbe' && successThreshold !== 1)
    f.get('successThreshold').fail(`expected 1 (a startup probe's successThreshold must be 1), got ${successThreshold}`);
  return {
    [name]: {
      initialDelaySeconds: f.get('initialDelaySeconds').optInt(0, { min: 0, max: INT32.max }),
      periodSeconds: f.get('periodSeconds').optInt(10, { min: 1, max: INT32.max }),
      successThreshold,
    },
  };
}

/** An init container with restartPolicy Always is a sidecar (KEP-753); that is the only value allowed. */
function sidecarPolicy(f: Field): 'Always' {
  const policy = f.str();
  if (policy !== 'Always') {
    f.fail(`expected "Always" (the only restartPolicy an init container may have; it makes it a sidecar), got ${JSON.stringify(policy)}`);
  }
  return 'Always';
}

/**
 * SetDefaults_Pod: a resource with a limit but no request gets request = limit. Upstream applies it to
 * Pods only, not PodTemplates, but every pod stamped from a template is defaulted on create, so applying
 * it to the template's spec yields the same pods.
 */
function defaultRequestsFromLimits(requests: ResourceList, limits: ResourceList): ResourceList {
  const out: Record<string, number> = { ...requests };
  for (const [name, amount] of Object.entries(limits)) if (!hasOwn(out, name)) out[name] = amount;
  return out;
}

/** ValidateResourceRequirements: a request may not exceed its limit. */
function checkRequestsWithinLimits(resources: Field, requests: ResourceList, limits: ResourceList): void {
  for (const [name, limit] of Object.entries(limits)) {
    const request = requests[name];
    if (request > limit) {
      resources
        .get('requests')
        .get(name)
        .fail(`expected a request ≤ the ${name} limit of ${formatAmount(name, limit)}, got ${formatAmount(name, request)}`);
    }
  }
}

function parseContainerPort(f: Field, hostNetwork: boolean): ContainerPort {
  const containerPort = f.get('containerPort').int(PORT_RANGE);
  const hostPort = f.get('hostPort').optInt(0, { min: 0, max: PORT_RANGE.max });
  const hostIP = f.get('hostIP').optStr('');
  const port: ContainerPort = {
    containerPort,
    // defaultHostNetworkPorts in defaults.go: with hostNetwork every container port is also a host port.
    hostPort: hostNetwork && hostPort === 0 ? containerPort : hostPort,
    protocol: protocolOf(f.get('protocol')),
  };
  // hostIP only matters to NodePorts; kept only when given so other specs are unchanged.
  return hostIP === '' ? port : { ...port, hostIP };
}

/** Ports default to TCP (`+default="TCP"` on Protocol in k8s.io/api/core/v1/types.go, applied by the generated defaulters). */
function protocolOf(f: Field): Protocol {
  return f.optStr('') === '' ? 'TCP' : f.oneOf(PROTOCOLS);
}

function checkUniqueContainerNames(fields: readonly Field[], containers: readonly Container[]): void {
  const seen = new Set<string>();
  containers.forEach((c, i) => {
    if (seen.has(c.name)) fields[i].get('name').fail(`duplicate container name ${JSON.stringify(c.name)}`);
    seen.add(c.name);
  });
}

/**
 * A toleration, validated as validateTolerations (pkg/apis/core/validation/validation.go) does. An empty
 * operator means Equal and an empty effect matches every effect (Toleration.ToleratesTaint).
 */
function parseToleration(f: Field): Toleration {
  const key = f.get('key').optStr('');
  if (key !== '') checkQualifiedName(f.get('key'), key, 'toleration key');
  const operatorField = f.get('operator');
  const operator = operatorField.optStr('') === '' ? 'Equal' : operatorField.oneOf(['Equal', 'Exists']);
  const value = f.get('value').optStr('');
  const effectField = f.get('effect');
  const effect = effectField.optStr('') === '' ? '' : effectField.oneOf(TAINT_EFFECTS);
  if (key === '' && operator !== 'Exists') {
    operatorField.fail('operator must be Exists when key is empty (an empty key with Exists tolerates every taint)');
  }
  if (operator === 'Exists' && value !== '')
    f.get('value').fail(`value must be empty when operator is Exists, got ${JSON.stringify(value)}`);
  const secondsField = f.get('tolerationSeconds');
  if (secondsField.kind() === 'missing' || secondsField.kind() === 'null') return { key, operator, value, effect };
  const tolerationSeconds = secondsField.int();
  if (effect !== 'NoExecute') secondsField.fail('tolerationSeconds requires effect NoExecute');
  return { key, operator, value, effect, tolerationSeconds };
}

// ---- label selectors ----

export function parseLabelSelector(f: Field): LabelSelector {
  if (f.kind() !== 'map') expectedMapping(f, 'a label selector such as {matchLabels: {app: web}}');
  return {
    matchLabels: labelMap(f.get('matchLabels')),
    matchExpressions: f.get('matchExpressions').items().map(parseRequirement),
  };
}

/** ValidateLabelSelectorRequirement (apimachinery pkg/apis/meta/v1/validation). */
function parseRequirement(f: Field): LabelSelectorRequirement {
  const key = f.get('key').str();
  checkQualifiedName(f.get('key'), key, 'label key');
  const operator = f.get('operator').oneOf(SELECTOR_OPERATORS);
  const valuesField = f.get('values');
  const values = valuesField.items().map((v) => v.scalarString());
  const needsValues = operator === 'In' || operator === 'NotIn';
  if (needsValues && values.length === 0) valuesField.fail(`expected at least one value for operator ${operator}`);
  if (!needsValues && values.length > 0) valuesField.fail(`expected no values for operator ${operator}, got ${values.length}`);
  return { key, operator, values };
}

function formatSelector(sel: LabelSelector): string {
  const parts = Object.entries(sel.matchLabels).map(([k, v]) => `${k}=${v}`);
  for (const r of sel.matchExpressions) {
    if (r.operator === 'Exists') parts.push(r.key);
    else if (r.operator === 'DoesNotExist') parts.push(`!${r.key}`);
    else parts.push(`${r.key} ${r.operator === 'In' ? 'in' : 'notin'} (${r.values.join(',')})`);
  }
  return parts.join(',');
}

function formatLabels(labels: Readonly<Record<string, string>>): string {
  const parts = Object.entries(labels).map(([k, v]) => `${k}=${v}`);
  return parts.length === 0 ? '(none)' : parts.join(',');
}

/** A label map (labels, selectors, nodeSelector) with keys and values validated as label syntax. */
function labelMap(f: Field): Record<string, string> {
  const labels = f.stringMap();
  for (const [key, child] of f.entries()) {
    checkQualifiedName(child, key, 'label key');
    const value = labels[key];
    if (!isLabelValue(value)) child.fail(`invalid label value ${JSON.stringify(value)}: expected ${LABEL_VALUE_RULE}`);
  }
  return labels;
}

// ---- name syntax (apimachinery pkg/util/validation/validation.go) ----

// ---- small helpers ----

function hasOwn(obj: object, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(obj, key);
}

function formatAmount(resource: string, amount: number): string {
  return resource === 'cpu' ? `${amount}m` : String(amount);
}
