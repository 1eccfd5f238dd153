/**
 * Imperative kubectl commands → the objects they would create, following upstream kubectl
 * (staging/src/k8s.io/kubectl/pkg/cmd/run/run.go and pkg/cmd/create/create_deployment.go):
 *
 *   kubectl run NAME --image=IMG [--labels=k=v,...] [--port=N] [--restart=Always|OnFailure|Never]
 *       [--image-pull-policy=P] [--env=K=V]... [--annotations=K=V]... [--expose] [-n NS] [-- ARGS...]
 *   kubectl create deployment NAME --image=IMG[,IMG...] [--replicas=N] [--port=N] [-n NS] [-- COMMAND...]
 *
 * Both `--flag=value` and `--flag value` forms are accepted. Flags that only matter for an interactive
 * terminal, or that kubectl removed, are refused with an explanation rather than silently ignored.
 * Commands, arguments and environment variables are validated but not modeled.
 */
import {
  podSpecOf,
  type Container,
  type Deployment,
  type KubeObject,
  type ObjectMeta,
  type Pod,
  type PodSpec,
  type Service,
  DEFAULT_DEPLOYMENT_STRATEGY,
} from '../api/objects.js';
import { isDns1123Label, isDns1123Subdomain, isLabelValue, isQualifiedName } from '../api/validation.js';
import { suggestClosest, type Field } from './yaml-field.js';
import { imageTagIsLatest } from '../api/image-ref.js';

type FlagType = 'string' | 'bool' | 'list';

interface FlagSpec {
  readonly type: FlagType;
  readonly short?: string;
}

type FlagTable = Readonly<Record<string, FlagSpec>>;

/** kubectl's global -n/--namespace, accepted anywhere on the line. */
const GLOBAL_FLAGS: FlagTable = { namespace: { type: 'string', short: 'n' } };

const RUN_FLAGS: FlagTable = {
  ...GLOBAL_FLAGS,
  image: { type: 'string' },
  labels: { type: 'string', short: 'l' },
  port: { type: 'string' },
  restart: { type: 'string' },
  'image-pull-policy': { type: 'string' },
  env: { type: 'list' },
  annotations: { type: 'list' },
  expose: { type: 'bool' },
  command: { type: 'bool' },
  privileged: { type: 'bool' },
};

const CREATE_DEPLOYMENT_FLAGS: FlagTable = {
  ...GLOBAL_FLAGS,
  image: { type: 'list' },
  replicas: { type: 'string', short: 'r' },
  port: { type: 'string' },
};

const REMOVED_FROM_RUN = 'was removed from kubectl run';
const RESOURCES_HINT = 'put resources.requests/limits in a Pod manifest (a "manifest:" workload) instead';
const INTERACTIVE = 'only matters for an interactive terminal, which a simulation does not have';

/** Flags real kubectl knows (or knew) that we refuse, with the reason. Keys are long names or single-letter shorthands. */
const REFUSED_RUN_FLAGS: Readonly<Record<string, string>> = {
  requests: `${REMOVED_FROM_RUN} in Kubernetes 1.24 (it had no effect since 1.21); ${RESOURCES_HINT}`,
  limits: `${REMOVED_FROM_RUN} in Kubernetes 1.24 (it had no effect since 1.21); ${RESOURCES_HINT}`,
  serviceaccount: `${REMOVED_FROM_RUN} in Kubernetes 1.24; use a Pod manifest`,
  hostport: `${REMOVED_FROM_RUN} in Kubernetes 1.24; use a Pod manifest with ports[].hostPort`,
  replicas: `${REMOVED_FROM_RUN} (it only creates a Pod since Kubernetes 1.18); use "kubectl create deployment NAME --image=IMG --replicas=N"`,
  generator: `${REMOVED_FROM_RUN} (it only creates a Pod since Kubernetes 1.18)`,
  schedule: `${REMOVED_FROM_RUN} (it only creates a Pod since Kubernetes 1.18)`,
  'service-generator': `${REMOVED_FROM_RUN}`,
  'service-overrides': `${REMOVED_FROM_RUN}`,
  overrides: 'is not supported; write a Pod manifest (a "manifest:" workload) instead',
  'dry-run': 'would create nothing; remove it',
  stdin: INTERACTIVE,
  i: INTERACTIVE,
  tty: INTERACTIVE,
  t: INTERACTIVE,
  attach: INTERACTIVE,
  rm: INTERACTIVE,
  'leave-stdin-open': INTERACTIVE,
};

const REFUSED_CREATE_FLAGS: Readonly<Record<string, string>> = {
  'dry-run': 'would create nothing; remove it',
};

const USAGE = 'expected "kubectl run NAME --image=IMAGE [flags]" or "kubectl create deployment NAME --image=IMAGE [flags]"';

/** The objects `command` would create; errors are reported at `f`, the field holding the command. */
export function parseKubectl(command: string, f: Field): KubeObject[] {
  const words = splitCommandLine(command, f);
  const args = words[0] === 'kubectl' ? words.slice(1) : words;
  const verbAt = findVerb(args, f);
  const verb = args[verbAt];
  const rest = [...args.slice(0, verbAt), ...args.slice(verbAt + 1)];
  if (verb === 'run') return kubectlRun(parseFlags(rest, RUN_FLAGS, REFUSED_RUN_FLAGS, 'kubectl run', f), f);
  if (verb === 'create') {
    const parsed = parseFlags(rest, CREATE_DEPLOYMENT_FLAGS, REFUSED_CREATE_FLAGS, 'kubectl create deployment', f);
    const what = parsed.positionals[0];
    if (what === 'deployment' || what === 'deploy') {
      return kubectlCreateDeployment({ ...parsed, positionals: parsed.positionals.slice(1) }, f);
    }
    return f.fail(
      what === undefined
        ? `kubectl create: expected a resource type; ${USAGE}`
        : `unsupported command "kubectl create ${what}": only "create deployment" is supported (use a "manifest:" or "file:" workload for other objects)`,
    );
  }
  return f.fail(`unsupported kubectl command ${JSON.stringify(verb)}; ${USAGE}`);
}

// ---- kubectl run ----

function kubectlRun(p: ParsedArgs, f: Field): KubeObject[] {
  const name = p.positionals[0];
  if (name === undefined) f.fail('kubectl run: NAME is required for run');
  checkObjectName(name, 'kubectl run', f);
  const image = requiredImage(p.values.get('image'), 'kubectl run', f);
  const namespace = namespaceOf(p, f);
  const userLabels = parseLabels(lastValue(p, 'labels') ?? '', f);
  // run.go: the pod is labelled run=NAME unless --labels is given.
  const labels = Object.keys(userLabels).length > 0 ? userLabels : { run: name };
  const port = optPort(lastValue(p, 'port'), 'kubectl run', f);
  const restartPolicy = restartPolicyOf(lastValue(p, 'restart') ?? 'Always', f);
  const pullPolicy = checkPullPolicy(lastValue(p, 'image-pull-policy') ?? '', f);
  for (const env of p.values.get('env') ?? []) checkEnv(env, f);
  const annotations = parsePairs(p.values.get('annotations') ?? [], 'annotations', f);
  // run.go createPod: one container named after the pod; resources stay empty.
  const container = containerOf(name, image, port, pullPolicy);
  const pod: Pod = {
    kind: 'Pod',
    metadata: metaOf(name, namespace, labels, annotations),
    spec: podSpecOf([container], restartPolicy),
    status: { phase: 'Pending', ready: false },
  };
  if (!flagSet(p, 'expose')) return [pod];
  if (port === undefined) return f.fail('kubectl run: --port must be set when exposing a service');
  // run.go createService: selects the pod's labels, carries only the labels the user gave.
  const service: Service = {
    kind: 'Service',
    metadata: metaOf(name, namespace, userLabels, {}),
    spec: { selector: labels, ports: [{ name: '', port, protocol: 'TCP' }] },
  };
  return [pod, service];
}

/** run.go getRestartPolicy. */
function restartPolicyOf(value: string, f: Field): PodSpec['restartPolicy'] {
  if (value === 'Always' || value === 'OnFailure' || value === 'Never') return value;
  return f.fail(`kubectl run: invalid restart policy ${JSON.stringify(value)}; valid values are Always, OnFailure, Never (case-sensitive)`);
}

/** run.go getImagePullPolicy: '' (the API server's default applies), Always, IfNotPresent or Never. */
function checkPullPolicy(value: string, f: Field): string {
  if (value !== '' && value !== 'Always' && value !== 'IfNotPresent' && value !== 'Never') {
    f.fail(`kubectl run: invalid image pull policy ${JSON.stringify(value)}; valid values are Always, IfNotPresent, Never`);
  }
  return value;
}

/** run.go parseEnvs; environment variables are not modeled. */
function checkEnv(env: string, f: Field): void {
  const eq = env.indexOf('=');
  const name = eq < 0 ? '' : env.slice(0, eq);
  if (!/^[-._a-zA-Z][-._a-zA-Z0-9]*$/.test(name)) f.fail(`kubectl run: invalid env ${JSON.stringify(env)}; expected NAME=value`);
}

/** run.go parseLabels: comma-separated key=value pairs. */
function parseLabels(spec: string, f: Field): Record<string, string> {
  if (spec === '') return {};
  const labels: Record<string, string> = {};
  for (const item of spec.split(',')) {
    const parts = item.split('=');
    if (parts.length !== 2) f.fail(`kubectl run: unexpected label spec ${JSON.stringify(item)}; expected key=value`);
    const [key, value] = parts;
    if (key === '') f.fail('kubectl run: unexpected empty label key');
    if (!isQualifiedName(key)) f.fail(`kubectl run: invalid label key ${JSON.stringify(key)}`);
    if (!isLabelValue(value)) f.fail(`kubectl run: invalid label value ${JSON.stringify(value)}`);
    labels[key] = value;
  }
  return labels;
}

/** cmdutil.ParsePairs: each item is key=value with a non-empty key. */
function parsePairs(items: readonly string[], what: string, f: Field): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of items) {
    const eq = item.indexOf('=');
    if (eq <= 0) f.fail(`kubectl run: invalid ${what} ${JSON.stringify(item)}; expected key=value`);
    out[item.slice(0, eq)] = item.slice(eq + 1);
  }
  return out;
}

// ---- kubectl create deployment ----

function kubectlCreateDeployment(p: ParsedArgs, f: Field): KubeObject[] {
  const cmd = 'kubectl create deployment';
  // create.go NameFromCommandArgs: exactly one NAME before "--".
  if (p.positionals.length !== 1) f.fail(`${cmd}: exactly one NAME is required, got ${p.positionals.length}`);
  const name = p.positionals[0];
  checkObjectName(name, cmd, f);
  const images = (p.values.get('image') ?? []).flatMap((v) => v.split(',')).filter((v) => v !== '');
  if (images.length === 0) f.fail(`${cmd}: --image is required`);
  images.forEach((img) => checkImage(img, cmd, f));
  if (images.length > 1 && p.trailing.length > 0) f.fail(`${cmd}: cannot specify multiple --image options and command`);
  const replicasText = lastValue(p, 'replicas');
  const replicas = replicasText === undefined ? 1 : parseIntFlag(replicasText, 'replicas', 0, 2 ** 31 - 1, cmd, f);
  const port = optPort(lastValue(p, 'port'), cmd, f);
  // create_deployment.go: labels, selector and template labels are all app=NAME.
  const labels = { app: name };
  const containers = images.map((img, i) => containerOf(containerNameFor(img, name, i), img, i === 0 ? port : undefined));
  checkContainerNames(containers, cmd, f);
  const deployment: Deployment = {
    kind: 'Deployment',
    metadata: metaOf(name, namespaceOf(p, f), labels, {}),
    spec: {
      replicas,
      selector: { matchLabels: labels, matchExpressions: [] },
      template: { labels, annotations: {}, spec: podSpecOf(containers, 'Always') },
      strategy: DEFAULT_DEPLOYMENT_STRATEGY,
    },
  };
  return [deployment];
}

/**
 * create_deployment.go buildPodSpec: the image's last path element without tag or digest. Names with '_'
 * or '.' are sanitized to '-' and given a random 5-character suffix upstream; here the suffix is a hash of
 * the deployment, image and position, so runs stay reproducible.
 */
function containerNameFor(image: string, deployment: string, index: number): string {
  let base = image.slice(image.lastIndexOf('/') + 1);
  base = base.split('@')[0].split(':')[0];
  if (!/[_.]/.test(base)) return base;
  return `${base.replace(/[_.]/g, '-')}-${stableSuffix(`${deployment}/${image}/${index}`)}`;
}

/** k8s.io/apimachinery/pkg/util/rand's alphabet (no vowels, no confusable digits), picked by FNV-1a. */
function stableSuffix(seed: string): string {
  const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
  let h = 0x811c9dc5;
  for (let i = 0; i < seed.length; i++) {
    h ^= seed.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  let out = '';
  for (let i = 0; i < 5; i++) {
    out += alphabet[h % alphabet.length];
    h = Math.floor(h / alphabet.length);
  }
  return out;
}

function checkContainerNames(containers: readonly Container[], cmd: string, f: Field): void {
  const seen = new Set<string>();
  for (const c of containers) {
    if (!isDns1123Label(c.name))
      f.fail(
        `${cmd}: container name ${JSON.stringify(c.name)} derived from image ${JSON.stringify(c.image)} is not a valid DNS-1123 label`,
      );
    if (seen.has(c.name)) f.fail(`${cmd}: two images give the same container name ${JSON.stringify(c.name)}`);
    seen.add(c.name);
  }
}

// ---- objects as the API server would store them ----

function metaOf(name: string, namespace: string, labels: Record<string, string>, annotations: Record<string, string>): ObjectMeta {
  return { name, namespace, uid: '', labels, annotations, ownerReferences: [], creationTimestamp: 0, resourceVersion: 0 };
}

function containerOf(name: string, image: string, port: number | undefined, pullPolicy = ''): Container {
  // Ports default to protocol TCP (k8s.io/api/core/v1 types.go `+default="TCP"`).
  const ports = port === undefined ? [] : [{ containerPort: port, hostPort: 0, protocol: 'TCP' as const }];
  // SetDefaults_Container: no policy given → Always for an image tagged (or defaulting to) latest.
  const pull = pullPolicy === '' ? (imageTagIsLatest(image) ? 'Always' : 'IfNotPresent') : pullPolicy;
  return { name, image, requests: {}, limits: {}, ports, ...(pull === 'Always' || pull === 'Never' ? { imagePullPolicy: pull } : {}) };
}

// ---- shared flag checks ----

function checkObjectName(name: string, cmd: string, f: Field): void {
  if (!isDns1123Subdomain(name)) {
    f.fail(
      `${cmd}: invalid name ${JSON.stringify(name)}; expected a DNS-1123 subdomain (lowercase letters, digits, '-' and '.', starting and ending with a letter or digit)`,
    );
  }
}

function requiredImage(values: readonly string[] | undefined, cmd: string, f: Field): string {
  const image = values?.[values.length - 1] ?? '';
  if (image === '') return f.fail(`${cmd}: --image is required`);
  checkImage(image, cmd, f);
  return image;
}

// github.com/distribution/reference grammar (reference.ReferenceRegexp), which kubectl run checks.
const ALNUM = '[a-z0-9]+';
const PATH_COMPONENT = `${ALNUM}(?:(?:[._]|__|-+)${ALNUM})*`;
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN = `(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[a-fA-F0-9:]+\\])(?::[0-9]+)?`;
const TAG = '[\\w][\\w.-]{0,127}';
const DIGEST = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}';
const IMAGE_REFERENCE = new RegExp(`^((?:${DOMAIN}/)?${PATH_COMPONENT}(?:/${PATH_COMPONENT})*)(?::${TAG})?(?:@${DIGEST})?$`);
const MAX_IMAGE_NAME = 255;

function checkImage(image: string, cmd: string, f: Field): void {
  const m = image.length <= 4096 ? IMAGE_REFERENCE.exec(image) : null;
  if (m === null)
    f.fail(
      `${cmd}: invalid image name ${JSON.stringify(image)}: invalid reference format (expected e.g. nginx, nginx:1.27 or registry.k8s.io/pause:3.10)`,
    );
  if (m[1].length > MAX_IMAGE_NAME)
    f.fail(`${cmd}: invalid image name ${JSON.stringify(image)}: repository name must not be more than ${MAX_IMAGE_NAME} characters`);
}

function namespaceOf(p: ParsedArgs, f: Field): string {
  const ns = lastValue(p, 'namespace') ?? 'default';
  if (!isDns1123Label(ns)) f.fail(`invalid namespace ${JSON.stringify(ns)}; expected a DNS-1123 label`);
  return ns;
}

/** --port: a container port, 1–65535 (kubectl checks it is a number; the API server checks the range). */
function optPort(text: string | undefined, cmd: string, f: Field): number | undefined {
  return text === undefined ? undefined : parseIntFlag(text, 'port', 1, 65535, cmd, f);
}

function parseIntFlag(text: string, flag: string, min: number, max: number, cmd: string, f: Field): number {
  const n = /^[+-]?\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    f.fail(`${cmd}: --${flag} must be an integer between ${min} and ${max}, got ${JSON.stringify(text)}`);
  }
  return n;
}

// ---- command-line parsing ----

interface ParsedArgs {
  readonly positionals: readonly string[];
  /** Long flag name → every value given, in order. Bool flags hold "true"/"false". */
  readonly values: ReadonlyMap<string, readonly string[]>;
  /** Words after "--" (container command or arguments; not modeled). */
  readonly trailing: readonly string[];
}

function lastValue(p: ParsedArgs, flag: string): string | undefined {
  const vs = p.values.get(flag);
  return vs === undefined ? undefined : vs[vs.length - 1];
}

function flagSet(p: ParsedArgs, flag: string): boolean {
  return lastValue(p, flag) === 'true';
}

/** Index of the subcommand, skipping global flags (kubectl -n ns run ...). */
function findVerb(args: readonly string[], f: Field): number {
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '-n' || a === '--namespace') i++;
    else if (a.startsWith('--namespace=') || /^-n./.test(a)) continue;
    else if (a.startsWith('-')) return f.fail(`expected a subcommand before ${a}; ${USAGE}`);
    else return i;
  }
  return f.fail(`missing subcommand; ${USAGE}`);
}

/** pflag semantics: --name=value, --name value, -x value, -xvalue, -x=value; bool flags take no separate value. */
function parseFlags(
  args: readonly string[],
  table: FlagTable,
  refused: Readonly<Record<string, string>>,
  cmd: string,
  f: Field,
): ParsedArgs {
  const positionals: string[] = [];
  const values = new Map<string, string[]>();
  const add = (name: string, value: string): void => {
    const list = values.get(name) ?? [];
    list.push(value);
    values.set(name, list);
  };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--') return { positionals, values, trailing: args.slice(i + 1) };
    if (!a.startsWith('-') || a === '-') {
      positionals.push(a);
      continue;
    }
    const long = a.startsWith('--');
    const body = long ? a.slice(2) : a.slice(1);
    const eq = body.indexOf('=');
    // "-nfoo" is "-n foo"; "--name=value" and "-n=foo" carry their value inline.
    const key = long ? (eq < 0 ? body : body.slice(0, eq)) : body[0];
    const inline = long ? (eq < 0 ? undefined : body.slice(eq + 1)) : body.length > 1 ? body.slice(body[1] === '=' ? 2 : 1) : undefined;
    const [name, spec] = lookupFlag(key, long, table, refused, cmd, f);
    if (spec.type === 'bool') {
      add(name, parseBoolFlag(name, inline, cmd, f));
      continue;
    }
    let value = inline;
    if (value === undefined) {
      if (i + 1 >= args.length) f.fail(`${cmd}: flag needs an argument: ${a}`);
      value = args[++i];
    }
    add(name, value);
  }
  return { positionals, values, trailing: [] };
}

function lookupFlag(
  key: string,
  long: boolean,
  table: FlagTable,
  refused: Readonly<Record<string, string>>,
  cmd: string,
  f: Field,
): [string, FlagSpec] {
  const shown = long ? `--${key}` : `-${key}`;
  const reason = refused[key];
  if (reason !== undefined && (long || key.length === 1)) f.fail(`${cmd}: ${shown} ${reason}`);
  const entry = Object.entries(table).find(([name, spec]) => (long ? name === key : spec.short === key));
  if (entry !== undefined) return entry;
  const guess = long ? suggestClosest(key, Object.keys(table)) : undefined;
  const hint =
    guess === undefined
      ? `; supported flags: ${Object.keys(table)
          .map((n) => `--${n}`)
          .join(', ')}`
      : `; did you mean --${guess}?`;
  return f.fail(`${cmd}: unknown flag ${shown}${hint}`);
}

/** strconv.ParseBool, as pflag uses for --flag=value. */
function parseBoolFlag(name: string, inline: string | undefined, cmd: string, f: Field): string {
  if (inline === undefined) return 'true';
  if (['1', 't', 'T', 'true', 'TRUE', 'True'].includes(inline)) return 'true';
  if (['0', 'f', 'F', 'false', 'FALSE', 'False'].includes(inline)) return 'false';
  return f.fail(`${cmd}: invalid value ${JSON.stringify(inline)} for --${name}; expected true or false`);
}

/**
 * Splits a command line as a POSIX shell would for plain words, single and double quotes, backslash
 * escapes and line continuations. Anything that needs a real shell (pipes, redirections, expansions) is
 * refused, since the command is interpreted, not run.
 */
export function splitCommandLine(line: string, f: Field): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
      continue;
    }
    inWord = true;
    if (c === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) f.fail('unterminated single quote in kubectl command');
      word += line.slice(i + 1, end);
      i = end;
    } else if (c === '"') {
      i = readDoubleQuoted(line, i + 1, (s) => (word += s), f);
    } else if (c === '\\') {
      if (line[i + 1] === '\n')
        inWord = word !== ''; // line continuation
      else if (i + 1 < line.length) word += line[i + 1];
      i++;
    } else if ('|&;<>()$`'.includes(c)) {
      f.fail(`unsupported shell syntax ${JSON.stringify(c)} in kubectl command (quote it if it is part of a value)`);
    } else {
      word += c;
    }
  }
  if (inWord) words.push(word);
  return words;
}

/** Reads a double-quoted string starting after the quote; returns the index of the closing quote. */
function readDoubleQuoted(line: string, start: number, emit: (s: string) => void, f: Field): number {
  for (let i = start; i < line.length; i++) {
    const c = line[i];
    if (c === '"') return i;
    if (c === '$' || c === '`') f.fail('shell expansion ($ or `) is not supported in kubectl commands');
    if (c === '\\' && i + 1 < line.length && '"\\$`\n'.includes(line[i + 1])) {
      if (line[i + 1] !== '\n') emit(line[i + 1]);
      i++;
    } else {
      emit(c);
    }
  }
  return f.fail('unterminated double quote in kubectl command');
}
