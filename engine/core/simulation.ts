import { EventQueue } from './event-queue.js';
import { Fingerprint } from './fingerprint.js';
import type { Micros } from './time.js';

/** A handler for one event kind: `a` is an integer target (an index into the component's tables), `b` a number. */
export type EventHandler = (a: number, b: number) => void;

/**
 * The discrete-event loop: one virtual clock, one future event set, integer event kinds dispatched through a
 * handler table. Payloads are plain numbers in struct-of-arrays pools (no allocation per event on the hot
 * path); components keep their own tables and pass indices. `callAt` exists for rare events that need a
 * closure (API responses, scenario steps); it costs one slot in a reusable array.
 *
 * This module knows nothing of Kubernetes.
 */
export class Simulation {
  private _now: Micros = 0;
  private readonly queue = new EventQueue(4096);
  private kinds: Int32Array = new Int32Array(4096);
  private argA: Int32Array = new Int32Array(4096);
  private argB: Float64Array = new Float64Array(4096);
  private readonly free: number[] = [];
  private nextId = 0;
  private readonly handlers: EventHandler[] = [];
  private readonly handlerNames: string[] = [];
  private readonly callbacks: (() => void)[] = [];
  private readonly freeCallbacks: number[] = [];
  private readonly callbackKind: number;
  private stopped = false;
  readonly fingerprint = new Fingerprint();
  eventsProcessed = 0;

  constructor() {
    this.callbackKind = this.register('callback', (slot) => {
      const fn = this.callbacks[slot];
      this.callbacks[slot] = noop;
      this.freeCallbacks.push(slot);
      fn();
    });
  }

  get now(): Micros {
    return this._now;
  }

  get pending(): number {
    return this.queue.size;
  }

  /** Registers a handler and returns its event kind. Register in a fixed order: kinds enter the fingerprint. */
  register(name: string, handler: EventHandler): number {
    this.handlers.push(handler);
    this.handlerNames.push(name);
    return this.handlers.length - 1;
  }

  /** Schedules event `kind` at absolute virtual time `time` (never in the past). */
  at(time: Micros, kind: number, a = 0, b = 0): void {
    if (!(time >= this._now)) throw new Error(`event scheduled in the past or at NaN: ${time} < ${this._now}`);
    let id: number;
    if (this.free.length > 0) id = this.free.pop() as number;
    else {
      id = this.nextId++;
      if (id === this.kinds.length) this.growPayload();
    }
    this.kinds[id] = kind;
    this.argA[id] = a;
    this.argB[id] = b;
    this.queue.push(time, id);
  }

  /** Schedules event `kind` after `delay` microseconds (delays are rounded to whole microseconds). */
  after(delay: Micros, kind: number, a = 0, b = 0): void {
    this.at(this._now + Math.round(delay), kind, a, b);
  }

  /** Runs `fn` at absolute time `time`. */
  callAt(time: Micros, fn: () => void): void {
    let slot: number;
    if (this.freeCallbacks.length > 0) {
      slot = this.freeCallbacks.pop() as number;
      this.callbacks[slot] = fn;
    } else {
      slot = this.callbacks.length;
      this.callbacks.push(fn);
    }
    this.at(time, this.callbackKind, slot, 0);
  }

  callAfter(delay: Micros, fn: () => void): void {
    this.callAt(this._now + Math.round(delay), fn);
  }

  /** Stops the loop after the current event. */
  stop(): void {
    this.stopped = true;
  }

  /**
   * Processes events in (time, insertion) order until the queue is empty, `until` is passed, or stop() is
   * called. Events at exactly `until` still run. Returns the final virtual time.
   */
  run(until: Micros = Infinity): Micros {
    this.stopped = false;
    const q = this.queue;
    const fp = this.fingerprint;
    while (!this.stopped) {
      const t = q.peekTime();
      if (t > until || t === Infinity) break;
      const id = q.pop();
      const kind = this.kinds[id];
      const a = this.argA[id];
      const b = this.argB[id];
      this.free.push(id);
      this._now = t;
      this.eventsProcessed++;
      fp.addEvent(t, kind, a);
      this.handlers[kind](a, b);
    }
    return this._now;
  }

  kindName(kind: number): string {
    return this.handlerNames[kind] ?? `kind#${kind}`;
  }

  private growPayload(): void {
    const cap = this.kinds.length * 2;
    const k = new Int32Array(cap);
    k.set(this.kinds);
    const a = new Int32Array(cap);
    a.set(this.argA);
    const b = new Float64Array(cap);
    b.set(this.argB);
    this.kinds = k;
    this.argA = a;
    this.argB = b;
  }
}

function noop(): void {}
