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
  type KubeObject,
  type LabelSelector,
  type LabelSelectorRequirement,
  type Node,
  type ObjectMeta,
  type Pod,
  type PodSpec,
  type PodTemplate,
  type PriorityClass,
  type ReplicaSet,
  type ResourceList,
  type Service,
  type ServicePort,
  type Taint,
  type Toleration,
} from '../api/objects.js';
import type { Field } from './yaml-field.js';

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
const DEFAULT_TERMINATION_GRACE_PERIOD_SECONDS = 30;
/** kubelet's default maxPods (pkg/kubelet/apis/config/v1beta1/defaults.go), when a Node reports no pods. */
const DEFAULT_MAX_PODS = 110;
/** pkg/apis/scheduling/types.go HighestUserDefinablePriority; higher values are for system classes. */
const HIGHEST_USER_DEFINABLE_PRIORITY = 1_000_000_000;
/** pkg/apis/scheduling/types.go SystemPriorityClasses: the only classes allowed the "system-" prefix. */
const SYSTEM_PRIORITY_CLASSES = new Map([
  ['system-cluster-critical', 2_000_000_000],
  ['system-node-critical', 2_000_001_000],
]);

interface KindHandler {
  readonly apiVersion: string;
  readonly parse: (f: Field) => KubeObject;
}

const KINDS = new Map<string, KindHandler>([
  ['Node', { apiVersion: 'v1', parse: parseNode }],
  ['Pod', { apiVersion: 'v1', parse: parsePod }],
  ['Deployment', { apiVersion: 'apps/v1', parse: parseDeployment }],
  ['ReplicaSet', { apiVersion: 'apps/v1', parse: parseReplicaSet }],
  ['Service', { apiVersion: 'v1', parse: parseService }],
  ['PriorityClass', { apiVersion: 'scheduling.k8s.io/v1', parse: parsePriorityClass }],
]);

function supportedKinds(): string {
  const kinds = [...KINDS].map(([kind, h]) => `${kind} (${h.apiVersion})`);
  return `${kinds.join(', ')}, and List or <Kind>List of those`;
}

// ---- objects ----

/** The objects in one YAML document: a single object, or the items of a List / <Kind>List. */
export function parseManifests(f: Field): KubeObject[] {
  return parseObject(f, undefined);
}

interface ImpliedType {
  readonly kind: string;
  readonly apiVersion: string;
}

/**
 * `implied` is the type of a <Kind>List's items: the API returns them without kind and apiVersion
 * (`kubectl get --raw /api/v1/pods`), while `kubectl get -o yaml` returns a List whose items carry both.
 */
function parseObject(f: Field, implied: ImpliedType | undefined): KubeObject[] {
  if (f.kind() !== 'map') {
    return f.fail(`expected a Kubernetes object (a mapping with apiVersion, kind and metadata), got ${f.describe()}`);
  }
  const kindField = f.get('kind');
  const versionField = f.get('apiVersion');
  const kind = implied !== undefined && !kindField.exists ? implied.kind : kindField.str();
  const apiVersion = implied !== undefined && !versionField.exists ? implied.apiVersion : versionField.str();

  if (kind.endsWith('List')) {
    const itemKind = kind.slice(0, -'List'.length);
    const expectedVersion = itemKind === '' ? 'v1' : KINDS.get(itemKind)?.apiVersion;
    if (expectedVersion === undefined) return kindField.fail(`unsupported kind ${JSON.stringify(kind)}; supported kinds: ${supportedKinds()}`);
    checkApiVersion(versionField, kind, apiVersion, expectedVersion);
    const itemType = itemKind === '' ? undefined : { kind: itemKind, apiVersion };
    return f.get('items').items().flatMap((item) => parseObject(item, itemType));
  }
  const handler = KINDS.get(kind);
  if (handler === undefined) {
    return kindField.fail(`unsupported kind ${JSON.stringify(kind)}; supported kinds: ${supportedKinds()}`);
  }
  checkApiVersion(versionField, kind, apiVersion, handler.apiVersion);
  return [handler.parse(f)];
}

function checkApiVersion(f: Field, kind: string, got: string, expected: string): void {
  if (got !== expected) f.fail(`expected apiVersion ${JSON.stringify(expected)} for kind ${kind}, got ${JSON.stringify(got)}`);
}

function parsePod(f: Field): Pod {
  return {
    kind: 'Pod',
    metadata: parseMeta(f, true, 'subdomain'),
    spec: parsePodSpec(f.get('spec')),
    // A pasted `kubectl get pod -o yaml` carries a status; the simulated pod starts from scratch.
    status: { phase: 'Pending', ready: false },
  };
}

function parseNode(f: Field): Node {
  const metadata = parseMeta(f, false, 'subdomain');
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
    names: f.get('names').items().map((n) => n.str()),
    sizeBytes: f.get('sizeBytes').optInt(0, { min: 0 }),
  };
}

function parseDeployment(f: Field): Deployment {
  const metadata = parseMeta(f, true, 'subdomain');
  return { kind: 'Deployment', metadata, spec: parseReplicatedSpec(f.get('spec'), 'Deployment', metadata.namespace) };
}

function parseReplicaSet(f: Field): ReplicaSet {
  const metadata = parseMeta(f, true, 'subdomain');
  return { kind: 'ReplicaSet', metadata, spec: parseReplicatedSpec(f.get('spec'), 'ReplicaSet', metadata.namespace) };
}

interface ReplicatedSpec {
  readonly replicas: number;
  readonly selector: LabelSelector;
  readonly template: PodTemplate;
}

/** The spec shared by Deployment and ReplicaSet, validated as pkg/apis/apps/validation does. */
function parseReplicatedSpec(spec: Field, kind: string, namespace: string): ReplicatedSpec {
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
    templateField.get('metadata').get('labels').fail(
      `selector does not match template labels (selector ${formatSelector(selector)}; template labels ${formatLabels(template.labels)})`,
    );
  }
  if (template.spec.restartPolicy !== 'Always') {
    templateField.get('spec').get('restartPolicy').fail(
      `expected "Always" (the only restartPolicy a ${kind}'s pods may use), got ${JSON.stringify(template.spec.restartPolicy)}`,
    );
  }
  return { replicas, selector, template };
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
      f.get('metadata').get('name').fail(
        `priority class names with the "system-" prefix are reserved for ${[...SYSTEM_PRIORITY_CLASSES.keys()].join(' and ')}`,
      );
    }
    if (value !== expected) f.get('value').fail(`expected ${expected} for the system priority class ${name}, got ${value}`);
  } else if (value > HIGHEST_USER_DEFINABLE_PRIORITY) {
    f.get('value').fail(`expected at most ${HIGHEST_USER_DEFINABLE_PRIORITY} (the highest user-definable priority), got ${value}`);
  }
}

// ---- metadata ----

type NameRule = 'subdomain' | 'dns1035';

function parseMeta(f: Field, namespaced: boolean, rule: NameRule): ObjectMeta {
  const m = f.get('metadata');
  const nameField = m.get('name');
  if (!nameField.exists && m.get('generateName').exists) {
    m.get('generateName').fail('generateName is not supported; give the object a metadata.name');
  }
  const name = nameField.str();
  checkName(nameField, name, rule);
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
  return {
    labels: labelMap(meta.get('labels')),
    annotations: meta.get('annotations').stringMap(),
    spec: parsePodSpec(f.get('spec')),
  };
}

/** A PodSpec with SetDefaults_PodSpec and SetDefaults_Pod (pkg/apis/core/v1/defaults.go) applied. */
export function parsePodSpec(f: Field): PodSpec {
  if (f.kind() !== 'map') expectedMapping(f, 'a pod spec (a mapping with at least one container)');
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
    // SetDefaults_PodSpec: terminationGracePeriodSeconds defaults to 30.
    terminationGracePeriodSeconds: f.get('terminationGracePeriodSeconds').optInt(DEFAULT_TERMINATION_GRACE_PERIOD_SECONDS, { min: 0 }),
  };
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
    ports: f.get('ports').items().map((p) => parseContainerPort(p, hostNetwork)),
  };
  if (init && f.get('restartPolicy').exists) return { ...container, restartPolicy: sidecarPolicy(f.get('restartPolicy')) };
  return container;
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
      resources.get('requests').get(name).fail(
        `expected a request ≤ the ${name} limit of ${formatAmount(name, limit)}, got ${formatAmount(name, request)}`,
      );
    }
  }
}

function parseContainerPort(f: Field, hostNetwork: boolean): ContainerPort {
  const containerPort = f.get('containerPort').int(PORT_RANGE);
  const hostPort = f.get('hostPort').optInt(0, { min: 0, max: PORT_RANGE.max });
  return {
    containerPort,
    // defaultHostNetworkPorts in defaults.go: with hostNetwork every container port is also a host port.
    hostPort: hostNetwork && hostPort === 0 ? containerPort : hostPort,
    protocol: protocolOf(f.get('protocol')),
  };
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
  if (operator === 'Exists' && value !== '') f.get('value').fail(`value must be empty when operator is Exists, got ${JSON.stringify(value)}`);
  const secondsField = f.get('tolerationSeconds');
  if (secondsField.kind() === 'missing' || secondsField.kind() === 'null') return { key, operator, value, effect };
  const tolerationSeconds = secondsField.int();
  if (effect !== 'NoExecute') secondsField.fail('tolerationSeconds requires effect NoExecute');
  return { key, operator, value, effect, tolerationSeconds };
}

// ---- label selectors ----

function parseLabelSelector(f: Field): LabelSelector {
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

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const QUALIFIED_NAME_PART = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

const DNS1123_LABEL_RULE = "at most 63 lowercase letters, digits or '-', starting and ending with a letter or digit";
const DNS1123_SUBDOMAIN_RULE = "at most 253 lowercase letters, digits, '-' or '.', starting and ending with a letter or digit";
const DNS1035_LABEL_RULE = "at most 63 lowercase letters, digits or '-', starting with a letter and ending with a letter or digit";
const LABEL_VALUE_RULE = "at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit (or empty)";

export function isDns1123Label(s: string): boolean {
  return s.length <= 63 && DNS1123_LABEL.test(s);
}

export function isDns1123Subdomain(s: string): boolean {
  return s.length <= 253 && DNS1123_SUBDOMAIN.test(s);
}

export function isDns1035Label(s: string): boolean {
  return s.length <= 63 && DNS1035_LABEL.test(s);
}

export function isLabelValue(s: string): boolean {
  return s.length <= 63 && LABEL_VALUE.test(s);
}

/** A label key or similar qualified name: an optional DNS subdomain prefix and '/', then a name of at most 63 characters. */
export function isQualifiedName(s: string): boolean {
  const slash = s.indexOf('/');
  const prefix = slash < 0 ? '' : s.slice(0, slash);
  const name = slash < 0 ? s : s.slice(slash + 1);
  if (slash >= 0 && !isDns1123Subdomain(prefix)) return false;
  return name.length <= 63 && QUALIFIED_NAME_PART.test(name);
}

function checkQualifiedName(f: Field, s: string, what: string): void {
  if (!isQualifiedName(s)) {
    f.fail(
      `invalid ${what} ${JSON.stringify(s)}: expected an optional DNS subdomain prefix and '/', then at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit`,
    );
  }
}

// ---- small helpers ----

function expectedMapping(f: Field, what: string): never {
  return f.fail(f.exists ? `expected ${what}, got ${f.describe()}` : `required field is missing; expected ${what}`);
}

function hasOwn(obj: object, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(obj, key);
}

function formatAmount(resource: string, amount: number): string {
  return resource === 'cpu' ? `${amount}m` : String(amount);
}
