/**
 * The workflow of one pod with virtual timestamps (`kubesim run --trace <pod>`): what each component did to it,
 * in the order it happened. Matches a pod by name, or by namespace/name.
 */
import type { Pod } from '../api/objects.js';
import type { Micros } from '../core/time.js';

export interface TraceStep {
  readonly t: Micros;
  readonly pod: string;
  readonly text: string;
}

export class Tracer {
  readonly steps: TraceStep[] = [];

  /** False when no pod is traced: callers test it before building a step's text (once per pod event). */
  readonly active: boolean;

  constructor(private readonly target: string | null) {
    this.active = target !== null;
  }

  private matches(namespace: string, name: string): boolean {
    return this.target !== null && (this.target === name || this.target === `${namespace}/${name}`);
  }

  record(pod: Pod, t: Micros, text: string): void {
    if (this.target === null) return;
    const { namespace, name } = pod.metadata;
    if (this.matches(namespace, name)) this.steps.push({ t, pod: `${namespace}/${name}`, text });
  }

  /** For observers that know only a pod's name (endpoints list pod names within the service's namespace). */
  recordByName(name: string, t: Micros, text: string): void {
    if (this.target !== null && (this.target === name || this.target.endsWith(`/${name}`))) this.steps.push({ t, pod: name, text });
  }
}
