/**
 * The controller that lifts a pod's scheduling gates: in a real cluster an external controller (a job queue such
 * as Kueue, a quota manager) removes spec.schedulingGates when it admits the pod; kubesim stands in for it with
 * the annotation `kubesim.io/remove-scheduling-gates-after: <duration>`: that long after the pod's creation every
 * gate is removed by one update through the scenario's client. A gated pod without the annotation stays gated
 * (SchedulingGated) for the whole run, as it would with no controller to lift its gates.
 */
import { type ApiServer, type Client } from '../api/api-server.js';
import { parseDuration } from '../api/duration.js';
import type { KubeObject, PodTemplate } from '../api/objects.js';
import type { Simulation } from '../core/simulation.js';
import type { Scenario } from '../scenario/types.js';

export const REMOVE_GATES_ANNOTATION = 'kubesim.io/remove-scheduling-gates-after';

/** The delay the annotation asks for, null when absent; throws nothing (the loader checks the syntax). */
export function gateRemovalDelay(annotations: Readonly<Record<string, string>>): number | null {
  const v = annotations[REMOVE_GATES_ANNOTATION];
  return v === undefined ? null : parseDuration(v);
}

export function startGateRemover(sim: Simulation, api: ApiServer, client: Client): void {
  const seen = new Set<string>();
  api.watch('Pod', 'kubesim/gate-remover', (ev) => {
    const pod = ev.object;
    if (ev.type !== 'ADDED' || pod.kind !== 'Pod' || (pod.spec.schedulingGates?.length ?? 0) === 0 || seen.has(ev.key)) return;
    const delay = gateRemovalDelay(pod.metadata.annotations);
    if (delay === null) return;
    seen.add(ev.key);
    const key = ev.key;
    sim.callAt(Math.max(sim.now, pod.metadata.creationTimestamp + delay), () =>
      api.update(client, 'Pod', key, (cur) => {
        if (cur.kind !== 'Pod' || cur.metadata.uid !== pod.metadata.uid || (cur.spec.schedulingGates?.length ?? 0) === 0) return null;
        const { schedulingGates: _gates, ...spec } = cur.spec;
        return { ...cur, spec };
      }),
    );
  });
}

/** Whether any pod of the scenario can carry scheduling gates (the gate remover's watch is opened only then). */
export function scenarioUsesGates(s: Scenario): boolean {
  const gated = (t: { spec: { schedulingGates?: readonly string[] } }): boolean => (t.spec.schedulingGates?.length ?? 0) > 0;
  const objectGated = (o: KubeObject): boolean =>
    o.kind === 'Pod' ? gated(o) : o.kind === 'Deployment' || o.kind === 'ReplicaSet' || o.kind === 'Job' ? gated(o.spec.template) : false;
  const templates: PodTemplate[] = [...s.podWorkloads.map((w) => w.template)];
  for (const st of s.steps) {
    if (st.opcode === 'createPods') templates.push(st.template);
    if (st.opcode === 'churn') templates.push(...st.templates);
  }
  return s.objects.some((o) => objectGated(o.object)) || templates.some(gated);
}
