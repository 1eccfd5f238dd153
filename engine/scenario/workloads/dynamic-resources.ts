/**
 * Dynamic Resource Allocation manifests (resource.k8s.io/v1, GA since v1.34): DeviceClass, ResourceClaim,
 * ResourceClaimTemplate and ResourceSlice, validated as pkg/apis/resource/validation does for the fields the
 * allocator reads and defaulted as pkg/apis/resource/v1 defaults.go (allocationMode ExactCount, count 1).
 * Every field is honoured, inert, warned about or refused (the field tables below); CEL selectors are compiled at
 * load time and any expression outside kubesim's subset is refused (engine/scheduler/plugins/dynamic-resources/
 * selector.ts). Other apiVersions (v1beta1, v1beta2) are refused by the manifest reader with the version named.
 */
import type {
  Device,
  DeviceAttribute,
  DeviceClass,
  DeviceRequest,
  DeviceSelector,
  ObjectMeta,
  ResourceClaim,
  ResourceClaimSpec,
  ResourceClaimTemplate,
  ResourceSlice,
} from '../../api/objects.js';
import { QuantityError, quantityValue } from '../../api/quantity.js';
import { DNS1123_LABEL_RULE, DNS1123_SUBDOMAIN_RULE, isDns1123Label, isDns1123Subdomain } from '../../api/validation.js';
import { compileSelector, SelectorError } from '../../scheduler/plugins/dynamic-resources/selector.js';
import type { DraDriverSpec } from '../../node/dra-driver.js';
import { checkFields, type Disposition, type FieldTable } from '../field-dispositions.js';
import { parseMeta } from '../manifests.js';
import { parseNodeSelectorTerm } from '../../api/node-selector-input.js';
import type { Field } from '../yaml-field.js';

const H: Disposition = { d: 'honoured' };
const refused = (why: string, unless?: readonly string[]): Disposition => ({
  d: 'refused',
  why,
  ...(unless === undefined ? {} : { unless }),
});
const OPAQUE = { d: 'inert', why: 'opaque driver configuration: passed to the driver on the node, it does not change placement' } as const;
const NOT_MODELED = (what: string): Disposition =>
  refused(`${what} is not modeled by kubesim's allocator (docs/model/dynamic-resources.md)`);

/** resource.k8s.io/v1 DeviceSelector: only cel. */
export const DEVICE_SELECTOR: FieldTable = { cel: H };

/** resource.k8s.io/v1 ExactDeviceRequest. */
export const EXACT_REQUEST: FieldTable = {
  deviceClassName: H,
  selectors: { d: 'nested', table: DEVICE_SELECTOR },
  allocationMode: H,
  count: H,
  adminAccess: refused('admin access (DRAAdminAccess) is not modeled', ['false']),
  tolerations: NOT_MODELED('device taints and tolerations'),
  capacity: NOT_MODELED('consumable capacity (requests on device capacity)'),
};

/** resource.k8s.io/v1 DeviceRequest. */
export const DEVICE_REQUEST: FieldTable = {
  name: H,
  exactly: { d: 'nested', table: EXACT_REQUEST },
  firstAvailable: NOT_MODELED('a prioritized list of subrequests (firstAvailable)'),
};

/** resource.k8s.io/v1 DeviceClaim (a claim's spec.devices). */
export const DEVICE_CLAIM: FieldTable = {
  requests: { d: 'nested', table: DEVICE_REQUEST },
  constraints: NOT_MODELED('constraints between requests (matchAttribute, distinctAttribute)'),
  config: OPAQUE,
};

/** resource.k8s.io/v1 ResourceClaimSpec. */
export const CLAIM_SPEC: FieldTable = { devices: { d: 'nested', table: DEVICE_CLAIM } };

/** resource.k8s.io/v1 DeviceClassSpec. */
export const DEVICE_CLASS_SPEC: FieldTable = {
  selectors: { d: 'nested', table: DEVICE_SELECTOR },
  config: OPAQUE,
  extendedResourceName: NOT_MODELED('extended resources backed by devices (DRAExtendedResource)'),
};

/** resource.k8s.io/v1 Device. */
export const DEVICE: FieldTable = {
  name: H,
  attributes: H,
  capacity: H,
  consumesCounters: NOT_MODELED('partitionable devices (consumesCounters)'),
  nodeName: NOT_MODELED('per-device node selection'),
  nodeSelector: NOT_MODELED('per-device node selection'),
  allNodes: NOT_MODELED('per-device node selection'),
  taints: NOT_MODELED('device taints'),
  bindsToNode: refused('binding conditions are not modeled', ['false']),
  bindingConditions: NOT_MODELED('binding conditions'),
  bindingFailureConditions: NOT_MODELED('binding conditions'),
  allowMultipleAllocations: refused('devices shared by several claims (consumable capacity) are not modeled', ['false']),
};

/** resource.k8s.io/v1 ResourceSliceSpec. */
export const SLICE_SPEC: FieldTable = {
  driver: H,
  pool: H,
  nodeName: H,
  nodeSelector: H,
  allNodes: H,
  devices: { d: 'nested', table: DEVICE },
  perDeviceNodeSelection: refused('per-device node selection is not modeled', ['false']),
  sharedCounters: NOT_MODELED('partitionable devices (sharedCounters)'),
};

const TOP: FieldTable = { apiVersion: H, kind: H, metadata: H, spec: H };

function checkTop(f: Field, status: Disposition | null): void {
  checkFields(f, status === null ? TOP : { ...TOP, status });
}

function dnsSubdomain(f: Field, what: string): string {
  const s = f.str();
  if (!isDns1123Subdomain(s)) f.fail(`expected ${what} (${DNS1123_SUBDOMAIN_RULE}), got ${JSON.stringify(s)}`);
  return s;
}

function dnsLabel(f: Field, what: string): string {
  const s = f.str();
  if (!isDns1123Label(s)) f.fail(`expected ${what} (${DNS1123_LABEL_RULE}), got ${JSON.stringify(s)}`);
  return s;
}

/** spec.selectors[]: each cel.expression compiled now, so an expression outside the subset is refused at load. */
function parseSelectors(f: Field): DeviceSelector[] {
  return f.items().map((s) => {
    const cel = s.get('cel');
    if (cel.kind() !== 'map') cel.fail('expected a cel selector with an expression');
    cel.rejectUnknownKeys(['expression']);
    const e = cel.get('expression');
    const expression = e.str();
    try {
      compileSelector(expression);
    } catch (err) {
      if (err instanceof SelectorError) e.fail(err.message);
      throw err;
    }
    return { expression };
  });
}

export function parseDeviceClass(f: Field): DeviceClass {
  checkTop(f, null);
  const metadata = parseMeta(f, false, 'subdomain');
  const spec = f.get('spec');
  checkFields(spec, DEVICE_CLASS_SPEC);
  return { kind: 'DeviceClass', metadata, spec: { selectors: parseSelectors(spec.get('selectors')) } };
}

/** ResourceClaimSpec (ValidateResourceClaimSpec for the fields modeled): unique DNS-label request names, a class each. */
export function parseClaimSpec(spec: Field): ResourceClaimSpec {
  checkFields(spec, CLAIM_SPEC);
  const reqs = spec.get('devices').get('requests');
  const names = new Set<string>();
  const requests = reqs.items().map((r): DeviceRequest => {
    const name = dnsLabel(r.get('name'), 'a request name');
    if (names.has(name)) r.get('name').fail(`duplicate request name ${JSON.stringify(name)}`);
    names.add(name);
    const ex = r.get('exactly');
    if (ex.kind() !== 'map') ex.fail('expected exactly (a device request with deviceClassName); firstAvailable is not modeled');
    const deviceClassName = dnsSubdomain(ex.get('deviceClassName'), 'the name of a DeviceClass');
    const allocationMode = ex.get('allocationMode').optOneOf(['ExactCount', 'All'] as const, 'ExactCount');
    const c = ex.get('count');
    if (allocationMode === 'All' && c.exists && c.kind() !== 'null') c.fail('must not be set when allocationMode is All');
    const count = allocationMode === 'All' ? 0 : c.optInt(1, { min: 1, max: 128 });
    return { name, deviceClassName, selectors: parseSelectors(ex.get('selectors')), allocationMode, count };
  });
  if (requests.length === 0) reqs.fail('expected at least one device request (spec.devices.requests)');
  return { requests };
}

export function parseResourceClaim(f: Field): ResourceClaim {
  checkTop(f, {
    d: 'warned',
    why: 'the status of a claim is written by the scheduler and the resource-claim controller; the given one is ignored',
  });
  const metadata = parseMeta(f, true, 'subdomain');
  return { kind: 'ResourceClaim', metadata, spec: parseClaimSpec(f.get('spec')), status: { reservedFor: [] } };
}

export function parseResourceClaimTemplate(f: Field): ResourceClaimTemplate {
  checkTop(f, null);
  const metadata = parseMeta(f, true, 'subdomain');
  const spec = f.get('spec');
  checkFields(spec, { metadata: H, spec: H });
  const m = spec.get('metadata');
  checkFields(m, { labels: H, annotations: H });
  return {
    kind: 'ResourceClaimTemplate',
    metadata,
    spec: { labels: m.get('labels').stringMap(), annotations: m.get('annotations').stringMap(), spec: parseClaimSpec(spec.get('spec')) },
  };
}

/** A qualified attribute or capacity name: `<name>` (the driver's domain) or `<domain>/<name>`, C-identifier name. */
export function qualify(f: Field, key: string, driver: string): string {
  const slash = key.indexOf('/');
  const domain = slash < 0 ? driver : key.slice(0, slash);
  const name = slash < 0 ? key : key.slice(slash + 1);
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name) || name.length > 32)
    f.fail(
      `expected an attribute name of at most 32 letters, digits or '_' (a C identifier), optionally prefixed by a domain, got ${JSON.stringify(key)}`,
    );
  if (!isDns1123Subdomain(domain)) f.fail(`expected a domain (${DNS1123_SUBDOMAIN_RULE}) before "/", got ${JSON.stringify(domain)}`);
  return `${domain}/${name}`;
}

function parseAttribute(f: Field): DeviceAttribute {
  const kinds = (['int', 'bool', 'string', 'version'] as const).filter((k) => f.get(k).exists);
  if (kinds.length !== 1)
    f.fail(`expected exactly one of int, bool, string or version, got ${kinds.length === 0 ? 'none' : kinds.join(' and ')}`);
  const type = kinds[0];
  const v = f.get(type);
  if (type === 'int') return { type, value: v.int() };
  if (type === 'bool') return { type, value: v.bool() };
  const s = v.str();
  if (type === 'version' && !/^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/.test(s))
    v.fail(`expected a semantic version such as "1.2.3", got ${JSON.stringify(s)}`);
  return { type, value: s };
}

function parseDevice(f: Field, driver: string): Device {
  const name = dnsLabel(f.get('name'), 'a device name');
  const attributes: Record<string, DeviceAttribute> = {};
  for (const [k, v] of f.get('attributes').entries()) {
    v.rejectUnknownKeys(['int', 'bool', 'string', 'version']);
    attributes[qualify(v, k, driver)] = parseAttribute(v);
  }
  const capacity: Record<string, number> = {};
  for (const [k, v] of f.get('capacity').entries()) {
    checkFields(v, {
      value: H,
      requestPolicy: { d: 'inert', why: 'only read for devices with allowMultipleAllocations, which are refused' },
    });
    const q = v.get('value');
    try {
      capacity[qualify(v, k, driver)] = quantityValue(q.scalarString());
    } catch (err) {
      if (err instanceof QuantityError) q.fail(`expected a quantity such as "80Gi", got ${q.describe()}`);
      throw err;
    }
  }
  return { name, attributes, capacity };
}

/**
 * A node pool's `dra:` option (node/dra-driver.ts): driver, devices (count), optional device name prefix (gpu),
 * attributes (name → string, integer or boolean) and capacity (name → quantity).
 */
export function parseDraDriver(f: Field): DraDriverSpec {
  f.rejectUnknownKeys(['driver', 'devices', 'prefix', 'attributes', 'capacity']);
  const driver = dnsSubdomain(f.get('driver'), 'a DRA driver name such as gpu.example.com');
  if (driver !== driver.toLowerCase()) f.get('driver').fail('expected a lowercase driver name');
  const devices = f.get('devices').int({ min: 1, max: 128 });
  const prefix = f.get('prefix').exists ? dnsLabel(f.get('prefix'), 'a device name prefix') : 'gpu';
  const attributes: Record<string, DeviceAttribute> = {};
  for (const [k, v] of f.get('attributes').entries()) {
    const raw = v.toJS();
    const key = qualify(v, k, driver);
    if (typeof raw === 'boolean') attributes[key] = { type: 'bool', value: raw };
    else if (typeof raw === 'number' && Number.isSafeInteger(raw)) attributes[key] = { type: 'int', value: raw };
    else if (typeof raw === 'string') attributes[key] = { type: 'string', value: raw };
    else v.fail(`expected a string, integer or boolean attribute value, got ${v.describe()}`);
  }
  const capacity: Record<string, number> = {};
  for (const [k, v] of f.get('capacity').entries()) {
    try {
      capacity[qualify(v, k, driver)] = quantityValue(v.scalarString());
    } catch (err) {
      if (err instanceof QuantityError) v.fail(`expected a quantity such as "80Gi", got ${v.describe()}`);
      throw err;
    }
  }
  return { driver, devices, prefix, attributes, capacity };
}

export function parseResourceSlice(f: Field): ResourceSlice {
  checkTop(f, null);
  const metadata: ObjectMeta = parseMeta(f, false, 'subdomain');
  const spec = f.get('spec');
  if (spec.kind() !== 'map') spec.fail('expected a ResourceSlice spec (driver, pool, nodeName/nodeSelector/allNodes, devices)');
  checkFields(spec, SLICE_SPEC);
  const driver = dnsSubdomain(spec.get('driver'), 'a driver name');
  if (driver !== driver.toLowerCase()) spec.get('driver').fail('expected a lowercase driver name');
  const pool = spec.get('pool');
  pool.rejectUnknownKeys(['name', 'generation', 'resourceSliceCount']);
  const poolName = pool.get('name').str();
  if (poolName === '' || poolName.split('/').some((seg) => !isDns1123Subdomain(seg)))
    pool.get('name').fail(`expected a pool name of DNS subdomains separated by "/", got ${JSON.stringify(poolName)}`);
  const generation = pool.get('generation').optInt(0, { min: 0 });
  const resourceSliceCount = pool.get('resourceSliceCount').int({ min: 1 });
  const nodeName =
    spec.get('nodeName').exists && spec.get('nodeName').kind() !== 'null' ? dnsSubdomain(spec.get('nodeName'), 'a node name') : '';
  const allNodes = spec.get('allNodes').optBool(false);
  const ns = spec.get('nodeSelector');
  const hasSelector = ns.exists && ns.kind() !== 'null';
  const where = (nodeName !== '' ? 1 : 0) + (allNodes ? 1 : 0) + (hasSelector ? 1 : 0);
  if (where !== 1) spec.fail('expected exactly one of nodeName, nodeSelector and allNodes (true)');
  const nodeSelector = hasSelector
    ? {
        nodeSelectorTerms: ns
          .get('nodeSelectorTerms')
          .items()
          .map((t) => parseNodeSelectorTerm(t, 'strict')),
      }
    : undefined;
  const names = new Set<string>();
  const devices = spec
    .get('devices')
    .items()
    .map((d) => {
      const dev = parseDevice(d, driver);
      if (names.has(dev.name)) d.get('name').fail(`duplicate device name ${JSON.stringify(dev.name)}`);
      names.add(dev.name);
      return dev;
    });
  return {
    kind: 'ResourceSlice',
    metadata,
    spec: {
      driver,
      pool: { name: poolName, generation, resourceSliceCount },
      nodeName,
      allNodes,
      devices,
      ...(nodeSelector === undefined ? {} : { nodeSelector }),
    },
  };
}
