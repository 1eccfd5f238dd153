/**
 * A shared-informer in miniature (client-go tools/cache): a local cache fed by one watch, turning watch
 * events into add / update(old, new) / delete callbacks. Components read their cache, never etcd.
 */
import type { WatchEvent } from './api-server.js';
import type { KubeObject } from './objects.js';

/**
 * `key` is the object's storage key (keyOf(obj)) as the API server holds it: handlers that key maps by it
 * skip building and hashing a fresh string per event.
 */
export interface InformerHandlers<T extends KubeObject> {
  add?(obj: T, key: string): void;
  update?(oldObj: T, newObj: T, key: string): void;
  delete?(obj: T, key: string): void;
}

/** One cached object; MODIFIED events overwrite `obj` in place. */
interface Slot<T> {
  obj: T;
}

/**
 * The informer's store (client-go's thread-safe store), read like a Map. Entries are slots so that an update,
 * most of a large run's watch events, costs one hash lookup in a map of every pod instead of a get and a set.
 */
export class Store<T> implements Iterable<[string, T]> {
  readonly slots = new Map<string, Slot<T>>();

  get size(): number {
    return this.slots.size;
  }

  get(key: string): T | undefined {
    return this.slots.get(key)?.obj;
  }

  has(key: string): boolean {
    return this.slots.has(key);
  }

  *values(): IterableIterator<T> {
    for (const s of this.slots.values()) yield s.obj;
  }

  *[Symbol.iterator](): IterableIterator<[string, T]> {
    for (const [k, s] of this.slots) yield [k, s.obj];
  }
}

export class Informer<T extends KubeObject> {
  readonly cache = new Store<T>();

  constructor(private readonly handlers: InformerHandlers<T>) {}

  /** The watch handler to pass to ApiServer.watch. */
  readonly onEvent = (ev: WatchEvent): void => {
    const obj = ev.object as T;
    const key = ev.key;
    const slots = this.cache.slots;
    const slot = slots.get(key);
    if (ev.type === 'DELETED') {
      if (slot === undefined) return;
      slots.delete(key);
      this.handlers.delete?.(obj, key);
      return;
    }
    if (slot === undefined) {
      slots.set(key, { obj });
      this.handlers.add?.(obj, key);
      return;
    }
    const old = slot.obj;
    slot.obj = obj;
    this.handlers.update?.(old, obj, key);
  };
}
