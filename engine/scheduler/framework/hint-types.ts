/**
 * What a plugin's EventsToRegister and QueueingHint functions are made of (framework.ClusterEventWithHint,
 * framework.QueueingHintFn), for the plugins' events.ts and the scheduling queue (framework/queueing-hints.ts).
 */
import type { Node, NodeAffinity, Pod } from '../../api/objects.js';
import type { PodInput } from '../pod-input.js';
import type { SpreadConstraint } from '../plugins/pod-topology-spread/index.js';
import type { ClusterEvent, EventResource } from './cluster-events.js';

/** framework.QueueingHint */
export const QUEUE_SKIP = 0;
export const QUEUE = 1;

/** What a hint function knows of the rejected pod: the object and its cycle input (plus the profile's added affinity). */
export interface HintPod {
  readonly pod: Pod;
  readonly input: PodInput;
  /** The pod's DoNotSchedule constraints (its own, or the profile's defaults with DefaultSelector). */
  readonly spreadHard: readonly SpreadConstraint[];
  /** NodeAffinityArgs.addedAffinity of the pod's profile. */
  readonly addedAffinity: NodeAffinity | undefined;
}

export type HintFn = (p: HintPod, old: unknown, neu: unknown) => number;

export interface Registration {
  readonly event: ClusterEvent;
  readonly hint: HintFn | null;
}

export const reg = (resource: EventResource, action: number, label: string, hint: HintFn | null): Registration => ({
  event: { resource, action, label },
  hint,
});

export const asNode = (o: unknown): Node | undefined => o as Node | undefined;
export const asPod = (o: unknown): Pod | undefined => o as Pod | undefined;
