/** Small builders for tests: real objects of the simulator's model, with only the fields a test cares about. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ApiServer, type ApiServerParams } from '../engine/api/api-server.js';
import type { Node, Pod, PodSpec } from '../engine/api/objects.js';
import { RngFactory } from '../engine/core/rng.js';
import { Simulation } from '../engine/core/simulation.js';
import { InputError } from '../engine/scenario/input-error.js';
import { parseScenario } from '../engine/scenario/load.js';
import type { Scenario } from '../engine/scenario/types.js';
import { parseYamlDocuments } from '../engine/scenario/yaml-field.js';

/** Runs fn, asserts it throws an InputError, and returns it. */
export function expectInputError(fn: () => unknown): InputError {
  try {
    fn();
  } catch (err) {
    assert.instance(err, InputError);
    return err as InputError;
  }
  assert.unreachable('expected an InputError');
  throw new Error('unreachable');
}

export function makeNode(
  name: string,
  allocatable: Record<string, number>,
  labels: Record<string, string> = {},
  unschedulable = false,
): Node {
  return {
    kind: 'Node',
    metadata: { name, namespace: '', uid: '', labels, annotations: {}, ownerReferences: [], creationTimestamp: 0, resourceVersion: 0 },
    spec: { unschedulable, taints: [] },
    status: { capacity: allocatable, allocatable, images: [], ready: true },
  };
}

export function makeSpec(requests: Record<string, number>[], extra: Partial<PodSpec> = {}): PodSpec {
  return {
    containers: requests.map((r, i) => ({ name: `c${i}`, image: 'pause', requests: r, limits: {}, ports: [] })),
    initContainers: [],
    nodeName: '',
    schedulerName: 'default-scheduler',
    priorityClassName: '',
    priority: 0,
    nodeSelector: {},
    tolerations: [],
    restartPolicy: 'Always',
    overhead: {},
    terminationGracePeriodSeconds: 30,
    ...extra,
  };
}

export function makePod(name: string, spec: PodSpec): Pod {
  return {
    kind: 'Pod',
    metadata: {
      name,
      namespace: 'default',
      uid: '',
      labels: {},
      annotations: {},
      ownerReferences: [],
      creationTimestamp: 0,
      resourceVersion: 0,
    },
    spec,
    status: { phase: 'Pending', ready: false },
  };
}

/** A scenario from YAML text (file name test.yaml in /tmp, for messages). */
export function scenarioFrom(yaml: string): Scenario {
  const [f] = parseYamlDocuments(yaml, 'test.yaml');
  return parseScenario(f, '/tmp/test.yaml').scenario;
}

/** The checkout (dist/test/ → ../../), the GPU fixtures, and ../shared/traces beside the checkout (never copied in). */
export const REPO = fileURLToPath(new URL('../../', import.meta.url));
export const GPU_FIXTURES = join(REPO, 'test', 'fixtures', 'gpu');
export const TRACES = join(REPO, '..', 'shared', 'traces');

/** uvu's test when the openb trace is present, else test.skip (with a note on stderr naming the file's tests). */
export function traceTestFor(file: string): (name: string, fn: () => void | Promise<void>) => void {
  if (existsSync(join(TRACES, 'openb_pod_list_default.csv'))) return test;
  process.stderr.write(`${file}: ${TRACES} not found; the trace tests are skipped\n`);
  return test.skip;
}

/** An API server whose every latency is a constant: 1 ms processing, 1 ms etcd commit, `watchDelay` µs. */
export function constantApi(extra: Partial<ApiServerParams> = {}, watchDelay = 0): { sim: Simulation; api: ApiServer } {
  const sim = new Simulation();
  const ms = { type: 'constant', value: 1000 } as const;
  const api = new ApiServer(
    sim,
    {
      requestLatency: { create: ms, update: ms, delete: ms },
      watchDelay: { type: 'constant', value: watchDelay },
      etcd: { writeLatency: ms },
      ...extra,
    },
    new RngFactory(1),
  );
  return { sim, api };
}
